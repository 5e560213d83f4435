/**
 * Spectra for Spring's {@code WebClient}: {@link dev.spectra.reactive.webclient.SpectraExchangeFilter} records
 * every AI provider call a client makes, streams included, from the request and response bytes as they pass,
 * without changing them. Everything else in this package is an implementation detail.
 */
@NullMarked
package dev.spectra.reactive.webclient;

import org.jspecify.annotations.NullMarked;
