package dev.spectra.reactive.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jspecify.annotations.Nullable;

/**
 * A bounded, lock-free, allocation-free queue for many producers and one consumer (Vyukov's bounded queue with
 * a sequence number per slot). {@link #offer} never blocks: it returns false when the queue holds
 * {@code capacity} elements. Only one thread at a time may call {@link #poll}.
 *
 * @param <E> the element type
 */
public final class BoundedMpscQueue<E> {

    private final int capacity;
    private final AtomicReferenceArray<E> slots;
    private final AtomicLongArray sequences;
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong head = new AtomicLong();

    /**
     * @param capacity the most elements held at once, at least 1
     */
    public BoundedMpscQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.slots = new AtomicReferenceArray<>(capacity);
        this.sequences = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            sequences.set(i, i);
        }
    }

    /**
     * Adds an element unless the queue is full.
     *
     * @param e the element, not null
     * @return false when full (the element was not added)
     */
    public boolean offer(E e) {
        long pos = tail.get();
        for (;;) {
            int index = (int) (pos % capacity);
            long seq = sequences.get(index);
            long diff = seq - pos;
            if (diff == 0) {
                if (tail.compareAndSet(pos, pos + 1)) {
                    slots.lazySet(index, e);
                    sequences.set(index, pos + 1);
                    return true;
                }
                pos = tail.get();
            } else if (diff < 0) {
                return false;
            } else {
                pos = tail.get();
            }
        }
    }

    /**
     * Takes the oldest element; single consumer only.
     *
     * @return the element, or null when empty (or when a producer has claimed but not yet filled the head slot)
     */
    public @Nullable E poll() {
        long pos = head.get();
        int index = (int) (pos % capacity);
        long seq = sequences.get(index);
        if (seq != pos + 1) {
            return null;
        }
        E e = slots.get(index);
        slots.lazySet(index, null);
        head.lazySet(pos + 1);
        sequences.set(index, pos + capacity);
        return e;
    }

    /**
     * @return elements held now (a snapshot under concurrent use)
     */
    public int size() {
        long h = head.get();
        long t = tail.get();
        long s = t - h;
        return (int) Math.max(0, Math.min(capacity, s));
    }

    /**
     * @return the elements ever added (every {@link #offer} that returned true, or is about to)
     */
    public long offered() {
        return tail.get();
    }

    /**
     * @return whether nothing is held (a snapshot under concurrent use)
     */
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * @return the bound
     */
    public int capacity() {
        return capacity;
    }
}
