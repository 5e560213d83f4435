/**
 * The API a user touches: the {@link dev.spectra.reactive.Spectra} facade and its operators
 * ({@code track}, {@code tracked}, {@code stream}), the Reactor {@code Context} writers that carry metadata and
 * tags, the call in flight ({@link dev.spectra.reactive.TrackedCall}), and its record
 * ({@link dev.spectra.reactive.TrackedRequest} with its {@link dev.spectra.reactive.Usage} and
 * {@link dev.spectra.reactive.Cost}).
 *
 * <h2>Vocabulary</h2>
 * <dl>
 *   <dt>call</dt>
 *   <dd>One AI call in flight, from its start to its single record: a {@link dev.spectra.reactive.TrackedCall}.
 *       The operators start and end one per subscription; {@code Spectra.startCall} starts one recorded by hand;
 *       a capture path of its own (the WebClient filter) starts one per exchange and ends it itself. A call
 *       ends once, with success, failure or cancellation: the first end wins.</dd>
 *   <dt>record</dt>
 *   <dd>The immutable {@link dev.spectra.reactive.TrackedRequest} a call ends with: a row of
 *       {@code spectra_requests}, what the query API reads back.</dd>
 *   <dt>tracker</dt>
 *   <dd>A {@link dev.spectra.reactive.SpectraTracker}: how calls are read (provider formats), priced and timed,
 *       and where their records go. The facade uses the tracker bound in the subscription's Context, else the
 *       global one.</dd>
 *   <dt>attributes</dt>
 *   <dd>What says who and what a call is for: metadata, tags, trace id, trackable (owner), pricing tier and
 *       conversation id. They are set in layers, merged lowest to highest: process-wide globals &lt; the Reactor
 *       Context &lt; {@link dev.spectra.reactive.TrackOptions} &lt; the call itself ({@code call.addMetadata},
 *       {@code call.pricingTier} ...). For metadata the higher layer wins per key; tags are unioned in that
 *       order; for the single values the highest layer that sets one wins.</dd>
 *   <dt>delivery</dt>
 *   <dd>How records leave the tracker: queued ({@link dev.spectra.reactive.sink.Recorder}: a bounded queue and a
 *       drain thread of its own) or direct (written on the thread that ended the call, for tests), to a primary
 *       sink and to further destinations, each with its own queue and counters.</dd>
 *   <dt>sink</dt>
 *   <dd>Where a delivery writes batches of records: a {@link dev.spectra.reactive.sink.SpectraSink} (PostgreSQL,
 *       memory, a user's own).</dd>
 * </dl>
 *
 * <p>Data flows capture (this package) &rarr; record ({@code provider}, {@code pricing}) &rarr; deliver
 * ({@code sink}). Anything under {@code internal} is not API.
 */
@NullMarked
package dev.spectra.reactive;

import org.jspecify.annotations.NullMarked;
