package dev.spectra.reactive.opentelemetry.internal;

import java.util.Locale;
import java.util.Map;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
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
        return traceparent instanceof String s ? traceparent(s.trim()) : null;
    }

    /** A W3C {@code traceparent}, {@code 00-<trace id>-<span id>-<flags>}, as a remote span context. */
    static @Nullable SpanContext traceparent(String value) {
        String[] parts = value.split("-");
        if (parts.length < 4 || parts[0].length() != 2 || parts[0].equalsIgnoreCase("ff") || parts[3].length() != 2
                || Character.digit(parts[3].charAt(0), 16) < 0 || Character.digit(parts[3].charAt(1), 16) < 0) {
            return null;
        }
        return of(SpanContext.createFromRemoteParent(parts[1].toLowerCase(Locale.ROOT),
                parts[2].toLowerCase(Locale.ROOT), TraceFlags.fromHex(parts[3].toLowerCase(Locale.ROOT), 0),
                TraceState.getDefault()));
    }

    private static @Nullable SpanContext of(@Nullable Object value) {
        SpanContext span = value instanceof Context c ? Span.fromContext(c).getSpanContext()
                : value instanceof Span s ? s.getSpanContext()
                : value instanceof SpanContext sc ? sc : null;
        return span != null && span.isValid() ? span : null;
    }
}
