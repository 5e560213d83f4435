package dev.spectra.reactive.internal;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/** The size of a metadata value's compact JSON: what a metadata bound counts. */
public final class JsonSize {

    /** Plain settings; never reconfigured. */
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private JsonSize() {
    }

    /**
     * Bytes of the value's compact JSON in UTF-8.
     *
     * @param value a JSON value (as accepted by {@link JsonValues#freeze})
     * @return the serialised size
     */
    public static int of(@Nullable Object value) {
        return MAPPER.writeValueAsBytes(value).length;
    }
}
