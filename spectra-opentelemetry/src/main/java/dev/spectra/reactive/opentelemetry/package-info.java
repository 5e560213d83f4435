/**
 * OpenTelemetry export of tracked calls (deliver): {@link dev.spectra.reactive.opentelemetry.SpectraOpenTelemetry}
 * turns each record into a CLIENT span and GenAI metrics, and reads the caller's span from the Reactor Context so
 * that the call's span sits under it.
 */
@NullMarked
package dev.spectra.reactive.opentelemetry;

import org.jspecify.annotations.NullMarked;
