package dev.spectra.reactive.webclient;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * A copy of the first bytes of a body, up to a bound, in an array that grows as bytes come (doubling, from a
 * small start or the announced length). Copies with absolute reads: the buffers it reads from keep their read
 * position, content and reference count. Used by one thread at a time.
 */
final class BoundedBytes {

    private static final int INITIAL = 1024;

    private final int max;
    private byte[] bytes;
    private int length;
    private long seen;

    /**
     * @param max the most bytes kept
     * @param expected the length the body announced (Content-Length), or -1
     */
    BoundedBytes(int max, long expected) {
        this.max = max;
        int start = expected > 0 ? (int) Math.min(expected, max) : Math.min(INITIAL, max);
        this.bytes = new byte[start];
    }

    /** Copies what the buffer holds between its read and write positions, as far as the bound allows. */
    void copy(DataBuffer buffer) {
        int readable = buffer.readableByteCount();
        seen += readable;
        if (length >= max || readable == 0) {
            return;
        }
        try (DataBuffer.ByteBufferIterator it = buffer.readableByteBuffers()) {
            while (it.hasNext() && length < max) {
                copy(it.next());
            }
        }
    }

    /** Copies a buffer's remaining bytes with absolute gets; its position and limit are left alone. */
    void copy(ByteBuffer b) {
        int n = Math.min(b.remaining(), max - length);
        if (n <= 0) {
            return;
        }
        ensure(length + n);
        b.get(b.position(), bytes, length, n);
        length += n;
    }

    /** Copies part of an array. */
    void copy(byte[] b, int off, int len) {
        seen += len;
        int n = Math.min(len, max - length);
        if (n <= 0) {
            return;
        }
        ensure(length + n);
        System.arraycopy(b, off, bytes, length, n);
        length += n;
    }

    private void ensure(int needed) {
        if (needed > bytes.length) {
            int grown = (int) Math.min(max, Math.max((long) bytes.length * 2, needed));
            bytes = Arrays.copyOf(bytes, grown);
        }
    }

    /** @return whether every byte seen was kept */
    boolean complete() {
        return seen == length;
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

    /**
     * The first bytes as text, at most {@code limit} bytes, cut at a character boundary.
     *
     * @param limit the most bytes decoded
     * @return the text, with an ellipsis when bytes were left out
     */
    String text(int limit) {
        int n = Math.min(limit, length);
        boolean cut = n < seen;
        if (cut) {
            n = wholeCharacters(n);
        }
        String s = new String(bytes, 0, n, StandardCharsets.UTF_8);
        return cut ? s + "…" : s;
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
