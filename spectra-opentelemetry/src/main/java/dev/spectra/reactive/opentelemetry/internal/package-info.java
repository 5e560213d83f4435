/**
 * How records become spans and metrics, and how the caller's span is found in a Reactor Context; not exported.
 */
@NullMarked
package dev.spectra.reactive.opentelemetry.internal;

import org.jspecify.annotations.NullMarked;
