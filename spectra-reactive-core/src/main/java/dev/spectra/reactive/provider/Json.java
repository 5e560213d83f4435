package dev.spectra.reactive.provider;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper of the provider package and the tolerant accessors every wire format uses: a field of
 * the wrong type, a negative count or a number beyond {@code long} (a count or a duration) reads as absent, never
 * as an exception.
 */
final class Json {

    /** Floats as BigDecimal (audio seconds stay exact); trailing garbage after a value is malformed. */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /** Parses a JSON value; null when the bytes are not JSON (truncated, invalid UTF-8, too deep ...). */
    static @Nullable JsonNode parse(byte[] bytes, int off, int len) {
        try {
            return MAPPER.readTree(bytes, off, len);
        } catch (JacksonException | IllegalArgumentException e) {
            return null;
        }
    }

    static @Nullable JsonNode parse(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return parse(b, 0, b.length);
    }

    /** A JSON value of a Java value (Map, List ...) as the operators may hand them; null when not convertible. */
    static @Nullable JsonNode tree(Object value) {
        try {
            return MAPPER.valueToTree(value);
        } catch (JacksonException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The object member, or null when absent or not an object. */
    static @Nullable JsonNode obj(@Nullable JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v != null && v.isObject() ? v : null;
    }

    /** The array member, or null when absent or not an array. */
    static @Nullable JsonNode array(@Nullable JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v != null && v.isArray() ? v : null;
    }

    /** A non-empty string member, or null. */
    static @Nullable String text(@Nullable JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        if (v == null || !v.isString()) {
            return null;
        }
        String s = v.stringValue();
        return s == null || s.isEmpty() ? null : s;
    }

    /** A string member, or a number member as its text (error codes are either), or null. */
    static @Nullable String textOrNumber(@Nullable JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        if (v != null && v.isNumber()) {
            return v.asString();
        }
        return text(node, field);
    }

    /**
     * The largest plausible count of one call, {@value}: no model reads or writes a trillion tokens (or characters)
     * in one call. A larger count is garbage, never a usage, and bounding it keeps every cost this library computes
     * within what a {@code numeric(20,10)} column stores (10^12 tokens at the dearest rate in the catalog, $600 per
     * 1M, is $6 x 10^8).
     */
    static final long MAX_COUNT = 1_000_000_000_000L;

    /**
     * Whether a usage object states a count that is not one: a member named like a count ({@code *_tokens},
     * {@code *Tokens}, {@code *TokenCount}, {@code tokenCount}, {@code seconds}), at any depth, whose value is
     * present but not a count (a string, a fraction, a negative, a number beyond {@link #MAX_COUNT} or
     * {@link #MAX_SECONDS}). Such a usage is garbage as a whole: reading the other members and taking the bad one
     * as 0 would record a usage the provider never stated.
     *
     * @param usage a usage object, may be null
     * @return true when some count member is malformed
     */
    static boolean malformedCounts(@Nullable JsonNode usage) {
        if (usage == null) {
            return false;
        }
        if (usage.isArray()) {
            for (JsonNode e : usage) {
                if (malformedCounts(e)) {
                    return true;
                }
            }
            return false;
        }
        if (!usage.isObject()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : usage.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (key.equals("seconds")) {
                if (decimal(usage, key) == null) {
                    return true;
                }
            } else if (key.endsWith("_tokens") || key.endsWith("Tokens") || key.endsWith("TokenCount")
                    || key.equals("tokenCount")) { // not Cohere's "tokens", an object of counts
                if (count(usage, key) == null) { // whatever its shape: an object or array is not a count either
                    return true;
                }
            } else if ((v.isObject() || v.isArray()) && malformedCounts(v)) {
                return true;
            }
        }
        return false;
    }

    /** The largest plausible duration of one call's audio, in seconds: {@value} (about 31 years). */
    static final long MAX_SECONDS = 1_000_000_000L;

    /**
     * A token count: a non-negative integral number up to {@link #MAX_COUNT}; else null (absent or malformed).
     */
    static @Nullable Long count(@Nullable JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) {
                return null;
            }
            long l = v.longValue();
            return l < 0 || l > MAX_COUNT ? null : l;
        }
        // 12.0 is a count; 12.5 is not
        BigDecimal d = v.decimalValue();
        try {
            long l = d.longValueExact();
            return l < 0 || l > MAX_COUNT ? null : l;
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /**
     * A non-negative decimal (audio seconds) up to {@link #MAX_SECONDS} and with at most {@value #MAX_DECIMAL_SCALE}
     * decimal places (what PostgreSQL's {@code numeric} holds). Null when absent, negative, not a number, or beyond
     * that range: {@code 1e400} seconds is garbage, never a usage (its cost could be neither computed nor stored).
     */
    static @Nullable BigDecimal decimal(@Nullable JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber()) {
            return null;
        }
        BigDecimal d = v.decimalValue();
        if (d.signum() < 0 || d.scale() > MAX_DECIMAL_SCALE
                || (long) d.precision() - d.scale() > 19 || d.compareTo(MAX_DECIMAL) > 0) { // cheap tests first
            return null;
        }
        return d;
    }

    /** The most decimal places a decimal may have: PostgreSQL's {@code numeric} keeps at most that many. */
    static final int MAX_DECIMAL_SCALE = 16383;

    private static final BigDecimal MAX_DECIMAL = BigDecimal.valueOf(MAX_SECONDS);

    /** The boolean member, or null. */
    static @Nullable Boolean bool(@Nullable JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v != null && v.isBoolean() ? v.booleanValue() : null;
    }

    /** Adds one to a counter map. */
    static void increment(Map<String, Integer> counts, String key) {
        counts.merge(key, 1, Integer::sum);
    }
}
