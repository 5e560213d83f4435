package dev.spectra.reactive;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import dev.spectra.reactive.internal.Metadata;
import dev.spectra.reactive.internal.Tags;
import dev.spectra.reactive.internal.context.ThreadContext;
import dev.spectra.reactive.sink.InMemorySink;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * The entry point: track AI calls made with Reactor, and carry who and what they are for in the Reactor Context.
 *
 * <pre>{@code
 * // operator style
 * client.chat(request).transform(Spectra.tracked("openai", "gpt-4o"));
 *
 * // callback style, with the call in flight
 * Spectra.track("openai", "gpt-4o", call -> {
 *     call.addMetadata("tenant_id", tenantId);
 *     return client.chat(request);
 * });
 *
 * // streams: time to first chunk, chunk count, usage from the provider's usage events, streaming=true
 * client.chatStream(request).transform(Spectra.stream("openai", "gpt-4o"));
 *
 * // metadata and tags ride the Context, from the edge of the request inward
 * handler.handle(req).contextWrite(Spectra.metadata(Map.of("tenant_id", t))).contextWrite(Spectra.tags("billing"));
 * }</pre>
 *
 * <p>Every method uses the tracker bound to the subscription's Context ({@link SpectraTracker#bind()},
 * {@code SpectraFake.bind()}) if any, else the global tracker ({@link #configure}). Out of the box the global
 * tracker keeps records in a bounded in-memory sink and says so once in the log.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>Signals pass through untouched: the same values, error, cancellation and timing, on the same thread;
 *       tracking never blocks.</li>
 *   <li>One record per subscription, on the first of: a Mono's value (or empty completion), a stream's
 *       completion, an error, a cancellation (outcome {@link Outcome#CANCELLED}). A {@code retry()} above the
 *       operator records each attempt.</li>
 *   <li>Tracking failures (sink down, unreadable response, unknown price) are counted and logged, never signalled
 *       to the user's subscriber.</li>
 *   <li>Metadata merge, lowest to highest: globals &lt; Context &lt; {@link TrackOptions} &lt;
 *       {@code call.addMetadata}. Tags are unioned in the same order.</li>
 * </ul>
 *
 * @since 0.1
 */
public final class Spectra {

    private static final Logger LOG = Loggers.getLogger(Spectra.class);
    private static final AtomicReference<@Nullable SpectraTracker> GLOBAL = new AtomicReference<>();
    /** The process-wide attributes, merged under every other layer into every record, whatever tracker records it. */
    private static final AtomicReference<CallAttributes> GLOBALS = new AtomicReference<>(CallAttributes.NONE);

    private Spectra() {
    }

    // ------------------------------------------------------------------------------------------ tracking

    /**
     * Tracks the call the callback makes. Per subscription, the callback gets a fresh {@link TrackedCall}
     * (add metadata, tags, usage) and returns the call's publisher; the returned Mono is its first value. The
     * operator ends the call itself, on that value, an error or a cancellation.
     *
     * @param provider provider id, e.g. {@code "openai"}
     * @param model the requested model, e.g. {@code "gpt-4o"}
     * @param call makes the call; throwing counts as the call failing
     * @param <T> the response type
     * @return the call, tracked
     * @throws NullPointerException when provider, model or call is null
     */
    public static <T> Mono<T> track(String provider, String model,
                                    Function<? super TrackedCall, ? extends Publisher<T>> call) {
        return track(provider, model, call, TrackOptions.none());
    }

    /**
     * Tracks the call the callback makes, with options.
     *
     * @param provider provider id
     * @param model the requested model
     * @param call makes the call
     * @param options per-call options
     * @param <T> the response type
     * @return the call, tracked
     */
    public static <T> Mono<T> track(String provider, String model,
                                    Function<? super TrackedCall, ? extends Publisher<T>> call,
                                    TrackOptions options) {
        TrackingEngine.checkCall(provider, model);
        return new MonoTrackCall<>(null, provider, model, Objects.requireNonNull(options, "options"),
                Objects.requireNonNull(call, "call"));
    }

    /**
     * An operator that tracks a Mono: {@code mono.transform(Spectra.tracked("anthropic", "claude-sonnet-4-5"))}.
     * Usage comes from the value (JSON responses are read by the provider formats; typed ones need a
     * {@link UsageExtractor}).
     *
     * @param provider provider id
     * @param model the requested model
     * @param <T> the value type
     * @return the operator
     */
    public static <T> Function<Mono<T>, Mono<T>> tracked(String provider, String model) {
        return tracked(provider, model, TrackOptions.none());
    }

    /**
     * An operator that tracks a Mono, with options.
     *
     * @param provider provider id
     * @param model the requested model
     * @param options per-call options
     * @param <T> the value type
     * @return the operator
     */
    public static <T> Function<Mono<T>, Mono<T>> tracked(String provider, String model, TrackOptions options) {
        TrackingEngine.checkCall(provider, model);
        Objects.requireNonNull(options, "options");
        return mono -> new MonoTracked<>(mono, null, provider, model, options);
    }

    /**
     * An operator that tracks a stream of chunks: {@code flux.transform(Spectra.stream("openai", "gpt-4o"))}.
     * Records time to first chunk, chunk count, tokens per second, usage from the provider's usage events
     * (or a {@link UsageExtractor}: last non-null wins), {@code streaming: true} in the metadata.
     *
     * @param provider provider id
     * @param model the requested model
     * @param <T> the chunk type
     * @return the operator
     */
    public static <T> Function<Flux<T>, Flux<T>> stream(String provider, String model) {
        return stream(provider, model, TrackOptions.none());
    }

    /**
     * An operator that tracks a stream of chunks, with options.
     *
     * @param provider provider id
     * @param model the requested model
     * @param options per-call options
     * @param <T> the chunk type
     * @return the operator
     */
    public static <T> Function<Flux<T>, Flux<T>> stream(String provider, String model, TrackOptions options) {
        TrackingEngine.checkCall(provider, model);
        Objects.requireNonNull(options, "options");
        return flux -> new FluxTracked<>(flux, null, provider, model, options);
    }

    /**
     * Tracks the stream the callback opens, giving the callback the call in flight: the streaming twin of
     * {@link #track(String, String, Function)}.
     *
     * @param provider provider id
     * @param model the requested model
     * @param call opens the stream
     * @param <T> the chunk type
     * @return the chunks, tracked
     */
    public static <T> Flux<T> trackStream(String provider, String model,
                                          Function<? super TrackedCall, ? extends Publisher<T>> call) {
        return trackStream(provider, model, call, TrackOptions.none());
    }

    /**
     * Tracks the stream the callback opens, giving the callback the call in flight.
     *
     * @param provider provider id
     * @param model the requested model
     * @param call opens the stream
     * @param options per-call options
     * @param <T> the chunk type
     * @return the chunks, tracked
     */
    public static <T> Flux<T> trackStream(String provider, String model,
                                          Function<? super TrackedCall, ? extends Publisher<T>> call,
                                          TrackOptions options) {
        TrackingEngine.checkCall(provider, model);
        return new FluxTrackCall<>(null, provider, model, Objects.requireNonNull(options, "options"),
                Objects.requireNonNull(call, "call"));
    }

    // ------------------------------------------------------------------------------------------ manual flows

    /**
     * Starts a call recorded by hand, for batch APIs and offline pipelines; end it with {@link #recordSuccess}
     * or {@link #recordFailure}. Uses the global tracker.
     *
     * @param provider provider id
     * @param model the requested model
     * @return the call
     */
    public static TrackedCall startCall(String provider, String model) {
        return tracker().startCall(provider, model, TrackOptions.none());
    }

    /**
     * Starts a call recorded by hand, with options (e.g. {@code pricingTier(PricingTier.BATCH)}).
     *
     * @param provider provider id
     * @param model the requested model
     * @param options per-call options
     * @return the call
     */
    public static TrackedCall startCall(String provider, String model, TrackOptions options) {
        return tracker().startCall(provider, model, options);
    }

    /**
     * Records a started call as a success; nothing happens until the Mono is subscribed (in imperative code,
     * {@code .subscribe()} it). The subscriber's Context contributes metadata and tags.
     *
     * @param call the call from {@link #startCall}
     * @param response the response (read for usage), may be null
     * @return the record; empty when tracking is off; an {@link IllegalStateException} when already recorded
     */
    public static Mono<TrackedRequest> recordSuccess(TrackedCall call, @Nullable Object response) {
        return record(call, Outcome.SUCCESS, response, null, null, null);
    }

    /**
     * Records a started call as a success with usage given by hand.
     *
     * @param call the call from {@link #startCall}
     * @param response the response, may be null
     * @param usage the usage; wins over what the response says
     * @return the record; see {@link #recordSuccess(TrackedCall, Object)}
     */
    public static Mono<TrackedRequest> recordSuccess(TrackedCall call, @Nullable Object response, Usage usage) {
        Objects.requireNonNull(usage, "usage");
        return record(call, Outcome.SUCCESS, response, usage, null, null);
    }

    /**
     * Records a started call as a failure.
     *
     * @param call the call from {@link #startCall}
     * @param error what went wrong
     * @return the record; see {@link #recordSuccess(TrackedCall, Object)}
     */
    public static Mono<TrackedRequest> recordFailure(TrackedCall call, Throwable error) {
        return record(call, Outcome.FAILURE, null, null, Objects.requireNonNull(error, "error"), null);
    }

    /**
     * Records a started call as a failure, with its HTTP status.
     *
     * @param call the call from {@link #startCall}
     * @param error what went wrong
     * @param httpStatus the HTTP status, or null
     * @return the record; see {@link #recordSuccess(TrackedCall, Object)}
     */
    public static Mono<TrackedRequest> recordFailure(TrackedCall call, Throwable error,
                                                     @Nullable Integer httpStatus) {
        return record(call, Outcome.FAILURE, null, null, Objects.requireNonNull(error, "error"), httpStatus);
    }

    private static Mono<TrackedRequest> record(TrackedCall call, Outcome outcome, @Nullable Object response,
                                               @Nullable Usage usage, @Nullable Throwable error,
                                               @Nullable Integer status) {
        CallState state = (CallState) Objects.requireNonNull(call, "call");
        return Mono.deferContextual(view -> {
            if (state.isDetached()) {
                return Mono.empty();
            }
            if (state.isRecorded()) {
                return Mono.error(new IllegalStateException("call " + state.id() + " was already recorded"));
            }
            state.attachContext(view);
            if (usage != null) {
                state.usage(usage);
            }
            state.statusIfAbsent(status);
            // null: tracking itself failed (counted and logged), which is not the caller's error
            return Mono.justOrEmpty(state.finish(outcome, response, error));
        });
    }

    // ------------------------------------------------------------------------------------------ Context writers

    /**
     * A Context writer adding one metadata entry: {@code .contextWrite(Spectra.metadata("tenant_id", t))}.
     * Merges with what the Context holds; the write closest to the tracked call wins for a key. The key and value
     * are checked here; the size of the Context's metadata when the writer runs (at subscription), against the
     * bound of the tracker that will read it: the one bound in that Context, else the global one.
     *
     * @param key the key
     * @param value a JSON value
     * @return the writer; over the bound, it fails the subscription with an {@link IllegalArgumentException}
     *         naming the key
     * @throws IllegalArgumentException naming the key when the key or value is bad
     */
    public static Function<Context, Context> metadata(String key, @Nullable Object value) {
        Metadata m = Metadata.EMPTY.with(key, value, Metadata.MAX_BYTES, Metadata.EMPTY);
        return CallAttributes.NONE.withMetadata(m).contextWriter();
    }

    /**
     * A Context writer adding metadata entries, checked as {@link #metadata(String, Object)} checks one.
     *
     * @param entries JSON values by key
     * @return the writer; over the bound, it fails the subscription with an {@link IllegalArgumentException}
     *         naming the largest key
     * @throws IllegalArgumentException naming the key when a key or value is bad
     */
    public static Function<Context, Context> metadata(Map<String, ? extends @Nullable Object> entries) {
        return CallAttributes.NONE.withMetadata(Metadata.of(entries, Metadata.MAX_BYTES)).contextWriter();
    }

    /**
     * A Context writer adding tags (unioned with those already there).
     *
     * @param tags the tags
     * @return the writer
     * @throws IllegalArgumentException when a tag is null, blank or too long
     */
    public static Function<Context, Context> tags(String... tags) {
        Objects.requireNonNull(tags, "tags");
        return CallAttributes.NONE.addTags(Tags.of(Arrays.asList(tags))).contextWriter();
    }

    /**
     * A Context writer setting the trace id shared by every call of the subscription (an inbound request). A call
     * given no trace id (here, in its options, on its {@link TrackedCall}, or by the tracker's
     * {@link SpectraTrackerBuilder#traceIdResolver resolver}) has its own record id as its trace id.
     *
     * @param traceId the trace id, at most 128 characters
     * @return the writer
     */
    public static Function<Context, Context> traceId(String traceId) {
        return CallAttributes.NONE.withTraceId(traceId).contextWriter();
    }

    /**
     * A Context writer attributing the subscription's calls to an owner (a user, a team ...).
     *
     * @param type the owner's kind, e.g. {@code "user"}
     * @param id the owner's id
     * @return the writer
     */
    public static Function<Context, Context> trackable(String type, String id) {
        return CallAttributes.NONE.withTrackable(new Trackable(type, id)).contextWriter();
    }

    /**
     * A Context writer setting the pricing tier of the subscription's calls.
     *
     * @param tier the tier
     * @return the writer
     */
    public static Function<Context, Context> pricingTier(PricingTier tier) {
        return CallAttributes.NONE.withPricingTier(Objects.requireNonNull(tier, "pricingTier")).contextWriter();
    }

    /**
     * A Context writer setting the conversation the subscription's calls belong to.
     *
     * @param conversationId the conversation id
     * @return the writer
     */
    public static Function<Context, Context> conversationId(String conversationId) {
        return CallAttributes.NONE.withConversationId(conversationId).contextWriter();
    }

    // ------------------------------------------------------------------------------------------ threads

    /**
     * Opens a scope in which the current thread carries what these Context writers write, for calls made outside
     * Reactor (a blocking SDK call, plain Java): {@code try (var s = Spectra.scope(Spectra.metadata("tenant_id",
     * t), tracker.bind())) { ... }}. The writers are applied, in order, over what the thread already carries (an
     * outer scope, or what context-propagation restored), with the same checks as in a {@code contextWrite};
     * they are the ones of this class and {@link SpectraTracker#bind()}, and anything else they write is ignored.
     * See {@link SpectraScope}.
     *
     * @param writers Context writers: {@link #metadata(String, Object)}, {@link #tags}, {@link #traceId},
     *                {@link #trackable}, {@link #pricingTier}, {@link #conversationId}, {@link SpectraTracker#bind()}
     * @return the open scope; close it on this thread
     * @throws IllegalArgumentException when a writer fails (metadata over the bound, a bad value)
     * @throws NullPointerException when a writer is null
     */
    @SafeVarargs
    public static SpectraScope scope(Function<Context, Context>... writers) {
        Objects.requireNonNull(writers, "writers");
        Context ctx = Context.of(threadContext());
        for (Function<Context, Context> w : writers) {
            ctx = Objects.requireNonNull(w, "a scope's writer").apply(ctx);
        }
        return new SpectraScope(CallAttributes.in(ctx), BoundTracker.in(ctx));
    }

    /**
     * An executor whose tasks carry what the thread that submits them carries ({@link #threadContext()}): each
     * task runs in a {@link SpectraScope} of the submitter's attributes and tracker, and the worker thread gets its
     * own back afterwards. For clients that hand a call to their own threads, e.g. the Anthropic SDK's
     * {@code completionExecutor(Spectra.withThreadContext(executor))}. A task submitted by one of the executor's
     * own tasks carries nothing (never another caller's metadata).
     *
     * @param executor the executor that runs the tasks
     * @return the carrying executor
     */
    public static Executor withThreadContext(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return task -> executor.execute(CarriedTask.of(task));
    }

    /**
     * What the current thread carries for Spectra (an open {@link #scope}, or the values Micrometer
     * context-propagation restored from a subscription's Context), as a Context: the attributes and bound tracker
     * under the keys Spectra reads, nothing else. Capture paths that run outside Reactor (an OkHttp interceptor)
     * start their calls with it.
     *
     * @return the Context; empty when the thread carries nothing
     */
    public static ContextView threadContext() {
        Object attributes = ThreadContext.attributes();
        Object tracker = ThreadContext.tracker();
        Context ctx = Context.empty();
        if (attributes instanceof CallAttributes) {
            ctx = ctx.put(CallAttributes.CONTEXT_KEY, attributes);
        }
        if (tracker instanceof SpectraTracker) {
            ctx = ctx.put(BoundTracker.CONTEXT_KEY, tracker);
        }
        return ctx;
    }

    // ------------------------------------------------------------------------------------------ globals

    /**
     * Adds process-wide metadata, merged under everything else into every record. Checked against the bound of
     * the global tracker now.
     *
     * @param entries JSON values by key
     * @throws IllegalArgumentException naming the key when a key or value is bad, or the global metadata would be
     *         over the bound
     */
    public static void withMetadata(Map<String, ? extends @Nullable Object> entries) {
        Metadata added = Metadata.of(entries, Metadata.MAX_BYTES);
        int bound = globalMetadataMaxBytes();
        GLOBALS.updateAndGet(g -> {
            Metadata merged = g.metadata().merge(added);
            Metadata.checkSize(merged, added, bound);
            return g.withMetadata(merged);
        });
    }

    /**
     * Adds process-wide tags.
     *
     * @param tags the tags
     */
    public static void addGlobalTags(String... tags) {
        Objects.requireNonNull(tags, "tags");
        List<String> t = Tags.of(Arrays.asList(tags));
        GLOBALS.updateAndGet(g -> g.addTags(t));
    }

    /**
     * Sets the process-wide pricing tier (for a batch worker, say); any per-call, Context or detected tier wins.
     *
     * @param tier the tier
     */
    public static void withPricingTier(PricingTier tier) {
        Objects.requireNonNull(tier, "pricingTier");
        GLOBALS.updateAndGet(g -> g.withPricingTier(tier));
    }

    /**
     * Attributes every call of the process to one owner (for single-tenant jobs); any per-call or Context owner
     * wins.
     *
     * @param type the owner's kind
     * @param id the owner's id
     */
    public static void withTrackable(String type, String id) {
        Trackable t = new Trackable(type, id);
        GLOBALS.updateAndGet(g -> g.withTrackable(t));
    }

    /** Forgets every global: metadata, tags, pricing tier, trackable. */
    public static void clearGlobals() {
        GLOBALS.set(CallAttributes.NONE);
    }

    /** The process-wide attributes now (one volatile read). */
    static CallAttributes globals() {
        return GLOBALS.get();
    }

    // ------------------------------------------------------------------------------------------ configuration

    /**
     * Installs the global tracker.
     *
     * @param tracker the tracker
     * @return the tracker it replaces, or null (it is not closed: close it if you own it)
     */
    public static @Nullable SpectraTracker configure(SpectraTracker tracker) {
        Objects.requireNonNull(tracker, "tracker");
        return GLOBAL.getAndSet(tracker);
    }

    /**
     * The global tracker; created on first use with a bounded in-memory sink when none was configured.
     *
     * @return the global tracker
     */
    public static SpectraTracker tracker() {
        SpectraTracker t = GLOBAL.get();
        if (t != null) {
            return t;
        }
        SpectraTracker created = SpectraTracker.builder().build();
        if (GLOBAL.compareAndSet(null, created)) {
            LOG.info("Spectra Reactive: no tracker configured; recording to a bounded in-memory sink ("
                    + InMemorySink.DEFAULT_CAPACITY
                    + " records). Configure a SpectraTracker with a database sink via Spectra.configure(...).");
            return created;
        }
        created.close(Duration.ZERO).subscribe();
        return Objects.requireNonNull(GLOBAL.get());
    }

    /**
     * The tracker the facade uses for a subscription with this Context: the one bound in it
     * ({@link SpectraTracker#bind()}), else the global one. For capture paths of your own.
     *
     * @param view the subscriber's Context
     * @return the tracker
     */
    public static SpectraTracker tracker(ContextView view) {
        SpectraTracker bound = BoundTracker.in(view);
        return bound != null ? bound : tracker();
    }

    /**
     * Forgets the global tracker without closing it; the next use creates the default one again. For tests and
     * for {@code SpectraFake.close()}.
     *
     * @return the tracker that was global, or null
     */
    public static @Nullable SpectraTracker resetTracker() {
        return GLOBAL.getAndSet(null);
    }

    /** The metadata bound of the global tracker, without creating it: the default one's when there is none yet. */
    static int globalMetadataMaxBytes() {
        SpectraTracker t = GLOBAL.get();
        return t != null ? t.engine().metadataMaxBytes() : SpectraTrackerBuilder.DEFAULT_METADATA_MAX_BYTES;
    }
}
