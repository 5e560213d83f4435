package dev.spectra.reactive;

import java.util.Locale;

/**
 * Whether a record carries a cost, and if not, why not. A missing cost is never shown as zero.
 *
 * @since 0.1
 */
public enum PricingStatus {
    /** The usage was priced: {@link TrackedRequest#cost()} is set. */
    PRICED,
    /** The usage is known but the model (at that tier) is not in the pricing catalog: no cost. */
    MODEL_NOT_PRICED,
    /** The call's usage is not known (no usage reported, or the call failed before any): no cost. */
    USAGE_UNKNOWN;

    private final String id = name().toLowerCase(Locale.ROOT);

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
                "pricing status \"" + id + "\" is not one of priced, model_not_priced, usage_unknown");
    }
}
