package dev.spectra.reactive;

/**
 * Who a call is attributed to: a user, a team, a tenant's workspace, any owner identified by a type and an id.
 * An id that is a credential (of a type named like one, such as {@code api_key}, or shaped like a key) is recorded
 * as {@code sha256:} and the first 32 hex digits of its SHA-256: each key stays its own owner, and none is stored.
 *
 * @param type the owner's kind, e.g. {@code "user"}; 1 to 255 characters, not blank
 * @param id the owner's id; 1 to 255 characters, not blank
 * @since 0.1
 */
public record Trackable(String type, String id) {

    /**
     *
     * @param type the owner's kind, e.g. {@code "user"}; 1 to 255 characters, not blank
     * @param id the owner's id; 1 to 255 characters, not blank
     * @throws IllegalArgumentException when type or id is null, blank or longer than 255 characters
     */
    public Trackable {
        check("type", type);
        check("id", id);
    }

    private static void check(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("trackable " + name + " must not be null or blank");
        }
        if (value.length() > 255) {
            throw new IllegalArgumentException("trackable " + name + " must be at most 255 characters, was "
                    + value.length());
        }
    }
}
