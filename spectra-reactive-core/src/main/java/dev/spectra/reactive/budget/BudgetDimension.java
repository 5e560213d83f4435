package dev.spectra.reactive.budget;

import java.util.Locale;

/**
 * A unit a budget limits.
 *
 * @since 0.2
 */
public enum BudgetDimension {
    /** Cost in US dollars, as priced by the tracker's pricing. */
    USD,
    /** Total tokens (input and output). */
    TOKENS,
    /** Calls made to the provider. */
    REQUESTS;

    private final String id = name().toLowerCase(Locale.ROOT);

    /**
     * @return the lower-case name used in JSON and messages, e.g. {@code usd}
     */
    public String id() {
        return id;
    }
}
