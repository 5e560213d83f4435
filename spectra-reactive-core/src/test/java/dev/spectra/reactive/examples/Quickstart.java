package dev.spectra.reactive.examples;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.testing.SpectraFake;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A runnable tour of the core: tracked calls, a stream, metadata in the Reactor Context, and what was recorded.
 * Run with {@code ./mvnw -B -q -pl spectra-reactive-core test-compile exec:java}.
 */
public final class Quickstart {

    record Reply(String text, long inputTokens, long outputTokens) {
    }

    public static void main(String[] args) {
        InMemorySink sink = new InMemorySink();
        Pricing demoPrices = (provider, model, tier, usage) -> Cost.of(  // $2.50 / $10.00 per million tokens
                BigDecimal.valueOf(usage.inputTokens()).multiply(new BigDecimal("0.0000025")),
                BigDecimal.valueOf(usage.outputTokens()).multiply(new BigDecimal("0.00001")));
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).pricing(demoPrices).build();
        Spectra.configure(tracker);
        Spectra.withMetadata(Map.of("env", "demo", "service", "quickstart"));

        TrackOptions usage = TrackOptions.builder()
                .usageExtractor(Reply.class, r -> Usage.of(r.inputTokens(), r.outputTokens())).build();
        Mono<Reply> chat = Mono.delay(Duration.ofMillis(120)).thenReturn(new Reply("Hello!", 14, 37));
        Flux<Reply> stream = Flux.just(new Reply("Hel", 0, 0), new Reply("lo", 0, 0), new Reply("", 20, 60))
                .delayElements(Duration.ofMillis(40));

        Flux.range(1, 3)
                .flatMap(i -> chat.transform(Spectra.tracked("openai", "gpt-4o", usage))
                        .contextWrite(Spectra.metadata(Map.of("tenant_id", "tenant-" + i, "feature", "summaries")))
                        .contextWrite(Spectra.tags("billing")))
                .thenMany(stream.transform(Spectra.stream("openai", "gpt-4o", usage))
                        .contextWrite(Spectra.metadata("tenant_id", "tenant-1")))
                .then(tracker.flush())
                .block(Duration.ofSeconds(10));

        sink.records().forEach(r -> System.out.println(SpectraFake.describe(r) + " latency=" + r.latencyMs() + "ms"
                + (r.streaming() ? " ttft=" + r.timeToFirstTokenMs() + "ms chunks=" + r.chunkCount() : "")));
        System.out.println(tracker.stats());
        tracker.close(Duration.ofSeconds(5)).block();
    }
}
