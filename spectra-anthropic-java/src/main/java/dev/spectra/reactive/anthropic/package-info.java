/**
 * Spectra for the official Anthropic Java SDK ({@code com.anthropic:anthropic-java}):
 * {@link dev.spectra.reactive.anthropic.SpectraAnthropicInterceptor} records every call a client makes, streams
 * included, from the request and response bytes as they pass, without changing them. Everything else in this
 * package is an implementation detail.
 */
@NullMarked
package dev.spectra.reactive.anthropic;

import org.jspecify.annotations.NullMarked;
