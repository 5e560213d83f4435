package dev.spectra.reactive;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.spectra.reactive.sink.InMemorySink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starting a call is tracking's work, never the user's: when the clock, the ticker or the id generator throws, the
 * call runs untracked (counted), and the callback still gets a context; a disabled tracker reads none of them.
 */
class UntrackedStartUnitTests {

    private static final UUID NIL = new UUID(0, 0);

    private @org.jspecify.annotations.Nullable SpectraTracker previousGlobal;

    @BeforeEach
    void noGlobalTracker() {
        previousGlobal = Spectra.resetTracker();
    }

    @AfterEach
    void restoreGlobalTracker() {
        SpectraTracker created = Spectra.resetTracker();
        if (created != null) {
            created.close(java.time.Duration.ZERO).block();
        }
        if (previousGlobal != null) {
            Spectra.configure(previousGlobal);
        }
    }

    /** A clock whose every read fails, of the user's own class (so it is read per call). */
    private static final class BrokenClock extends Clock {
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            reads.incrementAndGet();
            throw new IllegalStateException("clock down");
        }
    }

    private static SpectraTracker tracker(InMemorySink sink, Clock clock, LongSupplier nanoTime, Supplier<UUID> ids) {
        return SpectraTracker.builder().sink(sink).directDelivery().clock(clock).nanoTime(nanoTime).idGenerator(ids)
                .build();
    }

    private static final Supplier<UUID> BROKEN_IDS = () -> {
        throw new IllegalStateException("ids down");
    };

    @Test
    void aThrowingIdGeneratorLeavesTheMonoCallbackAndItsValueAlone() {
        InMemorySink sink = new InMemorySink();
        SpectraTracker t = tracker(sink, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), () -> 7L, BROKEN_IDS);
        AtomicReference<TrackedCall> seen = new AtomicReference<>();

        StepVerifier.create(t.track("openai", "gpt-4o", call -> {
                    seen.set(call);
                    call.addMetadata("tenant", "acme").addTag("checkout");
                    return Mono.just("reply");
                }))
                .expectNext("reply")
                .verifyComplete();

        assertThat(seen.get()).isNotNull();
        assertThat(seen.get().id()).isEqualTo(NIL);
        assertThat(seen.get().startedAt()).isEqualTo(Instant.EPOCH);
        assertThat(sink.records()).isEmpty();
        assertThat(t.stats().trackingErrors()).isEqualTo(1);
        assertThat(t.stats().recorded()).isZero();
    }

    @Test
    void aThrowingTickerLeavesTheStreamCallbackAndItsElementsAlone() {
        InMemorySink sink = new InMemorySink();
        LongSupplier broken = () -> {
            throw new IllegalStateException("ticker down");
        };
        SpectraTracker t = tracker(sink, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), broken,
                () -> new UUID(0, 1));
        AtomicInteger callbacks = new AtomicInteger();

        StepVerifier.create(t.trackStream("openai", "gpt-4o", call -> {
                    callbacks.incrementAndGet();
                    return Flux.just("a", "b", "c");
                }))
                .expectNext("a", "b", "c")
                .verifyComplete();

        assertThat(callbacks).hasValue(1);
        assertThat(sink.records()).isEmpty();
        assertThat(t.stats().trackingErrors()).isEqualTo(1);
    }

    @Test
    void aThrowingClockLeavesTrackedAndStreamOperatorsAlone() {
        InMemorySink sink = new InMemorySink();
        BrokenClock clock = new BrokenClock();
        SpectraTracker t = SpectraTracker.builder().sink(sink).directDelivery().clock(clock).build();

        StepVerifier.create(Mono.just(42).transform(t.tracked("anthropic", "claude-sonnet-4-5")))
                .expectNext(42)
                .verifyComplete();
        StepVerifier.create(Flux.range(1, 3).transform(t.stream("anthropic", "claude-sonnet-4-5")))
                .expectNext(1, 2, 3)
                .verifyComplete();

        assertThat(clock.reads).hasValue(2);
        assertThat(sink.records()).isEmpty();
        assertThat(t.stats().trackingErrors()).isEqualTo(2);
    }

    @Test
    void aFailedStartStillRecordsTheNextCallOnceTheClockRecovers() {
        InMemorySink sink = new InMemorySink();
        AtomicInteger failuresLeft = new AtomicInteger(1);
        SpectraTracker t = tracker(sink, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), () -> 5L, () -> {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("ids down once");
            }
            return new UUID(0, 9);
        });

        StepVerifier.create(Mono.just("first").transform(t.tracked("openai", "gpt-4o"))).expectNext("first")
                .verifyComplete();
        StepVerifier.create(Mono.just("second").transform(t.tracked("openai", "gpt-4o"))).expectNext("second")
                .verifyComplete();

        assertThat(sink.records()).extracting(TrackedRequest::id).containsExactly(new UUID(0, 9));
        assertThat(t.stats().trackingErrors()).isEqualTo(1);
        assertThat(t.stats().recorded()).isEqualTo(1);
    }

    @Test
    void aDisabledTrackerReadsNoClockNoTickerAndNoIds() {
        InMemorySink sink = new InMemorySink();
        AtomicInteger ticks = new AtomicInteger();
        AtomicInteger ids = new AtomicInteger();
        BrokenClock clock = new BrokenClock();
        SpectraTracker t = tracker(sink, clock, () -> ticks.incrementAndGet(), () -> {
            ids.incrementAndGet();
            return new UUID(0, 1);
        });
        t.disable();
        AtomicReference<TrackedCall> seen = new AtomicReference<>();

        StepVerifier.create(t.track("openai", "gpt-4o", call -> {
                    seen.set(call);
                    return Mono.just("x");
                }))
                .expectNext("x")
                .verifyComplete();
        TrackedCall manual = t.startCall("openai", "gpt-4o", TrackOptions.none());
        StepVerifier.create(Spectra.recordSuccess(manual, "x")).verifyComplete();
        TrackedCall call = t.startCall("openai", "gpt-4o", TrackOptions.none(), reactor.util.context.Context.empty());
        call.chunkArrived();
        call.chunksArrived(3);
        assertThat(call.succeed()).isFalse();

        assertThat(seen.get().id()).isEqualTo(NIL);
        assertThat(manual.id()).isEqualTo(NIL);
        assertThat(clock.reads).hasValue(0);
        assertThat(ticks).hasValue(0);
        assertThat(ids).hasValue(0);
        assertThat(sink.records()).isEmpty();
        assertThat(t.stats().trackingErrors()).isZero();
    }

    @Test
    void aDisabledTrackerBoundInTheContextNeverCreatesTheGlobalTracker() {
        InMemorySink sink = new InMemorySink();
        SpectraTracker bound = SpectraTracker.builder().sink(sink).directDelivery().build();
        bound.disable();
        AtomicReference<TrackedCall> seen = new AtomicReference<>();

        StepVerifier.create(Spectra.track("openai", "gpt-4o", call -> {
                            seen.set(call);
                            call.addMetadata("tenant", "acme");
                            return Mono.just("reply");
                        })
                        .contextWrite(bound.bind()))
                .expectNext("reply")
                .verifyComplete();
        StepVerifier.create(Flux.just("a", "b").transform(Spectra.stream("openai", "gpt-4o"))
                        .contextWrite(bound.bind()))
                .expectNext("a", "b")
                .verifyComplete();

        assertThat(seen.get().id()).isEqualTo(NIL);
        assertThat(sink.records()).isEmpty();
        assertThat(Spectra.resetTracker()).as("no global tracker was created").isNull();
    }
    @Test
    void anIntegrationsFailuresAreCountedOnTheTrackerAndNeverThrown() {
        SpectraTracker t = SpectraTracker.builder().directDelivery().build();
        t.trackingFailed("matching a request", new IllegalStateException("registry broke"));
        TrackedCall call = t.startCall("openai", "gpt-4o", TrackOptions.none(),
                reactor.util.context.Context.empty());
        call.trackingFailed("reading a response body", new IllegalArgumentException("bad bytes"));
        assertThat(t.stats().trackingErrors()).isEqualTo(2);
        // the call itself goes on and is recorded once
        assertThat(call.succeed()).isTrue();
        assertThat(t.stats().recorded()).isEqualTo(1);
        // a VM error is never swallowed
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> call.trackingFailed("reading", new OutOfMemoryError("test")))
                .isInstanceOf(OutOfMemoryError.class);
        assertThat(t.stats().trackingErrors()).isEqualTo(2);
    }
    @Test
    void aThrowingIdGeneratorNeverFailsAManualStartOrAFiltersStart() {
        InMemorySink sink = new InMemorySink();
        SpectraTracker t = tracker(sink, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), () -> 3L, BROKEN_IDS);
        TrackedCall manual = t.startCall("openai", "gpt-4o", TrackOptions.none());
        TrackedCall call = t.startCall("openai", "gpt-4o", TrackOptions.none(), reactor.util.context.Context.empty());
        assertThat(t.stats().trackingErrors()).isEqualTo(2);
        // the user's code goes on: the contexts accept everything and record nothing
        manual.addMetadata("tenant_id", "acme");
        StepVerifier.create(Spectra.recordSuccess(manual, "ok")).expectNextCount(0).verifyComplete();
        assertThat(call.succeed()).isFalse();
        assertThat(sink.records()).isEmpty();
    }
}
