package dev.spectra.reactive.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import dev.spectra.reactive.TrackedRequest;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * A hot stream of records for {@code events()}. Costs one volatile read per record when nobody listens; a slow
 * subscriber misses records rather than slowing tracking down (best effort).
 *
 * <p>With a delivery scheduler (the recorder's own thread), {@link #emit} only hands the record over: subscribers
 * run on that thread, never on the thread of the call that was tracked, and the caller takes no lock. Up to
 * {@code capacity} records wait for delivery; beyond that, records are not delivered (counted by
 * {@link #missed()}). Without one (direct delivery, for tests), subscribers run inline on the emitting thread.
 */
public final class EventStream {

    private final Sinks.Many<TrackedRequest> sink = Sinks.many().multicast().directBestEffort();
    private final @Nullable Scheduler delivery;
    private final @Nullable BoundedMpscQueue<TrackedRequest> pending;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final LongAdder missed = new LongAdder();
    private final Runnable deliverTask = this::deliver;

    /** Subscribers run on the emitting thread. */
    public EventStream() {
        this.delivery = null;
        this.pending = null;
    }

    /**
     * @param delivery the thread subscribers run on
     * @param capacity how many records may wait for delivery
     */
    public EventStream(Scheduler delivery, int capacity) {
        this.delivery = delivery;
        this.pending = new BoundedMpscQueue<>(capacity);
    }

    /**
     * @param record a record just captured
     */
    public void emit(TrackedRequest record) {
        if (sink.currentSubscriberCount() == 0) {
            return;
        }
        if (pending == null) {
            synchronized (sink) {
                sink.tryEmitNext(record);
            }
            return;
        }
        if (!pending.offer(record)) {
            missed.increment();
            return;
        }
        if (scheduled.compareAndSet(false, true)) {
            try {
                delivery.schedule(deliverTask);
            } catch (RejectedExecutionException e) {
                scheduled.set(false); // shut down: complete() delivers what is left
            }
        }
    }

    private void deliver() {
        scheduled.set(false);
        synchronized (sink) {
            drainPending();
        }
    }

    private void drainPending() {
        if (pending == null) {
            return;
        }
        TrackedRequest r;
        while ((r = pending.poll()) != null) {
            sink.tryEmitNext(r);
        }
    }

    /**
     * @return the hot flux
     */
    public Flux<TrackedRequest> flux() {
        return sink.asFlux();
    }

    /** @return records not delivered because too many were waiting for delivery */
    public long missed() {
        return missed.sum();
    }

    /** Delivers what is waiting, then completes the stream for every subscriber. */
    public void complete() {
        synchronized (sink) {
            drainPending();
            sink.tryEmitComplete();
        }
    }
}
