package dev.spectra.reactive.sink;

import java.time.Duration;

import dev.spectra.reactive.TrackedRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How records leave a tracker for a {@link SpectraSink}, as OpenTelemetry's span processors hand spans to an
 * exporter. Two implementations: {@linkplain #queued queued} (the {@link Recorder}: a bounded queue, batches and
 * retries on a drain thread of its own; the default) and {@linkplain #direct direct} (each record written on the
 * thread that ended its call, for tests and in-memory sinks).
 *
 * <p>Every implementation is thread-safe, and {@link #deliver} never blocks and never throws: a record that cannot
 * be taken is dropped and counted in {@link #stats()}.
 *
 * @since 0.1
 */
public interface Delivery {

    /**
     * Hands one record over for writing.
     *
     * @param record the record
     * @return false when it was dropped (queue full, or delivery closed)
     */
    boolean deliver(TrackedRequest record);

    /**
     * The records handed to this delivery, for reacting (alerts, budgets) without polling. Hot and best effort: a
     * subscriber that cannot keep up misses records; completes when the delivery closes. Where subscribers run
     * depends on the implementation: see {@link Recorder#events()} and {@link #direct}.
     *
     * @return the hot flux of records
     */
    Flux<TrackedRequest> events();

    /**
     * @return the counters now
     */
    RecorderStats stats();

    /**
     * @return completes when every record handed over before the subscription has been written or has failed
     */
    Mono<Void> flush();

    /**
     * Stops taking records, writes what was handed over within the timeout, then closes the sink. Ends by the
     * deadline whatever the sink does: a sink whose {@code write} or {@code close} blocks or never ends is waited
     * for only within the timeout (its close goes on in the background). Idempotent: every call returns the same
     * (cached) result, the first call's timeout applies; {@link #events()} completes.
     *
     * @param timeout how long to wait for the records still to write and the sink to close
     * @return completes when closed
     */
    Mono<Void> close(Duration timeout);

    /**
     * A queued delivery: the {@link Recorder}, running.
     *
     * @param sink where batches go
     * @param options queue, batch, timeout and retry settings
     * @return the running recorder
     */
    static Delivery queued(SpectraSink sink, RecorderOptions options) {
        return Recorder.create(sink, options);
    }

    /**
     * A direct delivery: each record is written to the sink as a batch of one on the thread that delivers it,
     * without a queue; writes run concurrently and their outcomes are counted as they end. {@link #events()}
     * subscribers run inline on that thread, after the write started. For tests and in-memory sinks, not for
     * sinks that do I/O. {@link #close} waits (within the timeout) for the writes in flight before closing the
     * sink.
     *
     * @param sink where records go
     * @return the delivery
     */
    static Delivery direct(SpectraSink sink) {
        return new DirectDelivery(sink);
    }
}
