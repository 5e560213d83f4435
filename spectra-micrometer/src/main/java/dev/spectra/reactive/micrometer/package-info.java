/**
 * Micrometer meters: {@link dev.spectra.reactive.micrometer.SpectraMeters}, a destination that records the GenAI
 * client metrics of every call, {@link dev.spectra.reactive.micrometer.SpectraTrackerMetrics}, the counters
 * of a tracker and of its deliveries, and {@link dev.spectra.reactive.micrometer.SpectraBudgetMetrics}, where each
 * budget stands, refreshed in the background.
 */
@NullMarked
package dev.spectra.reactive.micrometer;

import org.jspecify.annotations.NullMarked;
