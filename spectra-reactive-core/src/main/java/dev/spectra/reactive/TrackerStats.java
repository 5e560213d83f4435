package dev.spectra.reactive;

import dev.spectra.reactive.sink.RecorderStats;

/**
 * Counters of a {@link SpectraTracker}: how many calls it recorded, and every problem tracking met without
 * disturbing the user's pipelines.
 *
 * @param recorded calls recorded (records handed to delivery)
 * @param readFailures responses or stream chunks that could not be read (malformed body, extractor threw, a body
 *        an HTTP integration left unread because it passed a memory bound)
 * @param unpriced calls with known usage whose model is not in the pricing catalog (cost null)
 * @param trackingErrors internal tracking failures (a bug, or a user callback such as a trace id resolver throwing)
 * @param delivery the delivery counters (the recorder's, or of direct writes for a synchronous tracker)
 * @since 0.1
 */
public record TrackerStats(long recorded, long readFailures, long unpriced, long trackingErrors,
                           RecorderStats delivery) {
}
