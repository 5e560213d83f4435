package dev.spectra.reactive;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.spectra.reactive.internal.SetClock;
import dev.spectra.reactive.internal.SystemTicker;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.sink.RecorderOptions;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which clock a tracker's start times come from: the default system clock (in any zone) is followed through the
 * monotonic ticker from a wall-clock base; any other clock, or a clock given with its own ticker, is obeyed exactly.
 * And which ticker reads its recorders share with it: a recorder on the tracker's own ticker is handed the reading
 * that ended a call instead of reading it again.
 * Time is set by hand throughout: no assertion depends on the machine's clock or speed.
 */
class TrackerTimeUnitTests {

    /** Tracks one call through the tracker, advancing the ticker by {@code millis} inside it; returns its record. */
    private static TrackedRequest trackOne(SpectraTrackerBuilder b, AtomicLong ticker, long millis) {
        InMemorySink sink = new InMemorySink();
        SpectraTracker tracker = b.sink(sink).directDelivery().build();
        StepVerifier.create(tracker.track("openai", "gpt-4o", call -> Mono.fromCallable(() -> {
                    ticker.addAndGet(millis * 1_000_000L);
                    return "ok";
                })))
                .expectNext("ok")
                .verifyComplete();
        StepVerifier.create(tracker.close(Duration.ofSeconds(1))).verifyComplete();
        assertThat(sink.records()).hasSize(1);
        return sink.records().get(0);
    }

    /**
     * The reads of the tracker's ticker and of its recorders' (the sink's and a destination's) while one call is
     * tracked, the recorders idle otherwise; {@code shared}: the recorders are given the tracker's own ticker.
     */
    private static long[] tickerReadsOfOneCall(boolean shared) {
        AtomicLong trackerReads = new AtomicLong();
        AtomicLong recorderReads = new AtomicLong();
        LongSupplier trackerTicker = trackerReads::incrementAndGet;
        LongSupplier recorderTicker = shared ? trackerTicker : recorderReads::incrementAndGet;
        InMemorySink sink = new InMemorySink();
        InMemorySink destination = new InMemorySink();
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).nanoTime(trackerTicker)
                .recorder(RecorderOptions.builder().maxDelay(Duration.ofHours(1)).nanoTime(recorderTicker).build())
                .addDestination("copy", destination,
                        RecorderOptions.builder().maxDelay(Duration.ofHours(1)).nanoTime(recorderTicker).build())
                .build();

        StepVerifier.create(Mono.just("ok").transform(tracker.tracked("openai", "gpt-4o")))
                .expectNext("ok")
                .verifyComplete();
        long[] reads = {trackerReads.get(), recorderReads.get()};

        StepVerifier.create(tracker.close(Duration.ofSeconds(5))).verifyComplete();
        assertThat(sink.records()).hasSize(1);
        assertThat(destination.records()).isEqualTo(sink.records());
        return reads;
    }

    @Test
    void recordersTimingByTheTrackersTickerAreHandedTheReadingThatEndedTheCall() {
        // the start and the end of the call; the recorders read nothing of their own
        assertThat(tickerReadsOfOneCall(true)).containsExactly(2, 0);
        // recorders with a ticker of their own each read it as the record arrives
        assertThat(tickerReadsOfOneCall(false)).containsExactly(2, 2);
    }

    @Test
    void aTrackerAndItsRecordersShareOneTickerByDefault() {
        assertThat(RecorderOptions.builder().build().nanoTime()).isSameAs(SystemTicker.INSTANCE);
        assertThat(CallClock.of(Clock.systemUTC(), null).ticker()).isSameAs(SystemTicker.INSTANCE);
    }

    @Test
    void theDefaultAndAnySystemClockAreFollowedThroughTheTicker() {
        for (Clock clock : new Clock[] {Clock.systemUTC(), Clock.systemDefaultZone(),
                Clock.system(ZoneId.of("Asia/Tokyo"))}) {
            assertThat(CallClock.of(clock, null).followsTicker()).as(clock.toString()).isTrue();
            assertThat(SpectraTracker.builder().clock(clock).directDelivery().build().engine().clock()
                    .followsTicker()).as(clock.toString()).isTrue();
        }
        assertThat(SpectraTracker.builder().directDelivery().build().engine().clock().followsTicker()).isTrue();
    }

    @Test
    void startTimesFollowTheTickerFromAWallClockBaseReadAgainEachSecond() {
        SetClock wall = new SetClock(Instant.parse("2026-11-24T10:00:00.123456789Z"));
        AtomicLong ticker = new AtomicLong(5_000_000_000L);
        CallClock clock = CallClock.following(wall, ticker::get);

        assertThat(clock.at(clock.nanoTime())).isEqualTo(Instant.parse("2026-11-24T10:00:00.123456Z"));
        // 2.5 ms of ticker time later, whatever the wall clock says meanwhile
        wall.now.set(Instant.parse("2030-01-01T00:00:00Z"));
        ticker.addAndGet(2_500_999L);
        assertThat(clock.at(clock.nanoTime())).isEqualTo(Instant.parse("2026-11-24T10:00:00.125956Z"));
        // more than a second later: the base is read from the wall clock again
        ticker.addAndGet(1_500_000_000L);
        assertThat(clock.at(clock.nanoTime())).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
    }

    @Test
    void aClockOfTheUsersOwnIsReadOnEveryCallExactly() {
        Instant t0 = Instant.parse("2026-11-24T10:15:30.123456789Z");
        AtomicLong unused = new AtomicLong();
        SpectraTrackerBuilder fixed = SpectraTracker.builder().clock(Clock.fixed(t0, ZoneOffset.UTC));
        assertThat(fixed.directDelivery().build().engine().clock().followsTicker()).isFalse();
        assertThat(trackOne(fixed, unused, 0).startedAt()).isEqualTo(Instant.parse("2026-11-24T10:15:30.123456Z"));

        // a clock 400 days behind: a base followed through a ticker would have to be re-read from it; it is read
        // directly, on every call
        SetClock behind = new SetClock(Instant.parse("2025-10-20T08:00:00.000001Z"));
        SpectraTrackerBuilder shifted = SpectraTracker.builder().clock(behind);
        assertThat(shifted.directDelivery().build().engine().clock().followsTicker()).isFalse();
        assertThat(trackOne(shifted, unused, 0).startedAt()).isEqualTo(Instant.parse("2025-10-20T08:00:00.000001Z"));
        behind.now.set(Instant.parse("2025-10-20T08:00:07.5Z"));
        assertThat(trackOne(shifted, unused, 0).startedAt()).isEqualTo(Instant.parse("2025-10-20T08:00:07.5Z"));
    }

    @Test
    void aClockGivenWithItsOwnTickerIsReadOnEveryCallAndTheTickerTimesTheCall() {
        SetClock wall = new SetClock(Instant.parse("2026-11-24T10:15:30.987654321Z"));
        AtomicLong ticker = new AtomicLong(42L);
        SpectraTrackerBuilder b = SpectraTracker.builder().clock(wall).nanoTime(ticker::get);
        assertThat(b.directDelivery().build().engine().clock().followsTicker()).isFalse();
        // a system clock with a ticker of its own is read on every call too
        assertThat(CallClock.of(Clock.systemUTC(), ticker::get).followsTicker()).isFalse();

        TrackedRequest r = trackOne(b, ticker, 250);

        assertThat(r.startedAt()).isEqualTo(Instant.parse("2026-11-24T10:15:30.987654Z"));
        assertThat(r.latencyMs()).isEqualTo(250);
        assertThat(r.completedAt()).isEqualTo(Instant.parse("2026-11-24T10:15:31.237654Z"));
    }
}
