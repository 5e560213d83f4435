package dev.spectra.reactive.internal.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jspecify.annotations.Nullable;

/**
 * A few arrays of {@value #SIZE} bytes lent for the time of one read, so that reading a body that arrived in one
 * piece needs no copy of its own: at most one array per slot is ever made (twice the processors, at most 16, for
 * the whole JVM), and when every one is lent the caller copies the body as it would without them. Lock-free; any
 * thread may borrow and give back.
 */
final class LentArrays {

    /** The size of each array: the longest body read from one. */
    static final int SIZE = 16 * 1024;

    private static final int SLOTS = Math.min(16, 2 * Runtime.getRuntime().availableProcessors());
    private static final AtomicReferenceArray<byte[]> FREE = new AtomicReferenceArray<>(SLOTS);
    private static final AtomicInteger MADE = new AtomicInteger();

    private LentArrays() {
    }

    /**
     * @return an array of {@link #SIZE} bytes, to be given back with {@link #giveBack}; null when every one is lent
     */
    static byte @Nullable [] borrow() {
        for (int i = 0; i < SLOTS; i++) {
            byte[] a = FREE.get(i);
            if (a != null && FREE.compareAndSet(i, a, null)) {
                return a;
            }
        }
        if (MADE.get() < SLOTS && MADE.incrementAndGet() <= SLOTS) {
            return new byte[SIZE];
        }
        return null;
    }

    /**
     * Gives an array back; it is not used by the caller after this.
     *
     * @param a an array from {@link #borrow}
     */
    static void giveBack(byte[] a) {
        for (int i = 0; i < SLOTS; i++) {
            if (FREE.get(i) == null && FREE.compareAndSet(i, null, a)) {
                return;
            }
        }
    }
}
