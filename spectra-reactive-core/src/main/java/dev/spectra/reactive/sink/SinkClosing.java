package dev.spectra.reactive.sink;

import java.time.Duration;

import dev.spectra.reactive.internal.RateLimitedLog;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/** Closes a sink without letting it hold up a delivery's close past its deadline. */
final class SinkClosing {

    private SinkClosing() {
    }

    /**
     * Asks the sink to close on a thread of its own and waits for it at most {@code within}: a close that blocks
     * its thread or never ends goes on in the background, and is logged. Never errors.
     *
     * @param sink the sink
     * @param within how long to wait; zero waits not at all
     * @param log where a failed or late close is reported
     * @return completes when the sink has closed (or failed to), or when {@code within} has passed
     */
    static Mono<Void> closeWithin(SpectraSink sink, Duration within, RateLimitedLog log) {
        return Mono.defer(() -> {
            Sinks.Empty<Void> done = Sinks.empty();
            Mono.defer(sink::close).subscribeOn(Schedulers.boundedElastic()).subscribe(null, e -> {
                log.logger().warn("Spectra sink failed to close", e);
                done.tryEmitEmpty();
            }, done::tryEmitEmpty);
            return done.asMono().timeout(within, Mono.fromRunnable(() -> log.logger().warn(
                    "Spectra sink did not close within its delivery's close timeout (" + within + "); it goes on "
                            + "closing in the background")));
        });
    }
}
