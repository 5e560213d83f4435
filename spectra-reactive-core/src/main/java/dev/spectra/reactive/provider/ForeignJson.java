package dev.spectra.reactive.provider;

import org.jspecify.annotations.Nullable;

/**
 * JSON trees of another library than the Jackson 3 that core reads with: Jackson 2's
 * {@code com.fasterxml.jackson.databind.JsonNode}, the type Spring Boot 3 applications and many SDKs hand over. It
 * writes itself as compact JSON from {@code toString()}, so core reads it as JSON text with no dependency on Jackson 2
 * at all (the class is recognised by name, and never loaded by core when the application does not have it).
 */
final class ForeignJson {

    private static final String[] TREE_TYPES = {"com.fasterxml.jackson.databind.JsonNode"};

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
        return UNKNOWN_TYPE.get(value.getClass()).readProblem();
    }

    /** The details of a value that no reader understands. */
    static ResponseDetails unknownTypeDetails(Object value) {
        return UNKNOWN_TYPE.get(value.getClass());
    }

    /**
     * The details per type, made once (they are immutable): a call that keeps handing over the same type allocates
     * nothing for them.
     */
    private static final ClassValue<ResponseDetails> UNKNOWN_TYPE = new ClassValue<>() {
        @Override
        protected ResponseDetails computeValue(Class<?> type) {
            return ResponseDetails.unreadable("a value of type " + type.getName() + ", which no reader understands "
                    + "(give a JSON String, byte[], ByteBuffer, Map, List or JsonNode, an AWS SDK model object, or a "
                    + "usage extractor)");
        }
    };
}
