package dev.spectra.reactive.r2dbc.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.type.TypeReference;
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

    private static final TypeReference<LinkedHashMap<String, @Nullable Object>> OBJECT = new TypeReference<>() {
    };
    private static final TypeReference<ArrayList<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<LinkedHashMap<String, Integer>> COUNTS = new TypeReference<>() {
    };

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
     * @param json a JSON object
     * @return the object, keys in the order of the text
     */
    public static Map<String, @Nullable Object> readObject(String json) {
        return MAPPER.readValue(json, OBJECT);
    }

    /**
     * @param json a JSON array of strings
     * @return the strings
     */
    public static List<String> readStrings(String json) {
        return MAPPER.readValue(json, STRINGS);
    }

    /**
     * @param json a JSON object of integers
     * @return the counts
     */
    public static Map<String, Integer> readCounts(String json) {
        return MAPPER.readValue(json, COUNTS);
    }
}
