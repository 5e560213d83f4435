package dev.spectra.reactive.spring.boot.autoconfigure;

import java.util.List;
import java.util.Objects;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.RejectedRecordsException;
import dev.spectra.reactive.sink.SpectraSink;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Watches the writes to the tracker's sink: whether the last one failed, and why. Refused records
 * ({@link RejectedRecordsException}) do not count as a failing storage: the others of their batch were stored.
 */
final class StorageMonitor {

    private volatile @Nullable Throwable lastFailure;

    /**
     * @return the error of the last write when it failed, null when it succeeded or none was made yet
     */
    @Nullable Throwable lastFailure() {
        return lastFailure;
    }

    /**
     * @param sink the sink to watch
     * @return a sink that writes to it and reports each write's outcome here
     */
    SpectraSink watch(SpectraSink sink) {
        Objects.requireNonNull(sink, "sink");
        return new SpectraSink() {
            @Override
            public Mono<Void> write(List<TrackedRequest> batch) {
                return sink.write(batch)
                        .doOnSuccess(done -> lastFailure = null)
                        .doOnError(error -> lastFailure = error instanceof RejectedRecordsException ? null : error)
                        .doOnCancel(() -> lastFailure = new IllegalStateException(
                                "a write to " + sink + " did not finish within the recorder's write timeout"));
            }

            @Override
            public int maxConcurrentWrites() {
                return sink.maxConcurrentWrites();
            }

            @Override
            public boolean isTransient(Throwable error) {
                return sink.isTransient(error);
            }

            @Override
            public Mono<Void> close() {
                return sink.close();
            }

            @Override
            public String toString() {
                return sink.toString();
            }
        };
    }
}
