package dev.spectra.reactive.internal.context;

import io.micrometer.context.ThreadLocalAccessor;
import org.jspecify.annotations.Nullable;

/**
 * Moves the call attributes between a Reactor Context (key {@value ThreadContext#ATTRIBUTES_KEY}) and the thread
 * that runs the subscription, for Micrometer context-propagation. Registered through {@code ServiceLoader}; not
 * for direct use.
 */
public final class AttributesAccessor implements ThreadLocalAccessor<Object> {

    /** Created by {@code ServiceLoader}. */
    public AttributesAccessor() {
    }

    @Override
    public Object key() {
        return ThreadContext.ATTRIBUTES_KEY;
    }

    @Override
    public @Nullable Object getValue() {
        return ThreadContext.attributes();
    }

    @Override
    public void setValue(Object value) {
        ThreadContext.attributes(value);
    }

    @Override
    public void setValue() {
        ThreadContext.attributes(null);
    }
}
