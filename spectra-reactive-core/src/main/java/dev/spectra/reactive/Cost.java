package dev.spectra.reactive;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

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
 * <p><b>Provenance.</b> {@link #source()} says where {@code total} comes from: the pricing catalog
 * ({@link Source#CATALOG}, or {@link Source#CATALOG_CACHE_RATE_DERIVED} when the catalog has no cached-input rate for
 * the model and the cache reads were priced at the rate the provider documents for all its models), or the provider's
 * own statement of what the call cost ({@link Source#PROVIDER}, OpenRouter's {@code usage.cost}), used when the
 * catalog cannot price the call; the provider states a total only, so {@code input} and {@code output} are null then.
 * Whenever the provider states a cost it is kept in {@link #providerStated()}, beside the catalog's figure.
 *
 * @param input cost of the input side, USD; null only for a cost the provider stated as a total
 * @param output cost of the output side, USD; null only for a cost the provider stated as a total
 * @param total input + output, USD
 * @param source where {@code total} comes from
 * @param providerStated the cost the provider stated for the call, USD, or null when it stated none
 * @since 0.1
 */
public record Cost(@Nullable BigDecimal input, @Nullable BigDecimal output, BigDecimal total, Source source,
                   @Nullable BigDecimal providerStated) {

    /**
     * Where a cost's total comes from.
     *
     * @since 0.2
     */
    public enum Source {
        /** The pricing catalog's rates times the usage. */
        CATALOG,
        /**
         * The pricing catalog's rates times the usage, with cache reads priced at the cached-input rate the provider
         * documents for every model (a share of the input rate), because the catalog states none for the model.
         */
        CATALOG_CACHE_RATE_DERIVED,
        /** The provider's own figure for the call (the catalog could not price it). */
        PROVIDER;

        private final String id = name().toLowerCase(Locale.ROOT);

        /**
         * The lower-case name used in storage and JSON, e.g. {@code provider}.
         *
         * @return the id
         */
        public String id() {
            return id;
        }

        /**
         * The source of an id as returned by {@link #id()}.
         *
         * @param id a source id, any case
         * @return the source
         * @throws IllegalArgumentException for an unknown id
         */
        public static Source fromId(String id) {
            for (Source s : values()) {
                if (s.id.equalsIgnoreCase(id)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("cost source \"" + id
                    + "\" is not one of catalog, catalog_cache_rate_derived, provider");
        }
    }

    /** Scale of every amount: ten decimal places of a dollar. */
    public static final int SCALE = 10;

    /**
     * Normalises the amounts to {@value #SCALE} decimals (half-even) and checks that total = input + output.
     *
     * @param input cost of the input side, USD; null only for a cost the provider stated as a total
     * @param output cost of the output side, USD; null only for a cost the provider stated as a total
     * @param total input + output, USD
     * @param source where {@code total} comes from
     * @param providerStated the cost the provider stated for the call, USD, or null
     * @throws IllegalArgumentException when an amount is negative, the total is not the sum, or the sides are
     *         missing from a cost that is not the provider's
     */
    public Cost {
        Objects.requireNonNull(source, "source");
        input = input == null ? null : scaled("input", input);
        output = output == null ? null : scaled("output", output);
        total = scaled("total", total);
        providerStated = providerStated == null ? null : scaled("providerStated", providerStated);
        if (input == null || output == null) {
            if (source != Source.PROVIDER || input != null || output != null) {
                throw new IllegalArgumentException("cost input and output are both needed, except for a total the "
                        + "provider stated (source provider)");
            }
        } else {
            if (input.add(output).compareTo(total) != 0) {
                throw new IllegalArgumentException(
                        "cost total (" + total + ") must equal input (" + input + ") + output (" + output + ")");
            }
        }
        if (source == Source.PROVIDER && (providerStated == null || providerStated.compareTo(total) != 0)) {
            throw new IllegalArgumentException("a cost from the provider has the provider's figure as its total");
        }
    }

    /**
     * A catalog cost from its three amounts.
     *
     * @param input cost of the input side, USD
     * @param output cost of the output side, USD
     * @param total input + output, USD
     * @throws IllegalArgumentException when an amount is negative or the total is not the sum
     */
    public Cost(BigDecimal input, BigDecimal output, BigDecimal total) {
        this(Objects.requireNonNull(input, "input"), Objects.requireNonNull(output, "output"), total, Source.CATALOG,
                null);
    }

    /**
     * The cost the provider stated for a call the catalog could not price: a total only.
     *
     * @param total the provider's figure, USD
     * @return the cost, source {@link Source#PROVIDER}
     */
    public static Cost statedByProvider(BigDecimal total) {
        Objects.requireNonNull(total, "total");
        return new Cost(null, null, total, Source.PROVIDER, total);
    }

    /**
     * This cost with the provider's own figure beside it.
     *
     * @param usd the cost the provider stated, USD, or null
     * @return a copy
     */
    public Cost withProviderStated(@Nullable BigDecimal usd) {
        return new Cost(input, output, total, source, usd);
    }

    /**
     * This cost with another source, e.g. {@link Source#CATALOG_CACHE_RATE_DERIVED}.
     *
     * @param s the source
     * @return a copy
     */
    public Cost withSource(Source s) {
        return new Cost(input, output, total, s, providerStated);
    }

    /**
     * A cost from its two sides.
     *
     * @param input cost of the input side, USD
     * @param output cost of the output side, USD
     * @return the cost, total = input + output (each side rounded to {@value #SCALE} decimals first)
     */
    public static Cost of(BigDecimal input, BigDecimal output) {
        // each side rounded first, so that the total is their sum at any number of decimals given
        BigDecimal in = scaled("input", input);
        BigDecimal out = scaled("output", output);
        return new Cost(in, out, in.add(out));
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
