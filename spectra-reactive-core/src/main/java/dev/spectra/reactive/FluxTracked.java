package dev.spectra.reactive;

import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;

/** {@code flux.transform(Spectra.stream(...))}: records one streamed call per subscription. */
final class FluxTracked<T> extends FluxOperator<T, T> {

    private final @Nullable TrackingEngine fixed;
    private final String provider;
    private final String model;
    private final TrackOptions options;

    FluxTracked(Flux<? extends T> source, @Nullable TrackingEngine fixed, String provider, String model,
                TrackOptions options) {
        super(source);
        this.fixed = fixed;
        this.provider = provider;
        this.model = model;
        this.options = options;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        CallState state = TrackingEngine.begin(fixed, provider, model, options, actual.currentContext(), true);
        if (state == null) {
            source.subscribe(actual);
        } else {
            source.subscribe(new TrackedSubscriber<>(actual, state, false));
        }
    }

    @Override
    @SuppressWarnings("rawtypes") // Reactor's own signature
    public @Nullable Object scanUnsafe(Attr key) {
        return key == Attr.RUN_STYLE ? Attr.RunStyle.SYNC : super.scanUnsafe(key);
    }
}
