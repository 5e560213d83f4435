package dev.spectra.reactive;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.sink.Recorder;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * A configured tracker: how calls are read (provider formats), priced and timed, which metadata keys are secret and
 * how large metadata may be, where records go (a sink, and further destinations), and a master switch. Build one
 * with {@link #builder()}, install it with {@link Spectra#configure}, or bind it to one subscription with
 * {@link #bind()} (the facade uses a tracker bound in the Context before the global one).
 *
 * <p>Its operators mirror the {@link Spectra} facade's but always record with this tracker.
 *
 * @since 0.1
 */
public final class SpectraTracker {

    private final TrackingEngine engine;

    SpectraTracker(TrackerSettings settings) {
        this.engine = new TrackingEngine(settings);
    }

    /**
     * @return a builder with the defaults: in-memory sink, default recorder, the bundled pricing catalog and the
     *         built-in provider formats
     */
    public static SpectraTrackerBuilder builder() {
        return new SpectraTrackerBuilder();
    }

    /**
     * Tracks the call the callback makes; see {@link Spectra#track(String, String, Function)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param call makes the call, given the call in flight
     * @param <T> the response type
     * @return the call's first value, tracked
     */
    public <T> Mono<T> track(String provider, String model,
                             Function<? super TrackedCall, ? extends Publisher<T>> call) {
        return track(provider, model, call, TrackOptions.none());
    }

    /**
     * Tracks the call the callback makes, with options; see {@link Spectra#track(String, String, Function, TrackOptions)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param call makes the call, given the call in flight
     * @param options per-call options
     * @param <T> the response type
     * @return the call's first value, tracked
     * @throws IllegalArgumentException when the options' metadata is over this tracker's bound
     */
    public <T> Mono<T> track(String provider, String model,
                             Function<? super TrackedCall, ? extends Publisher<T>> call, TrackOptions options) {
        checkCall(provider, model, options);
        return new MonoTrackCall<>(engine, provider, model, options, Objects.requireNonNull(call, "call"));
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
     * @throws IllegalArgumentException when the options' metadata is over this tracker's bound
     */
    public <T> Function<Mono<T>, Mono<T>> tracked(String provider, String model, TrackOptions options) {
        checkCall(provider, model, options);
        return mono -> new MonoTracked<>(mono, engine, provider, model, options);
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
     * @throws IllegalArgumentException when the options' metadata is over this tracker's bound
     */
    public <T> Function<Flux<T>, Flux<T>> stream(String provider, String model, TrackOptions options) {
        checkCall(provider, model, options);
        return flux -> new FluxTracked<>(flux, engine, provider, model, options);
    }

    /**
     * Tracks the stream the callback opens; see {@link Spectra#trackStream(String, String, Function)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param call opens the stream, given the call in flight
     * @param <T> the chunk type
     * @return the chunks, tracked
     */
    public <T> Flux<T> trackStream(String provider, String model,
                                   Function<? super TrackedCall, ? extends Publisher<T>> call) {
        return trackStream(provider, model, call, TrackOptions.none());
    }

    /**
     * Tracks the stream the callback opens; see {@link Spectra#trackStream(String, String, Function, TrackOptions)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param call opens the stream, given the call in flight
     * @param options per-call options
     * @param <T> the chunk type
     * @return the chunks, tracked
     * @throws IllegalArgumentException when the options' metadata is over this tracker's bound
     */
    public <T> Flux<T> trackStream(String provider, String model,
                                   Function<? super TrackedCall, ? extends Publisher<T>> call,
                                   TrackOptions options) {
        checkCall(provider, model, options);
        return new FluxTrackCall<>(engine, provider, model, options, Objects.requireNonNull(call, "call"));
    }

    /**
     * Starts a call recorded by hand; see {@link Spectra#startCall(String, String, TrackOptions)}.
     *
     * @param provider provider id
     * @param model requested model
     * @param options per-call options
     * @return the call, to record with {@link Spectra#recordSuccess} or {@link Spectra#recordFailure}; when the
     *         tracker is disabled or starting it failed (counted), a call that records nothing
     * @throws IllegalArgumentException when the options' metadata is over this tracker's bound
     */
    public TrackedCall startCall(String provider, String model, TrackOptions options) {
        checkCall(provider, model, options);
        return engine.start(provider, model, options, null);
    }

    /**
     * Starts a call for a capture path of its own (an HTTP client filter, an SDK interceptor), which tells it what
     * passes and ends it with {@link TrackedCall#succeed()}, {@link TrackedCall#fail} or {@link TrackedCall#cancel()}.
     *
     * @param provider provider id
     * @param model requested model (may be updated with {@link TrackedCall#model} later)
     * @param options per-call options
     * @param view the Context of the subscription making the call, for its attributes and trace id
     * @return the call; when the tracker is disabled or starting it failed (counted), a call that records nothing
     * @throws IllegalArgumentException when the options' metadata is over this tracker's bound
     */
    public TrackedCall startCall(String provider, String model, TrackOptions options, ContextView view) {
        checkCall(provider, model, options);
        return engine.start(provider, model, options, Objects.requireNonNull(view, "view"));
    }

    /**
     * A Context writer that makes the facade ({@link Spectra}) and the capture paths use this tracker for the
     * subscription it is written into, instead of the global one: {@code .contextWrite(tracker.bind())}.
     *
     * @return the writer
     */
    public Function<Context, Context> bind() {
        return BoundTracker.writer(this);
    }

    /**
     * Records as they are captured, for alerts and budgets without polling; each record once, whatever the
     * destinations. Hot and best effort: a subscriber that cannot keep up misses records. With a recorder (the
     * default), subscribers run on a thread of the event stream's own, never on the tracked call's thread (see
     * {@link Recorder#events()}); with {@linkplain SpectraTrackerBuilder#directDelivery() direct delivery}, inline on
     * the thread that ended the call.
     *
     * @return the hot flux
     */
    public Flux<TrackedRequest> events() {
        return engine.events();
    }

    /**
     * @return the counters now: the tracker's, its sink's delivery's and each destination's
     */
    public TrackerStats stats() {
        return engine.stats();
    }

    /**
     * Writes everything recorded so far, to the sink and to every destination.
     *
     * @return completes when every record captured before the call has been written or has failed
     */
    public Mono<Void> flush() {
        return engine.flush();
    }

    /**
     * Stops recording, writes what is queued within the timeout and closes the sink and every destination's sink;
     * records captured after this are dropped and counted. With {@linkplain SpectraTrackerBuilder#directDelivery()
     * direct delivery}, waits (within the timeout) for the writes in flight before closing the sink. Idempotent:
     * every call returns the same (cached) result, the first call's timeout applies; {@link #events()} completes.
     *
     * @param timeout how long to wait for queued records
     * @return completes when closed
     */
    public Mono<Void> close(Duration timeout) {
        return engine.close(Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * @return whether calls are tracked (the master switch)
     */
    public boolean isEnabled() {
        return engine.isEnabled();
    }

    /** Turns tracking on: new subscriptions are tracked again. */
    public void enable() {
        engine.enabled(true);
    }

    /** Turns tracking off: new subscriptions pass through untouched and nothing is recorded. */
    public void disable() {
        engine.enabled(false);
    }

    /**
     * @return the pricing that turns this tracker's usage into cost
     */
    public Pricing pricing() {
        return engine.pricing();
    }

    /**
     * @return the providers this tracker recognises by host and path (capture paths such as the WebClient filter)
     */
    public ProviderRegistry providers() {
        return engine.settings().providers();
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
        engine.internalError(Objects.requireNonNullElse(what, "tracking"), error);
    }

    @Override
    public String toString() {
        return "SpectraTracker{" + engine + "}";
    }

    TrackingEngine engine() {
        return engine;
    }

    private void checkCall(String provider, String model, TrackOptions options) {
        TrackingEngine.checkCall(provider, model);
        engine.checkOptions(Objects.requireNonNull(options, "options"));
    }
}
