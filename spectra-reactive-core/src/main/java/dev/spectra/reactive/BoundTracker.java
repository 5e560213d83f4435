package dev.spectra.reactive;

import java.util.function.Function;

import dev.spectra.reactive.internal.context.ThreadContext;
import org.jspecify.annotations.Nullable;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * The tracker bound to a subscription ({@link SpectraTracker#bind()}), under a Context key of its own: the facade
 * and the capture paths record with it instead of the global tracker.
 */
final class BoundTracker {

    /** The Context key of the bound tracker. */
    static final String CONTEXT_KEY = ThreadContext.TRACKER_KEY;

    private BoundTracker() {
    }

    /**
     * @param tracker the tracker to bind
     * @return a Context writer binding it; the binding closest to the tracked call wins
     */
    static Function<Context, Context> writer(SpectraTracker tracker) {
        return ctx -> ctx.put(CONTEXT_KEY, tracker);
    }

    /**
     * @param view a subscriber's Context
     * @return the tracker bound in it, or null
     */
    static @Nullable SpectraTracker in(ContextView view) {
        Object t = view.getOrDefault(CONTEXT_KEY, null);
        return t instanceof SpectraTracker tracker ? tracker : null;
    }
}
