package dev.spectra.reactive.internal;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WallClockUnitTests {

    @Test
    void followsTheMonotonicClockAtMicrosecondsAndRereadsTheWallClockEachSecond() {
        SetClock clock = new SetClock(Instant.parse("2026-11-24T10:00:00.123456789Z"));
        WallClock wall = new WallClock(clock, 5_000_000_000L);

        assertThat(wall.at(5_000_000_000L)).isEqualTo(Instant.parse("2026-11-24T10:00:00.123456Z"));
        // 2.5 ms of monotonic time later, whatever the wall clock says meanwhile
        clock.now.set(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(wall.at(5_002_500_999L)).isEqualTo(Instant.parse("2026-11-24T10:00:00.125956Z"));
        // beyond a second, or behind the base: the wall clock is read again
        assertThat(wall.at(6_500_000_000L)).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        clock.now.set(Instant.parse("2031-01-01T00:00:00.000001Z"));
        assertThat(wall.at(6_000_000_000L)).isEqualTo(Instant.parse("2031-01-01T00:00:00.000001Z"));
        // before the epoch too
        WallClock old = new WallClock(new SetClock(Instant.parse("1969-12-31T23:59:59.999999Z")), 0);
        assertThat(old.at(2_000)).isEqualTo(Instant.parse("1970-01-01T00:00:00.000001Z"));
    }
}
