package dev.spectra.reactive;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.provider.ResponseReader;
import dev.spectra.reactive.sink.SpectraSink;
import reactor.core.publisher.Mono;

/**
 * A tracker for exact assertions: records delivered synchronously into a list, a fixed start clock, a ticker the
 * test advances by hand, and sequential ids.
 */
final class TestTracker {

    static final Instant T0 = Instant.parse("2026-11-24T10:15:30.123456Z");

    final List<TrackedRequest> records = new ArrayList<>();
    final AtomicLong ticker = new AtomicLong(1_000_000_000L);
    final AtomicLong ids = new AtomicLong();
    final SpectraTracker tracker;

    TestTracker() {
        this(Pricing.none(), ResponseReader.none());
    }

    TestTracker(Pricing pricing, ResponseReader reader) {
        SpectraSink sink = batch -> Mono.fromRunnable(() -> {
            synchronized (records) {
                records.addAll(batch);
            }
        });
        tracker = SpectraTracker.builder()
                .sink(sink)
                .directDelivery()
                .clock(Clock.fixed(T0, ZoneOffset.UTC))
                .nanoTime(ticker::get)
                .idGenerator(() -> new UUID(0L, ids.incrementAndGet()))
                .pricing(pricing)
                .responseReader(reader)
                .build();
    }

    void advanceMillis(long ms) {
        ticker.addAndGet(ms * 1_000_000L);
    }

    List<TrackedRequest> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    TrackedRequest only() {
        List<TrackedRequest> all = records();
        if (all.size() != 1) {
            throw new AssertionError("expected exactly one record, got " + all.size() + ": " + all);
        }
        return all.get(0);
    }

    /** $1 per million input tokens, $2 per million output tokens, for model "priced" only. */
    static Pricing simplePricing() {
        return (provider, model, tier, usage) -> {
            if (!model.startsWith("priced")) {
                return null;
            }
            java.math.BigDecimal in = java.math.BigDecimal.valueOf(usage.inputTokens()).movePointLeft(6);
            java.math.BigDecimal out = java.math.BigDecimal.valueOf(usage.outputTokens() * 2).movePointLeft(6);
            if (tier.equals(PricingTier.BATCH)) {
                in = in.divide(java.math.BigDecimal.valueOf(2));
                out = out.divide(java.math.BigDecimal.valueOf(2));
            }
            return Cost.of(in, out);
        };
    }
}
