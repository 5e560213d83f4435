package dev.spectra.reactive.r2dbc.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.PricingStatus;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;

/**
 * Encodes a batch straight into the array literals the insert binds ({@code {a,"b c",NULL}}, one text parameter
 * per column of {@link RequestInsert}, cast to its array type in SQL and parsed by the server's {@code array_in}), in
 * one pass over the records, one pre-sized buffer per column, no boxing.
 *
 * <p>Why not bind {@code UUID[]}, {@code String[]} … and let the driver encode: r2dbc-postgresql also sends arrays
 * as text, but allocates a builder per element, and the JSON columns would be written twice (JSON, then array
 * escaping). The sink's writes are sequential (one batch in flight), so every microsecond of client encoding is
 * a microsecond of throughput, and CPU taken from the user's service.
 *
 * <p>U+0000, which PostgreSQL's text and jsonb cannot hold (the whole batch would be refused), is written as
 * U+FFFD in text values and in JSON strings and keys.
 *
 * <p>Quoting follows {@code array_in}: a string element is double-quoted with {@code "} and {@code \} escaped by a
 * backslash (commas, braces, newlines are literal inside quotes); unquoted {@code NULL} is null. Other values are
 * written unquoted, their text never holding a character {@code array_in} treats specially: UUIDs, integers,
 * {@link BigDecimal#toPlainString()}, {@link Double#toString} ({@code Infinity} and {@code NaN} included),
 * {@code t}/{@code f}, and ISO-8601 instants ending in {@code Z} (independent of the session time zone).
 * JSON values are written as JSON and escaped for the array in the same step. Values are still bound
 * parameters: nothing is ever spliced into SQL text.
 */
public final class LiteralBatch {

    private static final String[] OUTCOME_IDS = ids(Outcome.values());
    private static final String[] MODEL_TYPE_IDS = ids(ModelType.values());
    private static final String[] PRICING_STATUS_IDS = ids(PricingStatus.values());
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** What U+0000 becomes in text and JSON strings: PostgreSQL's text and jsonb cannot hold it. */
    static final char REPLACEMENT = '\uFFFD';

    private final StringBuilder[] columns = new StringBuilder[RequestInsert.COLUMN_COUNT];
    private int column;

    private LiteralBatch(int rows) {
        int[] widths = {37, 36, 44, 10, 16, 28, 6, 24, 10, 4, 9, 24, 48, 12, 32, 2, 8, 8, 8, 8, 8, 8, 2, 4, 2, 2, 2, 2,
                2, 2, 16, 16, 16, 10, 8, 6, 5, 8, 4, 8, 12, 16, 32, 320, 28, 28};
        for (int i = 0; i < columns.length; i++) {
            columns[i] = new StringBuilder(2 + rows * (widths[i] + 1)).append('{');
        }
    }

    /**
     * @param batch the records
     * @return one array literal per column, in the order of {@link RequestInsert#sql}'s parameters
     */
    public static String[] encode(List<TrackedRequest> batch) {
        LiteralBatch b = new LiteralBatch(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            b.row(batch.get(i), i == 0);
        }
        String[] literals = new String[b.columns.length];
        for (int i = 0; i < literals.length; i++) {
            literals[i] = b.columns[i].append('}').toString();
        }
        return literals;
    }

    private void row(TrackedRequest r, boolean first) {
        column = 0;
        if (!first) {
            for (StringBuilder c : columns) {
                c.append(',');
            }
        }
        plain(r.id());
        text(r.traceId());
        text(r.responseId());
        text(r.provider());
        text(r.model());
        text(r.responseModel());
        text(r.modelType() == null ? null : MODEL_TYPE_IDS[r.modelType().ordinal()]);
        text(r.endpoint());
        text(r.operation());
        plain(r.httpStatus());
        text(OUTCOME_IDS[r.outcome().ordinal()]);
        text(r.errorType());
        text(r.errorMessage());
        text(r.finishReason());
        json(r.toolCallCounts());
        next().append(r.streaming() ? 't' : 'f');
        Usage u = r.usage();
        if (u == null) {
            for (int i = 0; i < 14; i++) {
                plain(null);
            }
        } else {
            next().append(u.inputTokens());
            next().append(u.outputTokens());
            next().append(u.cachedInputTokens());
            next().append(u.cacheWriteTokens());
            next().append(u.reasoningTokens());
            next().append(u.totalTokens());
            next().append(u.images());
            next().append(u.audioSeconds().toPlainString());
            next().append(u.characters());
            next().append(u.cacheWrite1hTokens());
            next().append(u.audioInputTokens());
            next().append(u.audioOutputTokens());
            next().append(u.imageInputTokens());
            next().append(u.imageOutputTokens());
        }
        Cost c = r.cost();
        if (c == null) {
            plain(null);
            plain(null);
            plain(null);
        } else {
            next().append(c.input().toPlainString());
            next().append(c.output().toPlainString());
            next().append(c.total().toPlainString());
        }
        text(r.pricingTier().name());
        text(PRICING_STATUS_IDS[r.pricingStatus().ordinal()]);
        next().append(r.latencyMs());
        plain(r.timeToFirstTokenMs());
        plain(r.tokensPerSecond());
        plain(r.chunkCount());
        text(r.trackable() == null ? null : r.trackable().type());
        text(r.trackable() == null ? null : r.trackable().id());
        text(r.conversationId());
        json(r.tags());
        json(r.metadata());
        // timestamptz keeps microseconds; truncate here so what is stored is predictable (PostgreSQL rounds).
        instant(r.startedAt());
        instant(r.completedAt());
    }

    private StringBuilder next() {
        return columns[column++];
    }

    private void plain(@Nullable Object value) {
        StringBuilder b = next();
        if (value == null) {
            b.append("NULL");
        } else {
            b.append(value);
        }
    }

    private void instant(Instant value) {
        next().append(value.truncatedTo(ChronoUnit.MICROS));
    }

    private void text(@Nullable String value) {
        StringBuilder b = next();
        if (value == null) {
            b.append("NULL");
            return;
        }
        b.append('"');
        int plainFrom = 0;
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"' || ch == '\\') {
                b.append(value, plainFrom, i).append('\\').append(ch);
                plainFrom = i + 1;
            } else if (ch == 0) {
                b.append(value, plainFrom, i).append(REPLACEMENT); // PostgreSQL text cannot hold U+0000
                plainFrom = i + 1;
            }
        }
        b.append(value, plainFrom, value.length()).append('"');
    }

    /** A JSON value as a quoted array element: JSON syntax, then array escaping, in one pass. */
    private void json(Object value) {
        StringBuilder b = next().append('"');
        writeJson(b, value);
        b.append('"');
    }

    /**
     * Writes a JSON value as it must appear inside a quoted array element, where every {@code "} and {@code \}
     * of the JSON text takes a backslash: a JSON quote is written {@code \"}, a JSON backslash {@code \\}.
     *
     * @param b where to write
     * @param value a JSON value: String, Number, Boolean, null, List or Map (String keys) of those
     */
    static void writeJson(StringBuilder b, @Nullable Object value) {
        if (value == null) {
            b.append("null");
        } else if (value instanceof String s) {
            jsonString(b, s);
        } else if (value instanceof Boolean x) {
            b.append(x ? "true" : "false");
        } else if (value instanceof BigDecimal d) {
            b.append(d.toString());                          // JSON allows the exponent form; never a huge plain
        } else if (value instanceof Number n) {
            b.append(n.toString());                          // Integer, Long, BigInteger, finite Double, Float
        } else if (value instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                jsonString(b, (String) e.getKey());
                b.append(':');
                writeJson(b, e.getValue());
            }
            b.append('}');
        } else if (value instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                writeJson(b, l.get(i));
            }
            b.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    /** A JSON string: {@code "} becomes {@code \"} in JSON, {@code \\\"} in the element; controls {@code \\u00XX}. */
    private static void jsonString(StringBuilder b, String s) {
        b.append("\\\"");
        int plainFrom = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\' || ch < 0x20) {
                b.append(s, plainFrom, i);
                plainFrom = i + 1;
                if (ch == 0) {
                    b.append(REPLACEMENT);                       // jsonb rejects \u0000
                } else if (ch == '"') {
                    b.append("\\\\\\\"");                    // JSON \"  -> element \\\"
                } else if (ch == '\\') {
                    b.append("\\\\\\\\");                    // JSON \\  -> element \\\\
                } else {
                    b.append("\\\\u00").append(HEX[ch >> 4]).append(HEX[ch & 0xF]);   // JSON \\u00XX -> \\\\u00XX
                }
            }
        }
        b.append(s, plainFrom, s.length()).append("\\\"");
    }

    private static <E extends Enum<E>> String[] ids(E[] values) {
        String[] ids = new String[values.length];
        for (E e : values) {
            ids[e.ordinal()] = e.name().toLowerCase(java.util.Locale.ROOT);
        }
        return ids;
    }
}
