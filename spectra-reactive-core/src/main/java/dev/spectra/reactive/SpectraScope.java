package dev.spectra.reactive;

import dev.spectra.reactive.internal.context.ThreadContext;
import org.jspecify.annotations.Nullable;

/**
 * Spectra's attributes and bound tracker carried by the current thread, for code that leaves Reactor: a blocking
 * SDK call, a plain Java service. Opened with {@link Spectra#scope}, closed with try-with-resources; while it is
 * open, the calls the thread makes through Spectra's HTTP integrations (the OkHttp interceptor, the Anthropic SDK
 * interceptor) are recorded with these attributes, as if they had been written into a Reactor Context:
 *
 * <pre>{@code
 * try (SpectraScope scope = Spectra.scope(Spectra.metadata("tenant_id", tenant), Spectra.tags("batch"))) {
 *     openAi.chat().completions().create(params);
 * }
 * }</pre>
 *
 * <p>Scopes nest: an inner scope merges over the outer one (the same rule as nested {@code contextWrite}s), and
 * closing it gives the thread back what it carried before. A scope belongs to the thread that opened it: closing
 * it there is required, closing it twice does nothing, closing it on another thread is an error.
 *
 * <p>Inside Reactor the same values move between the Context and the threads by Micrometer context-propagation,
 * when it is on the classpath (Spectra registers its accessors with {@code ServiceLoader}): with
 * {@code Hooks.enableAutomaticContextPropagation()}, a blocking call inside {@code Mono.fromCallable} sees what
 * {@code contextWrite(Spectra.metadata(...))} wrote below it; {@code contextCapture()} moves an open scope into
 * the Context.
 *
 * @since 0.1
 */
public final class SpectraScope implements AutoCloseable {

    private final Thread owner;
    private final @Nullable Object previousAttributes;
    private final @Nullable Object previousTracker;
    private boolean closed;

    SpectraScope(CallAttributes attributes, @Nullable SpectraTracker tracker) {
        this.owner = Thread.currentThread();
        this.previousAttributes = ThreadContext.attributes();
        this.previousTracker = ThreadContext.tracker();
        ThreadContext.attributes(attributes == CallAttributes.NONE ? null : attributes);
        ThreadContext.tracker(tracker);
    }

    /**
     * Gives the thread back what it carried before this scope opened.
     *
     * @throws IllegalStateException when called on another thread than the one that opened the scope
     */
    @Override
    public void close() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a SpectraScope must be closed on the thread that opened it ("
                    + owner.getName() + "), not on " + Thread.currentThread().getName());
        }
        if (closed) {
            return;
        }
        closed = true;
        ThreadContext.attributes(previousAttributes);
        ThreadContext.tracker(previousTracker);
    }

    @Override
    public String toString() {
        return "SpectraScope{" + (closed ? "closed" : "open on " + owner.getName()) + '}';
    }
}
