package dev.spectra.reactive.sink;

import java.time.Duration;
import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.internal.EventStream;
import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.PendingWrites;
import dev.spectra.reactive.internal.RateLimitedLog;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** {@link Delivery#direct}: each record written as a batch of one on the delivering thread. */
final class DirectDelivery implements Delivery {

    private static final RateLimitedLog LOG = new RateLimitedLog(DirectDelivery.class);

    private final SpectraSink sink;
    private final EventStream events = new EventStream();
    private final PendingWrites pending = new PendingWrites();
    private final LongAdder delivered = new LongAdder();
    private volatile @Nullable Mono<Void> closing;

    DirectDelivery(SpectraSink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public boolean deliver(TrackedRequest record) {
        Objects.requireNonNull(record, "record");
        delivered.increment();
        DirectWrite write = new DirectWrite(record, pending.started());
        try {
            sink.write(write).subscribe(write);
        } catch (Throwable e) {
            write.onError(e); // a sink that throws instead of signalling: the write is over, and failed
            Fatal.rethrowIfFatal(e);
        }
        try {
            events.emit(record); // after the write started: a subscriber that throws cannot skip it
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            LOG.warn("events", "Spectra events(): a subscriber threw on record " + record.id(), e);
        }
        return true;
    }

    @Override
    public Flux<TrackedRequest> events() {
        return events.flux();
    }

    @Override
    public RecorderStats stats() {
        return new RecorderStats(delivered.sum(), pending.written(), 0, 0, pending.failed(), 0);
    }

    @Override
    public Mono<Void> flush() {
        return pending.drained();
    }

    @Override
    public Mono<Void> close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        Mono<Void> c = closing;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (closing == null) {
                // the writes already started finish (or the timeout passes) before the sink closes; a sink whose
                // close blocks or never ends is waited for only within what is left of the timeout
                Scheduler time = Schedulers.parallel();
                closing = Mono.defer(() -> {
                            long deadline = time.now(TimeUnit.NANOSECONDS) + timeout.toNanos();
                            return pending.drained().timeout(timeout, Mono.empty())
                                    .then(Mono.defer(() -> SinkClosing.closeWithin(sink, Duration.ofNanos(
                                            Math.max(0, deadline - time.now(TimeUnit.NANOSECONDS))), LOG)));
                        })
                        .doFinally(s -> events.complete())
                        .cache();
            }
            return closing;
        }
    }

    @Override
    public String toString() {
        return "direct";
    }

    /**
     * One direct write: the batch of one record handed to the sink, and the subscriber counting the write's outcome.
     * One small object for both (this runs for every record); a write's publisher signals at most one terminal
     * signal (Reactive Streams rule 1.7), and a sink that throws instead is counted by {@link #deliver} through
     * {@link #onError} once.
     */
    private static final class DirectWrite extends AbstractList<TrackedRequest>
            implements CoreSubscriber<Void>, RandomAccess {
        private final TrackedRequest record;
        private final PendingWrites.Epoch epoch;

        DirectWrite(TrackedRequest record, PendingWrites.Epoch epoch) {
            this.record = record;
            this.epoch = epoch;
        }

        @Override
        public TrackedRequest get(int index) {
            Objects.checkIndex(index, 1);
            return record;
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Void v) {
        }

        @Override
        public void onError(Throwable e) {
            epoch.finished(false);
            LOG.warn("direct-write", "Spectra sink failed to write record " + record.id(), e);
        }

        @Override
        public void onComplete() {
            epoch.finished(true);
        }
    }
}
