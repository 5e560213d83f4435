package dev.spectra.reactive;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.LongSupplier;

import dev.spectra.reactive.internal.SystemTicker;
import dev.spectra.reactive.internal.WallClock;
import dev.spectra.reactive.sink.Delivery;
import dev.spectra.reactive.sink.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * The start times and durations of a tracker's calls: a monotonic ticker for durations, and a wall clock for start
 * times. The default, any system clock, is followed through the ticker ({@link WallClock}: read once a second,
 * advanced by the ticker in between), so start times cost no system clock call; any other clock, or a clock given
 * with a ticker of its own, is read on every call, exactly.
 */
final class CallClock {

    private static final Class<?> SYSTEM_CLOCK = Clock.systemUTC().getClass();

    private final Clock clock;
    private final LongSupplier ticker;
    private final @Nullable WallClock wallClock;

    private CallClock(Clock clock, LongSupplier ticker, @Nullable WallClock wallClock) {
        this.clock = clock;
        this.ticker = ticker;
        this.wallClock = wallClock;
    }

    /**
     * @param clock the clock of start times
     * @param ticker the monotonic time of durations, or null for the default ({@link System#nanoTime()}, or the
     *        clock's own instants when the clock is not a system clock)
     * @return the call clock of a tracker with these settings
     */
    static CallClock of(Clock clock, @Nullable LongSupplier ticker) {
        // any system clock, whatever its zone (instants do not depend on it); not a clock of the user's own class
        if (ticker == null && clock.getClass() == SYSTEM_CLOCK) {
            return following(clock, SystemTicker.INSTANCE);
        }
        return new CallClock(clock, ticker != null ? ticker : () -> {
            Instant i = clock.instant();
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        }, null);
    }

    /**
     * A clock whose start times follow the ticker from a base read off the wall clock once a second.
     *
     * @param wall the wall clock
     * @param ticker the monotonic time
     * @return the call clock
     */
    static CallClock following(Clock wall, LongSupplier ticker) {
        return new CallClock(wall, ticker, new WallClock(wall, ticker.getAsLong()));
    }

    /** The monotonic time of durations. */
    LongSupplier ticker() {
        return ticker;
    }

    /** The ticker now, in nanoseconds. */
    long nanoTime() {
        return ticker.getAsLong();
    }

    /** The wall-clock instant of a ticker reading taken just before, microsecond precision. */
    Instant at(long nanos) {
        return wallClock != null ? wallClock.at(nanos) : clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** Whether start times follow the ticker from a once-a-second base (the default), rather than the clock. */
    boolean followsTicker() {
        return wallClock != null;
    }

    /**
     * Hands a record to a delivery: with the reading of this clock's ticker that ended its call when the delivery is
     * a {@link Recorder} timing record ages by the same ticker (the defaults share {@link SystemTicker#INSTANCE}),
     * which then reads no clock of its own; as {@link Delivery#deliver} otherwise.
     *
     * @param delivery the delivery
     * @param record the record
     * @param endedAt the reading of {@link #nanoTime()} that ended the record's call
     * @return false when the delivery dropped it
     */
    boolean deliver(Delivery delivery, TrackedRequest record, long endedAt) {
        return delivery instanceof Recorder r && r.options().nanoTime() == ticker
                ? r.deliver(record, endedAt) : delivery.deliver(record);
    }

    /** The clock of start times. */
    Clock clock() {
        return clock;
    }
}
