package dev.spectra.reactive.provider;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/**
 * {@link JsonTokens} read straight from a byte array, for strict JSON only (RFC 8259, UTF-8): nothing is set up
 * per read beyond this object, and a member name is one shared String. Every byte is checked as it is passed; on
 * anything this reader is not sure Jackson's parser reads alike it throws {@link GaveUp}, and the caller reads the
 * bytes again with {@link JacksonJsonTokens}, which then accepts or rejects them. It gives up on: bytes that are
 * not strict JSON (comments, a byte order mark, bare control characters, leading zeros, trailing tokens ...),
 * UTF-8 that is not strictly valid (overlong forms, encoded surrogates), an integer past a long, a number
 * of more than {@value #MAX_NUMBER_LENGTH} characters or with an exponent of more than 4 digits, a name longer
 * than {@value #MAX_NAME_LENGTH} bytes, a string longer than {@value #MAX_STRING_LENGTH} bytes, nesting deeper than
 * {@value #MAX_DEPTH}, and reading a value into a node. Within those bounds Jackson's limits cannot be reached, and
 * strict JSON reads to the same tokens and values.
 */
final class StrictJsonTokens implements JsonTokens {

    /** This reader gave up: the bytes go to {@link JacksonJsonTokens}. A shared instance without a stack trace. */
    static final class GaveUp extends RuntimeException {

        static final GaveUp INSTANCE = new GaveUp();

        private GaveUp() {
            super("the strict JSON reader leaves these bytes to Jackson's parser", null, false, false);
        }
    }

    static final int MAX_DEPTH = 63;
    static final int MAX_NUMBER_LENGTH = 100;
    static final int MAX_NAME_LENGTH = 1000;
    static final int MAX_STRING_LENGTH = 5_000_000;

    /**
     * Names, and values that recur, held once for all readers by a hash of their bytes: a racy cache of immutable
     * entries (their final fields make them, and their Strings, whole to every thread).
     */
    private static final int NAME_SLOT_BITS = 10;
    private static final int NAME_SLOTS = 1 << NAME_SLOT_BITS;
    private static final int NAME_PROBES = 4;
    static final int MAX_SHARED_LENGTH = 48;
    private static final Shared[] NAMES = new Shared[NAME_SLOTS];

    /**
     * A shared String with its length and the words a lookup compares first: its first eight bytes (zero above its
     * length) and, past eight, its last eight. For up to 16 bytes the two words are all of it.
     */
    private record Shared(String string, int length, long head, long tail) {
    }

    // what may come next
    private static final int VALUE = 0;
    private static final int FIRST_MEMBER_OR_END = 1;
    private static final int FIRST_ELEMENT_OR_END = 2;
    private static final int AFTER_VALUE = 3;
    private static final int MEMBER_VALUE = 4;
    private static final int END = 5;

    private final byte[] b;
    private final int end;
    private int pos;
    private int expect = VALUE;
    /** Open containers; bit d set when the container at depth d + 1 is an object. */
    private long objects;
    private int depth;

    private @Nullable JsonToken token;
    private @Nullable String name;
    // the last string or number: its bytes [start, stop)
    private int start;
    private int stop;
    private boolean escaped;
    private boolean ascii;
    private long integer;

    /**
     * @param body the bytes, not changed
     * @param off where the JSON starts
     * @param len its length
     */
    StrictJsonTokens(byte[] body, int off, int len) {
        this.b = body;
        this.pos = off;
        this.end = off + len;
    }

    @Override
    public @Nullable JsonToken nextToken() {
        int i = skipWhitespace(pos);
        switch (expect) {
            case VALUE, MEMBER_VALUE -> {
                return value(i);
            }
            case FIRST_MEMBER_OR_END -> {
                if (i < end && b[i] == '}') {
                    return close(i, true);
                }
                return member(i);
            }
            case FIRST_ELEMENT_OR_END -> {
                if (i < end && b[i] == ']') {
                    return close(i, false);
                }
                return value(i);
            }
            case AFTER_VALUE -> {
                if (depth == 0) {
                    if (i != end) {
                        throw GaveUp.INSTANCE; // trailing tokens
                    }
                    expect = END;
                    pos = i;
                    return token = null;
                }
                if (i >= end) {
                    throw GaveUp.INSTANCE;
                }
                boolean inObject = (objects & (1L << (depth - 1))) != 0;
                byte c = b[i];
                if (c == ',') {
                    int j = skipWhitespace(i + 1);
                    return inObject ? member(j) : value(j);
                }
                if (c == (inObject ? '}' : ']')) {
                    return close(i, inObject);
                }
                throw GaveUp.INSTANCE;
            }
            default -> {
                pos = i;
                return token = null;
            }
        }
    }

    private int skipWhitespace(int i) {
        while (i < end) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    private JsonToken close(int i, boolean object) {
        depth--;
        objects &= ~(1L << depth);
        pos = i + 1;
        expect = AFTER_VALUE;
        return token = object ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
    }

    private JsonToken open(int i, boolean object) {
        if (depth == MAX_DEPTH) {
            throw GaveUp.INSTANCE;
        }
        if (object) {
            objects |= 1L << depth;
        }
        depth++;
        pos = i + 1;
        expect = object ? FIRST_MEMBER_OR_END : FIRST_ELEMENT_OR_END;
        return token = object ? JsonToken.START_OBJECT : JsonToken.START_ARRAY;
    }

    /** A member's name and its colon, from {@code i}. */
    private JsonToken member(int i) {
        if (i >= end || b[i] != '"') {
            throw GaveUp.INSTANCE;
        }
        int close = string(i + 1);
        if (close - (i + 1) > MAX_NAME_LENGTH) {
            throw GaveUp.INSTANCE;
        }
        int j = skipWhitespace(close + 1);
        if (j >= end || b[j] != ':') {
            throw GaveUp.INSTANCE;
        }
        name = escaped || !ascii ? decode(start, stop) : shared(start, stop);
        pos = j + 1;
        expect = MEMBER_VALUE;
        return token = JsonToken.PROPERTY_NAME;
    }

    /** A value from {@code i}. */
    private JsonToken value(int i) {
        if (i >= end) {
            throw GaveUp.INSTANCE;
        }
        byte c = b[i];
        switch (c) {
            case '{' -> {
                return open(i, true);
            }
            case '[' -> {
                return open(i, false);
            }
            case '"' -> {
                int close = string(i + 1);
                if (close - (i + 1) > MAX_STRING_LENGTH) {
                    throw GaveUp.INSTANCE;
                }
                return scalar(close + 1, JsonToken.VALUE_STRING);
            }
            case 't' -> {
                return scalar(literal(i, "true"), JsonToken.VALUE_TRUE);
            }
            case 'f' -> {
                return scalar(literal(i, "false"), JsonToken.VALUE_FALSE);
            }
            case 'n' -> {
                return scalar(literal(i, "null"), JsonToken.VALUE_NULL);
            }
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number(i);
                }
                throw GaveUp.INSTANCE;
            }
        }
    }

    private JsonToken scalar(int after, JsonToken t) {
        pos = after;
        expect = AFTER_VALUE;
        return token = t;
    }

    /** The end of the literal {@code word} at {@code i}, which a delimiter must follow. */
    private int literal(int i, String word) {
        int n = word.length();
        if (end - i < n) {
            throw GaveUp.INSTANCE;
        }
        for (int k = 1; k < n; k++) {
            if (b[i + k] != word.charAt(k)) {
                throw GaveUp.INSTANCE;
            }
        }
        requireDelimiter(i + n);
        return i + n;
    }

    /** What may follow a literal or a number: the end, whitespace, a comma or a closing bracket. */
    private void requireDelimiter(int i) {
        if (i < end) {
            byte c = b[i];
            if (c != ',' && c != '}' && c != ']' && c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                throw GaveUp.INSTANCE;
            }
        }
    }

    private JsonToken number(int i) {
        int j = i;
        boolean negative = b[j] == '-';
        if (negative) {
            j++;
        }
        int digitsStart = j;
        if (j >= end) {
            throw GaveUp.INSTANCE;
        }
        if (b[j] == '0') {
            j++;
        } else if (b[j] >= '1' && b[j] <= '9') {
            while (j < end && b[j] >= '0' && b[j] <= '9') {
                j++;
            }
        } else {
            throw GaveUp.INSTANCE;
        }
        int digits = j - digitsStart;
        boolean fraction = false;
        if (j < end && b[j] == '.') {
            fraction = true;
            j = digits(j + 1);
        }
        if (j < end && (b[j] == 'e' || b[j] == 'E')) {
            fraction = true;
            j++;
            if (j < end && (b[j] == '+' || b[j] == '-')) {
                j++;
            }
            int e = j;
            j = digits(j);
            if (j - e > 4) {
                throw GaveUp.INSTANCE;
            }
        }
        if (j - i > MAX_NUMBER_LENGTH) {
            throw GaveUp.INSTANCE;
        }
        requireDelimiter(j);
        start = i;
        stop = j;
        if (fraction) {
            return scalar(j, JsonToken.VALUE_NUMBER_FLOAT);
        }
        if (digits > 19) {
            throw GaveUp.INSTANCE;
        }
        long v = 0; // accumulated negative, which holds Long.MIN_VALUE
        try {
            for (int k = digitsStart; k < j; k++) {
                v = Math.subtractExact(Math.multiplyExact(v, 10), b[k] - '0');
            }
            integer = negative ? v : Math.negateExact(v);
        } catch (ArithmeticException e) { // past a long: Jackson holds a big integer
            throw GaveUp.INSTANCE;
        }
        return scalar(j, JsonToken.VALUE_NUMBER_INT);
    }

    /** The end of one or more digits from {@code i}. */
    private int digits(int i) {
        int j = i;
        while (j < end && b[j] >= '0' && b[j] <= '9') {
            j++;
        }
        if (j == i) {
            throw GaveUp.INSTANCE;
        }
        return j;
    }

    /**
     * Checks a string's bytes from {@code i} (just past its opening quote) and notes them in {@link #start},
     * {@link #stop}, {@link #escaped} and {@link #ascii}.
     *
     * @return the index of its closing quote
     */
    private int string(int i) {
        boolean esc = false;
        boolean onlyAscii = true;
        int j = i;
        while (true) {
            j = ByteScan.nextStringSpecial(b, j, end); // past the plain ASCII run
            if (j >= end) {
                throw GaveUp.INSTANCE;
            }
            int c = b[j] & 0xFF;
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                esc = true;
                j = escape(j + 1);
            } else if (c < 0x20) {
                throw GaveUp.INSTANCE;
            } else {
                onlyAscii = false;
                j = utf8(j, c);
            }
        }
        start = i;
        stop = j;
        escaped = esc;
        ascii = onlyAscii;
        return j;
    }

    /** The index past an escape whose backslash is just before {@code i}. */
    private int escape(int i) {
        if (i >= end) {
            throw GaveUp.INSTANCE;
        }
        switch (b[i]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return i + 1;
            }
            case 'u' -> {
                if (end - i < 5) {
                    throw GaveUp.INSTANCE;
                }
                for (int k = 1; k <= 4; k++) {
                    if (Character.digit(b[i + k], 16) < 0) {
                        throw GaveUp.INSTANCE;
                    }
                }
                return i + 5;
            }
            default -> throw GaveUp.INSTANCE;
        }
    }

    /** The index past a strictly valid UTF-8 sequence whose first byte {@code c} is at {@code i}. */
    private int utf8(int i, int c) {
        int n;
        int lo = 0x80;
        int hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) {
                lo = 0xA0; // not overlong
            } else if (c == 0xED) {
                hi = 0x9F; // not a surrogate
            }
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) {
                lo = 0x90; // not overlong
            } else if (c == 0xF4) {
                hi = 0x8F; // not past U+10FFFF
            }
        } else {
            throw GaveUp.INSTANCE;
        }
        if (end - i <= n) {
            throw GaveUp.INSTANCE;
        }
        int second = b[i + 1] & 0xFF;
        if (second < lo || second > hi) {
            throw GaveUp.INSTANCE;
        }
        for (int k = 2; k <= n; k++) {
            if ((b[i + k] & 0xC0) != 0x80) {
                throw GaveUp.INSTANCE;
            }
        }
        return i + n + 1;
    }

    /** The shared String of ASCII bytes without escapes. */
    private String shared(int from, int to) {
        int n = to - from;
        long head = ByteScan.word(b, from, Math.min(n, 8));
        long tail = n > 8 ? ByteScan.word(b, to - 8, 8) : 0;
        long h = (head ^ Long.rotateLeft(tail, 29) ^ n) * 0x9E3779B97F4A7C15L;
        int base = (int) (h >>> (64 - NAME_SLOT_BITS));
        int free = -1;
        for (int i = 0; i < NAME_PROBES; i++) { // a few neighbouring slots, so that two names rarely evict each other
            int slot = (base + i) & (NAME_SLOTS - 1);
            Shared e = NAMES[slot];
            if (e == null) {
                free = slot;
                break;
            }
            if (e.length == n && e.head == head && e.tail == tail && (n <= 16 || sameBytes(e.string, from, 8, n - 8))) {
                return e.string;
            }
        }
        String s = new String(b, from, n, StandardCharsets.ISO_8859_1);
        if (n <= MAX_SHARED_LENGTH) {
            NAMES[free >= 0 ? free : (base + (int) (h & (NAME_PROBES - 1))) & (NAME_SLOTS - 1)] =
                    new Shared(s, n, head, tail);
        }
        return s;
    }

    /** Whether chars {@code [k, stop)} of the ASCII string {@code s} are the bytes from {@code from + k}. */
    private boolean sameBytes(String s, int from, int k, int stop) {
        for (; k < stop; k++) {
            if (s.charAt(k) != b[from + k]) {
                return false;
            }
        }
        return true;
    }

    /** Decodes the checked string bytes {@code [from, to)}. */
    private String decode(int from, int to) {
        if (!escaped) {
            return new String(b, from, to - from, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        }
        StringBuilder out = new StringBuilder(to - from);
        int run = from;
        int k = from;
        while (k < to) {
            if (b[k] != '\\') {
                k++;
                continue;
            }
            out.append(new String(b, run, k - run, StandardCharsets.UTF_8));
            byte e = b[k + 1];
            switch (e) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append((char) Integer.parseInt(new String(b, k + 2, 4, StandardCharsets.ISO_8859_1),
                        16));
                default -> out.append((char) e); // " \ /
            }
            k += e == 'u' ? 6 : 2;
            run = k;
        }
        out.append(new String(b, run, to - run, StandardCharsets.UTF_8));
        return out.toString();
    }

    @Override
    public String currentName() {
        if (token != JsonToken.PROPERTY_NAME || name == null) {
            throw new IllegalStateException("not at a member name: " + token);
        }
        return name;
    }

    @Override
    public String getString() {
        if (token != JsonToken.VALUE_STRING) {
            throw new IllegalStateException("not at a string: " + token);
        }
        return decode(start, stop);
    }

    @Override
    public String getSharedString() {
        if (token != JsonToken.VALUE_STRING) {
            throw new IllegalStateException("not at a string: " + token);
        }
        return escaped || !ascii || stop - start > MAX_SHARED_LENGTH ? decode(start, stop) : shared(start, stop);
    }

    /** Nothing to do: every value was checked as it was read, and its bounds keep a fraction convertible. */
    @Override
    public void checkValue() {
    }

    @Override
    public JsonParser.NumberType getNumberType() {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw new IllegalStateException("not at an integer: " + token);
        }
        return integer == (int) integer ? JsonParser.NumberType.INT : JsonParser.NumberType.LONG;
    }

    @Override
    public int getIntValue() {
        if (getNumberType() != JsonParser.NumberType.INT) {
            throw GaveUp.INSTANCE;
        }
        return (int) integer;
    }

    @Override
    public long getLongValue() {
        getNumberType();
        return integer;
    }

    @Override
    public BigDecimal getDecimalValue() {
        if (token == JsonToken.VALUE_NUMBER_INT) {
            return BigDecimal.valueOf(integer);
        }
        if (token != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new IllegalStateException("not at a number: " + token);
        }
        return new BigDecimal(new String(b, start, stop - start, StandardCharsets.ISO_8859_1));
    }

    /** Gives up: a value read into a node is left to Jackson's parser. */
    @Override
    public JsonNode readTree(ObjectReader reader) {
        throw GaveUp.INSTANCE;
    }
}
