package dev.spectra.reactive;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.sink.RecorderStats;
import dev.spectra.reactive.sink.SpectraSink;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Destinations added to a tracker: each record goes to the primary sink and to every destination, each destination
 * behind its own queue and counters, so a slow or failing one costs the others nothing.
 */
class DestinationsUnitTests {

    /** A sink whose first write never ends (until the test opens the gate), and which says when it started. */
    private static final class StuckSink implements SpectraSink {
        final Sinks.One<Integer> firstWrite = Sinks.one();
        final Sinks.Empty<Void> gate = Sinks.empty();
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public Mono<Void> write(List<TrackedRequest> batch) {
            writes.incrementAndGet(); // counted before it says so: the test reads the count once told
            firstWrite.tryEmitValue(batch.size());
            return gate.asMono();
        }

        @Override
        public Mono<Void> close() {
            return Mono.fromRunnable(closes::incrementAndGet);
        }
    }

    private static void track(SpectraTracker tracker, int calls) {
        for (int i = 0; i < calls; i++) {
            StepVerifier.create(Mono.just(i).transform(tracker.tracked("openai", "gpt-4o"))).expectNext(i)
                    .verifyComplete();
        }
    }

    @Test
    void aStuckDestinationDropsFromItsOwnQueueWhileThePrimarySinkGetsEveryRecord() {
        InMemorySink primary = new InMemorySink();
        StuckSink stuck = new StuckSink();
        SpectraTracker tracker = SpectraTracker.builder().sink(primary).directDelivery()
                .addDestination("stuck", stuck, RecorderOptions.builder().queueCapacity(2).batchSize(1)
                        .maxDelay(Duration.ofHours(1)).build())
                .build();

        track(tracker, 1);
        // the destination's first batch is in flight and never ends: its queue holds 2 more, then drops
        assertThat(stuck.firstWrite.asMono().block(Duration.ofSeconds(10))).isEqualTo(1);
        track(tracker, 5);

        TrackerStats stats = tracker.stats();
        assertThat(stats.recorded()).isEqualTo(6);
        assertThat(primary.records()).hasSize(6);
        assertThat(stats.delivery()).isEqualTo(new RecorderStats(6, 6, 0, 0, 0, 0));
        assertThat(stats.destinations()).containsOnlyKeys("stuck");
        assertThat(stats.destinations().get("stuck")).isEqualTo(new RecorderStats(3, 0, 0, 3, 0, 2));
        assertThat(stuck.writes.get()).isEqualTo(1);

        // once the destination recovers, what it queued is written; the dropped records stay dropped
        stuck.gate.tryEmitEmpty();
        StepVerifier.create(tracker.flush()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(tracker.stats().destinations().get("stuck")).isEqualTo(new RecorderStats(3, 3, 0, 3, 0, 0));
        StepVerifier.create(tracker.close(Duration.ofSeconds(5))).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(stuck.closes.get()).isEqualTo(1);
    }

    @Test
    void aFailingDestinationCountsItsFailuresAndThePrimarySinkWritesEverything() {
        InMemorySink primary = new InMemorySink();
        SpectraSink failing = batch -> Mono.error(new IllegalStateException("exporter refused"));
        SpectraTracker tracker = SpectraTracker.builder().sink(primary).directDelivery()
                .addDestination("failing", failing, RecorderOptions.builder().batchSize(4).build())
                .build();

        track(tracker, 4);
        StepVerifier.create(tracker.flush()).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(primary.records()).hasSize(4);
        assertThat(tracker.stats().delivery().written()).isEqualTo(4);
        assertThat(tracker.stats().destinations().get("failing")).isEqualTo(new RecorderStats(4, 0, 0, 0, 4, 0));
        assertThat(tracker.stats().trackingErrors()).isZero();
        tracker.close(Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
    }

    @Test
    void eventsEmitEachRecordOnceWhateverTheDestinations() {
        SpectraTracker tracker = SpectraTracker.builder().sink(new InMemorySink()).directDelivery()
                .addDestination("a", new InMemorySink(), RecorderOptions.defaults())
                .addDestination("b", new InMemorySink(), RecorderOptions.defaults())
                .build();

        StepVerifier.create(tracker.events().map(TrackedRequest::model))
                .then(() -> track(tracker, 3))
                .expectNext("gpt-4o", "gpt-4o", "gpt-4o")
                .then(() -> tracker.close(Duration.ofSeconds(5)).block(Duration.ofSeconds(10)))
                .verifyComplete();
        assertThat(tracker.stats().destinations()).containsOnlyKeys("a", "b");
        assertThat(tracker.stats().destinations().values()).extracting(RecorderStats::written).containsExactly(3L,
                3L);
    }

    @Test
    void destinationNamesAreCheckedAndUnique() {
        var b = SpectraTracker.builder().addDestination("otel", new InMemorySink(), RecorderOptions.defaults());
        assertThatThrownBy(() -> b.addDestination("otel", new InMemorySink(), RecorderOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("destination \"otel\" is already added");
        assertThatThrownBy(() -> b.addDestination(" ", new InMemorySink(), RecorderOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("destination name must not be blank");
        assertThatThrownBy(() -> b.addDestination("x", null, RecorderOptions.defaults()))
                .isInstanceOf(NullPointerException.class).hasMessage("sink");
    }
}
