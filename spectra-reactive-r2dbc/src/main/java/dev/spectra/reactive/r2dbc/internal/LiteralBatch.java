package dev.spectra.reactive.r2dbc.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import org.jspecify.annotations.Nullable;

/**
 * Encodes a batch straight into the array literals the insert binds ({@code {a,"b c",NULL}}, one text parameter
 * per column of {@link RequestInsert}, cast to its array type in SQL and parsed by the server's {@code array_in}):
 * one pass over the records per column, each value read through {@link RequestColumn#value} and written by its
 * type ({@link ColumnCodec}), into one buffer sized by what the column took in the last batch. The sink binds
 * these for the {@code numeric} columns, and for every column on connections without {@link ColumnArrayCodec}
 * (which sends the others in binary, sparing the server the parsing).
 *
 * <p>Why not bind {@code UUID[]}, {@code String[]} … and let the driver encode: r2dbc-postgresql also sends arrays
 * as text, but allocates a builder per element, and the JSON columns would be written twice (JSON, then array
 * escaping). Every microsecond of client encoding is CPU taken from the user's service, and, while the batches
 * in flight wait on it, throughput.
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

    private static final RequestColumn[] COLUMNS = RequestColumn.values();
    /** The most characters per row a column's buffer starts with, whatever the last batch needed. */
    static final int MAX_START_LENGTH_PER_ROW = 1024;
    /**
     * Characters per row each column's literal took in the last batch encoded, so that the next one's buffer starts
     * at the size it will need instead of growing (and copying) its way there. Shared by all sinks: a race only
     * makes a buffer start smaller or larger.
     */
    private static final AtomicIntegerArray LENGTH_PER_ROW = new AtomicIntegerArray(COLUMNS.length);

    static {
        for (int c = 0; c < COLUMNS.length; c++) {
            LENGTH_PER_ROW.set(c, ColumnCodec.of(COLUMNS[c]).typicalLength + 1);
        }
    }
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** What U+0000 becomes in text and JSON strings: PostgreSQL's text and jsonb cannot hold it. */
    static final char REPLACEMENT = '\uFFFD';

    private LiteralBatch() {
    }

    /**
     * @param batch the records
     * @return one array literal per column, in the order of {@link RequestInsert#sql}'s parameters
     */
    public static String[] encode(List<TrackedRequest> batch) {
        String[] literals = new String[COLUMNS.length];
        for (RequestColumn column : COLUMNS) {
            literals[column.ordinal()] = encode(batch, column);
        }
        return literals;
    }

    /**
     * @param batch the records
     * @param column a column
     * @return the column's array literal
     */
    public static String encode(List<TrackedRequest> batch, RequestColumn column) {
        int rows = batch.size();
        int c = column.ordinal();
        ColumnCodec codec = ColumnCodec.of(column);
        StringBuilder b = new StringBuilder(2 + rows * LENGTH_PER_ROW.get(c)).append('{');
        for (int i = 0; i < rows; i++) {
            if (i > 0) {
                b.append(',');
            }
            element(b, codec, column.value(batch.get(i)));
        }
        String literal = b.append('}').toString();
        if (rows > 0) {
            int perRow = 1 + (b.length() - 2) / rows;                       // the elements' and their commas'
            LENGTH_PER_ROW.set(c, Math.min(MAX_START_LENGTH_PER_ROW, perRow));
        }
        return literal;
    }

    /**
     * @param column a column
     * @return the characters per row its next buffer starts with
     */
    static int startLengthPerRow(RequestColumn column) {
        return LENGTH_PER_ROW.get(column.ordinal());
    }

    private static void element(StringBuilder b, ColumnCodec codec, @Nullable Object value) {
        if (value == null) {
            b.append("NULL");
            return;
        }
        switch (codec) {
            case TEXT -> text(b, (String) value);
            case JSONB -> json(b, value);
            case BOOL -> b.append((Boolean) value ? 't' : 'f');
            case NUMERIC -> b.append(((BigDecimal) value).toPlainString());
            // timestamptz keeps microseconds; truncate here so what is stored is predictable (PostgreSQL rounds).
            case TIMESTAMPTZ -> b.append(((Instant) value).truncatedTo(ChronoUnit.MICROS));
            case INT8 -> b.append(((Long) value).longValue());          // digits written in place, no String
            case INT4 -> b.append(((Integer) value).intValue());
            case FLOAT8 -> b.append(((Double) value).doubleValue());    // as Double.toString: Infinity, NaN too
            case UUID -> b.append(value);
        }
    }

    private static void text(StringBuilder b, String value) {
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
    private static void json(StringBuilder b, Object value) {
        b.append('"');
        writeJson(b, value, JsonQuoting.ARRAY_ELEMENT);
        b.append('"');
    }

    /** How JSON's quotes and backslashes are written: as JSON, or inside a quoted array element. */
    private enum JsonQuoting {
        /** JSON text as it is. */
        PLAIN("\"", "\\\"", "\\\\", "\\u00"),
        /** JSON text inside a quoted array element, where each {@code "} and {@code \} of it takes a backslash. */
        ARRAY_ELEMENT("\\\"", "\\\\\\\"", "\\\\\\\\", "\\\\u00");

        /** A string's opening or closing quote. */
        final String quote;
        /** A quote inside a string. */
        final String escapedQuote;
        /** A backslash inside a string. */
        final String escapedBackslash;
        /** What precedes a control character's two hex digits. */
        final String controlPrefix;

        JsonQuoting(String quote, String escapedQuote, String escapedBackslash, String controlPrefix) {
            this.quote = quote;
            this.escapedQuote = escapedQuote;
            this.escapedBackslash = escapedBackslash;
            this.controlPrefix = controlPrefix;
        }
    }

    /**
     * Writes a JSON value as it must appear inside a quoted array element, where every {@code "} and {@code \}
     * of the JSON text takes a backslash: a JSON quote is written {@code \"}, a JSON backslash {@code \\}.
     *
     * @param b where to write
     * @param value a JSON value: String, Number, Boolean, null, List or Map (String keys) of those
     */
    static void writeJson(StringBuilder b, @Nullable Object value) {
        writeJson(b, value, JsonQuoting.ARRAY_ELEMENT);
    }

    /**
     * Writes a JSON value as JSON text, with what {@link #writeJson(StringBuilder, Object)} writes in an array
     * element (U+0000 as U+FFFD, controls as {@code \\u00XX}), for an element that travels in binary.
     *
     * @param b where to write
     * @param value a JSON value: String, Number, Boolean, null, List or Map (String keys) of those
     */
    static void writeJsonText(StringBuilder b, @Nullable Object value) {
        writeJson(b, value, JsonQuoting.PLAIN);
    }

    private static void writeJson(StringBuilder b, @Nullable Object value, JsonQuoting quoting) {
        if (value == null) {
            b.append("null");
        } else if (value instanceof String s) {
            jsonString(b, s, quoting);
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
                jsonString(b, (String) e.getKey(), quoting);
                b.append(':');
                writeJson(b, e.getValue(), quoting);
            }
            b.append('}');
        } else if (value instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                writeJson(b, l.get(i), quoting);
            }
            b.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    /** A JSON string: {@code "} becomes {@code \"} in JSON, controls {@code \\u00XX}, then quoted as asked. */
    private static void jsonString(StringBuilder b, String s, JsonQuoting quoting) {
        b.append(quoting.quote);
        int plainFrom = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\' || ch < 0x20) {
                b.append(s, plainFrom, i);
                plainFrom = i + 1;
                if (ch == 0) {
                    b.append(REPLACEMENT);                       // jsonb rejects \\u0000
                } else if (ch == '"') {
                    b.append(quoting.escapedQuote);
                } else if (ch == '\\') {
                    b.append(quoting.escapedBackslash);
                } else {
                    b.append(quoting.controlPrefix).append(HEX[ch >> 4]).append(HEX[ch & 0xF]);
                }
            }
        }
        b.append(s, plainFrom, s.length()).append(quoting.quote);
    }
}
