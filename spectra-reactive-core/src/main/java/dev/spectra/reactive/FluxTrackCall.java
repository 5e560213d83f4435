package dev.spectra.reactive;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * {@code Spectra.trackStream(provider, model, call -> publisher)}: the streaming twin of {@link MonoTrackCall}. Per
 * subscription, starts a call, hands it to the callback, and tracks the chunks of what the callback returns.
 */
final class FluxTrackCall<T> extends Flux<T> {

    private final @Nullable TrackingEngine fixed;
    private final String provider;
    private final String model;
    private final TrackOptions options;
    private final Function<? super TrackedCall, ? extends Publisher<T>> callback;

    FluxTrackCall(@Nullable TrackingEngine fixed, String provider, String model, TrackOptions options,
                  Function<? super TrackedCall, ? extends Publisher<T>> callback) {
        this.fixed = fixed;
        this.provider = provider;
        this.model = model;
        this.options = options;
        this.callback = callback;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        MonoTrackCall.subscribeCall(actual, fixed, provider, model, options, false, callback);
    }
}
