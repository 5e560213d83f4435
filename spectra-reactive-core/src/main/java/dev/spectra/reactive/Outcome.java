package dev.spectra.reactive;

import java.util.Locale;

/**
 * How a tracked call ended.
 *
 * @since 0.1
 */
public enum Outcome {
    /** The call completed: a value, an empty completion, or a provider response with a 2xx status. */
    SUCCESS,
    /** The call failed: an error signal, a 4xx/5xx response, or a connection failure. */
    FAILURE,
    /** The subscriber cancelled before the call completed; whatever usage had arrived is kept. */
    CANCELLED;

    private final String id = name().toLowerCase(Locale.ROOT);

    /**
     * The lower-case name used in storage and JSON: {@code success}, {@code failure}, {@code cancelled}.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The outcome of an id as returned by {@link #id()}.
     *
     * @param id {@code success}, {@code failure} or {@code cancelled}, any case
     * @return the outcome
     * @throws IllegalArgumentException for any other text
     */
    public static Outcome fromId(String id) {
        for (Outcome o : values()) {
            if (o.id().equalsIgnoreCase(id)) {
                return o;
            }
        }
        throw new IllegalArgumentException("outcome \"" + id + "\" is not one of success, failure, cancelled");
    }
}
