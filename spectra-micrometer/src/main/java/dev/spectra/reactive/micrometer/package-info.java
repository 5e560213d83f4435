/**
 * Micrometer meters: {@link dev.spectra.reactive.micrometer.SpectraMeters}, a destination that records the GenAI
 * client metrics of every call, and {@link dev.spectra.reactive.micrometer.SpectraTrackerMetrics}, the counters
 * of a tracker and of its deliveries.
 */
@NullMarked
package dev.spectra.reactive.micrometer;

import org.jspecify.annotations.NullMarked;
