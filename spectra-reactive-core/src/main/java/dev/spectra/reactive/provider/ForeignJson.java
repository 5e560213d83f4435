package dev.spectra.reactive.provider;

import org.jspecify.annotations.Nullable;

/**
 * JSON trees of other libraries than the Jackson 3 that core reads with: Jackson 2's
 * {@code com.fasterxml.jackson.databind.JsonNode} (Spring Boot 3 and many SDKs) and Gson's
 * {@code com.google.gson.JsonElement}. Both write themselves as compact JSON from {@code toString()}, so core reads
 * them as JSON text without a compile-time dependency on either library (and without loading it when it is absent).
 */
final class ForeignJson {

    private static final String[] TREE_TYPES = {"com.fasterxml.jackson.databind.JsonNode",
            "com.google.gson.JsonElement"};

    private static final ClassValue<Boolean> IS_TREE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (String name : TREE_TYPES) {
                    if (c.getName().equals(name)) {
                        return true;
                    }
                }
            }
            return false;
        }
    };

    private ForeignJson() {
    }

    /** The value's JSON text when it is a tree of a library listed above, else null. */
    static @Nullable String text(Object value) {
        return IS_TREE.get(value.getClass()) ? value.toString() : null;
    }

    /** The problem to report for a value that no reader understands. */
    static String unknownType(Object value) {
        return "a value of type " + value.getClass().getName() + ", which no reader understands (give a JSON "
                + "String, byte[], ByteBuffer, Map, List or JsonNode, or a usage extractor)";
    }
}
