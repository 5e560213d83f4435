package dev.spectra.reactive;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.spectra.reactive.internal.EventStream;
import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.Limits;
import dev.spectra.reactive.internal.PendingWrites;
import dev.spectra.reactive.internal.RateLimitedLog;
import dev.spectra.reactive.internal.Redactor;
import dev.spectra.reactive.internal.TrackingAttributes;
import dev.spectra.reactive.internal.Uuids;
import dev.spectra.reactive.internal.WallClock;
import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.pricing.PricingCatalog;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.ResponseReader;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.sink.Recorder;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.sink.RecorderStats;
import dev.spectra.reactive.sink.SpectraSink;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * A configured tracker: where records go (sink and recorder), how calls are read and priced, the clock and id
 * generator, which metadata keys are secret and how large metadata may be, and a master switch. Build one with
 * {@link #builder()}, install it with {@link Spectra#configure}, or bind it to one subscription with
 * {@link #bind()} (the facade uses a tracker bound in the Context before the global one).
 *
 * <p>Its methods mirror the {@link Spectra} facade but always use this tracker.
 *
 * @since 0.1
 */
public final class SpectraTracker {

    /** Default bound on a request's serialised metadata: {@value} bytes (16 KiB). */
    public static final int DEFAULT_METADATA_MAX_BYTES = Limits.DEFAULT_METADATA_MAX_BYTES;

    /**
     * Metadata keys whose values are stored as {@code "[REDACTED]"} by default. A key matches when, ignoring case
     * and punctuation, it equals or ends with one of these ({@code openai_api_key}, {@code Authorization},
     * {@code client-secret}, {@code auth_token}; but not {@code max_tokens}).
     */
    public static final List<String> DEFAULT_REDACT_KEYS = List.of("api_key", "apikey", "authorization", "password",
            "passwd", "token", "secret", "access_key", "private_key", "credentials", "cookie");

    private static final RateLimitedLog LOG = new RateLimitedLog(SpectraTracker.class);
    private static final Class<?> SYSTEM_CLOCK = Clock.systemUTC().getClass();

    private final SpectraSink sink;
    private final @Nullable Recorder recorder;
    private final EventStream directEvents;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final @Nullable WallClock wallClock;
    private final @Nullable Supplier<UUID> idGenerator;
    private final Redactor redactor;
    private final int metadataMaxBytes;
    private final Pricing pricing;
    private final ProviderRegistry providers;
    private final ResponseReader responseReader;
    private final Function<ContextView, @Nullable String> traceIdResolver;
    private volatile boolean enabled;

    private final LongAdder recorded = new LongAdder();
    private final LongAdder readFailures = new LongAdder();
    private final LongAdder unpriced = new LongAdder();
    private final LongAdder trackingErrors = new LongAdder();
    private final PendingWrites directPending = new PendingWrites();
    private volatile @Nullable Mono<Void> directClosing;

    private SpectraTracker(Builder b) {
        this.sink = b.sink != null ? b.sink : new InMemorySink();
        this.recorder = b.direct ? null : Recorder.create(sink, b.recorderOptions);
        this.directEvents = new EventStream();
        this.clock = b.clock;
        // any system clock, whatever its zone (instants do not depend on it); not a clock of the user's own class
        boolean systemTime = b.nanoTime == null && b.clock.getClass() == SYSTEM_CLOCK;
        this.nanoTime = b.nanoTime != null ? b.nanoTime : systemTime ? System::nanoTime : clockNanos(b.clock);
        // the default clocks: start times from the monotonic clock and a base re-read once a second; a clock the
        // user gave is read on every call (a test's clock is obeyed exactly)
        this.wallClock = systemTime ? new WallClock(b.clock, System.nanoTime()) : null;
        this.idGenerator = b.idGenerator;
        this.redactor = new Redactor(b.redactKeys);
        this.metadataMaxBytes = b.metadataMaxBytes;
        this.pricing = b.pricing != null ? b.pricing : PricingCatalog.bundled();
        this.providers = b.providers != null ? b.providers : ProviderRegistry.builtIn();
        this.responseReader = b.responseReader != null ? b.responseReader : this.providers;
        this.traceIdResolver = b.traceIdResolver;
        this.enabled = b.enabled;
    }

    private static LongSupplier clockNanos(Clock clock) {
        return () -> {
            Instant i = clock.instant();
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        };
    }

    /**
     * @return a builder with the defaults: in-memory sink, default recorder, the bundled pricing catalog and the
     *         built-in provider formats
     */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------ the API

    /**
     * Tracks the call the callback makes; see {@link Spectra#track(String, String, Function)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param call makes the call with the per-request context
     * @param <T> the response type
     * @return the call's first value, tracked
     */
    public <T> Mono<T> track(String provider, String model,
                             Function<? super RequestContext, ? extends Publisher<T>> call) {
        return track(provider, model, call, TrackOptions.none());
    }

    /**
     * Tracks the call the callback makes, with options; see {@link Spectra#track(String, String, Function, TrackOptions)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param call makes the call with the per-request context
     * @param options per-call options
     * @param <T> the response type
     * @return the call's first value, tracked
     */
    public <T> Mono<T> track(String provider, String model,
                             Function<? super RequestContext, ? extends Publisher<T>> call, TrackOptions options) {
        checkCall(provider, model);
        return TrackedCallback.mono(this, provider, model, Objects.requireNonNull(options, "options"),
                Objects.requireNonNull(call, "call"));
    }

    /**
     * An operator that tracks a Mono; see {@link Spectra#tracked(String, String)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param <T> the value type
     * @return the operator, for {@code transform}
     */
    public <T> Function<Mono<T>, Mono<T>> tracked(String provider, String model) {
        return tracked(provider, model, TrackOptions.none());
    }

    /**
     * An operator that tracks a Mono, with options.
     *
     * @param provider provider id
     * @param model requested model
     * @param options per-call options
     * @param <T> the value type
     * @return the operator, for {@code transform}
     */
    public <T> Function<Mono<T>, Mono<T>> tracked(String provider, String model, TrackOptions options) {
        checkCall(provider, model);
        Objects.requireNonNull(options, "options");
        return mono -> new MonoTracked<>(mono, this, provider, model, options);
    }

    /**
     * An operator that tracks a stream of chunks; see {@link Spectra#stream(String, String)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param <T> the chunk type
     * @return the operator, for {@code transform}
     */
    public <T> Function<Flux<T>, Flux<T>> stream(String provider, String model) {
        return stream(provider, model, TrackOptions.none());
    }

    /**
     * An operator that tracks a stream of chunks, with options.
     *
     * @param provider provider id
     * @param model requested model
     * @param options per-call options
     * @param <T> the chunk type
     * @return the operator, for {@code transform}
     */
    public <T> Function<Flux<T>, Flux<T>> stream(String provider, String model, TrackOptions options) {
        checkCall(provider, model);
        Objects.requireNonNull(options, "options");
        return flux -> new FluxTracked<>(flux, this, provider, model, options);
    }

    /**
     * Tracks the stream the callback opens; see {@link Spectra#trackStream(String, String, Function)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param call opens the stream with the per-request context
     * @param <T> the chunk type
     * @return the chunks, tracked
     */
    public <T> Flux<T> trackStream(String provider, String model,
                                   Function<? super RequestContext, ? extends Publisher<T>> call) {
        return trackStream(provider, model, call, TrackOptions.none());
    }

    /**
     * Tracks the stream the callback opens; see {@link Spectra#trackStream(String, String, Function, TrackOptions)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param call opens the stream with the per-request context
     * @param options per-call options
     * @param <T> the chunk type
     * @return the chunks, tracked
     */
    public <T> Flux<T> trackStream(String provider, String model,
                                   Function<? super RequestContext, ? extends Publisher<T>> call,
                                   TrackOptions options) {
        checkCall(provider, model);
        return TrackedCallback.flux(this, provider, model, Objects.requireNonNull(options, "options"),
                Objects.requireNonNull(call, "call"));
    }

    /**
     * Starts a call recorded by hand; see {@link Spectra#startRequest(String, String, TrackOptions)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param options per-call options
     * @return the context to record with {@link #recordSuccess} or {@link #recordFailure}
     */
    public RequestContext startRequest(String provider, String model, TrackOptions options) {
        checkCall(provider, model);
        Objects.requireNonNull(options, "options");
        if (!enabled) {
            return CallState.detached(this, provider, model, options);
        }
        try {
            return new CallState(this, provider, model, options, null, null, false);
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            internalError("starting a " + provider + " call", e);
            return CallState.detached(this, provider, model, options);
        }
    }

    /**
     * Starts a call for a capture path of its own (an HTTP client filter, an SDK interceptor).
     *
     * @param provider provider id
     * @param model requested model (may be updated with {@link TrackedCall#model} later)
     * @param options per-call options
     * @param view the Context of the subscription making the call, for metadata, tags and trace id
     * @return the call; when the tracker is disabled, a call that records nothing
     */
    public TrackedCall startCall(String provider, String model, TrackOptions options, ContextView view) {
        checkCall(provider, model);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(view, "view");
        if (!enabled) {
            return CallState.detached(this, provider, model, options);
        }
        try {
            return new CallState(this, provider, model, options, view, TrackingAttributes.from(view), false);
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            internalError("starting a " + provider + " call", e);
            return CallState.detached(this, provider, model, options);
        }
    }

    /**
     * Records a call started with {@link #startRequest} as a success. Nothing is recorded until the returned
     * Mono is subscribed; the subscriber's Context contributes its metadata and tags.
     *
     * @param ctx the context from {@link #startRequest}
     * @param response the response (JSON node, string, bytes, map, or your own type), read for usage; may be null
     * @return the record; empty when the tracker is disabled; an {@link IllegalStateException} when the context
     *         was already recorded
     */
    public Mono<TrackedRequest> recordSuccess(RequestContext ctx, @Nullable Object response) {
        return record(ctx, Outcome.SUCCESS, response, null, null, null);
    }

    /**
     * Records a call as a success with usage given by hand (it wins over what the response says).
     *
     * @param ctx the context from {@link #startRequest}
     * @param response the response, may be null
     * @param usage the usage
     * @return the record; see {@link #recordSuccess(RequestContext, Object)}
     */
    public Mono<TrackedRequest> recordSuccess(RequestContext ctx, @Nullable Object response, Usage usage) {
        Objects.requireNonNull(usage, "usage");
        return record(ctx, Outcome.SUCCESS, response, usage, null, null);
    }

    /**
     * Records a call started with {@link #startRequest} as a failure.
     *
     * @param ctx the context
     * @param error what went wrong
     * @return the record; see {@link #recordSuccess(RequestContext, Object)}
     */
    public Mono<TrackedRequest> recordFailure(RequestContext ctx, Throwable error) {
        return record(ctx, Outcome.FAILURE, null, null, Objects.requireNonNull(error, "error"), null);
    }

    /**
     * Records a call as a failure with its HTTP status.
     *
     * @param ctx the context
     * @param error what went wrong
     * @param httpStatus the HTTP status, or null
     * @return the record; see {@link #recordSuccess(RequestContext, Object)}
     */
    public Mono<TrackedRequest> recordFailure(RequestContext ctx, Throwable error, @Nullable Integer httpStatus) {
        return record(ctx, Outcome.FAILURE, null, null, Objects.requireNonNull(error, "error"), httpStatus);
    }

    static Mono<TrackedRequest> record(RequestContext ctx, Outcome outcome, @Nullable Object response,
                                       @Nullable Usage usage, @Nullable Throwable error, @Nullable Integer status) {
        Objects.requireNonNull(ctx, "ctx");
        if (!(ctx instanceof CallState state)) {
            throw new IllegalArgumentException("ctx must be a RequestContext from startRequest, was "
                    + ctx.getClass().getName());
        }
        return Mono.deferContextual(view -> {
            if (state.isDetached()) {
                return Mono.empty();
            }
            if (state.isRecorded()) {
                return Mono.error(new IllegalStateException("request " + state.id() + " was already recorded"));
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

    /**
     * A Context writer that makes the facade ({@link Spectra}) use this tracker for the subscription it is
     * written into, instead of the global one: {@code .contextWrite(tracker.bind())}.
     *
     * @return the writer
     */
    public Function<Context, Context> bind() {
        return TrackingAttributes.EMPTY.withTracker(this).writer();
    }

    /**
     * Records as they are captured, for alerts and budgets without polling. Hot and best effort: a subscriber
     * that cannot keep up misses records. With a recorder (the default), subscribers run on a thread of the
     * event stream's own, asynchronously, never on the tracked call's thread (see {@link Recorder#events()}). With
     * {@linkplain Builder#directDelivery() direct delivery} they run inline on the thread that completed the call.
     *
     * @return the hot flux
     */
    public Flux<TrackedRequest> events() {
        return recorder != null ? recorder.events() : directEvents.flux();
    }

    /**
     * @return the counters now
     */
    public TrackerStats stats() {
        RecorderStats delivery = recorder != null ? recorder.stats()
                : new RecorderStats(recorded.sum(), directPending.written(), 0, 0, directPending.failed(), 0);
        return new TrackerStats(recorded.sum(), readFailures.sum(), unpriced.sum(), trackingErrors.sum(), delivery);
    }

    /**
     * Writes everything recorded so far.
     *
     * @return completes when every record captured before the call has been written or has failed
     */
    public Mono<Void> flush() {
        return recorder != null ? recorder.flush() : directPending.drained();
    }

    /**
     * Stops recording, writes what is queued within the timeout and closes the sink; records captured after
     * this are dropped and counted. With {@linkplain Builder#directDelivery() direct delivery}, waits (within the
     * timeout) for the writes in flight before closing the sink. Idempotent: every call returns the same (cached)
     * result, the first call's timeout applies; {@link #events()} completes.
     *
     * @param timeout how long to wait for queued records
     * @return completes when closed
     */
    public Mono<Void> close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (recorder != null) {
            return recorder.close(timeout);
        }
        Mono<Void> c = directClosing;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (directClosing == null) {
                // direct delivery: the writes already started finish (or the timeout passes) before the sink
                // closes; like the recorder's, idempotent, and events() completes
                directClosing = directPending.drained().timeout(timeout, Mono.empty())
                        .then(Mono.defer(sink::close))
                        .doFinally(s -> directEvents.complete())
                        .cache();
            }
            return directClosing;
        }
    }

    /**
     * @return whether calls are tracked (the master switch)
     */
    public boolean isEnabled() {
        return enabled;
    }

    /** Turns tracking on: new subscriptions are tracked again. */
    public void enable() {
        enabled = true;
    }

    /** Turns tracking off: new subscriptions pass through untouched and nothing is recorded. */
    public void disable() {
        enabled = false;
    }

    /**
     * @return the sink records go to
     */
    public SpectraSink sink() {
        return sink;
    }

    /**
     * @return the pricing
     */
    public Pricing pricing() {
        return pricing;
    }

    /**
     * @return the response reader (by default, the provider registry)
     */
    public ResponseReader responseReader() {
        return responseReader;
    }

    /**
     * @return the providers this tracker recognises by host and path (capture paths such as the WebClient filter)
     */
    public ProviderRegistry providers() {
        return providers;
    }

    /**
     * @return the bound on a request's serialised metadata, in bytes
     */
    public int metadataMaxBytes() {
        return metadataMaxBytes;
    }

    /**
     * The clock of start times. The default system clock is read once a second and advanced in between by
     * {@link System#nanoTime()} (start times are then monotonic and cheap); any other clock set on the builder,
     * or a clock given together with {@link Builder#nanoTime}, is read on every call.
     *
     * @return the clock of start times
     */
    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "SpectraTracker{sink=" + sink + ", delivery=" + (recorder != null ? recorder.options() : "direct")
                + ", enabled=" + enabled + ", metadataMaxBytes=" + metadataMaxBytes + ", redactKeys="
                + redactor.patterns() + ", pricing=" + pricing + ", responseReader=" + responseReader + "}";
    }

    // ------------------------------------------------------------------------------------------ engine

    /**
     * Starts the state of one subscription, or returns null when it must pass through untracked (tracker
     * disabled, or tracking itself failed: never the user's problem).
     */
    static @Nullable CallState begin(@Nullable SpectraTracker fixed, String provider, String model,
                                     TrackOptions options, ContextView view, boolean streaming) {
        SpectraTracker t = null;
        try {
            TrackingAttributes attrs = TrackingAttributes.from(view);
            t = resolve(fixed, attrs);
            if (t == null || !t.enabled) {
                return null;
            }
            return new CallState(t, provider, model, options, view, attrs, streaming);
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            if (t != null) {
                t.internalError("starting a " + provider + " call", e);
            } else {
                LOG.warn("begin", "Spectra could not start tracking a " + provider + " call; it runs untracked", e);
            }
            return null;
        }
    }

    /**
     * The tracker of a subscription: the operator's own, else the one bound in its Context, else the global one
     * (created on first use). Null only when even that failed, which is logged: the call then runs untracked.
     */
    static @Nullable SpectraTracker resolve(@Nullable SpectraTracker fixed, @Nullable TrackingAttributes attrs) {
        if (fixed != null) {
            return fixed;
        }
        SpectraTracker bound = attrs == null ? null : attrs.tracker();
        if (bound != null) {
            return bound;
        }
        try {
            return Spectra.tracker();
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            LOG.warn("resolve", "Spectra could not create its global tracker; calls run untracked", e);
            return null;
        }
    }

    static void checkCall(@Nullable String provider, @Nullable String model) {
        if (provider == null) {
            throw new NullPointerException("provider must not be null (e.g. \"openai\")");
        }
        if (model == null) {
            throw new NullPointerException("model must not be null (e.g. \"gpt-4o\")");
        }
        if (provider.isBlank()) {
            throw new IllegalArgumentException("provider must not be blank (e.g. \"openai\")");
        }
        if (model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank (e.g. \"gpt-4o\")");
        }
    }

    long nanoTime() {
        return nanoTime.getAsLong();
    }

    /** Whether start times come from the monotonic clock and a once-a-second wall-clock base (the default). */
    boolean startsFromMonotonicClock() {
        return wallClock != null;
    }

    /** The wall-clock instant of a monotonic time read by {@link #nanoTime()} just before, microsecond precision. */
    Instant now(long nanos) {
        return wallClock != null ? wallClock.at(nanos) : clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    UUID newId(Instant at) {
        return idGenerator != null ? idGenerator.get() : Uuids.v7(at.toEpochMilli());
    }

    Redactor redactor() {
        return redactor;
    }

    @Nullable String resolveTraceId(ContextView view) {
        try {
            String id = traceIdResolver.apply(view);
            return id == null || id.isBlank() ? null : id.length() > 128 ? id.substring(0, 128) : id;
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            internalError("resolving a trace id", e);
            return null;
        }
    }

    void deliver(TrackedRequest record) {
        recorded.increment();
        try {
            if (recorder != null) {
                recorder.record(record);
                return;
            }
            DirectWrite write = new DirectWrite(record, directPending.started());
            try {
                sink.write(write).subscribe(write);
            } catch (Throwable e) {
                write.onError(e); // a sink that throws instead of signalling: the write is over, and failed
                Fatal.rethrowIfFatal(e);
            }
            directEvents.emit(record); // after the write started: a subscriber that throws cannot skip it
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            internalError("delivering record " + record.id(), e);
        }
    }

    void readFailed(String provider, Throwable error) {
        readFailures.increment();
        LOG.warn("read:" + provider, "Spectra could not read a " + provider
                + " response; its usage is recorded as unknown", error);
    }

    void responseUnread(String provider, String why) {
        readFailures.increment();
        LOG.warn("unread:" + provider, why + "; its usage is recorded as unknown", null);
    }

    void unpriced(String provider, String model, PricingTier tier) {
        unpriced.increment();
        LOG.warn("unpriced", "Spectra has no " + tier + " price for " + provider + "/" + model
                + "; its cost is recorded as null (add it with PricingCatalog overrides)", null);
    }

    /**
     * Reports that tracking itself failed (an integration such as a filter could not observe or record a call;
     * the call goes on, untracked or partly tracked): counted in {@link TrackerStats#trackingErrors()} and
     * logged, rate-limited. For integrations; never throws, except a {@link VirtualMachineError} given to it.
     *
     * @param what what was being done, e.g. {@code "matching a request"}
     * @param error the failure
     */
    public void trackingFailed(String what, Throwable error) {
        Fatal.rethrowIfFatal(error);
        internalError(Objects.requireNonNullElse(what, "tracking"), error);
    }

    void internalError(String what, Throwable error) {
        trackingErrors.increment();
        untrackedError(what, error);
    }

    /** Logs a failure of tracking (rate-limited); {@link #internalError} also counts it. */
    static void untrackedError(String what, Throwable error) {
        LOG.warn("internal", "Spectra failed while " + what + "; the call itself is not affected", error);
    }

    /**
     * One direct write: the batch of one record handed to the sink, and the subscriber counting the write's outcome.
     * One small object for both (this runs for every record of a direct-delivery tracker); a write's publisher
     * signals at most one terminal signal (Reactive Streams rule 1.7), and a sink that throws instead is counted
     * by {@link #deliver} through {@link #onError} once.
     */
    private static final class DirectWrite extends AbstractList<TrackedRequest>
            implements CoreSubscriber<Void>, RandomAccess {
        private final TrackedRequest record;
        private final PendingWrites.Epoch epoch;

        DirectWrite(TrackedRequest record, PendingWrites.Epoch epoch) {
            this.record = record;
            this.epoch = epoch;
        }

        @Override
        public TrackedRequest get(int index) {
            Objects.checkIndex(index, 1);
            return record;
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Void v) {
        }

        @Override
        public void onError(Throwable e) {
            epoch.finished(false);
            LOG.warn("direct-write", "Spectra sink failed to write record " + record.id(), e);
        }

        @Override
        public void onComplete() {
            epoch.finished(true);
        }
    }

    /** The default trace id source: a W3C {@code traceparent} in the Context ({@code 00-<trace>-<span>-<flags>}). */
    static @Nullable String traceparent(ContextView view) {
        Object tp = view.getOrDefault("traceparent", null);
        if (tp instanceof String s) {
            String[] parts = s.trim().split("-");
            if (parts.length >= 3 && parts[1].length() == 32 && !parts[1].equals("00000000000000000000000000000000")) {
                return parts[1].toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** Builds a {@link SpectraTracker}. Setters check their argument. */
    public static final class Builder {
        private @Nullable SpectraSink sink;
        private RecorderOptions recorderOptions = RecorderOptions.defaults();
        private boolean direct;
        private Clock clock = Clock.systemUTC();
        private @Nullable LongSupplier nanoTime;
        private @Nullable Supplier<UUID> idGenerator;
        private List<String> redactKeys = DEFAULT_REDACT_KEYS;
        private int metadataMaxBytes = DEFAULT_METADATA_MAX_BYTES;
        private boolean enabled = true;
        private @Nullable Pricing pricing;
        private @Nullable ProviderRegistry providers;
        private @Nullable ResponseReader responseReader;
        private Function<ContextView, @Nullable String> traceIdResolver = SpectraTracker::traceparent;

        private Builder() {
        }

        /**
         * @param sink where records go (default: a bounded {@link InMemorySink})
         * @return this builder
         */
        public Builder sink(SpectraSink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * @param options the recorder's queue, batch, timeout and retry settings
         * @return this builder
         */
        public Builder recorder(RecorderOptions options) {
            this.recorderOptions = Objects.requireNonNull(options, "recorder options");
            this.direct = false;
            return this;
        }

        /**
         * Writes each record straight to the sink on the thread that captured it, without a recorder: for tests
         * and in-memory sinks, not for sinks that do I/O.
         *
         * @return this builder
         */
        public Builder directDelivery() {
            this.direct = true;
            return this;
        }

        /**
         * @param clock the clock of start times (and of durations, unless {@link #nanoTime} is set)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param nanoTime the monotonic time source of durations (default {@code System::nanoTime})
         * @return this builder
         */
        public Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        /**
         * @param ids the id of each record (default: UUID version 7 of the start time)
         * @return this builder
         */
        public Builder idGenerator(Supplier<UUID> ids) {
            this.idGenerator = Objects.requireNonNull(ids, "idGenerator");
            return this;
        }

        /**
         * Replaces the secret-looking metadata keys (default {@link #DEFAULT_REDACT_KEYS}).
         *
         * @param keys the key patterns
         * @return this builder
         */
        public Builder redactKeys(Collection<String> keys) {
            Objects.requireNonNull(keys, "redactKeys");
            new Redactor(keys);
            this.redactKeys = List.copyOf(keys);
            return this;
        }

        /**
         * Adds secret-looking metadata keys to the current ones.
         *
         * @param keys more key patterns
         * @return this builder
         */
        public Builder addRedactKeys(String... keys) {
            List<String> all = new ArrayList<>(redactKeys);
            all.addAll(Arrays.asList(keys));
            return redactKeys(all);
        }

        /**
         * @param bytes bound on a request's serialised metadata, 256 .. 1 MiB (default 16 KiB)
         * @return this builder
         */
        public Builder metadataMaxBytes(int bytes) {
            if (bytes < 256 || bytes > 1024 * 1024) {
                throw new IllegalArgumentException("metadataMaxBytes must be in 256..1048576, was " + bytes);
            }
            this.metadataMaxBytes = bytes;
            return this;
        }

        /**
         * @param enabled the master switch's initial position (default on)
         * @return this builder
         */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /**
         * Turns usage into cost (default: {@link PricingCatalog#bundled()}; add or override prices with
         * {@code PricingCatalog.bundled().toBuilder().price(...).load(path).build()}).
         *
         * @param pricing the pricing
         * @return this builder
         */
        public Builder pricing(Pricing pricing) {
            this.pricing = Objects.requireNonNull(pricing, "pricing");
            return this;
        }

        /**
         * The providers recognised by host and path, whose wire formats read responses (default
         * {@link ProviderRegistry#builtIn()}; register a vLLM or gateway host with
         * {@code ProviderRegistry.builtIn().toBuilder().host("openai", "llm-gateway:8080").build()}).
         *
         * @param registry the registry
         * @return this builder
         */
        public Builder providers(ProviderRegistry registry) {
            this.providers = Objects.requireNonNull(registry, "providers");
            return this;
        }

        /**
         * Reads responses and stream chunks of the operators and manual flows (default: the provider registry).
         *
         * @param reader the reader
         * @return this builder
         */
        public Builder responseReader(ResponseReader reader) {
            this.responseReader = Objects.requireNonNull(reader, "responseReader");
            return this;
        }

        /**
         * Where a trace id comes from when neither the call nor the Spectra Context entries give one (default: a
         * W3C {@code traceparent} string under the Context key {@code "traceparent"}). Plug in Micrometer Tracing
         * or OpenTelemetry here. A result longer than 128 characters is cut to 128; null, blank or a thrown
         * exception (counted in {@link TrackerStats#trackingErrors()}) means "none", and the record's trace id is
         * then the record's own id as a string.
         *
         * @param resolver reads a trace id from the subscriber's Context
         * @return this builder
         */
        public Builder traceIdResolver(Function<ContextView, @Nullable String> resolver) {
            this.traceIdResolver = Objects.requireNonNull(resolver, "traceIdResolver");
            return this;
        }

        /**
         * @return the tracker (its recorder, if any, is running)
         */
        public SpectraTracker build() {
            return new SpectraTracker(this);
        }
    }
}
