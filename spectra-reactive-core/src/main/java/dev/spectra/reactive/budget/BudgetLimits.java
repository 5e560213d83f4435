package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What a budget allows in a period, in one or several units; a null unit is not limited.
 *
 * @param usd US dollars, or null
 * @param tokens total tokens, or null
 * @param requests calls, or null
 * @since 0.2
 */
public record BudgetLimits(@Nullable BigDecimal usd, @Nullable Long tokens, @Nullable Long requests) {

    /**
     * Checks the limits.
     *
     * @param usd US dollars, or null
     * @param tokens tokens, or null
     * @param requests calls, or null
     * @throws IllegalArgumentException when no unit is limited, or a limit is negative
     */
    public BudgetLimits {
        if (usd == null && tokens == null && requests == null) {
            throw new IllegalArgumentException("a budget limits at least one of usd, tokens and requests");
        }
        if (usd != null && usd.signum() < 0 || tokens != null && tokens < 0 || requests != null && requests < 0) {
            throw new IllegalArgumentException("a budget limit is not negative: usd=" + usd + ", tokens=" + tokens
                    + ", requests=" + requests);
        }
    }

    /**
     * @param dimension a unit
     * @return its limit, or null when it is not limited
     */
    public @Nullable BigDecimal limit(BudgetDimension dimension) {
        return switch (dimension) {
            case USD -> usd;
            case TOKENS -> tokens == null ? null : BigDecimal.valueOf(tokens);
            case REQUESTS -> requests == null ? null : BigDecimal.valueOf(requests);
        };
    }

    /**
     * @return the limited units, in {@link BudgetDimension} order
     */
    public List<BudgetDimension> dimensions() {
        List<BudgetDimension> d = new ArrayList<>(3);
        for (BudgetDimension dim : BudgetDimension.values()) {
            if (limit(dim) != null) {
                d.add(dim);
            }
        }
        return d;
    }

    /**
     * @param total a spend
     * @return the first limited unit in which the spend is over its limit, or null when it is within every limit
     */
    public @Nullable BudgetDimension firstExceeded(Spend total) {
        for (BudgetDimension d : BudgetDimension.values()) {
            BigDecimal limit = limit(d);
            if (limit != null && total.amount(d).compareTo(limit) > 0) {
                return d;
            }
        }
        return null;
    }
}
