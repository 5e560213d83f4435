package dev.spectra.reactive.r2dbc.internal;

import java.nio.charset.StandardCharsets;

/**
 * PostgreSQL identifiers: the only names this module puts into SQL text (values are always bound).
 */
public final class Identifiers {

    /** PostgreSQL truncates longer identifiers silently (NAMEDATALEN - 1 bytes); we refuse them instead. */
    public static final int MAX_BYTES = 63;

    private Identifiers() {
    }

    /**
     * Checks a schema name and returns it double-quoted, inner quotes doubled, so any name (upper case, spaces,
     * quotes, unicode) means exactly itself and nothing can escape the identifier.
     *
     * @param what what the name is, for the message, e.g. {@code "schema"}
     * @param name the name, as it should appear in the catalog
     * @return the quoted identifier
     * @throws IllegalArgumentException when the name is null, empty, longer than 63 bytes or contains NUL
     */
    public static String quote(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " name must not be null or empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " name must not contain the NUL character");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(what + " name \"" + name + "\" is " + bytes
                    + " bytes long; PostgreSQL identifiers are at most " + MAX_BYTES + " bytes");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
