package dev.spectra.reactive.provider;

/**
 * JSON trees of another library than the Jackson 3 that core reads with: Jackson 2's
 * {@code com.fasterxml.jackson.databind.JsonNode}, the type Spring Boot 3 applications and many SDKs hand over. It
 * writes itself as compact JSON from {@code toString()}, so core reads it as JSON text with no dependency on Jackson 2
 * at all (the class is recognised by name, and never loaded by core when the application does not have it).
 */
final class ForeignJson {

    private static final String[] TREE_TYPES = {"com.fasterxml.jackson.databind.JsonNode"};

    private ForeignJson() {
    }

    /** Whether values of the type are trees of a library listed above; asked once per type ({@link OtherValueType}). */
    static boolean isTreeType(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (String name : TREE_TYPES) {
                if (c.getName().equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The details of values of a type that no reader understands; made once per type ({@link OtherValueType}). */
    static ResponseDetails unknownTypeDetails(Class<?> type) {
        return ResponseDetails.unreadable("a value of type " + type.getName() + ", which no reader understands "
                + "(give a JSON String, byte[], ByteBuffer, Map, List or JsonNode, an AWS SDK model object, or a "
                + "usage extractor)");
    }
}
