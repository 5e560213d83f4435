package dev.spectra.reactive.provider;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cheap byte-level checks on a payload before it is parsed: most stream chunks are text deltas that cannot
 * hold usage, and a substring test is far cheaper than a JSON parse. A check may say "maybe" for a chunk that
 * turns out uninteresting (the parse then decides) but must never say "no" for one that matters. Inside JSON
 * strings quotes are escaped, so a quoted key found here is a real key or the tail of an escaped text, never a
 * false negative. Whether a payload holds some keys is {@link KeyScan}'s test; here are the event type of the
 * typed formats, the range helpers and plain searches.
 */
final class ByteScan {

    private ByteScan() {
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    /** Every byte one above {@code \r}, the larger line end: a byte below it may be one. */
    private static final long BELOW_LINE_END = ONES * ('\r' + 1);
    private static final long BACKSLASHES = ONES * '\\';
    private static final long SPACES = ONES * ' ';

    /**
     * The classic zero-byte test of a word read little-endian: the high bit of each zero byte set. Bytes above a
     * zero byte may be flagged too, but the lowest flagged byte is always a real zero.
     */
    private static long zeroBytes(long x) {
        return bytesBelow(x, ONES);
    }

    /**
     * The same test for the bytes below {@code k}, given as {@code k} in every byte ({@code k} at most 0x80): the
     * high bit of each byte of {@code x} below {@code k} set. The lowest flagged byte is always a real one.
     */
    private static long bytesBelow(long x, long k) {
        return (x - k) & ~x & HIGHS;
    }

    /**
     * The {@code n} bytes from {@code i} (at most eight) as a little-endian word, zero above them: one read of a
     * word where the array has eight bytes from {@code i}.
     */
    static long word(byte[] b, int i, int n) {
        if (i + 8 <= b.length) {
            long w = (long) LONGS.get(b, i);
            return n == 8 ? w : w & ((1L << (n << 3)) - 1);
        }
        long w = 0;
        for (int k = n - 1; k >= 0; k--) {
            w = (w << 8) | (b[i + k] & 0xFF);
        }
        return w;
    }

    /**
     * The index of the next {@code "} at or after {@code i}, or {@code end}: eight bytes at a time (a word with no
     * quote is skipped whole).
     */
    static int nextQuote(byte[] b, int i, int end) {
        while (i + 8 <= end) {
            long t = zeroBytes((long) LONGS.get(b, i) ^ QUOTES);
            if (t != 0) {
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
            i += 8;
        }
        while (i < end && b[i] != '"') {
            i++;
        }
        return i;
    }

    /**
     * The index of the next byte at or after {@code i} that a JSON string's plain run ends at: a quote, a backslash,
     * a control byte (below {@code 0x20}) or a byte of a multi-byte UTF-8 sequence (from {@code 0x80}); or
     * {@code end}. Eight bytes at a time: each of the four tests flags its lowest matching byte exactly (bytes
     * above it may be flagged too), so the lowest byte any of them flags is the first match.
     */
    static int nextStringSpecial(byte[] b, int i, int end) {
        while (i + 8 <= end) {
            long x = (long) LONGS.get(b, i);
            long t = zeroBytes(x ^ QUOTES) | zeroBytes(x ^ BACKSLASHES) | bytesBelow(x, SPACES) | (x & HIGHS);
            if (t != 0) {
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
            i += 8;
        }
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) {
                break;
            }
            i++;
        }
        return i;
    }

    /**
     * The index of the next line end ({@code \n} or {@code \r}) at or after {@code i}, or {@code end}: 32 bytes at a
     * time while none of them is below {@code 0x0E} (four words, one branch), then eight bytes at a time with one test
     * for the bytes below {@code 0x0E} ({@link #bytesBelow}); a tab or another control byte it also finds is stepped
     * over.
     */
    static int nextLineEnd(byte[] b, int i, int end) {
        while (i + 8 <= end) {
            while (i + 32 <= end && (belowLineEnd(b, i) | belowLineEnd(b, i + 8) | belowLineEnd(b, i + 16)
                    | belowLineEnd(b, i + 24)) == 0) {
                i += 32;
            }
            int stop = Math.min(i + 32, end); // what stopped the skip lies before it, or the bytes end there
            while (i + 8 <= stop) {
                long t = belowLineEnd(b, i);
                if (t == 0) {
                    i += 8;
                    continue;
                }
                int at = i + (Long.numberOfTrailingZeros(t) >>> 3);
                if (b[at] == '\n' || b[at] == '\r') {
                    return at;
                }
                i = at + 1;
            }
        }
        while (i < end && b[i] != '\n' && b[i] != '\r') {
            i++;
        }
        return i;
    }

    /** The word at {@code i} tested for bytes below {@code 0x0E}: non-zero when one of them is. */
    private static long belowLineEnd(byte[] b, int i) {
        return bytesBelow((long) LONGS.get(b, i), BELOW_LINE_END);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Index of {@code needle} in {@code b[from, end)}, or -1. */
    static int indexOf(byte[] b, int from, int end, byte[] needle) {
        int n = needle.length;
        if (n == 0) {
            return from;
        }
        byte first = needle[0];
        int last = end - n;
        outer:
        for (int i = from; i <= last; i++) {
            if (b[i] != first) {
                continue;
            }
            for (int k = 1; k < n; k++) {
                if (b[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Where the string value of the first occurrence of the quoted key starts and ends, packed as
     * {@code start << 32 | end}; -1 when the key is absent or its value is not a string.
     */
    static long stringValue(byte[] b, int off, int len, byte[] quotedKey) {
        int end = off + len;
        int at = indexOf(b, off, end, quotedKey);
        if (at < 0) {
            return -1;
        }
        int j = skipWs(b, at + quotedKey.length, end);
        if (j >= end || b[j] != ':') {
            return -1;
        }
        j = skipWs(b, j + 1, end);
        if (j >= end || b[j] != '"') {
            return -1;
        }
        int start = j + 1;
        int k = start;
        while (k < end && b[k] != '"') {
            if (b[k] == '\\') {
                k++;
            }
            k++;
        }
        if (k >= end) {
            return -1;
        }
        return ((long) start << 32) | k;
    }

    /**
     * Where the object value of the first occurrence of the quoted key starts (its brace) and ends (after its
     * closing brace), packed as {@code start << 32 | end}; -1 when the key is absent, its value is not an object,
     * or the object is not closed within the bytes. Strings and escapes are skipped, so braces inside them do not
     * count.
     */
    static long objectValue(byte[] b, int off, int len, byte[] quotedKey) {
        int end = off + len;
        int at = indexOf(b, off, end, quotedKey);
        if (at < 0) {
            return -1;
        }
        int j = skipWs(b, at + quotedKey.length, end);
        if (j >= end || b[j] != ':') {
            return -1;
        }
        j = skipWs(b, j + 1, end);
        if (j >= end || b[j] != '{') {
            return -1;
        }
        int start = j;
        int depth = 0;
        boolean inString = false;
        for (int k = j; k < end; k++) {
            byte c = b[k];
            if (inString) {
                if (c == '\\') {
                    k++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return ((long) start << 32) | (k + 1);
            }
        }
        return -1;
    }

    /** Whether the packed range of {@link #stringValue} equals {@code value}. */
    static boolean rangeEquals(byte[] b, long range, byte[] value) {
        return range >= 0 && (int) range - (int) (range >>> 32) == value.length
                && Arrays.equals(b, (int) (range >>> 32), (int) range, value, 0, value.length);
    }

    /** Whether the packed range of {@link #stringValue} starts with {@code prefix}. */
    static boolean rangeStartsWith(byte[] b, long range, byte[] prefix) {
        int start = (int) (range >>> 32);
        return range >= 0 && (int) range - start >= prefix.length
                && Arrays.equals(b, start, start + prefix.length, prefix, 0, prefix.length);
    }

    /** Whether the packed range of {@link #stringValue} ends with {@code suffix}. */
    static boolean rangeEndsWith(byte[] b, long range, byte[] suffix) {
        int end = (int) range;
        return range >= 0 && end - (int) (range >>> 32) >= suffix.length
                && Arrays.equals(b, end - suffix.length, end, suffix, 0, suffix.length);
    }

    /** Whether the packed range of {@link #stringValue} contains the byte; false for no range. */
    static boolean rangeContains(byte[] b, long range, byte c) {
        if (range < 0) {
            return false;
        }
        for (int i = (int) (range >>> 32), end = (int) range; i < end; i++) {
            if (b[i] == c) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code b[off, off+len)}, trimmed of ASCII whitespace, is exactly {@code value}. */
    static boolean trimmedEquals(byte[] b, int off, int len, byte[] value) {
        int s = skipWs(b, off, off + len);
        int e = off + len;
        while (e > s && isWs(b[e - 1])) {
            e--;
        }
        if (e - s != value.length) {
            return false;
        }
        for (int i = 0; i < value.length; i++) {
            if (b[s + i] != value[i]) {
                return false;
            }
        }
        return true;
    }

    static int skipWs(byte[] b, int i, int end) {
        while (i < end && isWs(b[i])) {
            i++;
        }
        return i;
    }

    static boolean isWs(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
