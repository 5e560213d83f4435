package dev.spectra.reactive;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Whether a record carries a cost, and if not, why not. A missing cost is never shown as zero.
 *
 * @since 0.1
 */
public enum PricingStatus {
    /** The usage was priced: {@link TrackedRequest#cost()} is set ({@link Cost#source()} says by whom). */
    PRICED,
    /**
     * The usage was priced, with the cache reads at the cached-input rate the provider documents for all its models,
     * because the catalog states none for this model ({@link Cost.Source#CATALOG_CACHE_RATE_DERIVED}).
     */
    PRICED_CACHE_RATE_DERIVED,
    /** The usage is known but the model (at that tier) is not in the pricing catalog: no cost. */
    MODEL_NOT_PRICED,
    /** The call's usage is not known (no usage reported, or the call failed before any): no cost. */
    USAGE_UNKNOWN;

    private final String id = name().toLowerCase(Locale.ROOT);

    /**
     * Whether a record of this status carries a cost.
     *
     * @return true for {@link #PRICED} and {@link #PRICED_CACHE_RATE_DERIVED}
     * @since 0.2
     */
    public boolean isPriced() {
        return this == PRICED || this == PRICED_CACHE_RATE_DERIVED;
    }

    /**
     * The status of a record with this cost (or none) and usage (or none).
     *
     * @param cost the cost, or null
     * @param usageKnown whether the usage is known
     * @return the status
     * @since 0.2
     */
    public static PricingStatus of(@Nullable Cost cost, boolean usageKnown) {
        if (cost != null) {
            return cost.source() == Cost.Source.CATALOG_CACHE_RATE_DERIVED ? PRICED_CACHE_RATE_DERIVED : PRICED;
        }
        return usageKnown ? MODEL_NOT_PRICED : USAGE_UNKNOWN;
    }

    /**
     * The lower-case name used in storage and JSON, e.g. {@code model_not_priced}.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The status of an id as returned by {@link #id()}.
     *
     * @param id a status id, any case
     * @return the status
     * @throws IllegalArgumentException for an unknown id
     */
    public static PricingStatus fromId(String id) {
        for (PricingStatus s : values()) {
            if (s.id().equalsIgnoreCase(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException(
                "pricing status \"" + id + "\" is not one of priced, priced_cache_rate_derived, model_not_priced, "
                        + "usage_unknown");
    }
}
