/**
 * Delivery: the {@link dev.spectra.reactive.sink.Recorder} that batches records off the caller's thread, the
 * {@link dev.spectra.reactive.sink.SpectraSink} SPI it writes to, and the bounded
 * {@link dev.spectra.reactive.sink.InMemorySink} used by default.
 */
@NullMarked
package dev.spectra.reactive.sink;

import org.jspecify.annotations.NullMarked;
