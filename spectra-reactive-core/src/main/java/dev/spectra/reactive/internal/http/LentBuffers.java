package dev.spectra.reactive.internal.http;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jspecify.annotations.Nullable;

/**
 * A few heap buffers of {@value #SIZE} bytes lent for the time of one read, so that showing a body's bytes to its
 * observer, or reading a body that arrived in one piece, allocates nothing: at most one buffer per slot is ever made
 * (twice the processors, at most 16, for the whole JVM), and when every one is lent the caller reads the bytes as it
 * would without them (views, or a copy of its own). Lock-free; any thread may borrow and give back. Nothing is kept
 * in a buffer between two loans: a borrower reads only what it wrote there.
 */
public final class LentBuffers {

    /** The capacity of each buffer. */
    public static final int SIZE = 16 * 1024;

    private static final int SLOTS = Math.min(16, 2 * Runtime.getRuntime().availableProcessors());
    private static final AtomicReferenceArray<ByteBuffer> FREE = new AtomicReferenceArray<>(SLOTS);
    private static final AtomicInteger MADE = new AtomicInteger();

    private LentBuffers() {
    }

    /**
     * Lends a buffer, cleared (position 0, limit {@link #SIZE}), backed by an accessible array.
     *
     * @return the buffer, to be given back with {@link #giveBack}; null when every one is lent
     */
    public static @Nullable ByteBuffer borrow() {
        for (int i = 0; i < SLOTS; i++) {
            ByteBuffer b = FREE.get(i);
            if (b != null && FREE.compareAndSet(i, b, null)) {
                return b.clear();
            }
        }
        if (MADE.get() < SLOTS && MADE.incrementAndGet() <= SLOTS) {
            return ByteBuffer.allocate(SIZE);
        }
        return null;
    }

    /**
     * Gives a buffer back; the caller does not use it after this.
     *
     * @param b a buffer from {@link #borrow}
     */
    public static void giveBack(ByteBuffer b) {
        for (int i = 0; i < SLOTS; i++) {
            if (FREE.get(i) == null && FREE.compareAndSet(i, null, b)) {
                return;
            }
        }
    }
}
