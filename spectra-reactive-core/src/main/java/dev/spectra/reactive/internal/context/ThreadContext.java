package dev.spectra.reactive.internal.context;

import org.jspecify.annotations.Nullable;

/**
 * The two values Spectra keeps in a Reactor Context, as the current thread carries them: the call attributes and
 * the bound tracker, each under the same key as in the Context, so that Micrometer context-propagation moves each
 * value between the two as it is ({@link AttributesAccessor}, {@link TrackerAccessor}). The values are opaque
 * here; their readers check their type.
 */
public final class ThreadContext {

    /** The Context key of the call attributes written by {@code Spectra.metadata}, {@code Spectra.tags} ... */
    public static final String ATTRIBUTES_KEY = "dev.spectra.reactive.attributes";

    /** The Context key of the tracker bound with {@code SpectraTracker.bind()}. */
    public static final String TRACKER_KEY = "dev.spectra.reactive.tracker";

    private static final ThreadLocal<@Nullable Object> ATTRIBUTES = new ThreadLocal<>();
    private static final ThreadLocal<@Nullable Object> TRACKER = new ThreadLocal<>();

    private ThreadContext() {
    }

    /**
     * @return the call attributes the current thread carries, or null
     */
    public static @Nullable Object attributes() {
        return ATTRIBUTES.get();
    }

    /**
     * @param value the call attributes the current thread carries from now on; null removes them
     */
    public static void attributes(@Nullable Object value) {
        set(ATTRIBUTES, value);
    }

    /**
     * @return the tracker the current thread carries, or null
     */
    public static @Nullable Object tracker() {
        return TRACKER.get();
    }

    /**
     * @param value the tracker the current thread carries from now on; null removes it
     */
    public static void tracker(@Nullable Object value) {
        set(TRACKER, value);
    }

    private static void set(ThreadLocal<@Nullable Object> local, @Nullable Object value) {
        if (value == null) {
            local.remove();
        } else {
            local.set(value);
        }
    }
}
