package dev.spectra.reactive.internal;

import dev.spectra.reactive.TrackedRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * A hot stream of records for {@code events()}: costs one volatile read per record when nobody listens; a slow
 * subscriber misses records rather than slowing tracking down (best effort, never buffered).
 */
public final class EventStream {

    private final Sinks.Many<TrackedRequest> sink = Sinks.many().multicast().directBestEffort();

    /**
     * @param record a record just captured
     */
    public void emit(TrackedRequest record) {
        if (sink.currentSubscriberCount() == 0) {
            return;
        }
        synchronized (sink) {
            sink.tryEmitNext(record);
        }
    }

    /**
     * @return the hot flux
     */
    public Flux<TrackedRequest> flux() {
        return sink.asFlux();
    }

    /** Completes the stream for every subscriber. */
    public void complete() {
        synchronized (sink) {
            sink.tryEmitComplete();
        }
    }
}
