package dev.spectra.reactive;

import java.util.function.Function;

import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.TrackingAttributes;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * {@code Spectra.track(provider, model, ctx -> publisher)} and its streaming twin: per subscription, starts a call,
 * hands its context to the callback, and tracks what the callback returns. A callback that throws is recorded as
 * a failure and its exception is signalled as the error of the returned publisher.
 */
final class TrackedCallback {

    private TrackedCallback() {
    }

    static <T> Mono<T> mono(@Nullable SpectraTracker fixed, String provider, String model, TrackOptions options,
                            Function<? super RequestContext, ? extends Publisher<T>> call) {
        return new MonoCall<>(fixed, provider, model, options, call);
    }

    static <T> Flux<T> flux(@Nullable SpectraTracker fixed, String provider, String model, TrackOptions options,
                            Function<? super RequestContext, ? extends Publisher<T>> call) {
        return new FluxCall<>(fixed, provider, model, options, call);
    }

    /** The context of a call that runs untracked: its bound tracker when one can be found (for its settings). */
    private static RequestContext detached(@Nullable SpectraTracker fixed, String provider, String model,
                                           TrackOptions options, CoreSubscriber<?> actual) {
        SpectraTracker tracker;
        try {
            tracker = SpectraTracker.resolve(fixed, TrackingAttributes.from(actual.currentContext()));
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            tracker = fixed;
        }
        return CallState.detached(tracker, provider, model, options);
    }

    private static <T> void subscribe(CoreSubscriber<? super T> actual, @Nullable SpectraTracker fixed,
                                      String provider, String model, TrackOptions options, boolean mono,
                                      Function<? super RequestContext, ? extends Publisher<T>> call) {
        CallState state = SpectraTracker.begin(fixed, provider, model, options, actual.currentContext(), !mono);
        RequestContext ctx = state != null ? state : detached(fixed, provider, model, options, actual);
        Publisher<T> publisher;
        try {
            publisher = call.apply(ctx);
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
            Mono<T> m = Mono.from(publisher);
            m.subscribe(state == null ? actual : new TrackedSubscriber<>(actual, state, true));
        } else {
            Flux<T> f = Flux.from(publisher);
            f.subscribe(state == null ? actual : new TrackedSubscriber<>(actual, state, false));
        }
    }

    private static final class MonoCall<T> extends Mono<T> {
        private final @Nullable SpectraTracker fixed;
        private final String provider;
        private final String model;
        private final TrackOptions options;
        private final Function<? super RequestContext, ? extends Publisher<T>> call;

        MonoCall(@Nullable SpectraTracker fixed, String provider, String model, TrackOptions options,
                 Function<? super RequestContext, ? extends Publisher<T>> call) {
            this.fixed = fixed;
            this.provider = provider;
            this.model = model;
            this.options = options;
            this.call = call;
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            TrackedCallback.subscribe(actual, fixed, provider, model, options, true, call);
        }
    }

    private static final class FluxCall<T> extends Flux<T> {
        private final @Nullable SpectraTracker fixed;
        private final String provider;
        private final String model;
        private final TrackOptions options;
        private final Function<? super RequestContext, ? extends Publisher<T>> call;

        FluxCall(@Nullable SpectraTracker fixed, String provider, String model, TrackOptions options,
                 Function<? super RequestContext, ? extends Publisher<T>> call) {
            this.fixed = fixed;
            this.provider = provider;
            this.model = model;
            this.options = options;
            this.call = call;
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            TrackedCallback.subscribe(actual, fixed, provider, model, options, false, call);
        }
    }
}
