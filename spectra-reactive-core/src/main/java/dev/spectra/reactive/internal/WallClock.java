package dev.spectra.reactive.internal;

import java.time.Clock;
import java.time.Instant;

/**
 * Wall-clock instants at microsecond precision from the monotonic clock the tracker reads anyway: the system clock
 * is read at most once a second (a base), and every call's start is the base plus the monotonic time since. One
 * {@link Instant} per call, no system clock call, and the same allocation however the JIT inlines. Between two
 * re-reads the instants follow the monotonic clock, so they never go backwards within a second and differ from the
 * system clock by at most its adjustments within that second.
 */
public final class WallClock {

    private static final long RESYNC_NANOS = 1_000_000_000L;

    private record Base(long epochMicros, long nanos) {
    }

    private final Clock clock;
    private volatile Base base;

    /**
     * @param clock the wall clock to follow (the system clock)
     * @param nowNanos the monotonic time now
     */
    public WallClock(Clock clock, long nowNanos) {
        this.clock = clock;
        this.base = read(nowNanos);
    }

    /**
     * @param nowNanos the monotonic time of the instant wanted (the call's start)
     * @return the wall-clock instant, microsecond precision
     */
    public Instant at(long nowNanos) {
        Base b = base;
        long delta = nowNanos - b.nanos;
        if (delta < 0 || delta > RESYNC_NANOS) {
            b = read(nowNanos);
            base = b;
            delta = 0;
        }
        long micros = b.epochMicros + delta / 1000L;
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    private Base read(long nowNanos) {
        Instant now = clock.instant();
        return new Base(Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1000L),
                nowNanos);
    }
}
