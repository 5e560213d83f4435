package dev.spectra.reactive.internal;

import java.util.function.LongSupplier;

/**
 * The JVM's monotonic clock ({@link System#nanoTime()}) as one shared ticker: the default of a tracker's durations
 * and of its recorders' record ages. Being one instance, it tells a tracker that its recorder reads the same clock, so
 * that the reading which ended a call stamps the call's record on arrival, instead of a second clock read a record.
 */
public final class SystemTicker {

    /** {@code System::nanoTime}, the one instance the defaults share. */
    public static final LongSupplier INSTANCE = System::nanoTime;

    private SystemTicker() {
    }
}
