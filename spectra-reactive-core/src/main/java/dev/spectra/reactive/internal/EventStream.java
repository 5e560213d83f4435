package dev.spectra.reactive.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.spectra.reactive.TrackedRequest;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * A hot stream of records for {@code events()}. Costs one volatile read per record when nobody listens; a slow
 * subscriber misses records rather than slowing tracking down (best effort).
 *
 * <p>Asynchronous (the recorder's events): {@link #emit} only hands the record over, and subscribers run on a
 * thread of the stream's own, started with the first record that has a subscriber: never on the thread of the
 * call that was tracked, never on the recorder's thread (a subscriber that blocks delays neither the user's
 * calls nor the writes), and the caller takes no lock. Up to {@code capacity} records wait for delivery; beyond
 * that, records are not delivered, and that is logged (rate-limited). Inline (direct delivery, for tests):
 * subscribers run on the emitting thread.
 */
public final class EventStream {

    private static final RateLimitedLog LOG = new RateLimitedLog(EventStream.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Sinks.Many<TrackedRequest> sink = Sinks.many().multicast().directBestEffort();
    private final @Nullable BoundedMpscQueue<TrackedRequest> pending;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable deliverTask = this::deliver;
    private volatile @Nullable ExecutorService executor;
    private volatile boolean completed;

    /** Subscribers run inline on the emitting thread. */
    public EventStream() {
        this.pending = null;
    }

    /**
     * @param capacity how many records may wait for delivery on the stream's own thread
     */
    public EventStream(int capacity) {
        this.pending = new BoundedMpscQueue<>(capacity);
    }

    /**
     * @param record a record just captured
     */
    public void emit(TrackedRequest record) {
        if (sink.currentSubscriberCount() == 0) {
            return;
        }
        BoundedMpscQueue<TrackedRequest> q = pending;
        if (q == null) {
            synchronized (sink) {
                sink.tryEmitNext(record);
            }
            return;
        }
        if (!q.offer(record)) {
            LOG.warn("missed", "Spectra events(): a subscriber is not keeping up; " + q.capacity()
                    + " records wait for delivery, newer ones are not delivered to it", null);
            return;
        }
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor().execute(deliverTask);
            } catch (RejectedExecutionException e) {
                scheduled.set(false); // completed: complete() delivered or drops what is left
            }
        }
    }

    private ExecutorService executor() {
        ExecutorService e = executor;
        if (e == null) {
            synchronized (this) {
                e = executor;
                if (e == null) {
                    if (completed) {
                        throw new RejectedExecutionException("completed");
                    }
                    ThreadPoolExecutor t = new ThreadPoolExecutor(1, 1, 0L, TimeUnit.MILLISECONDS,
                            new LinkedBlockingQueue<>(), r -> {
                                Thread th = new Thread(r, "spectra-events-" + THREADS.incrementAndGet());
                                th.setDaemon(true);
                                return th;
                            });
                    executor = t;
                    e = t;
                }
            }
        }
        return e;
    }

    private void deliver() {
        scheduled.set(false);
        synchronized (sink) {
            drainPending();
        }
    }

    private void drainPending() {
        BoundedMpscQueue<TrackedRequest> q = pending;
        if (q == null) {
            return;
        }
        TrackedRequest r;
        while ((r = q.poll()) != null) {
            try {
                sink.tryEmitNext(r);
            } catch (RuntimeException e) {
                LOG.warn("subscriber", "Spectra events(): a subscriber threw; it is not called again for this record",
                        e);
            }
        }
    }

    /**
     * @return the hot flux
     */
    public Flux<TrackedRequest> flux() {
        return sink.asFlux();
    }

    /**
     * Delivers what is waiting, then completes the stream for every subscriber, on the stream's own thread when it
     * has one (this call does not wait for a slow subscriber), else right here. Idempotent.
     */
    public void complete() {
        ExecutorService e;
        synchronized (this) {
            if (completed) {
                return;
            }
            completed = true;
            e = executor;
        }
        Runnable last = () -> {
            synchronized (sink) {
                drainPending();
                sink.tryEmitComplete();
            }
        };
        if (e == null) {
            last.run();
            return;
        }
        try {
            e.execute(last);
        } catch (RejectedExecutionException rejected) {
            last.run();
        }
        e.shutdown(); // the thread ends once the last delivery has run
    }
}
