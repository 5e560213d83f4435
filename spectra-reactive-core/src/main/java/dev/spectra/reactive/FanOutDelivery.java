package dev.spectra.reactive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.RateLimitedLog;
import dev.spectra.reactive.sink.Delivery;
import dev.spectra.reactive.sink.RecorderStats;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A tracker's delivery: each record to the primary delivery (its sink: queued or direct) and to every named
 * destination (an OpenTelemetry exporter, a user's sink), each destination behind a queue and a drain thread of its
 * own with its own counters. A slow or failing destination fills and drops from its own queue only: it never slows
 * the primary's writes or the caller. {@link #events()} are the primary's, so each record is emitted once.
 */
final class FanOutDelivery implements Delivery {

    private static final RateLimitedLog LOG = new RateLimitedLog(FanOutDelivery.class);

    private final Delivery primary;
    private final List<Destination> destinations;

    /** A named destination and its delivery. */
    private record Destination(String name, Delivery delivery) {
    }

    /**
     * @param primary the delivery to the tracker's sink
     * @param destinations further deliveries by name, in the order added
     */
    FanOutDelivery(Delivery primary, Map<String, ? extends Delivery> destinations) {
        this.primary = Objects.requireNonNull(primary, "primary");
        List<Destination> list = new ArrayList<>(destinations.size());
        destinations.forEach((name, delivery) -> list.add(new Destination(name, delivery)));
        this.destinations = List.copyOf(list);
    }

    @Override
    public boolean deliver(TrackedRequest record) {
        boolean taken = primary.deliver(record);
        for (int i = 0; i < destinations.size(); i++) {
            Destination d = destinations.get(i);
            try {
                d.delivery().deliver(record);
            } catch (Throwable e) { // deliveries never throw; a bug in one must not cost the others their record
                Fatal.rethrowIfFatal(e);
                LOG.warn("destination:" + d.name(), "Spectra destination \"" + d.name() + "\" failed to take record "
                        + record.id(), e);
            }
        }
        return taken;
    }

    @Override
    public Flux<TrackedRequest> events() {
        return primary.events();
    }

    /** The primary delivery's counters; see {@link #destinationStats()} for the others. */
    @Override
    public RecorderStats stats() {
        return primary.stats();
    }

    /** The counters of every destination, by name, in the order added. */
    Map<String, RecorderStats> destinationStats() {
        if (destinations.isEmpty()) {
            return Map.of();
        }
        Map<String, RecorderStats> stats = new LinkedHashMap<>();
        for (Destination d : destinations) {
            stats.put(d.name(), d.delivery().stats());
        }
        return Collections.unmodifiableMap(stats);
    }

    @Override
    public Mono<Void> flush() {
        return all(Delivery::flush);
    }

    /** Closes every delivery at once, each within the timeout; a destination that fails to close is logged. */
    @Override
    public Mono<Void> close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return all(d -> d.close(timeout));
    }

    /** The step on the primary and, at the same time, on every destination; a destination's error is logged. */
    private Mono<Void> all(Function<Delivery, Mono<Void>> step) {
        if (destinations.isEmpty()) {
            return step.apply(primary);
        }
        List<Mono<Void>> steps = new ArrayList<>(destinations.size() + 1);
        steps.add(step.apply(primary));
        for (Destination d : destinations) {
            steps.add(Mono.defer(() -> step.apply(d.delivery())).onErrorResume(e -> {
                LOG.warn("destination:" + d.name(), "Spectra destination \"" + d.name()
                        + "\" failed to flush or close", e);
                return Mono.empty();
            }));
        }
        return Mono.when(steps);
    }

    @Override
    public String toString() {
        if (destinations.isEmpty()) {
            return primary.toString();
        }
        Map<String, Delivery> d = new LinkedHashMap<>();
        destinations.forEach(x -> d.put(x.name(), x.delivery()));
        return primary + ", destinations=" + d;
    }
}
