package dev.spectra.reactive.internal.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongPredicate;

import tools.jackson.core.StreamReadConstraints;

/**
 * Writes a pruned copy of a JSON body fed in pieces (split anywhere: inside a string, an escape, a UTF-8
 * character or a number), so that the provider readers can read a body of any size from a copy of a few KiB:
 *
 * <ul>
 *   <li>structure, keys, numbers, literals and whitespace are copied as they are;</li>
 *   <li>a string value keeps its first {@value #KEPT_CHARS} characters ({@value #KEPT_MESSAGE_CHARS} for the
 *       value of a {@code message} or {@code error} member, so error messages read whole), the rest is left
 *       out and the string closed: a chat answer's {@code content}, a {@code b64_json} image, a base64
 *       embedding cost at most that;</li>
 *   <li>an array holding only numbers is emptied once its copy passes {@value #NUMBER_ARRAY_BYTES} bytes
 *       (embedding vectors): {@code [0.1, 0.2, ...]} becomes {@code []}. Arrays of objects keep every element, so
 *       counts such as the images of {@code data[]} survive.</li>
 * </ul>
 *
 * <p><b>Exact.</b> What is left out is validated as Jackson (the parser the readers use, with its default
 * features) would validate it: string escapes, control characters and UTF-8 (an invalid lead or continuation
 * byte, an encoded surrogate), the grammar of numbers, separators and nesting. The first byte that breaks the
 * grammar ends the pruning: the copy is then restored to the same lexical state and the rest of the body is
 * copied verbatim. So the copy parses exactly when the body parses, and fails where the body fails, and the
 * readers' fallbacks for bodies that do not parse (newline-delimited objects, text) see the same thing. A
 * sequence of top-level values (NDJSON) is pruned value by value with the whitespace between them. A dropped
 * number is at most {@value #MAX_DROPPED_NUMBER} bytes with an exponent of at most {@value #MAX_DROPPED_EXPONENT}
 * digits (what Jackson reads as a {@code BigDecimal} without fail); a longer one stops the emptying of its array.
 *
 * <p><b>Bounded.</b> The copy grows as bytes arrive, to at most the bound given; each growth is first asked of
 * a budget, which may refuse. Past the bound, or when refused, the pruner stops ({@link #stopped()}) and the
 * body's usage cannot be read from it. A string longer than Jackson's string bound stops it too. Nothing is kept
 * of the input: buffers are read with absolute gets and never changed. Used by one thread at a time.
 */
public final class JsonPruner {

    /** Characters (UTF-16 units) kept of a string value. */
    public static final int KEPT_CHARS = 1024;

    /** Characters kept of the string value of a {@code message} or {@code error} member. */
    public static final int KEPT_MESSAGE_CHARS = 8192;

    /** An array of numbers whose copy passes this many bytes is emptied. */
    public static final int NUMBER_ARRAY_BYTES = 256;

    /** Longest number left out of an emptied array; a longer one is copied and stops the emptying. */
    static final int MAX_DROPPED_NUMBER = 64;

    /** Most exponent digits of a number left out of an emptied array. */
    static final int MAX_DROPPED_EXPONENT = 4;

    /** Deepest nesting followed; deeper (past Jackson's own bound of 500) the rest is copied verbatim. */
    static final int MAX_DEPTH = 512;

    private static final long MAX_STRING_CHARS = StreamReadConstraints.defaults().getMaxStringLength();
    private static final int INITIAL = 1024;
    private static final int SCRATCH = 8192;
    private static final byte[] MESSAGE = {'m', 'e', 's', 's', 'a', 'g', 'e'};
    private static final byte[] ERROR = {'e', 'r', 'r', 'o', 'r'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    /** Why a pruner stopped. */
    public enum Stop {
        /** It has not. */
        NONE,
        /** The copy would pass its bound. */
        BOUND,
        /** The budget refused the memory to grow the copy. */
        MEMORY,
        /** A string longer than the JSON parser accepts. */
        STRING_LENGTH
    }

    // states
    private static final int VALUE = 0;          // a value expected: the start, after ':', after ',' in an array
    private static final int VALUE_OR_CLOSE = 1; // after '['
    private static final int KEY = 2;            // after ',' in an object
    private static final int KEY_OR_CLOSE = 3;   // after '{'
    private static final int COLON = 4;
    private static final int AFTER_VALUE = 5;    // ',' or the end of the container; at the top level another value
    private static final int STRING = 6;
    private static final int ESCAPE = 7;
    private static final int ESCAPE_HEX = 8;
    private static final int UTF8 = 9;
    private static final int NUMBER = 10;
    private static final int LITERAL = 11;
    private static final int RAW = 12;
    private static final int STOPPED = 13;

    // number states
    private static final int N_MINUS = 0;
    private static final int N_ZERO = 1;
    private static final int N_INT = 2;
    private static final int N_DOT = 3;
    private static final int N_FRACTION = 4;
    private static final int N_E = 5;
    private static final int N_EXPONENT_SIGN = 6;
    private static final int N_EXPONENT = 7;

    private final int maxBytes;
    private final LongPredicate reserve;
    private final int keptChars;
    private final int keptMessageChars;
    private final int numberArrayBytes;
    private byte[] out = new byte[0];
    private int length;
    private long reserved;
    private long seen;
    private Stop stop = Stop.NONE;
    private byte[] scratch = new byte[0];

    private int state = VALUE;
    private int depth;
    private final boolean[] isArray = new boolean[MAX_DEPTH + 1];
    private final int[] arrayStart = new int[MAX_DEPTH + 1];   // where '[' is in the copy
    private final boolean[] numbersOnly = new boolean[MAX_DEPTH + 1];
    private boolean dropping;         // the innermost array is being emptied
    private byte droppedSpace;        // the whitespace byte left out last since the last other byte, or 0

    // strings
    private boolean stringIsKey;
    private int keyStart;
    private boolean keyIsMessage;
    private long keepChars;
    private long chars;
    private boolean keepingUnit;
    private final byte[] unit = new byte[6];
    private int unitLength;
    private int pending;              // hex digits or continuation bytes still to come
    private boolean surrogateLead;    // the unit began with 0xED: its next byte must be below 0xA0

    // numbers and literals
    private int numberState;
    private final byte[] number = new byte[MAX_DROPPED_NUMBER];
    private int numberLength;
    private int exponentDigits;
    private byte[] literal = TRUE;
    private int literalIndex;

    /**
     * @param maxBytes the largest copy
     * @param reserve asked for each growth of the copy, in bytes; false refuses it
     */
    public JsonPruner(int maxBytes, LongPredicate reserve) {
        this(maxBytes, reserve, KEPT_CHARS, KEPT_MESSAGE_CHARS, NUMBER_ARRAY_BYTES);
    }

    /** With other bounds than the constants: tests prune small documents as hard as real ones are pruned. */
    JsonPruner(int maxBytes, LongPredicate reserve, int keptChars, int keptMessageChars, int numberArrayBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.reserve = Objects.requireNonNull(reserve, "reserve");
        this.keptChars = keptChars;
        this.keptMessageChars = keptMessageChars;
        this.numberArrayBytes = numberArrayBytes;
    }

    /**
     * Reads the next bytes of the body; the buffer's position, limit and content are left as they were.
     *
     * @param piece the bytes between position and limit
     */
    public void feed(ByteBuffer piece) {
        int pos = piece.position();
        int remaining = piece.remaining();
        if (state == STOPPED) {
            seen += remaining;
            return;
        }
        if (piece.hasArray()) {
            feed(piece.array(), piece.arrayOffset() + pos, remaining);
            return;
        }
        if (remaining > 0 && scratch.length == 0) {
            int size = Math.min(SCRATCH, remaining);
            if (!grant(size)) {
                return;
            }
            scratch = new byte[size];
        }
        for (int done = 0; done < remaining && state != STOPPED; ) {
            int n = Math.min(scratch.length, remaining - done);
            piece.get(pos + done, scratch, 0, n);
            feed(scratch, 0, n);
            done += n;
        }
    }

    /**
     * Reads the next bytes of the body from an array, which is neither changed nor kept.
     *
     * @param b the array
     * @param off the first byte
     * @param len the number of bytes
     */
    public void feed(byte[] b, int off, int len) {
        seen += len;
        int i = off;
        int end = off + len;
        while (i < end) {
            switch (state) {
                case STRING:
                    i = string(b, i, end);
                    break;
                case RAW:
                    put(b, i, end - i);
                    return;
                case STOPPED:
                    return;
                default:
                    i = step(b, i, end);
            }
        }
    }

    /**
     * @return the pruned copy, valid up to {@link #length()}; the pruner's own array
     */
    public byte[] bytes() {
        return out;
    }

    /**
     * @return the bytes of the copy
     */
    public int length() {
        return length;
    }

    /**
     * @return the bytes fed so far
     */
    public long seen() {
        return seen;
    }

    /**
     * @return whether the pruner stopped (see {@link #stopReason()}): the copy is then incomplete
     */
    public boolean stopped() {
        return stop != Stop.NONE;
    }

    /**
     * @return why it stopped, {@link Stop#NONE} when it did not
     */
    public Stop stopReason() {
        return stop;
    }

    /**
     * @return whether the grammar broke and the rest of the body was copied as it came
     */
    public boolean copyingVerbatim() {
        return state == RAW;
    }

    /**
     * @return the bytes granted by the budget so far (the copy's array and a scratch array for direct buffers)
     */
    public long reservedBytes() {
        return reserved;
    }

    // ------------------------------------------------------------------------------------ the grammar

    /** One step outside strings; returns the next index. */
    private int step(byte[] b, int i, int end) {
        byte c = b[i];
        switch (state) {
            case VALUE:
            case VALUE_OR_CLOSE:
                if (isWs(c)) {
                    return whitespace(b, i, end);
                }
                if (c == ']' && state == VALUE_OR_CLOSE) {
                    put(c);
                    close();
                    return i + 1;
                }
                return startValue(b, i);
            case KEY:
            case KEY_OR_CLOSE:
                if (isWs(c)) {
                    return whitespace(b, i, end);
                }
                if (c == '"') {
                    put(c);
                    stringIsKey = true;
                    keyStart = length;
                    startString(Long.MAX_VALUE);
                    return i + 1;
                }
                if (c == '}' && state == KEY_OR_CLOSE) {
                    put(c);
                    close();
                    return i + 1;
                }
                return broken(b, i);
            case COLON:
                if (isWs(c)) {
                    return whitespace(b, i, end);
                }
                if (c == ':') {
                    put(c);
                    state = VALUE;
                    return i + 1;
                }
                return broken(b, i);
            case AFTER_VALUE:
                if (isWs(c)) {
                    return whitespace(b, i, end);
                }
                if (depth == 0) {
                    return startValue(b, i); // the next value of a sequence (NDJSON), or garbage
                }
                if (c == ',') {
                    if (isArray[depth]) {
                        if (dropping) {
                            droppedSpace = 0;
                        } else {
                            put(c);
                            maybeStartDropping();
                        }
                        state = VALUE;
                    } else {
                        put(c);
                        state = KEY;
                    }
                    return i + 1;
                }
                if (c == (isArray[depth] ? ']' : '}')) {
                    if (dropping) {
                        dropping = false;
                    }
                    put(c);
                    close();
                    return i + 1;
                }
                return broken(b, i);
            case ESCAPE:
                if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't') {
                    unitByte(c);
                    state = STRING;
                    return i + 1;
                }
                if (c == 'u') {
                    unitByte(c);
                    pending = 4;
                    state = ESCAPE_HEX;
                    return i + 1;
                }
                return broken(b, i);
            case ESCAPE_HEX:
                if (c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
                    unitByte(c);
                    if (--pending == 0) {
                        state = STRING;
                    }
                    return i + 1;
                }
                return broken(b, i);
            case UTF8:
                if ((c & 0xC0) == 0x80 && !(surrogateLead && (c & 0xFF) >= 0xA0)) {
                    surrogateLead = false;
                    unitByte(c);
                    if (--pending == 0) {
                        state = STRING;
                    }
                    return i + 1;
                }
                return broken(b, i);
            case NUMBER:
                return number(b, i);
            case LITERAL:
                if (c == literal[literalIndex]) {
                    put(c);
                    if (++literalIndex == literal.length) {
                        afterValue();
                    }
                    return i + 1;
                }
                return broken(b, i);
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    private int whitespace(byte[] b, int i, int end) {
        int j = i;
        while (j < end && isWs(b[j])) {
            j++;
        }
        if (dropping) {
            droppedSpace = b[j - 1];
        } else {
            put(b, i, j - i);
        }
        return j;
    }

    /** The first byte of a value (state is VALUE, VALUE_OR_CLOSE or AFTER_VALUE at the top level). */
    private int startValue(byte[] b, int i) {
        byte c = b[i];
        boolean numeric = c == '-' || c >= '0' && c <= '9';
        if (dropping && !numeric) {
            if (c != '"' && c != '{' && c != '[' && c != 't' && c != 'f' && c != 'n') {
                return broken(b, i);
            }
            stopDropping(); // an array that is not only numbers after all: kept from here
        }
        if (depth > 0 && isArray[depth] && !numeric) {
            numbersOnly[depth] = false;
        }
        switch (c) {
            case '{':
            case '[':
                if (depth == MAX_DEPTH) {
                    return broken(b, i);
                }
                put(c);
                depth++;
                isArray[depth] = c == '[';
                if (c == '[') {
                    arrayStart[depth] = length - 1;
                    numbersOnly[depth] = true;
                    state = VALUE_OR_CLOSE;
                } else {
                    state = KEY_OR_CLOSE;
                }
                return i + 1;
            case '"':
                put(c);
                stringIsKey = false;
                startString(depth > 0 && !isArray[depth] && keyIsMessage ? keptMessageChars : keptChars);
                return i + 1;
            case 't':
            case 'f':
            case 'n':
                put(c);
                literal = c == 't' ? TRUE : c == 'f' ? FALSE : NULL;
                literalIndex = 1;
                state = LITERAL;
                return i + 1;
            default:
                if (!numeric) {
                    return broken(b, i);
                }
                numberLength = 0;
                exponentDigits = 0;
                numberState = c == '-' ? N_MINUS : c == '0' ? N_ZERO : N_INT;
                numberByte(c);
                state = NUMBER;
                return i + 1;
        }
    }

    private int number(byte[] b, int i) {
        byte c = b[i];
        boolean digit = c >= '0' && c <= '9';
        switch (numberState) {
            case N_MINUS:
                if (!digit) {
                    return broken(b, i);
                }
                numberState = c == '0' ? N_ZERO : N_INT;
                break;
            case N_ZERO:
            case N_INT:
            case N_FRACTION:
                if (digit) {
                    if (numberState == N_ZERO) {
                        return broken(b, i); // leading zeroes are not JSON
                    }
                } else if (c == '.' && numberState != N_FRACTION) {
                    numberState = N_DOT;
                } else if (c == 'e' || c == 'E') {
                    numberState = N_E;
                } else {
                    endNumber();
                    return i; // the byte that ended the number is read in the next state
                }
                break;
            case N_DOT:
                if (!digit) {
                    return broken(b, i);
                }
                numberState = N_FRACTION;
                break;
            case N_E:
                if (c == '+' || c == '-') {
                    numberState = N_EXPONENT_SIGN;
                    break;
                }
                if (!digit) {
                    return broken(b, i);
                }
                numberState = N_EXPONENT;
                exponentDigits++;
                break;
            case N_EXPONENT_SIGN:
                if (!digit) {
                    return broken(b, i);
                }
                numberState = N_EXPONENT;
                exponentDigits++;
                break;
            default: // N_EXPONENT
                if (!digit) {
                    endNumber();
                    return i;
                }
                exponentDigits++;
        }
        numberByte(c);
        return i + 1;
    }

    private void endNumber() {
        if (depth > 0 && isArray[depth] && !dropping
                && (numberLength > MAX_DROPPED_NUMBER || exponentDigits > MAX_DROPPED_EXPONENT)) {
            numbersOnly[depth] = false; // a number Jackson might refuse: never left out
        }
        afterValue();
    }

    /** Keeps a byte of a number: copied, or held while its array is being emptied. */
    private void numberByte(byte c) {
        if (!dropping) {
            put(c);
            numberLength++;
            return;
        }
        if (numberLength == 0) {
            droppedSpace = 0;
        }
        if (numberLength == MAX_DROPPED_NUMBER || exponentDigits > MAX_DROPPED_EXPONENT) {
            stopDropping(); // too long to be sure Jackson reads it: copied, and Jackson decides
            put(number, 0, numberLength);
            put(c);
            numberLength++;
            return;
        }
        number[numberLength++] = c;
    }

    private void startString(long keep) {
        keepChars = keep;
        chars = 0;
        state = STRING;
    }

    /** Reads string content from {@code i}; returns the next index. */
    private int string(byte[] b, int i, int end) {
        while (i < end) {
            byte c = b[i];
            if (c >= 0x20 && c != '"' && c != '\\') { // printable ASCII: one character each
                int j = i + 1;
                while (j < end && (c = b[j]) >= 0x20 && c != '"' && c != '\\') {
                    j++;
                }
                int n = j - i;
                long keep = keepChars - chars;
                if (keep > 0) {
                    put(b, i, (int) Math.min(n, keep));
                }
                chars += n;
                i = j;
                if (chars > MAX_STRING_CHARS) {
                    stop(Stop.STRING_LENGTH);
                    return end;
                }
                continue;
            }
            if (c == '"') {
                put(c);
                if (stringIsKey) {
                    keyIsMessage = same(keyStart, MESSAGE) || same(keyStart, ERROR);
                    state = COLON;
                } else {
                    afterValue();
                }
                return i + 1;
            }
            unitLength = 0;
            keepingUnit = chars < keepChars;
            if (c == '\\') {
                chars++;
                unitByte(c);
                state = ESCAPE;
                return i + 1;
            }
            int lead = c & 0xFF;
            if (lead >= 0xC0 && lead <= 0xF7) {
                pending = lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
                chars += pending == 3 ? 2 : 1; // a supplementary character is two UTF-16 units
                if (chars > MAX_STRING_CHARS) {
                    stop(Stop.STRING_LENGTH);
                    return end;
                }
                surrogateLead = lead == 0xED;
                unitByte(c);
                state = UTF8;
                return i + 1;
            }
            return broken(b, i); // a control character, a stray continuation byte, 0xF8..0xFF
        }
        return i;
    }

    /** A byte of an escape or a multi-byte character: copied when its character is kept, else remembered. */
    private void unitByte(byte c) {
        unit[unitLength++] = c;
        if (keepingUnit) {
            put(c);
        }
    }

    private boolean same(int at, byte[] key) {
        if (length - 1 - at != key.length) {
            return false;
        }
        for (int k = 0; k < key.length; k++) {
            if (out[at + k] != key[k]) {
                return false;
            }
        }
        return true;
    }

    private void afterValue() {
        state = AFTER_VALUE;
    }

    private void close() {
        depth--;
        afterValue();
    }

    /** At a ',' of an array that held only numbers: past the bound its copy is emptied. */
    private void maybeStartDropping() {
        if (numbersOnly[depth] && length - arrayStart[depth] > numberArrayBytes) {
            length = arrayStart[depth] + 1;
            dropping = true;
            droppedSpace = 0;
        }
    }

    /**
     * The array being emptied turns out to hold more than numbers, after a ',': what was left out is stood in for
     * by one {@code 0} (and the whitespace before this element), and the array is copied from here.
     */
    private void stopDropping() {
        dropping = false;
        numbersOnly[depth] = false;
        put((byte) '0');
        put((byte) ',');
        if (droppedSpace != 0) {
            put(droppedSpace);
        }
    }

    /**
     * The grammar broke at {@code b[i]}: the copy is brought to the lexical state the body is in (the part of an
     * escape or a character left out; in an array being emptied, the number or the ',' just before, with the
     * whitespace between) and everything from here is copied as it comes, so that the parser fails on the copy
     * where it fails on the body, and the fallbacks for bodies that do not parse see the same bytes.
     */
    private int broken(byte[] b, int i) {
        if (state == ESCAPE || state == ESCAPE_HEX || state == UTF8) {
            if (!keepingUnit) {
                put(unit, 0, unitLength);
            }
        } else if (dropping) {
            dropping = false;
            if (state == NUMBER) {
                put((byte) '0');
                put((byte) ',');
                put(number, 0, numberLength);
            } else if (state == AFTER_VALUE) {
                put(number, 0, numberLength); // the number just left out, then the space after it
                if (droppedSpace != 0) {
                    put(droppedSpace);
                }
            } else {
                stopDropping(); // after a ','
            }
        }
        if (state != STOPPED) {
            state = RAW;
        }
        return i;
    }

    private static boolean isWs(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    // ------------------------------------------------------------------------------------ the copy

    private void put(byte c) {
        if (length == out.length && !grow(1)) {
            return;
        }
        out[length++] = c;
    }

    private void put(byte[] b, int off, int len) {
        if (len <= 0) {
            return;
        }
        if (length + len > out.length && !grow(len)) {
            return;
        }
        System.arraycopy(b, off, out, length, len);
        length += len;
    }

    /** Grows the copy for {@code more} bytes; false (and stopped) when past the bound or refused. */
    private boolean grow(int more) {
        if (state == STOPPED) {
            return false;
        }
        long needed = (long) length + more;
        if (needed > maxBytes) {
            stop(Stop.BOUND);
            return false;
        }
        int capacity = (int) Math.min(maxBytes, Math.max(needed, Math.max(INITIAL, (long) out.length * 2)));
        if (!grant(capacity - out.length)) {
            return false;
        }
        out = Arrays.copyOf(out, capacity);
        return true;
    }

    private boolean grant(long bytes) {
        if (!reserve.test(bytes)) {
            stop(Stop.MEMORY);
            return false;
        }
        reserved += bytes;
        return true;
    }

    private void stop(Stop why) {
        stop = why;
        state = STOPPED;
    }

    @Override
    public String toString() {
        return "JsonPruner{seen=" + seen + ", length=" + length + ", stop=" + stop + ", verbatim=" + (state == RAW)
                + '}';
    }
}
