package dev.spectra.reactive.micrometer;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackerStats;
import dev.spectra.reactive.sink.RecorderStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Publishes a tracker's counters ({@link SpectraTracker#stats()}) as meters, read from the tracker when the
 * registry publishes, so they cost nothing on the tracked calls:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>what it counts</th></tr>
 *   <tr><td>{@value #RECORDED}</td><td>counter</td><td>calls recorded</td></tr>
 *   <tr><td>{@value #READ_FAILURES}</td><td>counter</td><td>responses or chunks that could not be read</td></tr>
 *   <tr><td>{@value #UNPRICED}</td><td>counter</td><td>calls with usage whose model has no price</td></tr>
 *   <tr><td>{@value #TRACKING_ERRORS}</td><td>counter</td><td>failures of tracking itself</td></tr>
 *   <tr><td>{@value #WRITTEN}</td><td>counter</td><td>records written, by {@value #DESTINATION}</td></tr>
 *   <tr><td>{@value #RETRIED}</td><td>counter</td><td>batch writes retried after a transient error</td></tr>
 *   <tr><td>{@value #DROPPED}</td><td>counter</td><td>records dropped because a queue was full or closed</td></tr>
 *   <tr><td>{@value #FAILED}</td><td>counter</td><td>records given up after errors or retries</td></tr>
 *   <tr><td>{@value #QUEUE_SIZE}</td><td>gauge</td><td>records waiting in a delivery's queue</td></tr>
 * </table>
 *
 * <p>The delivery meters are tagged {@value #DESTINATION}: {@value #PRIMARY} for the tracker's sink, else the
 * destination's name. Bind after the tracker is built: its destinations are known then.
 *
 * @since 0.1
 */
public final class SpectraTrackerMetrics implements MeterBinder {

    /** Calls recorded. */
    public static final String RECORDED = "spectra.tracker.recorded";
    /** Responses or stream chunks that could not be read. */
    public static final String READ_FAILURES = "spectra.tracker.read.failures";
    /** Calls with known usage whose model is not in the pricing catalog. */
    public static final String UNPRICED = "spectra.tracker.unpriced";
    /** Internal tracking failures. */
    public static final String TRACKING_ERRORS = "spectra.tracker.errors";
    /** Records written by a delivery. */
    public static final String WRITTEN = "spectra.delivery.written";
    /** Batch writes retried after a transient error. */
    public static final String RETRIED = "spectra.delivery.retried";
    /** Records dropped (queue full or closed). */
    public static final String DROPPED = "spectra.delivery.dropped";
    /** Records that could not be written. */
    public static final String FAILED = "spectra.delivery.failed";
    /** Records waiting in a delivery's queue. */
    public static final String QUEUE_SIZE = "spectra.delivery.queue.size";
    /** The tag naming a delivery. */
    public static final String DESTINATION = "destination";
    /** The {@value #DESTINATION} tag value of the tracker's own sink. */
    public static final String PRIMARY = "primary";

    /** The counters of a destination that is gone (never, while the tracker lives). */
    private static final RecorderStats EMPTY = new RecorderStats(0, 0, 0, 0, 0, 0);

    private final SpectraTracker tracker;

    private SpectraTrackerMetrics(SpectraTracker tracker) {
        this.tracker = tracker;
    }

    /**
     * @param tracker the tracker whose counters to publish
     * @return the binder
     */
    public static SpectraTrackerMetrics of(SpectraTracker tracker) {
        return new SpectraTrackerMetrics(Objects.requireNonNull(tracker, "tracker"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        counter(registry, RECORDED, "Calls recorded by Spectra", TrackerStats::recorded);
        counter(registry, READ_FAILURES, "Responses or stream chunks Spectra could not read",
                TrackerStats::readFailures);
        counter(registry, UNPRICED, "Calls with usage whose model is not in Spectra's pricing catalog",
                TrackerStats::unpriced);
        counter(registry, TRACKING_ERRORS, "Failures of Spectra's tracking itself", TrackerStats::trackingErrors);
        delivery(registry, PRIMARY, TrackerStats::delivery);
        for (String name : tracker.stats().destinations().keySet()) {
            delivery(registry, name, stats -> stats.destinations().getOrDefault(name, EMPTY));
        }
    }

    private void delivery(MeterRegistry registry, String destination,
                          Function<TrackerStats, RecorderStats> of) {
        deliveryCounter(registry, WRITTEN, "Records written", destination, of, RecorderStats::written);
        deliveryCounter(registry, RETRIED, "Batch writes retried after a transient error", destination, of,
                RecorderStats::retried);
        deliveryCounter(registry, DROPPED, "Records dropped because the queue was full or closed", destination, of,
                RecorderStats::dropped);
        deliveryCounter(registry, FAILED, "Records that could not be written", destination, of,
                RecorderStats::failed);
        ToDoubleFunction<SpectraTracker> size = t -> of.apply(t.stats()).queueSize();
        Gauge.builder(QUEUE_SIZE, tracker, size).description("Records waiting to be written")
                .tag(DESTINATION, destination).strongReference(true).register(registry);
    }

    private void deliveryCounter(MeterRegistry registry, String name, String description, String destination,
                                 Function<TrackerStats, RecorderStats> of,
                                 ToLongFunction<RecorderStats> value) {
        FunctionCounter.builder(name, tracker, t -> value.applyAsLong(of.apply(t.stats())))
                .description(description).tag(DESTINATION, destination).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description,
                         ToLongFunction<TrackerStats> value) {
        FunctionCounter.builder(name, tracker, t -> value.applyAsLong(t.stats())).description(description)
                .register(registry);
    }

    @Override
    public String toString() {
        return "SpectraTrackerMetrics{" + tracker + "}";
    }
}
