/**
 * The HTTP capture engine every HTTP client integration of Spectra shares (the WebClient filter, the OkHttp
 * interceptor): which calls are tracked, what is read of their request and response bytes as they pass, in
 * bounded memory, and the single record of each call. Plain Java in, one {@code TrackedCall} out: nothing here
 * knows an HTTP client library. Not API; it may change in any release.
 */
@NullMarked
package dev.spectra.reactive.internal.http;

import org.jspecify.annotations.NullMarked;
