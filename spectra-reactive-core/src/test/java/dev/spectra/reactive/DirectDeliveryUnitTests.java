package dev.spectra.reactive;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.spectra.reactive.sink.SpectraSink;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** Direct delivery: {@code flush()} and {@code close()} wait for the writes in flight, whatever the sink does. */
class DirectDeliveryUnitTests {

    /** A sink whose writes finish when the test says so. */
    private static final class GatedSink implements SpectraSink {
        final Sinks.Empty<Void> gate = Sinks.empty();
        final AtomicInteger writes = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public Mono<Void> write(List<TrackedRequest> batch) {
            writes.incrementAndGet();
            return gate.asMono();
        }

        @Override
        public Mono<Void> close() {
            return Mono.fromRunnable(() -> closed.set(true));
        }
    }

    private static void trackOne(SpectraTracker tracker) {
        StepVerifier.create(tracker.track("openai", "gpt-4o", call -> Mono.just("ok"))).expectNext("ok")
                .verifyComplete();
    }

    @Test
    void flushWaitsForTheWritesStartedBeforeIt() {
        GatedSink sink = new GatedSink();
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery().build();
        StepVerifier.create(tracker.flush()).verifyComplete(); // nothing in flight
        trackOne(tracker);
        trackOne(tracker);
        assertThat(sink.writes.get()).isEqualTo(2);
        StepVerifier.create(tracker.flush())
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(100))
                .then(() -> sink.gate.tryEmitEmpty())
                .verifyComplete();
        assertThat(tracker.stats().delivery().written()).isEqualTo(2);
    }

    @Test
    void closeWaitsForTheWritesInFlightThenClosesTheSink() {
        GatedSink sink = new GatedSink();
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery().build();
        trackOne(tracker);
        StepVerifier.create(tracker.close(Duration.ofSeconds(10)))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(100))
                .then(() -> assertThat(sink.closed).isFalse())
                .then(() -> sink.gate.tryEmitEmpty())
                .verifyComplete();
        assertThat(sink.closed).isTrue();
        assertThat(tracker.stats().delivery().written()).isEqualTo(1);
    }

    @Test
    void closeGivesUpOnAWriteThatNeverEndsAfterTheTimeout() {
        GatedSink sink = new GatedSink();
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery().build();
        trackOne(tracker);
        StepVerifier.withVirtualTime(() -> tracker.close(Duration.ofSeconds(5)))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(5))
                .verifyComplete();
        assertThat(sink.closed).isTrue();
        assertThat(tracker.stats().delivery().written()).isZero();
    }

    @Test
    void aSinkThatThrowsInsteadOfSignallingCountsAsAFinishedFailedWrite() {
        SpectraSink throwing = batch -> {
            throw new IllegalStateException("broken sink");
        };
        SpectraTracker tracker = SpectraTracker.builder().sink(throwing).directDelivery().build();
        trackOne(tracker);
        assertThat(tracker.stats().delivery().failed()).isEqualTo(1);
        StepVerifier.create(tracker.flush()).verifyComplete();
    }
    @Test
    void aLaterWriteThatEndsFirstNeverStandsInForAnEarlierOneStillRunning() {
        List<Sinks.Empty<Void>> gates = new java.util.concurrent.CopyOnWriteArrayList<>();
        SpectraSink sink = batch -> {
            Sinks.Empty<Void> gate = Sinks.empty();
            gates.add(gate);
            return gate.asMono();
        };
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery().build();
        trackOne(tracker); // write 1: still running
        StepVerifier.create(tracker.flush())
                .expectSubscription()
                .then(() -> trackOne(tracker)) // write 2 starts after the flush...
                .then(() -> gates.get(1).tryEmitEmpty()) // ...and ends first
                .expectNoEvent(Duration.ofMillis(100))
                .then(() -> gates.get(0).tryEmitEmpty())
                .verifyComplete();
        assertThat(tracker.stats().delivery().written()).isEqualTo(2);
    }
    @Test
    void closeIsIdempotentClosesTheSinkOnceAndCompletesEvents() {
        AtomicInteger closes = new AtomicInteger();
        SpectraSink sink = new SpectraSink() {
            @Override
            public Mono<Void> write(List<TrackedRequest> batch) {
                return Mono.empty();
            }

            @Override
            public Mono<Void> close() {
                return Mono.fromRunnable(closes::incrementAndGet);
            }
        };
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery().build();
        StepVerifier.create(tracker.events())
                .then(() -> trackOne(tracker))
                .expectNextCount(1)
                .then(() -> tracker.close(Duration.ofSeconds(1)).block(Duration.ofSeconds(5)))
                .verifyComplete();
        StepVerifier.create(tracker.close(Duration.ofSeconds(1))).verifyComplete();
        assertThat(closes.get()).isEqualTo(1);
    }
}
