package dev.spectra.reactive;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.spectra.reactive.internal.Metadata;
import dev.spectra.reactive.internal.MetadataRedactor;
import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.pricing.PricingCatalog;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.ResponseReader;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.sink.SpectraSink;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * Builds a {@link SpectraTracker}: get one with {@link SpectraTracker#builder()}. Setters check their argument;
 * every setting has a default, so {@code SpectraTracker.builder().build()} is a working tracker (bounded in-memory
 * sink, default recorder, bundled pricing catalog, built-in provider formats).
 *
 * @since 0.1
 */
public final class SpectraTrackerBuilder {

    /** Default bound on a call's serialised metadata: {@value} bytes (16 KiB). */
    public static final int DEFAULT_METADATA_MAX_BYTES = 16 * 1024;

    /**
     * Metadata keys whose values are stored as {@code "[REDACTED]"} by default. A key matches when, ignoring case
     * and punctuation, it equals or ends with one of these ({@code openai_api_key}, {@code Authorization},
     * {@code client-secret}, {@code auth_token}; but not {@code max_tokens}).
     */
    public static final List<String> DEFAULT_REDACT_KEYS = List.of("api_key", "apikey", "authorization", "password",
            "passwd", "token", "secret", "access_key", "private_key", "credentials", "cookie");

    private @Nullable SpectraSink sink;
    private RecorderOptions recorderOptions = RecorderOptions.defaults();
    private boolean direct;
    private final Map<String, TrackerSettings.Destination> destinations = new LinkedHashMap<>();
    private Clock clock = Clock.systemUTC();
    private @Nullable LongSupplier nanoTime;
    private @Nullable Supplier<UUID> idGenerator;
    private List<String> redactKeys = DEFAULT_REDACT_KEYS;
    private int metadataMaxBytes = DEFAULT_METADATA_MAX_BYTES;
    private boolean enabled = true;
    private @Nullable Pricing pricing;
    private @Nullable ProviderRegistry providers;
    private @Nullable ResponseReader responseReader;
    private Function<ContextView, @Nullable String> traceIdResolver = TrackingEngine::traceparent;
    private Function<ContextView, @Nullable String> parentSpanIdResolver = TrackingEngine::traceparentSpanId;

    SpectraTrackerBuilder() {
    }

    /**
     * @param sink where records go (default: a bounded {@link InMemorySink})
     * @return this builder
     */
    public SpectraTrackerBuilder sink(SpectraSink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
        return this;
    }

    /**
     * @param options the recorder's queue, batch, timeout and retry settings
     * @return this builder
     */
    public SpectraTrackerBuilder recorder(RecorderOptions options) {
        this.recorderOptions = Objects.requireNonNull(options, "recorder options");
        this.direct = false;
        return this;
    }

    /**
     * Writes each record straight to the sink on the thread that captured it, without a recorder: for tests
     * and in-memory sinks, not for sinks that do I/O.
     *
     * @return this builder
     */
    public SpectraTrackerBuilder directDelivery() {
        this.direct = true;
        return this;
    }

    /**
     * Adds a destination: every record also goes to this sink, through a queue and a drain thread of its own
     * with its own counters ({@link TrackerStats#destinations()}), so a slow or failing destination never slows
     * the primary sink's writes or the caller; it drops from its own queue instead.
     *
     * @param name the destination's name in the stats and logs, e.g. {@code "otel"}: not blank, unique
     * @param sink where records go
     * @param options the destination's queue, batch, timeout and retry settings
     * @return this builder
     * @throws IllegalArgumentException when the name is blank or already used
     */
    public SpectraTrackerBuilder addDestination(String name, SpectraSink sink, RecorderOptions options) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("destination name must not be blank");
        }
        if (destinations.containsKey(name)) {
            throw new IllegalArgumentException("destination \"" + name + "\" is already added");
        }
        destinations.put(name, new TrackerSettings.Destination(Objects.requireNonNull(sink, "sink"),
                Objects.requireNonNull(options, "options")));
        return this;
    }

    /**
     * @param clock the clock of start times (and of durations, unless {@link #nanoTime} is set)
     * @return this builder
     */
    public SpectraTrackerBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * @param nanoTime the monotonic time source of durations (default {@code System::nanoTime})
     * @return this builder
     */
    public SpectraTrackerBuilder nanoTime(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        return this;
    }

    /**
     * @param ids the id of each record (default: UUID version 7 of the start time)
     * @return this builder
     */
    public SpectraTrackerBuilder idGenerator(Supplier<UUID> ids) {
        this.idGenerator = Objects.requireNonNull(ids, "idGenerator");
        return this;
    }

    /**
     * Replaces the secret-looking metadata keys (default {@link #DEFAULT_REDACT_KEYS}).
     *
     * @param keys the key patterns
     * @return this builder
     */
    public SpectraTrackerBuilder redactKeys(Collection<String> keys) {
        Objects.requireNonNull(keys, "redactKeys");
        new MetadataRedactor(keys);
        this.redactKeys = List.copyOf(keys);
        return this;
    }

    /**
     * Adds secret-looking metadata keys to the current ones.
     *
     * @param keys more key patterns
     * @return this builder
     */
    public SpectraTrackerBuilder addRedactKeys(String... keys) {
        List<String> all = new ArrayList<>(redactKeys);
        all.addAll(Arrays.asList(keys));
        return redactKeys(all);
    }

    /**
     * @param bytes bound on a call's serialised metadata, 256 .. 1 MiB (default {@value #DEFAULT_METADATA_MAX_BYTES})
     * @return this builder
     */
    public SpectraTrackerBuilder metadataMaxBytes(int bytes) {
        if (bytes < 256 || bytes > Metadata.MAX_BYTES) {
            throw new IllegalArgumentException("metadataMaxBytes must be in 256..1048576, was " + bytes);
        }
        this.metadataMaxBytes = bytes;
        return this;
    }

    /**
     * @param enabled the master switch's initial position (default on)
     * @return this builder
     */
    public SpectraTrackerBuilder enabled(boolean enabled) {
        this.enabled = enabled;
        return this;
    }

    /**
     * Turns usage into cost (default: {@link PricingCatalog#bundled()}; add or override prices with
     * {@code PricingCatalog.bundled().toBuilder().price(...).load(path).build()}).
     *
     * @param pricing the pricing
     * @return this builder
     */
    public SpectraTrackerBuilder pricing(Pricing pricing) {
        this.pricing = Objects.requireNonNull(pricing, "pricing");
        return this;
    }

    /**
     * The providers recognised by host and path, whose wire formats read responses (default
     * {@link ProviderRegistry#builtIn()}; register a vLLM or gateway host with
     * {@code ProviderRegistry.builtIn().toBuilder().host("openai", "llm-gateway:8080").build()}).
     *
     * @param registry the registry
     * @return this builder
     */
    public SpectraTrackerBuilder providers(ProviderRegistry registry) {
        this.providers = Objects.requireNonNull(registry, "providers");
        return this;
    }

    /**
     * Reads responses and stream chunks of the operators and manual flows (default: the provider registry).
     *
     * @param reader the reader
     * @return this builder
     */
    public SpectraTrackerBuilder responseReader(ResponseReader reader) {
        this.responseReader = Objects.requireNonNull(reader, "responseReader");
        return this;
    }

    /**
     * Where a trace id comes from when neither the call nor the Spectra Context entries give one (default: a
     * W3C {@code traceparent} string under the Context key {@code "traceparent"}). Plug in Micrometer Tracing
     * or OpenTelemetry here. A result longer than 128 characters is cut to 128; null, blank or a thrown
     * exception (counted in {@link TrackerStats#trackingErrors()}) means "none", and the record's trace id is
     * then the record's own id as a string.
     *
     * @param resolver reads a trace id from the subscriber's Context
     * @return this builder
     */
    public SpectraTrackerBuilder traceIdResolver(Function<ContextView, @Nullable String> resolver) {
        this.traceIdResolver = Objects.requireNonNull(resolver, "traceIdResolver");
        return this;
    }

    /**
     * Where the id of the span that was current where a call was made comes from, recorded as
     * {@link TrackedRequest#parentSpanId()} so that an export to a tracing system (OpenTelemetry) puts the call's
     * span under it (default: the span id of a W3C {@code traceparent} string under the Context key
     * {@code "traceparent"}). Asked only when the trace id came from the {@link #traceIdResolver trace id resolver},
     * so that the span belongs to that trace; resolve both from the same source. A result that is not 16 hex
     * digits, or all zeros, means "none"; a thrown exception too (counted in {@link TrackerStats#trackingErrors()}).
     *
     * @param resolver reads the current span's id (16 hex digits) from the subscriber's Context
     * @return this builder
     */
    public SpectraTrackerBuilder parentSpanIdResolver(Function<ContextView, @Nullable String> resolver) {
        this.parentSpanIdResolver = Objects.requireNonNull(resolver, "parentSpanIdResolver");
        return this;
    }

    /**
     * @return the tracker (its recorders, if any, are running)
     */
    public SpectraTracker build() {
        ProviderRegistry registry = providers != null ? providers : ProviderRegistry.builtIn();
        return new SpectraTracker(new TrackerSettings(sink != null ? sink : new InMemorySink(),
                direct ? null : recorderOptions, Collections.unmodifiableMap(new LinkedHashMap<>(destinations)),
                clock, nanoTime, idGenerator, redactKeys, metadataMaxBytes, enabled,
                pricing != null ? pricing : PricingCatalog.bundled(), registry,
                responseReader != null ? responseReader : registry, traceIdResolver,
                parentSpanIdResolver));
    }

    @Override
    public String toString() {
        return "SpectraTrackerBuilder{" + (direct ? "direct delivery" : recorderOptions) + ", destinations="
                + destinations.keySet() + ", metadataMaxBytes=" + metadataMaxBytes + "}";
    }
}
