package dev.spectra.reactive;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Observes one subscription for its {@link CallState} and passes every signal through untouched, on the same
 * thread, in the same order. The call is recorded before the terminal signal (for a Mono: before its value) is
 * passed on, so a test that sees the signal also sees the record. Recording never throws.
 *
 * <p>A source that breaks the Reactive Streams rules and signals after its terminal signal does not reach the
 * subscriber, as in Reactor's own {@code FluxTap}: a late value goes to {@link Operators#onNextDropped}, a late
 * error to {@link Operators#onErrorDropped}, a second completion is ignored; none changes the record.
 */
final class TrackedSubscriber<T> implements CoreSubscriber<T>, Subscription, Scannable {

    private final CoreSubscriber<? super T> actual;
    private final CallState state;
    private final boolean mono;
    private @Nullable Subscription s;
    /**
     * Set on onComplete or onError: later signals are dropped, and {@link Attr#TERMINATED} reads it. A plain field,
     * as in Reactor's operators: signals are serial (rule 1.3).
     */
    private boolean done;
    /** Set on cancel, for {@link Attr#CANCELLED}. */
    private boolean cancelled;

    TrackedSubscriber(CoreSubscriber<? super T> actual, CallState state, boolean mono) {
        this.actual = actual;
        this.state = state;
        this.mono = mono;
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.validate(this.s, s)) {
            this.s = s;
            actual.onSubscribe(this);
        }
    }

    @Override
    public void onNext(T t) {
        if (done) {
            Operators.onNextDropped(t, actual.currentContext());
            return;
        }
        if (mono) {
            state.onValue(t);
        } else {
            state.onChunk(t);
        }
        actual.onNext(t);
    }

    @Override
    public void onError(Throwable t) {
        if (done) {
            Operators.onErrorDropped(t, actual.currentContext());
            return;
        }
        done = true;
        state.onError(t);
        actual.onError(t);
    }

    @Override
    public void onComplete() {
        if (done) {
            return;
        }
        done = true;
        state.onComplete();
        actual.onComplete();
    }

    @Override
    public void request(long n) {
        Subscription sub = s;
        if (sub != null) {
            sub.request(n);
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        state.onCancel();
        Subscription sub = s;
        if (sub != null) {
            sub.cancel();
        }
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    @Override
    @SuppressWarnings("rawtypes") // Reactor's own signature
    public @Nullable Object scanUnsafe(Attr key) {
        if (key == Attr.PARENT) {
            return s;
        }
        if (key == Attr.ACTUAL) {
            return actual;
        }
        if (key == Attr.TERMINATED) {
            return done;
        }
        if (key == Attr.CANCELLED) {
            return cancelled;
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.SYNC;
        }
        return null;
    }

    @Override
    public String toString() {
        return "Spectra.tracked(" + state + ")";
    }
}
