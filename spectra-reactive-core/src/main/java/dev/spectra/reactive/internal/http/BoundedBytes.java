package dev.spectra.reactive.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A copy of the first bytes of a body, up to a bound, in an array allocated when the first bytes come (sized to
 * them, or at once to an announced length within the bound) and grown as more come (doubling, to 1 KiB at least).
 * Every allocation is first granted by a {@link ByteBudget}; a refused one ends the copy where it is, as if the bound
 * were reached.
 * Copies with absolute reads: the buffers it reads from keep their position, limit and content. Used by one thread
 * at a time.
 */
final class BoundedBytes {

    private static final int INITIAL = 1024;
    private static final byte[] NONE = new byte[0];

    private final ByteBudget budget;
    private final long expected;
    private int max;
    private byte[] bytes = NONE;
    private int length;
    private long seen;
    private long reserved;
    private boolean refused;

    /**
     * @param max the most bytes kept
     * @param expected the length the body announced (Content-Length), or -1
     * @param budget grants the memory of the copy
     */
    BoundedBytes(int max, long expected, ByteBudget budget) {
        this.max = max;
        this.expected = expected;
        this.budget = budget;
    }

    /** Copies a buffer's remaining bytes, as far as the bound allows; its position and limit are left alone. */
    void copy(ByteBuffer b) {
        int readable = b.remaining();
        seen += readable;
        int n = Math.min(readable, max - length);
        if (n <= 0 || !ensure(length + n)) {
            n = Math.min(n, bytes.length - length);
            if (n <= 0) {
                return;
            }
        }
        b.get(b.position(), bytes, length, n);
        length += n;
    }

    /** Copies part of an array, as far as the bound allows. */
    void copy(byte[] b, int off, int len) {
        seen += len;
        int n = Math.min(len, max - length);
        if (n <= 0 || !ensure(length + n)) {
            n = Math.min(n, bytes.length - length);
            if (n <= 0) {
                return;
            }
        }
        System.arraycopy(b, off, bytes, length, n);
        length += n;
    }

    /** Counts bytes that pass without being copied. */
    void skip(long n) {
        seen += n;
    }

    /** Makes room for {@code needed} bytes; false (and the bound lowered to what is allocated) when refused. */
    private boolean ensure(int needed) {
        if (needed <= bytes.length) {
            return true;
        }
        int grown;
        if (bytes.length == 0) {
            // an announced length within the bound is the size; else the first bytes, exactly (a body sent in
            // one buffer, as a JSON request usually is, is copied once into an array of its size)
            grown = expected > 0 && expected <= max ? (int) expected : Math.min(needed, max);
        } else {
            grown = (int) Math.min(max, Math.max(Math.max((long) bytes.length * 2, needed), INITIAL));
        }
        if (!budget.reserve(grown - bytes.length)) {
            max = bytes.length; // refused: the copy ends here
            refused = true;
            return false;
        }
        reserved += grown - bytes.length;
        bytes = bytes.length == 0 ? new byte[grown] : Arrays.copyOf(bytes, grown);
        return true;
    }

    /** @return whether every byte seen was kept */
    boolean complete() {
        return seen == length;
    }

    /** @return whether the budget refused memory to this copy */
    boolean refused() {
        return refused;
    }

    byte[] array() {
        return bytes;
    }

    int length() {
        return length;
    }

    /** @return the bytes seen, kept or not */
    long seen() {
        return seen;
    }

    /** Gives the copy's memory back to the budget and forgets the copy; it keeps counting what it sees. */
    void release() {
        budget.release(reserved);
        reserved = 0;
        bytes = NONE;
        length = 0;
        max = 0;
    }

    /**
     * The first bytes as text, at most {@code limit} bytes, cut at a character boundary; no mark of the cut
     * ({@link #cutAt} tells).
     *
     * @param limit the most bytes decoded
     * @return the text
     */
    String text(int limit) {
        int n = Math.min(limit, length);
        if (cutAt(limit)) {
            n = wholeCharacters(n);
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * @param limit the most bytes decoded by {@link #text}
     * @return whether bytes seen are left out of {@code text(limit)}
     */
    boolean cutAt(int limit) {
        return Math.min(limit, length) < seen;
    }

    /** The end of the last whole UTF-8 character in the first {@code n} bytes. */
    private int wholeCharacters(int n) {
        if (n == 0) {
            return 0;
        }
        int i = n - 1;
        while (i > 0 && n - i < 4 && (bytes[i] & 0xC0) == 0x80) {
            i--;
        }
        int lead = bytes[i] & 0xFF;
        int need = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 1;
        return i + need <= n ? n : i;
    }
}
