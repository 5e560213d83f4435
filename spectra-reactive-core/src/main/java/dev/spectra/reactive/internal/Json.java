package dev.spectra.reactive.internal;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/** The library's shared Jackson 3 mapper (thread-safe, plain settings) and JSON helpers. */
public final class Json {

    /** The mapper; never reconfigured after creation. */
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    /**
     * Bytes of the value's compact JSON in UTF-8.
     *
     * @param value a JSON value (as accepted by {@link JsonValues#freeze})
     * @return the serialised size
     */
    public static int size(@Nullable Object value) {
        return MAPPER.writeValueAsBytes(value).length;
    }

    /**
     * The value's compact JSON.
     *
     * @param value a JSON value
     * @return the JSON text
     */
    public static String write(@Nullable Object value) {
        return MAPPER.writeValueAsString(value);
    }
}
