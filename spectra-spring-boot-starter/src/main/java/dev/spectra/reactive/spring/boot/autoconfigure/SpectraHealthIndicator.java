package dev.spectra.reactive.spring.boot.autoconfigure;

import java.util.concurrent.atomic.AtomicLong;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.sink.RecorderStats;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The health of Spectra's storage: DOWN while the writes to the tracker's sink fail, or when records were dropped
 * or given up since the previous check; UP again once a write succeeds and nothing more was lost. The details
 * give the delivery's counters and the last error.
 */
final class SpectraHealthIndicator extends AbstractHealthIndicator {

    private final SpectraTracker tracker;
    private final @Nullable StorageMonitor monitor;
    private final AtomicLong seenDropped = new AtomicLong();
    private final AtomicLong seenFailed = new AtomicLong();

    SpectraHealthIndicator(SpectraTracker tracker, @Nullable StorageMonitor monitor) {
        super("Spectra health check failed");
        this.tracker = tracker;
        this.monitor = monitor;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        RecorderStats delivery = tracker.stats().delivery();
        long newlyDropped = delivery.dropped() - seenDropped.getAndSet(delivery.dropped());
        long newlyFailed = delivery.failed() - seenFailed.getAndSet(delivery.failed());
        builder.withDetail("written", delivery.written()).withDetail("queueSize", delivery.queueSize())
                .withDetail("retried", delivery.retried()).withDetail("dropped", delivery.dropped())
                .withDetail("failed", delivery.failed());
        Throwable failure = monitor != null ? monitor.lastFailure() : null;
        if (failure != null) {
            builder.down().withDetail("error", failure.getClass().getName() + ": " + failure.getMessage());
        } else if (newlyDropped > 0) {
            builder.down().withDetail("error", newlyDropped + " records dropped since the last check");
        } else if (newlyFailed > 0) {
            builder.down().withDetail("error", newlyFailed + " records could not be written since the last check");
        } else {
            builder.up();
        }
    }
}
