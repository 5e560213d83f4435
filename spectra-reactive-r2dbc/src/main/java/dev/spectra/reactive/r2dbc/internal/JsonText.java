package dev.spectra.reactive.r2dbc.internal;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON text of the {@code jsonb} columns (metadata, tags, tool call counts), both ways.
 *
 * <p>Reading gives back what {@code jsonb} holds, exactly: integers as {@code Integer}, {@code Long} or
 * {@code BigInteger} by size, and other numbers as {@code BigDecimal} ({@code jsonb} stores numbers as
 * {@code numeric}, so nothing is lost to binary floating point). Compare metadata with
 * {@code JsonValues.jsonEquals}, which treats {@code 2}, {@code 2L} and {@code 2.0} alike.
 */
public final class JsonText {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private JsonText() {
    }

    /**
     * @param value a JSON value (String, Number, Boolean, null, List, Map)
     * @return its JSON text
     */
    public static String write(@Nullable Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /**
     * @param json JSON text
     * @return its value: a {@code Map} (keys in the order of the text), {@code List}, String, Number, Boolean or null
     */
    public static @Nullable Object read(String json) {
        return MAPPER.readValue(json, Object.class);
    }
}
