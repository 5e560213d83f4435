package dev.spectra.reactive.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A wall clock a test sets by hand; UTC. */
public final class SetClock extends Clock {

    /** The instant the clock says now. */
    public final AtomicReference<Instant> now;

    /**
     * @param start the instant it says until set otherwise
     */
    public SetClock(Instant start) {
        now = new AtomicReference<>(start);
    }

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
        return now.get();
    }
}
