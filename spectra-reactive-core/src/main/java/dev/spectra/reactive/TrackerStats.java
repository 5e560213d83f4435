package dev.spectra.reactive;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
 * @param delivery the counters of the delivery to the tracker's sink (its recorder's, or of direct writes)
 * @param destinations the counters of each further destination's delivery, by name, in the order added
 * @since 0.1
 */
public record TrackerStats(long recorded, long readFailures, long unpriced, long trackingErrors,
                           RecorderStats delivery, Map<String, RecorderStats> destinations) {

    /**
     * Checks the delivery counters and copies the destinations, keeping their order.
     *
     * @param recorded calls recorded (records handed to delivery)
     * @param readFailures responses or stream chunks that could not be read
     * @param unpriced calls with known usage whose model is not in the pricing catalog
     * @param trackingErrors internal tracking failures
     * @param delivery the counters of the delivery to the tracker's sink
     * @param destinations the counters of each further destination's delivery, by name
     */
    public TrackerStats {
        Objects.requireNonNull(delivery, "delivery");
        Objects.requireNonNull(destinations, "destinations");
        destinations = destinations.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
    }
}
