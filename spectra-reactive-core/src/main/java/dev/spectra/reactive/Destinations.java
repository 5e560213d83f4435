package dev.spectra.reactive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.RateLimitedLog;
import dev.spectra.reactive.sink.Delivery;
import dev.spectra.reactive.sink.RecorderStats;
import reactor.core.publisher.Mono;

/**
 * The destinations a tracker delivers every record to besides its sink (an OpenTelemetry exporter, a user's sink),
 * each behind a queue and a drain thread of its own with its own counters. A slow or failing destination fills and
 * drops from its own queue only: it never slows the sink's writes, the other destinations or the caller.
 */
final class Destinations {

    private static final RateLimitedLog LOG = new RateLimitedLog(Destinations.class);

    private final List<Destination> all;

    /** A named destination and its delivery. */
    private record Destination(String name, Delivery delivery) {
    }

    /**
     * @param deliveries the destinations' deliveries by name, in the order added
     */
    Destinations(Map<String, ? extends Delivery> deliveries) {
        List<Destination> list = new ArrayList<>(deliveries.size());
        deliveries.forEach((name, delivery) -> list.add(new Destination(name, delivery)));
        this.all = List.copyOf(list);
    }

    /**
     * Hands the record to every destination; a destination that throws (a bug) costs the others nothing.
     *
     * @param endedAt the reading of the clock's ticker that ended the record's call
     * @param clock the tracker's clock, which passes that reading on where a destination reads the same ticker
     */
    void deliver(TrackedRequest record, long endedAt, CallClock clock) {
        for (int i = 0; i < all.size(); i++) {
            Destination d = all.get(i);
            try {
                clock.deliver(d.delivery(), record, endedAt);
            } catch (Throwable e) {
                Fatal.rethrowIfFatal(e);
                LOG.warn("destination:" + d.name(), "Spectra destination \"" + d.name() + "\" failed to take record "
                        + record.id(), e);
            }
        }
    }

    /** The counters of every destination, by name, in the order added. */
    Map<String, RecorderStats> stats() {
        if (all.isEmpty()) {
            return Map.of();
        }
        Map<String, RecorderStats> stats = new LinkedHashMap<>();
        for (Destination d : all) {
            stats.put(d.name(), d.delivery().stats());
        }
        return Collections.unmodifiableMap(stats);
    }

    /** Flushes every destination at once; a destination's error is logged, not signalled. */
    Mono<Void> flush() {
        return each(Delivery::flush);
    }

    /** Closes every destination at once, each within the timeout; a destination's error is logged. */
    Mono<Void> close(Duration timeout) {
        return each(d -> d.close(timeout));
    }

    private Mono<Void> each(Function<Delivery, Mono<Void>> step) {
        if (all.isEmpty()) {
            return Mono.empty();
        }
        List<Mono<Void>> steps = new ArrayList<>(all.size());
        for (Destination d : all) {
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
        Map<String, Delivery> d = new LinkedHashMap<>();
        all.forEach(x -> d.put(x.name(), x.delivery()));
        return d.toString();
    }
}
