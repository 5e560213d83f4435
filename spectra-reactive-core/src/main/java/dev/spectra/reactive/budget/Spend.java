package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.util.Objects;

import dev.spectra.reactive.Cost;

/**
 * An amount held against a budget, in each of its units at once: US dollars, tokens and requests.
 *
 * @param usd US dollars, at most {@link Cost#SCALE} decimals, not negative
 * @param tokens tokens, not negative
 * @param requests requests (calls), not negative
 * @since 0.2
 */
public record Spend(BigDecimal usd, long tokens, long requests) {

    /** Nothing. */
    public static final Spend ZERO = new Spend(BigDecimal.ZERO, 0, 0);

    /**
     * Checks the amounts and sets the scale of {@code usd} to {@link Cost#SCALE}.
     *
     * @param usd US dollars
     * @param tokens tokens
     * @param requests requests
     * @throws IllegalArgumentException when an amount is negative
     */
    public Spend {
        Objects.requireNonNull(usd, "usd");
        if (usd.signum() < 0 || tokens < 0 || requests < 0) {
            throw new IllegalArgumentException("a spend is not negative: usd=" + usd + ", tokens=" + tokens
                    + ", requests=" + requests);
        }
        usd = usd.setScale(Cost.SCALE, java.math.RoundingMode.HALF_UP);
    }

    /**
     * @param usd US dollars, e.g. {@code "0.25"}
     * @param tokens tokens
     * @param requests requests
     * @return the spend
     */
    public static Spend of(String usd, long tokens, long requests) {
        return new Spend(new BigDecimal(usd), tokens, requests);
    }

    /**
     * @param other another spend
     * @return the sum
     */
    public Spend plus(Spend other) {
        return new Spend(usd.add(other.usd), tokens + other.tokens, requests + other.requests);
    }

    /**
     * @param other a spend not larger in any unit
     * @return the difference, each unit floored at zero
     */
    public Spend minus(Spend other) {
        return new Spend(usd.subtract(other.usd).max(BigDecimal.ZERO), Math.max(0, tokens - other.tokens),
                Math.max(0, requests - other.requests));
    }

    /**
     * @param other another spend
     * @return whether this one is larger in at least one unit
     */
    public boolean exceedsInAnyUnit(Spend other) {
        return usd.compareTo(other.usd) > 0 || tokens > other.tokens || requests > other.requests;
    }

    /**
     * @param dimension a unit
     * @return the amount in that unit
     */
    public BigDecimal amount(BudgetDimension dimension) {
        return switch (dimension) {
            case USD -> usd;
            case TOKENS -> BigDecimal.valueOf(tokens);
            case REQUESTS -> BigDecimal.valueOf(requests);
        };
    }
}
