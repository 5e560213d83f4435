package dev.spectra.reactive;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The price list a call was billed from: {@link #STANDARD}, {@link #BATCH}, {@link #FLEX}, {@link #PRIORITY},
 * or any other tier a catalog defines (for example {@code hd} for an image model). Names are lower case.
 *
 * <p>Precedence when several places name a tier: {@code call.pricingTier(...)} &gt; {@link TrackOptions} &gt;
 * Reactor Context ({@link Spectra#pricingTier}) &gt; the tier the provider's response reports (OpenAI
 * {@code service_tier}: flex, priority) &gt; the global tier ({@link Spectra#withPricingTier}) &gt; standard.
 *
 * @param name the tier's name, lower case, 1 to 32 characters of {@code [a-z0-9_-]}
 * @since 0.1
 */
public record PricingTier(String name) {

    // before the constants: they are built with it
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");

    /** Regular prices. */
    public static final PricingTier STANDARD = new PricingTier("standard");
    /** Batch API prices (typically half of standard). */
    public static final PricingTier BATCH = new PricingTier("batch");
    /** Flex processing prices (OpenAI {@code service_tier: flex}). */
    public static final PricingTier FLEX = new PricingTier("flex");
    /** Priority processing prices (OpenAI {@code service_tier: priority}, Anthropic priority tier). */
    public static final PricingTier PRIORITY = new PricingTier("priority");

    /**
     *
     * @param name the tier's name, lower case, 1 to 32 characters of {@code [a-z0-9_-]}
     * @throws IllegalArgumentException when the name is not 1-32 characters of {@code [a-z0-9_-]}
     */
    public PricingTier {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("pricing tier \"" + name
                    + "\" is not a tier name: use 1 to 32 characters of [a-z0-9_-], e.g. standard, batch, flex, priority");
        }
    }

    /**
     * The tier of that name, trimmed and lower-cased; the four built-in tiers are returned as their constants.
     *
     * @param name a tier name such as {@code "batch"} or {@code "Priority"}
     * @return the tier
     * @throws IllegalArgumentException when the name is null or not a tier name
     */
    public static PricingTier of(String name) {
        if (name == null) {
            throw new IllegalArgumentException("pricing tier must not be null");
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "standard" -> STANDARD;
            case "batch" -> BATCH;
            case "flex" -> FLEX;
            case "priority" -> PRIORITY;
            default -> new PricingTier(n);
        };
    }

    @Override
    public String toString() {
        return name;
    }
}
