package dev.spectra.reactive.webclient;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Passes every signal on to the subscriber it wraps, in order, on the same thread, with the same demand: the base
 * of the filter's observing operators, which override the signals they look at and call on.
 *
 * @param <T> the elements
 */
abstract class ForwardingSubscriber<T> implements CoreSubscriber<T>, Subscription, Scannable {

    /** The subscriber signals go on to. */
    final CoreSubscriber<? super T> actual;
    /** The subscription signals come from, once subscribed. */
    @Nullable Subscription upstream;

    ForwardingSubscriber(CoreSubscriber<? super T> actual) {
        this.actual = actual;
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.validate(upstream, s)) {
            upstream = s;
            actual.onSubscribe(this);
        }
    }

    @Override
    public void onNext(T t) {
        actual.onNext(t);
    }

    @Override
    public void onError(Throwable t) {
        actual.onError(t);
    }

    @Override
    public void onComplete() {
        actual.onComplete();
    }

    @Override
    public void request(long n) {
        upstream.request(n);
    }

    @Override
    public void cancel() {
        upstream.cancel();
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    /** @return whether a terminal signal has passed, or null when this subscriber does not keep track */
    @Nullable Boolean terminated() {
        return null;
    }

    @Override
    @SuppressWarnings("rawtypes") // Reactor's own signature
    public @Nullable Object scanUnsafe(Attr key) {
        if (key == Attr.PARENT) {
            return upstream;
        }
        if (key == Attr.ACTUAL) {
            return actual;
        }
        if (key == Attr.TERMINATED) {
            return terminated();
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.SYNC;
        }
        return null;
    }
}
