/**
 * The API a user touches: the {@link dev.spectra.reactive.Spectra} facade and its operators
 * ({@code track}, {@code tracked}, {@code stream}), the Reactor {@code Context} writers that carry metadata
 * and tags, the per-request {@link dev.spectra.reactive.RequestContext}, and the immutable record of a call,
 * {@link dev.spectra.reactive.TrackedRequest} with its {@link dev.spectra.reactive.Usage} and
 * {@link dev.spectra.reactive.Cost}.
 *
 * <p>Data flows capture (this package) &rarr; record ({@code provider}, {@code pricing}) &rarr; deliver
 * ({@code sink}). Anything under {@code internal} is not API.
 */
@NullMarked
package dev.spectra.reactive;

import org.jspecify.annotations.NullMarked;
