package dev.spectra.reactive;

import java.util.function.Function;

import dev.spectra.reactive.internal.Fatal;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * {@code Spectra.track(provider, model, call -> publisher)}: per subscription, starts a call, hands it to the
 * callback, and tracks the first value of what the callback returns. A callback that throws is recorded as a
 * failure and its exception is signalled as the error of the returned Mono. {@link FluxTrackCall} is its streaming
 * twin; both subscribe through {@link #subscribeCall}.
 */
final class MonoTrackCall<T> extends Mono<T> {

    private final @Nullable TrackingEngine fixed;
    private final String provider;
    private final String model;
    private final TrackOptions options;
    private final Function<? super TrackedCall, ? extends Publisher<T>> callback;

    MonoTrackCall(@Nullable TrackingEngine fixed, String provider, String model, TrackOptions options,
                  Function<? super TrackedCall, ? extends Publisher<T>> callback) {
        this.fixed = fixed;
        this.provider = provider;
        this.model = model;
        this.options = options;
        this.callback = callback;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        subscribeCall(actual, fixed, provider, model, options, true, callback);
    }

    /**
     * Starts the call of one subscription, runs the callback with it and subscribes {@code actual} to what it
     * returns, tracked: as a Mono (its first value ends the call) or as a stream of chunks.
     */
    static <T> void subscribeCall(CoreSubscriber<? super T> actual, @Nullable TrackingEngine fixed,
                                  String provider, String model, TrackOptions options, boolean mono,
                                  Function<? super TrackedCall, ? extends Publisher<T>> callback) {
        CallState state = TrackingEngine.begin(fixed, provider, model, options, actual.currentContext(), !mono);
        TrackedCall call = state != null ? state : detached(fixed, provider, model, options, actual);
        Publisher<T> publisher;
        try {
            publisher = callback.apply(call);
            if (publisher == null) {
                throw new NullPointerException("the track callback of " + provider + "/" + model + " returned null");
            }
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            if (state != null) {
                state.onError(e);
            }
            Operators.error(actual, Operators.onOperatorError(e, actual.currentContext()));
            return;
        }
        if (mono) {
            Mono.from(publisher).subscribe(state == null ? actual : new TrackedSubscriber<>(actual, state, true));
        } else {
            Flux.from(publisher).subscribe(state == null ? actual : new TrackedSubscriber<>(actual, state, false));
        }
    }

    /** The call of a subscription that runs untracked: its tracker's when one can be found (for its settings). */
    private static TrackedCall detached(@Nullable TrackingEngine fixed, String provider, String model,
                                        TrackOptions options, CoreSubscriber<?> actual) {
        return CallState.detached(TrackingEngine.resolve(fixed, actual.currentContext()), provider, model, options);
    }
}
