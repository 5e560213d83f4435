package dev.spectra.reactive.opentelemetry;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

import dev.spectra.reactive.SpectraTrackerBuilder;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.sink.SpectraSink;
import dev.spectra.reactive.opentelemetry.internal.CallerSpan;
import dev.spectra.reactive.opentelemetry.internal.GenAiConventions;
import dev.spectra.reactive.opentelemetry.internal.GenAiExporter;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * Exports every tracked call to OpenTelemetry, in the GenAI semantic conventions (still in development): a
 * {@code CLIENT} span named {@code {gen_ai.operation.name} {gen_ai.request.model}}, from the call's start to its
 * end, under the span that was current where the call was made; and the metrics {@code gen_ai.client.token.usage},
 * {@code gen_ai.client.operation.duration}, {@code gen_ai.client.operation.time_to_first_chunk} and the cost
 * counter {@code spectra.client.cost}. The span's attributes are those of {@code RequestColumn#otelAttribute()}
 * (docs/columns.md lists them).
 *
 * <p>The export is a destination of the tracker: records reach it through a queue and a drain thread of its own,
 * never on the caller's thread, and a slow or failing OpenTelemetry pipeline never delays the caller or the other
 * sinks. Wire it with {@link #applyTo(SpectraTrackerBuilder)}:
 *
 * <pre>{@code
 * SpectraTrackerBuilder tracker = SpectraTracker.builder().sink(r2dbcSink);
 * SpectraOpenTelemetry.builder(openTelemetry).metadataKeys("tenant").build().applyTo(tracker);
 * Spectra.install(tracker.build());
 * }</pre>
 *
 * <p>The caller's span reaches the record through the Reactor Context: put it there with
 * {@code .contextWrite(SpectraOpenTelemetry.currentContext())} where the span is current (a WebFlux handler
 * under a server span); an OpenTelemetry {@link Context} or {@code Span} already in the Context (as
 * instrumentation libraries put it), or a W3C {@code traceparent} string under {@code "traceparent"}, is found too.
 *
 * <p>The application owns the {@link OpenTelemetry} instance (its SDK, exporters, resource): closing the tracker
 * does not shut it down.
 *
 * @since 0.1
 */
public final class SpectraOpenTelemetry {

    /** The name of the destination {@link #applyTo} adds: {@value}. */
    public static final String DESTINATION_NAME = "opentelemetry";

    /** The instrumentation scope of the spans and metrics: {@value}. */
    public static final String INSTRUMENTATION_SCOPE = "dev.spectra.reactive";

    /** The environment variable of OpenTelemetry's semantic convention opt-ins: {@value}. */
    public static final String SEMCONV_OPT_IN_ENV = "OTEL_SEMCONV_STABILITY_OPT_IN";

    /**
     * The destination's default settings: a queue of 2048 records, batches of up to 512 written every 500 ms, a
     * write timeout of 5 s and no retries (a write hands spans and points to the SDK in memory; the SDK's own
     * processors queue, retry and drop).
     */
    public static final RecorderOptions DEFAULT_RECORDER_OPTIONS = RecorderOptions.builder().queueCapacity(2048)
            .batchSize(512).maxDelay(Duration.ofMillis(500)).writeTimeout(Duration.ofSeconds(5))
            .retryTimeout(Duration.ZERO).build();

    private final OpenTelemetry openTelemetry;
    private final boolean metrics;
    private final boolean legacyNames;
    private final Set<String> metadataKeys;
    private final RecorderOptions recorderOptions;
    private final GenAiExporter sink;

    private SpectraOpenTelemetry(Builder b) {
        this.openTelemetry = b.openTelemetry;
        this.metrics = b.metrics;
        this.legacyNames = b.legacyNames != null ? b.legacyNames : GenAiConventions.legacyFromOptIn(b.optIn);
        this.metadataKeys = Set.copyOf(b.metadataKeys);
        this.recorderOptions = b.recorderOptions;
        this.sink = new GenAiExporter(openTelemetry, INSTRUMENTATION_SCOPE,
                SpectraOpenTelemetry.class.getPackage().getImplementationVersion(), metrics, legacyNames,
                metadataKeys);
    }

    /**
     * A builder exporting to the given OpenTelemetry (the application's SDK, {@code GlobalOpenTelemetry.get()}, or
     * the {@code OpenTelemetry} bean of a Spring application).
     *
     * @param openTelemetry where spans and metrics go
     * @return a new builder
     */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(Objects.requireNonNull(openTelemetry, "openTelemetry"));
    }

    /**
     * Adds the export to a tracker being built: the destination {@value #DESTINATION_NAME} with
     * {@link Builder#recorderOptions the destination's settings}, and the resolvers that read the caller's span
     * from the Reactor Context ({@link #traceIdResolver()}, {@link #parentSpanIdResolver()}), which replace the
     * tracker's.
     *
     * @param tracker the tracker's builder
     * @return the same builder
     * @throws IllegalArgumentException when the tracker already has a destination named {@value #DESTINATION_NAME}
     */
    public SpectraTrackerBuilder applyTo(SpectraTrackerBuilder tracker) {
        Objects.requireNonNull(tracker, "tracker");
        return tracker.addDestination(DESTINATION_NAME, sink, recorderOptions)
                .traceIdResolver(traceIdResolver())
                .parentSpanIdResolver(parentSpanIdResolver());
    }

    /**
     * The sink that writes records as spans and metrics, for a tracker wired by hand
     * ({@code addDestination(name, sink(), options)}); it does not block, and hands everything to the SDK.
     *
     * @return the sink
     */
    public SpectraSink sink() {
        return sink;
    }

    /**
     * @return the settings of the destination {@link #applyTo} adds
     */
    public RecorderOptions recorderOptions() {
        return recorderOptions;
    }

    /**
     * @return whether the older names ({@code gen_ai.system}, {@code gen_ai.usage.prompt_tokens},
     *         {@code gen_ai.usage.completion_tokens}) are emitted beside the current ones
     */
    public boolean legacyNames() {
        return legacyNames;
    }

    /**
     * Stores the OpenTelemetry context current now (at assembly) in the Reactor Context, so that calls tracked
     * downstream, on whatever thread, record its span as their parent:
     * {@code webClient.post()...retrieve().bodyToMono(String.class).contextWrite(SpectraOpenTelemetry.currentContext())}.
     *
     * @return a function for {@code contextWrite}
     */
    public static Function<reactor.util.context.Context, reactor.util.context.Context> currentContext() {
        return context(Context.current());
    }

    /**
     * Stores an OpenTelemetry context in the Reactor Context, under the key {@code io.opentelemetry.context.Context}.
     *
     * @param context the context whose span calls downstream record as their parent
     * @return a function for {@code contextWrite}
     */
    public static Function<reactor.util.context.Context, reactor.util.context.Context> context(Context context) {
        Objects.requireNonNull(context, "context");
        return reactor -> reactor.put(Context.class, context);
    }

    /**
     * Reads the trace id of the caller's span from a Reactor Context: an OpenTelemetry {@link Context} or span
     * found there (see the class documentation), else a W3C {@code traceparent} string.
     *
     * @return a resolver for {@link SpectraTrackerBuilder#traceIdResolver}
     */
    public static Function<ContextView, @Nullable String> traceIdResolver() {
        return CallerSpan::traceId;
    }

    /**
     * Reads the span id of the caller's span from a Reactor Context, from the same source as
     * {@link #traceIdResolver()}.
     *
     * @return a resolver for {@link SpectraTrackerBuilder#parentSpanIdResolver}
     */
    public static Function<ContextView, @Nullable String> parentSpanIdResolver() {
        return CallerSpan::spanId;
    }

    @Override
    public String toString() {
        return "SpectraOpenTelemetry{metrics=" + metrics + ", legacyNames=" + legacyNames + ", metadataKeys="
                + metadataKeys + ", " + recorderOptions + "}";
    }

    /** Builds {@link SpectraOpenTelemetry}; setters check their argument. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private boolean metrics = true;
        private @Nullable Boolean legacyNames;
        private @Nullable String optIn = System.getenv(SEMCONV_OPT_IN_ENV);
        private Set<String> metadataKeys = Set.of();
        private RecorderOptions recorderOptions = DEFAULT_RECORDER_OPTIONS;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = openTelemetry;
        }

        /**
         * The metadata keys exported, each as the attribute {@code spectra.metadata.<key>} (strings, numbers,
         * booleans and arrays of strings; objects and other arrays are left out). Metadata is free-form and may be
         * personal: nothing is exported that is not listed here. Default: none.
         *
         * @param keys the keys
         * @return this builder
         * @throws IllegalArgumentException when a key is blank
         */
        public Builder metadataKeys(Collection<String> keys) {
            Objects.requireNonNull(keys, "metadataKeys");
            Set<String> copy = new LinkedHashSet<>();
            for (String k : keys) {
                Objects.requireNonNull(k, "metadata key");
                if (k.isBlank()) {
                    throw new IllegalArgumentException("metadata key must not be blank");
                }
                copy.add(k);
            }
            this.metadataKeys = copy;
            return this;
        }

        /**
         * @param keys the metadata keys exported (see {@link #metadataKeys(Collection)})
         * @return this builder
         */
        public Builder metadataKeys(String... keys) {
            return metadataKeys(Arrays.asList(keys));
        }

        /**
         * Whether to record the metrics (default on). Turn them off when the same meters come from elsewhere, such
         * as Micrometer.
         *
         * @param on true to record them
         * @return this builder
         */
        public Builder metrics(boolean on) {
            this.metrics = on;
            return this;
        }

        /**
         * Also emits the older names other tools still read: {@code gen_ai.system} (with its older values, such as
         * {@code az.ai.openai}), {@code gen_ai.usage.prompt_tokens} and {@code gen_ai.usage.completion_tokens}.
         * When not set, they are emitted only when {@value #SEMCONV_OPT_IN_ENV} is set without
         * {@code gen_ai_latest_experimental} (instrumentations still on the older names read it so); unset, or
         * listing it, gives the current names only.
         *
         * @param on true to emit the older names too
         * @return this builder
         */
        public Builder legacyNames(boolean on) {
            this.legacyNames = on;
            return this;
        }

        /**
         * The value of {@value #SEMCONV_OPT_IN_ENV} to follow when {@link #legacyNames(boolean)} is not set (default:
         * the environment's).
         *
         * @param value a comma-separated list of opt-ins, or null for none
         * @return this builder
         */
        public Builder semconvStabilityOptIn(@Nullable String value) {
            this.optIn = value;
            return this;
        }

        /**
         * @param options the settings of the destination {@link SpectraOpenTelemetry#applyTo} adds (default
         *                {@link SpectraOpenTelemetry#DEFAULT_RECORDER_OPTIONS})
         * @return this builder
         */
        public Builder recorderOptions(RecorderOptions options) {
            this.recorderOptions = Objects.requireNonNull(options, "recorderOptions");
            return this;
        }

        /**
         * @return the export
         */
        public SpectraOpenTelemetry build() {
            return new SpectraOpenTelemetry(this);
        }
    }
}
