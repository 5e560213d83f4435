package dev.spectra.reactive.opentelemetry.internal;

import java.util.Map;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * Finds the span that was current where a call was made, in the subscriber's Reactor Context: an OpenTelemetry
 * {@link Context} under the key {@code Context.class} (where the public API puts it), else any OpenTelemetry
 * {@link Context} or {@link Span} under another key (instrumentation libraries keep theirs under their own), else a
 * W3C {@code traceparent} string under {@code "traceparent"} (Spectra's own default). Read when the record is
 * made, which may be on any thread, so never from a thread-local.
 */
public final class CallerSpan {

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public @Nullable String get(@Nullable Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private CallerSpan() {
    }

    /**
     * @param view the subscriber's Context
     * @return the trace id of the caller's span, 32 lower-case hex digits, or null when there is none
     */
    public static @Nullable String traceId(ContextView view) {
        SpanContext span = find(view);
        return span == null ? null : span.getTraceId();
    }

    /**
     * @param view the subscriber's Context
     * @return the span id of the caller's span, 16 lower-case hex digits, or null when there is none
     */
    public static @Nullable String spanId(ContextView view) {
        SpanContext span = find(view);
        return span == null ? null : span.getSpanId();
    }

    /**
     * @param view the subscriber's Context
     * @return the caller's span context, valid, or null
     */
    static @Nullable SpanContext find(ContextView view) {
        SpanContext found = of(view.getOrDefault(Context.class, null));
        if (found != null) {
            return found;
        }
        Object traceparent = view.getOrDefault("traceparent", null);
        for (Map.Entry<Object, Object> e : (Iterable<Map.Entry<Object, Object>>) view.stream()::iterator) {
            found = of(e.getValue());
            if (found != null) {
                return found;
            }
        }
        if (traceparent instanceof String s) {
            Context extracted = W3CTraceContextPropagator.getInstance()
                    .extract(Context.root(), Map.of("traceparent", s.trim()), MAP_GETTER);
            return of(extracted);
        }
        return null;
    }

    private static @Nullable SpanContext of(@Nullable Object value) {
        SpanContext span = value instanceof Context c ? Span.fromContext(c).getSpanContext()
                : value instanceof Span s ? s.getSpanContext()
                : value instanceof SpanContext sc ? sc : null;
        return span != null && span.isValid() ? span : null;
    }
}
