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
 * The one JSON mapper of the provider package and the accessors every wire format uses. They are tolerant (a
 * member of the wrong type reads as absent) except for the members read as counts and durations of a usage:
 * there a present member that is not one throws {@link MalformedCount}, which the reader of that usage catches to
 * make the usage unknown. So a reader is poisoned by exactly the members it reads, never by a member it ignores.
 */
final class JsonFields {

    /** Floats as BigDecimal (audio seconds stay exact); trailing garbage after a value is malformed. */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonFields() {
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

    /** The largest plausible duration of one call's audio, in seconds: {@value} (about 31 years). */
    static final long MAX_SECONDS = 1_000_000_000L;

    /**
     * A member read as a count or a duration is present but is not one (a string, an array, an object, a boolean,
     * a fraction, a negative, a number beyond {@link #MAX_COUNT} or {@link #MAX_SECONDS}): the usage holding it is
     * unknown as a whole, never read with a 0 for the bad member. Thrown by {@link #count} and {@link #decimal}
     * as one shared instance without a stack trace (it costs no allocation), and caught where a usage is read,
     * which then yields null.
     */
    static final class MalformedCount extends RuntimeException {

        static final MalformedCount INSTANCE = new MalformedCount();

        private MalformedCount() {
            super("a count member that is not a count", null, false, false);
        }
    }

    /**
     * A token count: a non-negative integral number up to {@link #MAX_COUNT}; null when absent (or JSON null).
     *
     * @throws MalformedCount when the member is present but not such a count: the usage it belongs to is unknown
     */
    static @Nullable Long count(@Nullable JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        long l = countValue(v);
        if (l < 0) {
            throw MalformedCount.INSTANCE;
        }
        return l;
    }

    /**
     * A count outside a usage (an index), where a bad value is simply absent: like {@link #count} but null, never
     * an exception, when the member is malformed.
     */
    static @Nullable Long lenientCount(@Nullable JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        if (v == null) {
            return null;
        }
        long l = countValue(v);
        return l < 0 ? null : l;
    }

    /** The value as a count (0 to {@link #MAX_COUNT}; 12.0 is one, 12.5 is not), or -1 when it is not one. */
    private static long countValue(JsonNode v) {
        if (!v.isNumber()) {
            return -1;
        }
        long l;
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) {
                return -1;
            }
            l = v.longValue();
        } else {
            try {
                l = v.decimalValue().longValueExact();
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return l < 0 || l > MAX_COUNT ? -1 : l;
    }

    /**
     * A non-negative decimal (audio seconds) up to {@link #MAX_SECONDS} and with at most {@value #MAX_DECIMAL_SCALE}
     * decimal places (what PostgreSQL's {@code numeric} holds); null when absent (or JSON null). {@code 1e400}
     * seconds is garbage, never a usage (its cost could be neither computed nor stored).
     *
     * @throws MalformedCount when the member is present but negative, not a number, or beyond that range
     */
    static @Nullable BigDecimal decimal(@Nullable JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw MalformedCount.INSTANCE;
        }
        BigDecimal d = v.decimalValue();
        if (d.signum() < 0 || d.scale() > MAX_DECIMAL_SCALE
                || (long) d.precision() - d.scale() > 19 || d.compareTo(MAX_DECIMAL) > 0) { // cheap tests first
            throw MalformedCount.INSTANCE;
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
