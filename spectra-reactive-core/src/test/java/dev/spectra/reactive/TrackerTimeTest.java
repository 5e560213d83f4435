package dev.spectra.reactive;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import dev.spectra.reactive.sink.InMemorySink;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which clock a tracker's start times come from: the default system clock (in any zone) is read through the
 * monotonic clock and a wall-clock base; any other clock, or a clock given with its own ticker, is obeyed exactly.
 */
class TrackerTimeTest {

    /** Tracks one call through a tracker built on {@code b} with direct delivery, and returns its record. */
    private static TrackedRequest trackOne(SpectraTrackerBuilder b) {
        InMemorySink sink = new InMemorySink();
        SpectraTracker tracker = b.sink(sink).directDelivery().build();
        StepVerifier.create(tracker.track("openai", "gpt-4o", call -> Mono.just("ok"))).expectNext("ok")
                .verifyComplete();
        StepVerifier.create(tracker.close(Duration.ofSeconds(1))).verifyComplete();
        assertThat(sink.records()).hasSize(1);
        return sink.records().get(0);
    }

    @Test
    void theDefaultAndAnySystemClockStartFromTheMonotonicClockAtTheWallClockTime() {
        List<Clock> clocks = new ArrayList<>();
        clocks.add(null);
        clocks.addAll(List.of(Clock.systemUTC(), Clock.systemDefaultZone(), Clock.system(ZoneId.of("Asia/Tokyo"))));
        for (Clock clock : clocks) {
            String as = String.valueOf(clock);
            SpectraTrackerBuilder b = clock == null ? SpectraTracker.builder() : SpectraTracker.builder().clock(clock);
            assertThat(b.directDelivery().build().engine().clock().followsTicker()).as(as).isTrue();
            Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
            TrackedRequest r = trackOne(b);
            Instant after = Instant.now();
            // the base is re-read once a second; in between, the monotonic clock drifts from the wall clock by far
            // less than this tolerance
            assertThat(r.startedAt()).as(as).isBetween(before.minusMillis(50), after.plusMillis(50));
            assertThat(r.startedAt().getNano() % 1_000).as(as).isZero();
        }
    }

    @Test
    void aClockOfTheUsersOwnIsReadOnEveryCallExactly() {
        Instant t0 = Instant.parse("2026-11-24T10:15:30.123456789Z");
        SpectraTrackerBuilder fixed = SpectraTracker.builder().clock(Clock.fixed(t0, ZoneOffset.UTC));
        assertThat(fixed.directDelivery().build().engine().clock().followsTicker()).isFalse();
        assertThat(trackOne(fixed).startedAt()).isEqualTo(Instant.parse("2026-11-24T10:15:30.123456Z"));

        // a clock 400 days behind: a monotonic base would have to be re-read from it, it is read directly
        SpectraTrackerBuilder shifted = SpectraTracker.builder()
                .clock(Clock.offset(Clock.systemUTC(), Duration.ofDays(-400)));
        assertThat(shifted.directDelivery().build().engine().clock().followsTicker()).isFalse();
        Instant before = Instant.now().minus(Duration.ofDays(400)).truncatedTo(ChronoUnit.MICROS);
        Instant started = trackOne(shifted).startedAt();
        assertThat(started).isBetween(before, Instant.now().minus(Duration.ofDays(400)));
    }

    @Test
    void aSystemClockWithItsOwnTickerIsReadOnEveryCallAndTheTickerTimesTheCall() {
        SpectraTrackerBuilder b = SpectraTracker.builder().clock(Clock.systemUTC()).nanoTime(() -> 42L);
        assertThat(b.directDelivery().build().engine().clock().followsTicker()).isFalse();
        Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
        TrackedRequest r = trackOne(b);
        assertThat(r.startedAt()).isBetween(before, Instant.now());
        // the ticker never moved: by it, the call took no time
        assertThat(r.latencyMs()).isZero();
    }
}
