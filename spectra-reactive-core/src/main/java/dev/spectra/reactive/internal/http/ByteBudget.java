package dev.spectra.reactive.internal.http;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bound on the bytes the HTTP capture engine holds at once, across every call it observes: the copies of
 * request bodies, of JSON response bodies (whole or pruned), of captured payloads. Each copy asks before it grows
 * and gives its bytes back when its call is recorded; a refused copy stops growing and its call is read from what
 * it has (a request by the constant-memory scanner) or recorded with its usage unknown. Lock-free; one instance is
 * shared by every observer of an integration.
 *
 * <p>{@link #shared()} is the process-wide bound every integration uses unless it is given its own: 1/16 of the
 * maximum heap, at least {@value #MIN_DEFAULT_BYTES} and at most {@value #MAX_DEFAULT_BYTES} bytes.
 */
public final class ByteBudget {

    /** Smallest default bound: 8 MiB. */
    public static final long MIN_DEFAULT_BYTES = 8L * 1024 * 1024;

    /** Largest default bound: 256 MiB. */
    public static final long MAX_DEFAULT_BYTES = 256L * 1024 * 1024;

    private static final ByteBudget SHARED = new ByteBudget(defaultLimit(Runtime.getRuntime().maxMemory()));

    private final long limit;
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final LongAdder refusals = new LongAdder();

    private ByteBudget(long limit) {
        this.limit = limit;
    }

    /**
     * @return the process-wide bound
     */
    public static ByteBudget shared() {
        return SHARED;
    }

    /**
     * A bound of its own.
     *
     * @param limit the most bytes held at once, at least 1
     * @return the budget
     * @throws IllegalArgumentException when limit is below 1
     */
    public static ByteBudget of(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the held bytes bound must be at least 1, was " + limit);
        }
        return new ByteBudget(limit);
    }

    /**
     * The default bound for a heap of that size: 1/16 of it, within {@value #MIN_DEFAULT_BYTES} ..
     * {@value #MAX_DEFAULT_BYTES}.
     *
     * @param maxHeap the JVM's maximum heap ({@code Runtime.maxMemory()}, {@code Long.MAX_VALUE} when unbounded)
     * @return the bound
     */
    public static long defaultLimit(long maxHeap) {
        return Math.max(MIN_DEFAULT_BYTES, Math.min(MAX_DEFAULT_BYTES, maxHeap / 16));
    }

    /**
     * Takes bytes from the bound, when they fit.
     *
     * @param bytes the bytes wanted, at least 0
     * @return true when granted (give them back with {@link #release}), false when they would pass the bound
     */
    public boolean reserve(long bytes) {
        for (;;) {
            long h = held.get();
            long next = h + bytes;
            if (next > limit) {
                refusals.increment();
                return false;
            }
            if (held.compareAndSet(h, next)) {
                if (next > peak.get()) {
                    peak.accumulateAndGet(next, Math::max);
                }
                return true;
            }
        }
    }

    /**
     * Gives bytes back.
     *
     * @param bytes bytes granted earlier
     */
    public void release(long bytes) {
        if (bytes > 0) {
            held.addAndGet(-bytes);
        }
    }

    /**
     * @return the bound
     */
    public long limit() {
        return limit;
    }

    /**
     * @return the bytes held now
     */
    public long held() {
        return held.get();
    }

    /**
     * @return the most bytes ever held at once
     */
    public long peak() {
        return peak.get();
    }

    /**
     * @return how many reservations were refused
     */
    public long refusals() {
        return refusals.sum();
    }

    @Override
    public String toString() {
        return "ByteBudget{limit=" + limit + ", held=" + held() + ", peak=" + peak() + ", refusals=" + refusals() + '}';
    }
}
