package dev.spectra.reactive.sink;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeoutException;

import dev.spectra.reactive.TrackedRequest;
import reactor.core.publisher.Mono;

/**
 * Where recorded requests go: a database, a log, a queue. The {@link Recorder} calls {@link #write} with
 * batches off the caller's thread, one batch at a time unless the sink takes more ({@link #maxConcurrentWrites()});
 * a sink never sees the user's pipeline.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #write} must not block: return a {@code Mono} that completes when the batch is stored.</li>
 *   <li>An error the sink classifies as transient ({@link #isTransient}) makes the recorder retry the
 *       <em>whole</em> batch with backoff, so writes must be idempotent per {@link TrackedRequest#id()}.</li>
 *   <li>Records the sink refuses for good (bad data, constraint) are reported by erroring with
 *       {@link RejectedRecordsException} after storing the others: one bad record must not sink its batch.
 *       Any other non-transient error counts the whole batch as failed.</li>
 * </ul>
 *
 * @since 0.1
 */
public interface SpectraSink {

    /**
     * Stores a batch.
     *
     * @param batch records in capture order, never empty; the list must not be modified or kept
     * @return completes when stored; errors as described in the contract above
     */
    Mono<Void> write(List<TrackedRequest> batch);

    /**
     * How many batches the recorder may have in flight at once. The default, 1, writes batches one after another
     * in queue order. A sink that writes each batch on its own connection can take more, and is then called
     * concurrently: its batches may be stored in any order, each one whole.
     *
     * @return at least 1; read once, when the recorder is created
     */
    default int maxConcurrentWrites() {
        return 1;
    }

    /**
     * Whether an error from {@link #write} is worth retrying (connection lost, timeout, serialization failure).
     * The default treats {@link TransientSinkException}, {@link TimeoutException} and {@link IOException} (also as
     * a cause) as transient.
     *
     * @param error what {@link #write} signalled
     * @return true to retry the batch
     */
    default boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TransientSinkException || t instanceof TimeoutException || t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Releases the sink's resources (pools, connections). Called once by the recorder after its last write.
     *
     * @return completes when released
     */
    default Mono<Void> close() {
        return Mono.empty();
    }
}
