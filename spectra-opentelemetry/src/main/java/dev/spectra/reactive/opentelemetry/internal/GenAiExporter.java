package dev.spectra.reactive.opentelemetry.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.RejectedRecordsException;
import dev.spectra.reactive.sink.SpectraSink;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Writes records to OpenTelemetry: one CLIENT span per record, from its start to its end time, under the caller's
 * span when the record names one, with the attribute of each {@link RequestColumn} that has one; and the GenAI
 * client metrics. Runs on the destination's drain thread; the SDK's own processors queue and export.
 */
public final class GenAiExporter implements SpectraSink {

    /** The error type of a failure that states none, as the conventions ask. */
    static final String OTHER_ERROR = "_OTHER";

    private static final AttributeKey<String> OPERATION = key(RequestColumn.OPERATION);
    private static final AttributeKey<String> PROVIDER = key(RequestColumn.PROVIDER);
    private static final AttributeKey<String> REQUEST_MODEL = key(RequestColumn.MODEL);
    private static final AttributeKey<String> RESPONSE_MODEL = key(RequestColumn.RESPONSE_MODEL);
    private static final AttributeKey<String> ERROR_TYPE = key(RequestColumn.ERROR_TYPE);

    private final Tracer tracer;
    private final @Nullable Instruments metrics;
    private final boolean legacy;
    private final Set<String> metadataKeys;
    private final String description;

    /**
     * @param openTelemetry where spans and metrics go
     * @param scope the instrumentation scope's name
     * @param version the instrumentation scope's version, or null
     * @param metrics whether to record the metrics
     * @param legacy whether to emit the older names beside the current ones
     * @param metadataKeys the metadata keys exported, each as {@code spectra.metadata.<key>}
     */
    public GenAiExporter(OpenTelemetry openTelemetry, String scope, @Nullable String version, boolean metrics,
                         boolean legacy, Set<String> metadataKeys) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        var tracerBuilder = openTelemetry.getTracerProvider().tracerBuilder(scope);
        var meterBuilder = openTelemetry.getMeterProvider().meterBuilder(scope);
        if (version != null) {
            tracerBuilder.setInstrumentationVersion(version);
            meterBuilder.setInstrumentationVersion(version);
        }
        this.tracer = tracerBuilder.build();
        this.metrics = metrics ? new Instruments(meterBuilder.build()) : null;
        this.legacy = legacy;
        this.metadataKeys = Set.copyOf(metadataKeys);
        this.description = "OpenTelemetry GenAI export{metrics=" + metrics + ", legacyNames=" + legacy
                + ", metadataKeys=" + this.metadataKeys + "}";
    }

    @Override
    public Mono<Void> write(List<TrackedRequest> batch) {
        return Mono.fromRunnable(() -> {
            List<RejectedRecordsException.Rejection> rejected = null;
            for (TrackedRequest r : batch) {
                try {
                    export(r);
                } catch (RuntimeException e) {
                    if (rejected == null) {
                        rejected = new ArrayList<>();
                    }
                    rejected.add(new RejectedRecordsException.Rejection(r, e.toString()));
                }
            }
            if (rejected != null) {
                throw new RejectedRecordsException(rejected);
            }
        });
    }

    /** One record: its span, then its metric points. */
    void export(TrackedRequest r) {
        Attributes attributes = spanAttributes(r);
        SpanBuilder span = tracer.spanBuilder(spanName(r))
                .setSpanKind(SpanKind.CLIENT)
                .setStartTimestamp(r.startedAt())
                .setAllAttributes(attributes);
        SpanContext parent = parent(r);
        if (parent != null) {
            span.setParent(Context.root().with(Span.wrap(parent)));
        } else {
            span.setNoParent();
        }
        Span started = span.startSpan();
        if (r.outcome() == Outcome.FAILURE) {
            started.setStatus(StatusCode.ERROR, r.errorMessage() == null ? "" : r.errorMessage());
        }
        started.end(r.completedAt());
        if (metrics != null) {
            metrics.record(r, metricAttributes(r, attributes));
        }
    }

    /** {@code {gen_ai.operation.name} {gen_ai.request.model}}. */
    static String spanName(TrackedRequest r) {
        return GenAiConventions.operationName(r.operation(), r.modelType()) + " " + r.model();
    }

    /** The caller's span, when the record's trace id and parent span id are an OpenTelemetry trace's. */
    static @Nullable SpanContext parent(TrackedRequest r) {
        String traceId = r.traceId();
        String spanId = r.parentSpanId();
        if (spanId == null || !TraceId.isValid(traceId) || !SpanId.isValid(spanId)) {
            return null;
        }
        // the sampling decision of the caller's span is not recorded: a parent that made it this far was sampled
        return SpanContext.createFromRemoteParent(traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault());
    }

    /** The attribute of every column that has one, in the conventions' form, then the older names if asked. */
    Attributes spanAttributes(TrackedRequest r) {
        AttributesBuilder a = Attributes.builder();
        for (RequestColumn c : RequestColumn.values()) {
            String name = c.otelAttribute();
            Object v = name == null ? null : c.value(r);
            if (v == null) {
                continue;
            }
            switch (c) {
                case PROVIDER -> a.put(PROVIDER, GenAiConventions.providerName(r.provider()));
                case OPERATION -> { } // below: the operation is required, and derived when the record has none
                case FINISH_REASON -> a.put(AttributeKey.stringArrayKey(name), List.of((String) v));
                case TIME_TO_FIRST_TOKEN_MS -> a.put(AttributeKey.doubleKey(name), ((Long) v) / 1000.0);
                case TOTAL_COST -> {
                    a.put(AttributeKey.doubleKey(name), ((BigDecimal) v).doubleValue());
                    a.put(GenAiConventions.COST_CURRENCY, "USD");
                    a.put(GenAiConventions.COST_SOURCE, GenAiConventions.costSource(r.cost()));
                }
                case TAGS -> {
                    if (!r.tags().isEmpty()) {
                        a.put(AttributeKey.stringArrayKey(name), r.tags());
                    }
                }
                case METADATA -> metadata(a, r.metadata());
                case CACHED_INPUT_TOKENS, CACHE_WRITE_TOKENS, REASONING_TOKENS, AUDIO_INPUT_TOKENS,
                     IMAGE_INPUT_TOKENS -> {
                    if ((Long) v != 0L) { // parts of input or output: stated when there are some
                        a.put(AttributeKey.longKey(name), (Long) v);
                    }
                }
                default -> put(a, name, v);
            }
        }
        a.put(OPERATION, GenAiConventions.operationName(r.operation(), r.modelType()));
        if (r.outcome() == Outcome.FAILURE && r.errorType() == null) {
            a.put(ERROR_TYPE, OTHER_ERROR);
        }
        if (legacy) {
            a.put(GenAiConventions.LEGACY_SYSTEM, GenAiConventions.legacySystem(r.provider()));
            if (r.usage() != null) {
                a.put(GenAiConventions.LEGACY_PROMPT_TOKENS, r.usage().inputTokens());
                a.put(GenAiConventions.LEGACY_COMPLETION_TOKENS, r.usage().outputTokens());
            }
        }
        return a.build();
    }

    /** The bounded attributes of the metrics: operation, provider, models, error type (and the older system). */
    private Attributes metricAttributes(TrackedRequest r, Attributes span) {
        AttributesBuilder a = Attributes.builder()
                .put(OPERATION, Objects.requireNonNull(span.get(OPERATION)))
                .put(PROVIDER, Objects.requireNonNull(span.get(PROVIDER)))
                .put(REQUEST_MODEL, r.model());
        if (r.responseModel() != null) {
            a.put(RESPONSE_MODEL, r.responseModel());
        }
        String error = span.get(ERROR_TYPE);
        if (error != null) {
            a.put(ERROR_TYPE, error);
        }
        if (legacy) {
            a.put(GenAiConventions.LEGACY_SYSTEM, GenAiConventions.legacySystem(r.provider()));
        }
        return a.build();
    }

    private void metadata(AttributesBuilder a, Map<String, @Nullable Object> metadata) {
        for (String key : metadataKeys) {
            Object v = metadata.get(key);
            if (v instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
                a.put(AttributeKey.stringArrayKey(GenAiConventions.METADATA_PREFIX + key),
                        list.stream().map(String.class::cast).toList());
            } else if (v != null && !(v instanceof Map) && !(v instanceof List)) {
                put(a, GenAiConventions.METADATA_PREFIX + key, v);
            }
        }
    }

    /** A scalar as the attribute type that holds it. */
    private static void put(AttributesBuilder a, String name, Object v) {
        if (v instanceof String s) {
            a.put(AttributeKey.stringKey(name), s);
        } else if (v instanceof Boolean b) {
            a.put(AttributeKey.booleanKey(name), b);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            a.put(AttributeKey.longKey(name), ((Number) v).longValue());
        } else if (v instanceof Number n) {
            a.put(AttributeKey.doubleKey(name), n.doubleValue());
        } else if (v instanceof UUID id) {
            a.put(AttributeKey.stringKey(name), id.toString());
        } else {
            a.put(AttributeKey.stringKey(name), v.toString());
        }
    }

    private static AttributeKey<String> key(RequestColumn c) {
        return AttributeKey.stringKey(Objects.requireNonNull(c.otelAttribute(), c.columnName()));
    }

    @Override
    public String toString() {
        return description;
    }

    /** The metric instruments, made once per exporter. */
    private static final class Instruments {
        private final LongHistogram tokens;
        private final DoubleHistogram duration;
        private final DoubleHistogram firstChunk;
        private final DoubleCounter cost;

        Instruments(Meter meter) {
            this.tokens = meter.histogramBuilder(GenAiConventions.TOKEN_USAGE).ofLongs().setUnit("{token}")
                    .setDescription("Number of input and output tokens used")
                    .setExplicitBucketBoundariesAdvice(GenAiConventions.TOKEN_BUCKETS).build();
            this.duration = meter.histogramBuilder(GenAiConventions.OPERATION_DURATION).setUnit("s")
                    .setDescription("GenAI operation duration")
                    .setExplicitBucketBoundariesAdvice(GenAiConventions.SECONDS_BUCKETS).build();
            this.firstChunk = meter.histogramBuilder(GenAiConventions.TIME_TO_FIRST_CHUNK).setUnit("s")
                    .setDescription("Time to receive the first chunk of a streamed response")
                    .setExplicitBucketBoundariesAdvice(GenAiConventions.SECONDS_BUCKETS).build();
            this.cost = meter.counterBuilder(GenAiConventions.COST).ofDoubles().setUnit("USD")
                    .setDescription("Cost of priced GenAI calls, from the pricing catalog").build();
        }

        void record(TrackedRequest r, Attributes common) {
            long micros = java.time.Duration.between(r.startedAt(), r.completedAt()).toNanos() / 1000L;
            duration.record(micros / 1_000_000.0, common);
            if (r.streaming() && r.timeToFirstTokenMs() != null) {
                firstChunk.record(r.timeToFirstTokenMs() / 1000.0, common);
            }
            if (r.usage() != null) {
                tokens.record(r.usage().inputTokens(), common.toBuilder().put(GenAiConventions.TOKEN_TYPE, "input")
                        .build());
                tokens.record(r.usage().outputTokens(), common.toBuilder().put(GenAiConventions.TOKEN_TYPE, "output")
                        .build());
            }
            if (r.totalCost() != null) {
                cost.add(r.totalCost().doubleValue(), common);
            }
        }
    }
}
