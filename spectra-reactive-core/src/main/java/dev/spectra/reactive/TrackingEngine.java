package dev.spectra.reactive;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.Metadata;
import dev.spectra.reactive.internal.RateLimitedLog;
import dev.spectra.reactive.internal.MetadataRedactor;
import dev.spectra.reactive.internal.SecretScrubber;
import dev.spectra.reactive.internal.Uuids;
import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.provider.ResponseReader;
import dev.spectra.reactive.sink.Delivery;
import dev.spectra.reactive.sink.RecorderOptions;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * What a {@link SpectraTracker} runs on, and the one service a {@link CallState} calls back into: start times and
 * ids of calls, the response reader and pricing, trace id resolution, metadata redaction and bound, the counters of
 * what went wrong, and the delivery of records. Its static {@link #begin} and {@link #resolve} are what the
 * operators call to start the call of a subscription.
 */
final class TrackingEngine {

    private static final RateLimitedLog LOG = new RateLimitedLog(SpectraTracker.class);

    /** The redaction of calls that have no tracker at all (a detached call whose tracker could not be found). */
    static final MetadataRedactor DEFAULT_REDACTOR = new MetadataRedactor(SpectraTrackerBuilder.DEFAULT_REDACT_KEYS);

    private final TrackerSettings settings;
    private final CallClock clock;
    private final @Nullable Supplier<UUID> idGenerator;
    private final MetadataRedactor redactor;
    private final ResponseReader responseReader;
    private final Pricing pricing;
    private final Function<ContextView, @Nullable String> traceIdResolver;
    private final Function<ContextView, @Nullable String> parentSpanIdResolver;
    /** The delivery to the tracker's sink: queued or direct. */
    private final Delivery delivery;
    private final Destinations destinations;
    private volatile boolean enabled;

    private final LongAdder recorded = new LongAdder();
    private final LongAdder readFailures = new LongAdder();
    private final LongAdder unpriced = new LongAdder();
    private final LongAdder trackingErrors = new LongAdder();

    TrackingEngine(TrackerSettings settings) {
        this.settings = settings;
        this.clock = CallClock.of(settings.clock(), settings.ticker());
        this.idGenerator = settings.idGenerator();
        this.redactor = new MetadataRedactor(settings.redactKeys());
        this.responseReader = settings.responseReader();
        this.pricing = settings.pricing();
        this.traceIdResolver = settings.traceIdResolver();
        this.parentSpanIdResolver = settings.parentSpanIdResolver();
        Map<String, Delivery> destinations = new LinkedHashMap<>();
        settings.destinations().forEach((name, d) -> destinations.put(name, Delivery.queued(d.sink(), d.options())));
        RecorderOptions queue = settings.recorder();
        this.delivery = queue == null ? Delivery.direct(settings.sink()) : Delivery.queued(settings.sink(), queue);
        this.destinations = new Destinations(destinations);
        this.enabled = settings.enabled();
    }

    // ------------------------------------------------------------------------------------------ the operators

    /**
     * Starts the call of one subscription, or returns null when it must pass through untracked (tracker disabled,
     * or tracking itself failed: never the user's problem).
     *
     * @throws IllegalArgumentException when the options' metadata is over the bound of the tracker that would
     *         record the call (bad input: the subscriber's error)
     */
    static @Nullable CallState begin(@Nullable TrackingEngine fixed, String provider, String model,
                                     TrackOptions options, ContextView view, boolean streaming) {
        TrackingEngine engine = resolve(fixed, view);
        if (engine == null || !engine.enabled) {
            return null;
        }
        engine.checkOptions(options);
        try {
            return new CallState(engine, provider, model, options, view, streaming).announce();
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            engine.internalError("starting a " + provider + " call", e);
            return null;
        }
    }

    /**
     * The engine of a subscription: the operator's own, else the one of the tracker bound in its Context, else the
     * global tracker's (created on first use). Null only when even that failed, which is logged: the call then runs
     * untracked.
     */
    static @Nullable TrackingEngine resolve(@Nullable TrackingEngine fixed, ContextView view) {
        if (fixed != null) {
            return fixed;
        }
        try {
            SpectraTracker bound = BoundTracker.in(view);
            return (bound != null ? bound : Spectra.tracker()).engine();
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            LOG.warn("resolve", "Spectra could not create its global tracker; calls run untracked", e);
            return null;
        }
    }

    /**
     * Checks the provider and model an operator or a start is given.
     *
     * @throws NullPointerException or IllegalArgumentException naming the argument, with an example
     */
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

    /**
     * A call of this tracker started outside the operators (by hand, or by a capture path): never throws, and is
     * detached (records nothing) when the tracker is disabled or starting it failed.
     */
    CallState start(String provider, String model, TrackOptions options, @Nullable ContextView view) {
        if (!enabled) {
            return CallState.detached(this, provider, model, options);
        }
        try {
            return new CallState(this, provider, model, options, view, false).announce();
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            internalError("starting a " + provider + " call", e);
            return CallState.detached(this, provider, model, options);
        }
    }

    /**
     * Checks options against this tracker's metadata bound.
     *
     * @throws IllegalArgumentException naming the largest key when the options' metadata is over the bound
     */
    void checkOptions(TrackOptions options) {
        Metadata m = options.attributes().metadata();
        Metadata.checkSize(m, m, settings.metadataMaxBytes());
    }

    // ------------------------------------------------------------------------------------------ for CallState

    long nanoTime() {
        return clock.nanoTime();
    }

    /** The wall-clock instant of a ticker reading taken just before, microsecond precision. */
    Instant startTime(long nanos) {
        return clock.at(nanos);
    }

    UUID newId(Instant startedAt) {
        return idGenerator != null ? idGenerator.get() : Uuids.v7(startedAt.toEpochMilli());
    }

    MetadataRedactor redactor() {
        return redactor;
    }

    int metadataMaxBytes() {
        return settings.metadataMaxBytes();
    }

    ResponseReader responseReader() {
        return responseReader;
    }

    Pricing pricing() {
        return pricing;
    }

    /**
     * The trace id the tracker's resolver reads from a Context: at most 128 characters, null for none. A longer one
     * is scrubbed before it is cut, so that no cut leaves part of a credential (a JWT's claims) unrecognised.
     */
    @Nullable String resolveTraceId(ContextView view) {
        try {
            String id = traceIdResolver.apply(view);
            return id == null || id.isBlank() ? null : id.length() > 128 ? longTraceId(id) : id;
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            internalError("resolving a trace id", e);
            return null;
        }
    }

    /** A trace id past its bound: scrubbed, then cut to 128 characters (kept apart: the common path stays small). */
    private String longTraceId(String id) {
        String scrubbed = SecretScrubber.scrubValue(id, redactor);
        return scrubbed.length() > 128 ? scrubbed.substring(0, 128) : scrubbed;
    }

    /** The id of the span current where the call was made, from a Context: 16 lower-case hex digits, or null. */
    @Nullable String resolveParentSpanId(ContextView view) {
        try {
            return spanId(parentSpanIdResolver.apply(view));
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            internalError("resolving a parent span id", e);
            return null;
        }
    }

    /** A W3C span id in its canonical form (16 lower-case hex digits, not all zeros), or null for anything else. */
    static @Nullable String spanId(@Nullable String id) {
        if (id == null || id.length() != 16 || id.equals("0000000000000000")) {
            return null;
        }
        for (int i = 0; i < 16; i++) {
            if (Character.digit(id.charAt(i), 16) < 0) {
                return null;
            }
        }
        return id.toLowerCase(Locale.ROOT);
    }

    /**
     * Hands the record of a call to the sink's delivery and every destination.
     *
     * @param endedAt the reading of {@link #nanoTime()} that ended the call
     */
    void deliver(TrackedRequest record, long endedAt) {
        recorded.increment();
        clock.deliver(delivery, record, endedAt);
        destinations.deliver(record, endedAt, clock);
    }

    void readFailed(String provider, Throwable error) {
        readFailures.increment();
        LOG.warn("read:" + provider, "Spectra could not read a " + provider
                + " response; its usage is recorded as unknown", error);
    }

    /** A call succeeded, but what its provider answered could not be read (not JSON, malformed events ...). */
    void unreadable(String provider, String problem) {
        readFailures.increment();
        LOG.warn(UNREADABLE_KINDS.computeIfAbsent(provider, p -> "unreadable:" + p), "Spectra could not read a ",
                provider, " response (", problem, "); its usage is recorded as unknown");
    }

    /** The rate-limit key of an unreadable answer, per provider: built once, not on every call that repeats it. */
    private static final ConcurrentHashMap<String, String> UNREADABLE_KINDS = new ConcurrentHashMap<>();

    /** An HTTP integration left a response unread for a reason of its own (a memory bound): usage unknown. */
    void responseUnread(String provider, String why) {
        readFailures.increment();
        LOG.warn("unread:" + provider, why + "; its usage is recorded as unknown", null);
    }

    void unpriced(String provider, String model, PricingTier tier) {
        unpriced.increment();
        LOG.warn("unpriced", () -> "Spectra has no " + tier + " price for " + provider + "/" + model
                + "; its cost is recorded as null (add it with PricingCatalog overrides)", null);
    }

    /** A failure of tracking itself: counted in {@link TrackerStats#trackingErrors()} and logged, rate-limited. */
    void internalError(String what, Throwable error) {
        trackingErrors.increment();
        untrackedError(what, error);
    }

    /** Logs a failure of tracking that no tracker can count (rate-limited). */
    static void untrackedError(String what, Throwable error) {
        LOG.warn("internal", "Spectra failed while " + what + "; the call itself is not affected", error);
    }

    // ------------------------------------------------------------------------------------------ for SpectraTracker

    TrackerSettings settings() {
        return settings;
    }

    CallClock clock() {
        return clock;
    }

    /** Records as they are delivered, each once: the sink's delivery's events. */
    Flux<TrackedRequest> events() {
        return delivery.events();
    }

    Mono<Void> flush() {
        return Mono.when(delivery.flush(), destinations.flush());
    }

    /** Closes the sink's delivery and every destination at once, each within the timeout. */
    Mono<Void> close(Duration timeout) {
        return Mono.when(delivery.close(timeout), destinations.close(timeout));
    }

    boolean isEnabled() {
        return enabled;
    }

    void enabled(boolean on) {
        enabled = on;
    }

    TrackerStats stats() {
        return new TrackerStats(recorded.sum(), readFailures.sum(), unpriced.sum(), trackingErrors.sum(),
                delivery.stats(), destinations.stats());
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

    /** The default parent span id source: the span id of a W3C {@code traceparent} in the Context. */
    static @Nullable String traceparentSpanId(ContextView view) {
        Object tp = view.getOrDefault("traceparent", null);
        if (tp instanceof String s && traceparent(view) != null) {
            String[] parts = s.trim().split("-");
            return parts.length >= 4 ? parts[2] : null;
        }
        return null;
    }

    @Override
    public String toString() {
        return settings + ", enabled=" + enabled;
    }
}
