/**
 * Spectra for Spring AI: {@link dev.spectra.reactive.springai.SpectraContextAdvisor} carries the Context of a
 * {@code ChatClient} stream to the OkHttp interceptor that records the call.
 */
@NullMarked
package dev.spectra.reactive.springai;

import org.jspecify.annotations.NullMarked;
