package dev.spectra.reactive.sink;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.internal.BoundedMpscQueue;
import dev.spectra.reactive.internal.EventStream;
import dev.spectra.reactive.internal.RateLimitedLog;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The queued {@link Delivery}: puts records in front of a {@link SpectraSink} without ever making the caller wait: a bounded lock-free queue
 * (many producers, one drain), batches cut by size or by time, as many batches in flight as the sink takes
 * ({@link SpectraSink#maxConcurrentWrites()}, one unless the sink says more), a timeout per write, and retries with
 * backoff for failures the sink calls transient.
 *
 * <ul>
 *   <li>{@link #deliver} never blocks: when the queue is full the record is dropped and counted
 *       ({@link RecorderStats#dropped()}); memory stays bounded.</li>
 *   <li>A full batch is written as soon as {@link RecorderOptions#batchSize()} records wait (or as soon as a
 *       write in flight ends, when every slot was taken). A partial batch is written at the next tick of a
 *       fixed-rate timer of period {@link RecorderOptions#maxDelay()}, so at most about {@code maxDelay} after it
 *       was queued, unless a write is still in flight: then it goes at the first tick after no write is (a
 *       partial batch never takes a second slot; full batches take every free one).</li>
 *   <li>Order: with one write in flight, batches are written in the order their records were queued. With more,
 *       the batches in flight may end in any order (a later batch may be stored before an earlier one, or while
 *       an earlier one retries); the records of one batch stay in queue order.</li>
 *   <li>A transient failure retries the same batch (backoff {@link RecorderOptions#retryMinBackoff()} doubling to
 *       {@link RecorderOptions#retryMaxBackoff()}); meanwhile the queue absorbs new records. A batch is tried
 *       again only while its oldest record is younger than {@link RecorderOptions#retryTimeout()}, counted from
 *       when that record was offered. Every batch gets at least one attempt, however old its records, unless the
 *       sink is known to be failing right now (its latest attempt failed, less than
 *       {@link RecorderOptions#retryMaxBackoff()} ago): so with the sink down, every queued batch has failed
 *       {@code retryTimeout + writeTimeout} after its oldest record was offered, however many there are, and
 *       once it is back, a backlog older than the retry timeout is still written.
 *       {@link RejectedRecordsException} counts only the refused records as failed; any other error fails the
 *       batch.</li>
 *   <li>{@link #flush()} completes when every record accepted before it was written or failed;
 *       {@link #close(Duration)} stops accepting, flushes within the timeout and closes the sink, and returns by
 *       its deadline whatever the sink does.</li>
 * </ul>
 * All bookkeeping runs on one dedicated daemon thread. The sink is called on another daemon thread of the
 * recorder's ({@code spectra-sink-…}), so a sink whose {@code write} blocks its thread delays neither the
 * bookkeeping nor {@link #close(Duration)}; the sink's own work runs wherever the sink puts it.
 *
 * @since 0.1
 */
public final class Recorder implements Delivery {

    private static final RateLimitedLog LOG = new RateLimitedLog(Recorder.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final SpectraSink sink;
    private final RecorderOptions options;
    private final BoundedMpscQueue<Queued> queue;
    private final Scheduler worker;
    /** Where the sink is called: a sink that blocks there holds up nothing but its own writes. */
    private final Scheduler writer;
    private final Disposable timer;
    private final EventStream events;

    private final AtomicLong written = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    /** How many batches may be written at once: the sink's {@link SpectraSink#maxConcurrentWrites()}, at least 1. */
    private final int maxInFlight;
    /** The batches being written; added and removed on the worker thread only, each settled from any. */
    private final List<Batch> inFlight = new ArrayList<>();
    /** Whether the latest write attempt failed (a refused record does not count: the sink answered). */
    private volatile boolean lastAttemptFailed;
    /** The {@link RecorderOptions#nanoTime()} of the latest failed attempt. */
    private volatile long lastFailureAt;
    /** Only touched on the worker thread. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    private volatile boolean closed;
    private volatile boolean terminated;
    private volatile @Nullable Mono<Void> closing;

    private record Waiter(long target, MonoSink<Void> sink) {
    }

    /** A record in the queue, with the {@link RecorderOptions#nanoTime()} of when it was offered. */
    private record Queued(TrackedRequest request, long offeredAt) {
    }

    /** A batch handed to the sink; counted once, by its write's outcome or by a close that could not wait for it. */
    private static final class Batch {
        final List<TrackedRequest> records;
        final long oldestOfferedAt;
        private final AtomicBoolean settled = new AtomicBoolean();

        Batch(List<TrackedRequest> records, long oldestOfferedAt) {
            this.records = records;
            this.oldestOfferedAt = oldestOfferedAt;
        }

        /** @return true for the one caller that counts this batch */
        boolean settle() {
            return settled.compareAndSet(false, true);
        }
    }

    private Recorder(SpectraSink sink, RecorderOptions options) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.options = Objects.requireNonNull(options, "options");
        this.maxInFlight = Math.max(1, sink.maxConcurrentWrites());
        this.queue = new BoundedMpscQueue<>(options.queueCapacity());
        int instance = INSTANCES.incrementAndGet();
        this.worker = Schedulers.newSingle("spectra-recorder-" + instance, true);
        this.writer = Schedulers.newSingle("spectra-sink-" + instance, true);
        long delay = options.maxDelay().toMillis();
        this.timer = worker.schedulePeriodically(() -> drain(true), delay, delay, TimeUnit.MILLISECONDS);
        this.events = new EventStream(Math.max(options.queueCapacity(), 1024));
    }

    /**
     * A recorder with the default options.
     *
     * @param sink where batches go
     * @return the running recorder
     */
    public static Recorder create(SpectraSink sink) {
        return new Recorder(sink, RecorderOptions.defaults());
    }

    /**
     * @param sink where batches go
     * @param options queue, batch, timeout and retry settings
     * @return the running recorder
     */
    public static Recorder create(SpectraSink sink, RecorderOptions options) {
        return new Recorder(sink, options);
    }

    /**
     * Queues a record for the sink; never blocks.
     *
     * @param record the record
     * @return false when it was dropped (queue full, or recorder closed)
     */
    @Override
    public boolean deliver(TrackedRequest record) {
        return deliver(record, options.nanoTime().getAsLong());
    }

    /**
     * Queues a record as {@link #deliver(TrackedRequest)} does, for a caller that has just read this recorder's
     * ticker ({@link RecorderOptions#nanoTime()}) when the record was made, so that it is not read again: a tracker
     * whose durations are timed by the same ticker passes the reading that ended the call. The record's age for the
     * retry timeout counts from that reading.
     *
     * @param record the record
     * @param arrivedAt a reading of this recorder's ticker, taken when the record was made
     * @return false when it was dropped (queue full, or recorder closed)
     */
    public boolean deliver(TrackedRequest record, long arrivedAt) {
        Objects.requireNonNull(record, "record");
        // before the queue: a listener sees every captured record, even one the queue must drop
        events.emit(record);
        if (closed) {
            dropped.incrementAndGet();
            LOG.warn("closed", "Spectra recorder is closed: record " + record.id() + " dropped", null);
            return false;
        }
        if (!queue.offer(new Queued(record, arrivedAt))) {
            dropped.incrementAndGet();
            LOG.warn("full", "Spectra recorder queue is full (" + queue.capacity()
                    + " records): dropping new records until the sink catches up; see RecorderStats.dropped", null);
            return false;
        }
        if (queue.size() >= options.batchSize()) {
            scheduleDrain();
        }
        return true;
    }

    /**
     * Completes when every record accepted before this call has been written or has failed; writes partial
     * batches right away instead of waiting for the delay.
     *
     * @return completes when flushed
     */
    @Override
    public Mono<Void> flush() {
        return Mono.create(s -> {
            long target = queue.offered();
            if (settled() >= target) {
                s.success();
                return;
            }
            Waiter w = new Waiter(target, s);
            if (!onWorker(() -> {
                waiters.add(w);
                drain(true);
                settleWaiters();
            })) {
                s.success();
                return;
            }
            s.onCancel(() -> onWorker(() -> waiters.remove(w)));
        });
    }

    /**
     * Stops accepting records, writes what is queued within the timeout, then closes the sink and the recorder's
     * threads. Completes by the deadline whatever the sink does, even when its {@code write} or {@code close}
     * blocks the thread that called it: when the timeout passes, the records still queued and the batch in
     * flight are counted as failed at that moment, and logged; the sink is then asked to close, and waited for
     * only within what is left of the timeout (its close goes on in the background past it). A write that was
     * given up on is not counted again when it ends. Idempotent: every call returns the same (cached) result.
     *
     * @param timeout how long to wait for the queue to drain and the sink to close
     * @return completes when closed, or when the timeout has passed
     */
    @Override
    public Mono<Void> close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        Mono<Void> c = closing;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (closing == null) {
                Scheduler time = Schedulers.parallel();
                closing = Mono.defer(() -> {
                            closed = true;
                            long deadline = time.now(TimeUnit.NANOSECONDS) + timeout.toNanos();
                            return flush().timeout(timeout)
                                    .onErrorResume(TimeoutException.class, e -> Mono.fromRunnable(this::abandon)
                                            .subscribeOn(worker).then())
                                    .then(Mono.defer(() -> SinkClosing.closeWithin(sink, Duration.ofNanos(
                                            Math.max(0, deadline - time.now(TimeUnit.NANOSECONDS))), LOG)));
                        })
                        .doFinally(s -> {
                            terminated = true;
                            timer.dispose();
                            worker.dispose();
                            writer.dispose(); // interrupts a write still blocking its thread
                            events.complete();
                        })
                        .cache();
            }
            return closing;
        }
    }

    /**
     * @return the counters now
     */
    @Override
    public RecorderStats stats() {
        return new RecorderStats(queue.offered(), written.get(), retried.get(), dropped.get(), failed.get(),
                queue.size());
    }

    /**
     * Every record handed to the recorder, for reacting (alerts, budgets) without polling, including records the
     * queue had to drop (a listener sees every call even while storage is failing). Hot and best effort: a
     * subscriber that cannot keep up misses records (counted and logged); completes when the recorder closes.
     *
     * <p>Subscribers run on a thread of the event stream's own, started with the first record that has a
     * subscriber: never on the thread of the tracked call and never on the recorder's, so a subscriber that
     * blocks delays neither. Delivery is asynchronous: a record may reach subscribers after a {@link #flush()}
     * that wrote it has completed.
     *
     * @return the hot flux of records
     */
    @Override
    public Flux<TrackedRequest> events() {
        return events.flux();
    }

    /**
     * @return the options
     */
    public RecorderOptions options() {
        return options;
    }

    @Override
    public String toString() {
        return "Recorder{sink=" + sink + ", " + options + ", " + stats() + "}";
    }

    private long settled() {
        return written.get() + failed.get();
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true) && !onWorker(() -> drain(false))) {
            drainScheduled.set(false);
        }
    }

    /** Runs a task on the worker; false when the worker is gone. */
    private boolean onWorker(Runnable task) {
        if (terminated) {
            return false;
        }
        try {
            worker.schedule(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Worker thread only: starts writes while a slot is free and a batch is due. */
    private void drain(boolean force) {
        drainScheduled.set(false);
        while (inFlight.size() < maxInFlight && startWrite(force)) {
            // the next free slot takes the next batch
        }
    }

    /** Worker thread only: cuts one batch and starts its write; false when no batch is due. */
    private boolean startWrite(boolean force) {
        int size = queue.size();
        if (size == 0) {
            settleWaiters();
            return false;
        }
        boolean flushing = closed || !waiters.isEmpty();
        boolean partialDue = flushing || (force && inFlight.isEmpty());
        if (!partialDue && size < options.batchSize()) {
            return false;
        }
        List<TrackedRequest> batch = new ArrayList<>(Math.min(size, options.batchSize()));
        long oldest = Long.MAX_VALUE;
        Queued q;
        while (batch.size() < options.batchSize() && (q = queue.poll()) != null) {
            batch.add(q.request());
            // the oldest by the clock, not by position: producers may stamp and enqueue in different orders
            oldest = batch.size() == 1 ? q.offeredAt() : earlier(oldest, q.offeredAt());
        }
        if (batch.isEmpty()) {
            // a producer has claimed the head slot but not filled it yet: look again shortly
            if (flushing && !terminated) {
                worker.schedule(() -> drain(true), 1, TimeUnit.MILLISECONDS);
            }
            return false;
        }
        Batch b = new Batch(batch, oldest);
        inFlight.add(b);
        write(b).subscribe(outcome -> {
            if (!onWorker(() -> onWritten(b, outcome))) {
                settle(b, outcome);
            }
        });
        return true;
    }

    /** Of two {@link RecorderOptions#nanoTime()} readings, the earlier (they may wrap around). */
    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    /**
     * Writes with timeout and transient retries, each retry only while the batch's oldest record is younger than
     * the retry timeout; the first attempt always, unless the batch is that old and the sink is failing right now
     * (then no attempt: with the sink down, a backlog fails at once instead of a write timeout per batch). Never
     * errors: signals {@link Ok#INSTANCE} on success, else the failure.
     */
    private Mono<Throwable> write(Batch b) {
        List<TrackedRequest> batch = b.records;
        long retryNanos = options.retryTimeout().toNanos();
        LongSupplier nanoTime = options.nanoTime();
        BooleanSupplier young = () -> nanoTime.getAsLong() - b.oldestOfferedAt < retryNanos;
        Throwable[] lastFailure = {null};
        Retry retry = Retry.backoff(Long.MAX_VALUE, options.retryMinBackoff())
                .maxBackoff(options.retryMaxBackoff())
                .jitter(0.25)
                .filter(e -> !terminated && young.getAsBoolean() && isTransient(e))
                .onRetryExhaustedThrow((spec, s) -> s.failure());
        boolean[] tried = {false};
        boolean[] called = {false};
        return Mono.defer(() -> {
                    boolean first = !tried[0];
                    tried[0] = true;
                    if (young.getAsBoolean() || (first && (retryNanos == 0 || !sinkFailingNow()))) {
                        return attempt(batch, () -> {
                            if (called[0]) {
                                // counted when the sink is called again: a backoff that outlasts the retry
                                // timeout, or an attempt that timed out waiting for the writer thread, calls nothing
                                retried.incrementAndGet();
                                LOG.warn("retry", "Spectra sink write of " + batch.size() + " records failed "
                                        + "transiently (" + lastFailure[0] + "); retrying with backoff", null);
                            }
                            called[0] = true;
                        });
                    }
                    // the backoff ran past the retry timeout, or the records waited that long in the queue while
                    // the sink was failing
                    Throwable last = lastFailure[0];
                    return Mono.error(last != null ? last : new TimeoutException("the oldest of " + batch.size()
                            + " records was offered more than retryTimeout (" + options.retryTimeout()
                            + ") ago and the sink is failing; not written"));
                })
                .doOnError(e -> lastFailure[0] = e)
                .retryWhen(retry)
                .then(Mono.<Throwable>empty())
                .onErrorResume(Mono::just)
                .defaultIfEmpty(Ok.INSTANCE);
    }

    /**
     * One call of the sink, on the writer thread, bounded by the write timeout, which runs even while a write
     * before it still blocks that thread.
     */
    private Mono<Void> attempt(List<TrackedRequest> batch, Runnable beforeCall) {
        return Mono.defer(() -> {
                    beforeCall.run();
                    return sink.write(batch);
                })
                .subscribeOn(writer)
                .timeout(options.writeTimeout())
                .doOnSuccess(v -> lastAttemptFailed = false)
                .doOnError(e -> {
                    if (e instanceof RejectedRecordsException) {
                        lastAttemptFailed = false;
                    } else {
                        lastFailureAt = options.nanoTime().getAsLong();
                        lastAttemptFailed = true;
                    }
                });
    }

    /** Whether the sink's latest attempt failed, recently enough that no retry would have tried again yet. */
    private boolean sinkFailingNow() {
        return lastAttemptFailed
                && options.nanoTime().getAsLong() - lastFailureAt < options.retryMaxBackoff().toNanos();
    }

    private boolean isTransient(Throwable e) {
        try {
            return sink.isTransient(e);
        } catch (RuntimeException bad) {
            return false;
        }
    }

    /** Worker thread only. */
    private void onWritten(Batch b, Throwable outcome) {
        inFlight.remove(b);
        settle(b, outcome);
        settleWaiters();
        if (queue.size() >= options.batchSize() || ((closed || !waiters.isEmpty()) && !queue.isEmpty())) {
            drain(false);
        }
    }

    private void settle(Batch b, Throwable outcome) {
        if (b.settle()) {
            count(b.records, outcome);
        } else {
            LOG.logger().warn("A write of " + b.records.size() + " records given up on when the Spectra recorder "
                    + "closed has ended " + (outcome == Ok.INSTANCE ? "written" : "failed (" + outcome + ")")
                    + " after all; those records remain counted as failed");
        }
    }

    private void count(List<TrackedRequest> batch, Throwable outcome) {
        if (outcome == Ok.INSTANCE) {
            written.addAndGet(batch.size());
        } else if (outcome instanceof RejectedRecordsException rejected) {
            int bad = Math.min(batch.size(), rejected.rejections().size());
            failed.addAndGet(bad);
            written.addAndGet(batch.size() - bad);
            LOG.warn("rejected", "Spectra sink refused " + bad + " of " + batch.size() + " records: "
                    + rejected.getMessage(), null);
        } else {
            failed.addAndGet(batch.size());
            LOG.warn("failed", "Spectra sink failed to write " + batch.size() + " records; they are lost", outcome);
        }
    }

    /** Worker thread only. */
    private void settleWaiters() {
        long done = settled();
        waiters.removeIf(w -> {
            if (w.target() <= done) {
                w.sink().success();
                return true;
            }
            return false;
        });
    }

    /**
     * Worker thread only: after a close timeout, neither what is still queued nor the batches in flight will be
     * written; counted as failed now, not when (if ever) their writes end.
     */
    private void abandon() {
        long n = 0;
        while (queue.poll() != null) {
            n++;
        }
        long writing = 0;
        for (Batch b : inFlight) {
            writing += b.settle() ? b.records.size() : 0;
        }
        if (n + writing > 0) {
            failed.addAndGet(n + writing);
            LOG.logger().warn("Spectra recorder closed before its sink could write " + (n + writing)
                    + " records (" + n + " queued, " + writing + " in a write that had not ended); counted as "
                    + "failed");
        }
        settleWaiters();
    }

    /** The success marker of {@link #write}. */
    private static final class Ok extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Ok INSTANCE = new Ok();

        private Ok() {
            super("ok", null, false, false);
        }
    }
}
