package dev.spectra.reactive.internal;

import dev.spectra.reactive.TrackedCall;
import dev.spectra.reactive.TrackedRequest;
import reactor.util.context.ContextView;

/**
 * Told, through the Reactor Context of a subscription, when a tracking operator below it starts its call and when
 * that call is recorded: how an enforcing operator written downstream of a tracking one (a budget) learns the
 * call's handle (to give it the usage it estimated when it cut a stream off) and its record (to settle with the
 * actual cost). Both methods run on the thread of the tracking operator and must not block or throw.
 */
public interface CallObserver {

    /** The Context key an observer is written under. */
    String CONTEXT_KEY = "dev.spectra.reactive.callObserver";

    /**
     * @param view a subscription's Context
     * @return the observer written in it, or null
     */
    static @org.jspecify.annotations.Nullable CallObserver in(@org.jspecify.annotations.Nullable ContextView view) {
        if (view == null) {
            return null;
        }
        Object o = view.getOrDefault(CONTEXT_KEY, null);
        return o instanceof CallObserver observer ? observer : null;
    }

    /**
     * A tracked call of the subscription started.
     *
     * @param call the call
     */
    void started(TrackedCall call);

    /**
     * The call was recorded.
     *
     * @param record its record
     */
    void recorded(TrackedRequest record);
}
