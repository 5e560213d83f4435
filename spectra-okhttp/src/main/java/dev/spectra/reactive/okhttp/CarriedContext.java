package dev.spectra.reactive.okhttp;

import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.spectra.reactive.Spectra;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * Carries a caller's Context to {@link SpectraOkHttpInterceptor} across threads it cannot follow: the asynchronous
 * calls of the official SDKs, which hand the request to a pool of their own before OkHttp sees it. The caller
 * puts one request header, {@value #HEADER}, whose value stands for the Context; the interceptor takes the header
 * off the request before it is sent (the provider receives exactly what it would receive without it) and records
 * the call with that Context, as the WebClient filter records a call with its subscriber's Context:
 *
 * <pre>{@code
 * // the OpenAI SDK's asynchronous client, inside a scope or wherever the thread carries the caller's Context
 * openAi.async()
 *       .withOptions(o -> o.putHeader(CarriedContext.HEADER, CarriedContext.ofThread()))
 *       .chat().completions().create(params);
 *
 * // the same inside a Reactor pipeline: the subscriber's Context
 * Mono.deferContextual(ctx -> Mono.fromFuture(openAi.async()
 *         .withOptions(o -> o.putHeader(CarriedContext.HEADER, CarriedContext.of(ctx)))
 *         .chat().completions().create(params)));
 * }</pre>
 *
 * <p>Spring AI's {@code ChatClient} streams carry it without user code through {@code SpectraContextAdvisor}
 * (module {@code spectra-spring-ai}).
 *
 * <p>A value stands for its Context as long as the value itself is in use (held by the request, the SDK's options
 * or a client built with them): the Context is held weakly by the value, never past it, and a value reused for
 * many calls (a client built once with it, the SDK's retries) gives each of them the same Context. A value the
 * interceptor does not know (made in another process, or already released) gives the Context the calling thread
 * carries, as if there were no header. The header never reaches the provider through the interceptor; without
 * the interceptor on the client it would be sent as it is, so put it only on clients that have one.
 *
 * @since 0.2
 */
public final class CarriedContext {

    /** The request header that carries a Context to the interceptor; removed before the request is sent. */
    public static final String HEADER = "x-spectra-carried-context";

    private static final AtomicLong IDS = new AtomicLong();
    /** Keyed by the value's own instance, which the request holds: a Context lives as long as its value. */
    private static final Map<String, ContextView> CARRIED = new WeakHashMap<>();

    private CarriedContext() {
    }

    /**
     * A header value standing for this Context: its metadata, tags, trace id, trackable, pricing tier and bound
     * tracker reach the record of every call sent with the value, as if the call were made in that Context.
     *
     * @param context a subscriber's Context (e.g. from {@code Mono.deferContextual}) or {@link Spectra#threadContext()}
     * @return the value for {@link #HEADER}
     */
    public static String of(ContextView context) {
        Objects.requireNonNull(context, "context");
        String value = "c" + Long.toString(IDS.incrementAndGet(), 36); // made here: an instance of its own
        synchronized (CARRIED) {
            CARRIED.put(value, context);
        }
        return value;
    }

    /**
     * A header value standing for what the calling thread carries ({@link Spectra#threadContext()}: an open
     * {@code SpectraScope}, or what Micrometer context-propagation restored from a subscription).
     *
     * @return the value for {@link #HEADER}
     */
    public static String ofThread() {
        return of(Spectra.threadContext());
    }

    /** The Context a header value stands for, or null when this process does not know it. */
    static @Nullable ContextView lookUp(String value) {
        synchronized (CARRIED) {
            return CARRIED.get(value);
        }
    }
}
