package dev.spectra.reactive;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * What one call cost, in US dollars, exact.
 *
 * <p>Amounts are {@link BigDecimal}s held at scale {@value #SCALE} (the scale of the {@code numeric(20,10)}
 * columns they are stored in), so a cost survives a database round trip unchanged. Compare amounts with
 * {@link BigDecimal#compareTo}. {@code total} is always {@code input + output}: prices per unit go to the side
 * they bill (generated images to output, transcribed audio and spoken characters to input).
 *
 * <p>A call whose model is not priced has no {@code Cost} ({@link TrackedRequest#cost()} is null and
 * {@link TrackedRequest#pricingStatus()} says why), never a cost of zero.
 *
 * @param input cost of the input side, USD
 * @param output cost of the output side, USD
 * @param total input + output, USD
 * @since 0.1
 */
public record Cost(BigDecimal input, BigDecimal output, BigDecimal total) {

    /** Scale of every amount: ten decimal places of a dollar. */
    public static final int SCALE = 10;

    /**
     * Normalises the amounts to {@value #SCALE} decimals (half-even) and checks that total = input + output.
     *
     * @param input cost of the input side, USD
     * @param output cost of the output side, USD
     * @param total input + output, USD
     * @throws IllegalArgumentException when an amount is negative or the total is not the sum
     */
    public Cost {
        input = scaled("input", input);
        output = scaled("output", output);
        total = scaled("total", total);
        if (input.add(output).compareTo(total) != 0) {
            throw new IllegalArgumentException(
                    "cost total (" + total + ") must equal input (" + input + ") + output (" + output + ")");
        }
    }

    /**
     * A cost from its two sides.
     *
     * @param input cost of the input side, USD
     * @param output cost of the output side, USD
     * @return the cost, total = input + output
     */
    public static Cost of(BigDecimal input, BigDecimal output) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        return new Cost(input, output, input.add(output));
    }

    /**
     * A cost from decimal strings, for tests and configuration: {@code Cost.of("0.0025", "0.01")}.
     *
     * @param input cost of the input side, USD
     * @param output cost of the output side, USD
     * @return the cost
     */
    public static Cost of(String input, String output) {
        return of(new BigDecimal(input), new BigDecimal(output));
    }

    private static BigDecimal scaled(String name, BigDecimal v) {
        Objects.requireNonNull(v, name);
        if (v.signum() < 0) {
            throw new IllegalArgumentException("cost " + name + " must not be negative, was " + v);
        }
        return v.scale() == SCALE ? v : v.setScale(SCALE, RoundingMode.HALF_EVEN);
    }
}
