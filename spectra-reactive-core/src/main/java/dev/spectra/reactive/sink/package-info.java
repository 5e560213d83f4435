/**
 * Delivery: the {@link dev.spectra.reactive.sink.Delivery} of records to a sink, queued (the
 * {@link dev.spectra.reactive.sink.Recorder}, which batches records off the caller's thread) or direct; the
 * {@link dev.spectra.reactive.sink.SpectraSink} SPI they write to; and the bounded
 * {@link dev.spectra.reactive.sink.InMemorySink} used by default.
 */
@NullMarked
package dev.spectra.reactive.sink;

import org.jspecify.annotations.NullMarked;
