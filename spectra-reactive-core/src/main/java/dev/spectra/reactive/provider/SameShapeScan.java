package dev.spectra.reactive.provider;

import java.util.Arrays;

/**
 * A {@link KeyScan} over the events of one stream that skips what an event shares with an earlier one. Most events
 * of a stream have one shape: the same bytes as the last event in which no key was found, except inside some
 * strings (the text of a delta, a timestamp, a padding). Such an event is compared with that one a vector at a time
 * ({@link Arrays#mismatch}), and only the quotes around and inside the strings that differ are looked at; an
 * event that differs anywhere else is scanned whole.
 *
 * <p>The answer is always the one {@link KeyScan#scan} gives with no early stop, bit for bit, so a caller cannot
 * tell the two apart. Why it holds: {@link KeyScan#foundAt} reads forward from a quote, at most to the quote after
 * the next one (the key up to its closing quote, then a colon, blanks and the value's first byte). So a quote before
 * the last quote ahead of a differing string reads only bytes the two events share, and finds what it found in the
 * earlier event: nothing. Quotes after a differing string, up to the next one, likewise. Only the last quote before
 * a differing string, its quotes, escaped ones included, and its closing quote can find something new, and those
 * are looked at.
 *
 * <p>Memory: the shape is a copy of one event of at most {@value #MAX_SHAPE_BYTES} bytes and the places of its
 * strings; a longer event is scanned whole and never kept. After {@value #MAX_MISSES} events in a row that do not
 * have the shape, the stream is scanned whole from then on. Not thread-safe: one per stream.
 */
final class SameShapeScan {

    /** The largest event kept as a shape: longer ones cost their scan less than a copy would save. */
    static final int MAX_SHAPE_BYTES = 4096;
    /** Events in a row without the shape after which the stream is scanned whole. */
    static final int MAX_MISSES = 8;

    private final KeyScan keys;
    private byte[] shape = new byte[0];
    private int shapeLen = -1;
    /** The kept event's strings: the index of each opening quote and of its closing quote, in order. */
    private int[] strings = new int[0];
    private int stringCount;
    private int misses;
    private long sameShape;

    SameShapeScan(KeyScan keys) {
        this.keys = keys;
    }

    /**
     * The keys in an event, as {@code keys.scan(b, off, len, 0)} finds them.
     *
     * @param b the event
     * @param off its first byte
     * @param len its length
     * @return bit k set when key k was found with its value
     */
    int scan(byte[] b, int off, int len) {
        if (shapeLen >= 0) {
            int found = withShape(b, off, off + len);
            if (found >= 0) {
                misses = 0;
                sameShape++;
                return found;
            }
            if (++misses >= MAX_MISSES) {
                forget();
            }
        }
        int found = keys.scan(b, off, len, 0);
        if (found == 0 && misses < MAX_MISSES) {
            keep(b, off, len);
        }
        return found;
    }

    /** Events read through the shape instead of scanned whole, for tests. */
    long sameShapeEvents() {
        return sameShape;
    }

    /**
     * The keys of {@code b[off, end)} found by looking only where it differs from the kept shape, or -1 when it
     * differs outside the shape's strings.
     */
    private int withShape(byte[] b, int off, int end) {
        byte[] s = shape;
        int sEnd = shapeLen;
        int si = 0; // where the comparison goes on, in the shape
        int bi = off; // and in the event
        int string = 0; // the shape's first string that may still hold a difference
        int found = 0;
        while (true) {
            int m = Arrays.mismatch(s, si, sEnd, b, bi, end);
            if (m < 0) {
                return found;
            }
            int sm = si + m; // the first differing byte, in the shape
            while (string < stringCount && strings[2 * string + 1] < sm) {
                string++;
            }
            if (string == stringCount || strings[2 * string] >= sm || sm >= sEnd) {
                return -1; // not inside a string of the shape (or past its end)
            }
            int open = strings[2 * string];
            int bOpen = bi + (open - si); // the same string, in the event
            int bClose = closingQuote(b, bOpen + 1, end);
            if (bClose < 0) {
                return -1;
            }
            if (string > 0) { // the quote before this string closes the one before it, in the bytes compared
                found |= keys.foundAt(b, bi + (strings[2 * string - 1] - si), end, found);
            }
            for (int q = bOpen; q <= bClose; q = ByteScan.nextQuote(b, q + 1, end)) {
                found |= keys.foundAt(b, q, end, found);
            }
            si = strings[2 * string + 1];
            bi = bClose;
            string++;
        }
    }

    /** Keeps a key-less event as the shape, with the places of its strings; events too long are not kept. */
    private void keep(byte[] b, int off, int len) {
        if (len > MAX_SHAPE_BYTES) {
            return;
        }
        if (shape.length < len) {
            shape = new byte[Math.max(len, Math.min(MAX_SHAPE_BYTES, 2 * shape.length))];
        }
        System.arraycopy(b, off, shape, 0, len);
        int n = 0;
        int end = len;
        for (int q = ByteScan.nextQuote(shape, 0, end); q < end; q = ByteScan.nextQuote(shape, q + 1, end)) {
            int close = closingQuote(shape, q + 1, end);
            if (close < 0) {
                break; // an unclosed string: its bytes are compared as they are
            }
            if (2 * n + 2 > strings.length) {
                strings = Arrays.copyOf(strings, Math.max(64, 2 * strings.length)); // 32 strings: a chunk's at once
            }
            strings[2 * n] = q;
            strings[2 * n + 1] = close;
            n++;
            q = close;
        }
        stringCount = n;
        shapeLen = len;
    }

    private void forget() {
        shape = new byte[0];
        strings = new int[0];
        stringCount = 0;
        shapeLen = -1;
    }

    /** The first quote at or after {@code i} that no backslash escapes, or -1. */
    private static int closingQuote(byte[] b, int i, int end) {
        for (int q = ByteScan.nextQuote(b, i, end); q < end; q = ByteScan.nextQuote(b, q + 1, end)) {
            int slashes = 0;
            while (q - slashes - 1 >= i && b[q - slashes - 1] == '\\') {
                slashes++;
            }
            if ((slashes & 1) == 0) {
                return q;
            }
        }
        return -1;
    }
}
