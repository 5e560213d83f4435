package dev.spectra.reactive.sink;

/**
 * Counters of a {@link Recorder} at one moment. Every record offered ends up in exactly one of
 * {@code dropped}, {@code written}, {@code failed}, or is still queued or in flight.
 *
 * @param queued records accepted into the queue, ever
 * @param written records the sink stored
 * @param retried write attempts repeated after a transient failure
 * @param dropped records refused because the queue was full or the recorder closed
 * @param failed records the sink refused for good, or whose retries ran out
 * @param queueSize records waiting now (not counting a batch in flight)
 * @since 0.1
 */
public record RecorderStats(long queued, long written, long retried, long dropped, long failed, int queueSize) {

    /**
     * @return records accepted but not yet written or failed (queued or in flight)
     */
    public long pending() {
        return queued - written - failed;
    }
}
