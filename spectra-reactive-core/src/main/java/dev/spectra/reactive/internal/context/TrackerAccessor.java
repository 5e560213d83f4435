package dev.spectra.reactive.internal.context;

import io.micrometer.context.ThreadLocalAccessor;
import org.jspecify.annotations.Nullable;

/**
 * Moves the bound tracker between a Reactor Context (key {@value ThreadContext#TRACKER_KEY}) and the thread
 * that runs the subscription, for Micrometer context-propagation. Registered through {@code ServiceLoader}; not
 * for direct use.
 */
public final class TrackerAccessor implements ThreadLocalAccessor<Object> {

    /** Created by {@code ServiceLoader}. */
    public TrackerAccessor() {
    }

    @Override
    public Object key() {
        return ThreadContext.TRACKER_KEY;
    }

    @Override
    public @Nullable Object getValue() {
        return ThreadContext.tracker();
    }

    @Override
    public void setValue(Object value) {
        ThreadContext.tracker(value);
    }

    @Override
    public void setValue() {
        ThreadContext.tracker(null);
    }
}
