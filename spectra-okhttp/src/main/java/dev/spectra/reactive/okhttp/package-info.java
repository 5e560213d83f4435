/**
 * Spectra for OkHttp: {@link dev.spectra.reactive.okhttp.SpectraOkHttpInterceptor} records every AI provider call
 * an {@code OkHttpClient} makes, streams included, from the request and response bytes as they pass, without
 * changing them; {@link dev.spectra.reactive.okhttp.CarriedContext} carries a caller's Context to it across the
 * threads of an SDK's asynchronous client. Everything else in this package is an implementation detail.
 */
@NullMarked
package dev.spectra.reactive.okhttp;

import org.jspecify.annotations.NullMarked;
