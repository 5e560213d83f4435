package dev.spectra.reactive.micrometer;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.sink.SpectraSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * A destination that turns every record into meters: the OpenTelemetry GenAI client metrics, a cost counter and
 * a record counter. Add it to a tracker as a destination, so that it has a queue and counters of its own and never
 * slows the caller or the primary sink, and bind it to one or more registries:
 *
 * <pre>{@code
 * SpectraMeters meters = SpectraMeters.builder().metadataTags("tenant_id").build();
 * meters.bindTo(registry);
 * SpectraTracker tracker = SpectraTracker.builder()
 *         .sink(r2dbcSink)
 *         .addDestination("micrometer", meters, RecorderOptions.defaults())
 *         .build();
 * SpectraTrackerMetrics.of(tracker).bindTo(registry);   // the tracker's own counters
 * }</pre>
 *
 * <h2>Meters</h2>
 * <table>
 *   <caption>Meters recorded for each record</caption>
 *   <tr><th>name</th><th>type</th><th>recorded</th><th>extra tags</th></tr>
 *   <tr><td>{@value #TOKEN_USAGE}</td><td>distribution summary, tokens, buckets 1, 4, 16 ... 67108864</td>
 *       <td>when the usage is known: once for the input tokens, once for the output tokens</td>
 *       <td>{@value #TOKEN_TYPE} ({@code input}, {@code output})</td></tr>
 *   <tr><td>{@value #OPERATION_DURATION}</td><td>timer, buckets 0.01 s, 0.02 s ... 81.92 s</td>
 *       <td>every record: its latency</td><td>none</td></tr>
 *   <tr><td>{@value #TIME_TO_FIRST_CHUNK}</td><td>timer, same buckets</td><td>streams whose first chunk arrived
 *       </td><td>none</td></tr>
 *   <tr><td>{@value #COST}</td><td>counter, USD</td><td>priced records: the total cost</td><td>none</td></tr>
 *   <tr><td>{@value #RECORDS}</td><td>counter</td><td>every record</td><td>{@value #OUTCOME}
 *       ({@code success}, {@code failure}, {@code cancelled})</td></tr>
 * </table>
 *
 * <p>Every meter is tagged with the record's {@code gen_ai.operation.name}, {@code gen_ai.provider.name} and
 * {@code gen_ai.request.model} ({@value #UNKNOWN} for a record without an operation), plus one tag per
 * {@linkplain Builder#metadataTags allow-listed metadata key}, whose value is the record's metadata value as text
 * ({@value #ABSENT} when the record has none). Other metadata never becomes a tag, so the number of series stays
 * bounded by the providers, models and allow-listed values the application uses. Every meter of one name has the
 * same tag keys, as Prometheus requires.
 *
 * <p>Until it is bound to a registry, records are counted nowhere. Thread-safe.
 *
 * @since 0.1
 */
public final class SpectraMeters implements SpectraSink, MeterBinder {

    /** Histogram of tokens per call, by {@value #TOKEN_TYPE}, as the OpenTelemetry GenAI conventions name it. */
    public static final String TOKEN_USAGE = "gen_ai.client.token.usage";
    /** Timer of the calls' duration, as the OpenTelemetry GenAI conventions name it. */
    public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";
    /** Timer of the time to the first chunk of streams, as the OpenTelemetry GenAI conventions name it. */
    public static final String TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";
    /** Counter of the cost of priced calls, in US dollars (the conventions define no cost metric). */
    public static final String COST = "spectra.client.cost";
    /** Counter of records, by {@value #OUTCOME}. */
    public static final String RECORDS = "spectra.records";
    /** The tag of {@value #TOKEN_USAGE} saying which tokens a value counts: {@code input} or {@code output}. */
    public static final String TOKEN_TYPE = "gen_ai.token.type";
    /** The tag of {@value #RECORDS} holding the outcome. */
    public static final String OUTCOME = "outcome";
    /** The tag value of a record without an operation name. */
    public static final String UNKNOWN = "unknown";
    /** The tag value of an allow-listed metadata key that a record does not have. */
    public static final String ABSENT = "none";

    private static final String OPERATION_TAG = Objects.requireNonNull(RequestColumn.OPERATION.otelAttribute());
    private static final String PROVIDER_TAG = Objects.requireNonNull(RequestColumn.PROVIDER.otelAttribute());
    private static final String MODEL_TAG = Objects.requireNonNull(RequestColumn.MODEL.otelAttribute());
    private static final Set<String> RESERVED_TAGS = Set.of(OPERATION_TAG, PROVIDER_TAG, MODEL_TAG, TOKEN_TYPE,
            OUTCOME);
    /** Longest metadata tag value; longer values are cut. */
    private static final int MAX_TAG_VALUE_LENGTH = 128;

    /** Bucket bounds of {@value #TOKEN_USAGE} given by the conventions: powers of 4 from 1 to 4^13. */
    private static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
            4194304, 16777216, 67108864};
    /** Bucket bounds of the durations given by the conventions: 10 ms doubling up to 81.92 s. */
    private static final Duration[] DURATION_BUCKETS = durationBuckets();

    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final List<String> metadataTags;

    private SpectraMeters(Builder builder) {
        this.metadataTags = List.copyOf(builder.metadataTags);
        builder.registries.forEach(registry::add);
    }

    /**
     * @return meters without metadata tags, bound to no registry yet
     */
    public static SpectraMeters create() {
        return builder().build();
    }

    /**
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Records into this registry too, from now on.
     *
     * @param meterRegistry the registry
     */
    @Override
    public void bindTo(MeterRegistry meterRegistry) {
        registry.add(Objects.requireNonNull(meterRegistry, "meterRegistry"));
    }

    /**
     * @return the metadata keys that become tags, in order
     */
    public List<String> metadataTags() {
        return metadataTags;
    }

    /**
     * Records the meters of each record of the batch.
     *
     * @param batch the records
     * @return completes when recorded
     */
    @Override
    public Mono<Void> write(List<TrackedRequest> batch) {
        Objects.requireNonNull(batch, "batch");
        return Mono.fromRunnable(() -> batch.forEach(this::record));
    }

    /**
     * Records the meters of one record.
     *
     * @param request the record
     */
    public void record(TrackedRequest request) {
        Tags tags = tags(request);
        Counter.builder(RECORDS).description("Calls recorded by Spectra, by outcome")
                .tags(tags).tag(OUTCOME, String.valueOf(RequestColumn.OUTCOME.value(request)))
                .register(registry).increment();
        Timer.builder(OPERATION_DURATION).description("GenAI operation duration")
                .serviceLevelObjectives(DURATION_BUCKETS).tags(tags)
                .register(registry).record(Duration.ofMillis(request.latencyMs()));
        Long firstChunk = request.timeToFirstTokenMs();
        if (request.streaming() && firstChunk != null) {
            Timer.builder(TIME_TO_FIRST_CHUNK).description("Time to receive the first chunk of a stream")
                    .serviceLevelObjectives(DURATION_BUCKETS).tags(tags)
                    .register(registry).record(Duration.ofMillis(firstChunk));
        }
        Usage usage = request.usage();
        if (usage != null) {
            tokens(tags, "input", usage.inputTokens());
            tokens(tags, "output", usage.outputTokens());
        }
        BigDecimal cost = request.totalCost();
        if (cost != null) {
            Counter.builder(COST).description("Cost of the priced GenAI calls").baseUnit("usd").tags(tags)
                    .register(registry).increment(cost.doubleValue());
        }
    }

    private void tokens(Tags tags, String type, long count) {
        DistributionSummary.builder(TOKEN_USAGE).description("Number of input and output tokens used")
                .baseUnit("tokens").serviceLevelObjectives(TOKEN_BUCKETS).tags(tags).tag(TOKEN_TYPE, type)
                .register(registry).record(count);
    }

    private Tags tags(TrackedRequest request) {
        String operation = request.operation();
        List<Tag> tags = new ArrayList<>(3 + metadataTags.size());
        tags.add(Tag.of(OPERATION_TAG, operation != null ? operation : UNKNOWN));
        tags.add(Tag.of(PROVIDER_TAG, request.provider()));
        tags.add(Tag.of(MODEL_TAG, request.model()));
        for (String key : metadataTags) {
            tags.add(Tag.of(key, tagValue(request.metadata().get(key))));
        }
        return Tags.of(tags);
    }

    private static String tagValue(@Nullable Object value) {
        if (value == null) {
            return ABSENT;
        }
        String text = value.toString();
        return text.length() > MAX_TAG_VALUE_LENGTH ? text.substring(0, MAX_TAG_VALUE_LENGTH) : text;
    }

    private static Duration[] durationBuckets() {
        Duration[] buckets = new Duration[14];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = Duration.ofMillis(10L << i);
        }
        return buckets;
    }

    @Override
    public String toString() {
        return "SpectraMeters{metadataTags=" + metadataTags + ", registries=" + registry.getRegistries().size() + "}";
    }

    /** Builds {@link SpectraMeters}; setters check their argument. */
    public static final class Builder {

        private final Set<String> metadataTags = new LinkedHashSet<>();
        private final List<MeterRegistry> registries = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds metadata keys whose values become tags of every meter, e.g. {@code tenant_id}. Each allow-listed
         * key multiplies the number of series by the number of its distinct values: list only keys with few.
         *
         * @param keys metadata keys, not blank, none of the meters' own tag names
         * @return this builder
         * @throws IllegalArgumentException naming the key when one is blank or a tag of its own
         */
        public Builder metadataTags(Collection<String> keys) {
            Objects.requireNonNull(keys, "metadataTags");
            for (String key : keys) {
                Objects.requireNonNull(key, "metadata tag key");
                if (key.isBlank()) {
                    throw new IllegalArgumentException("metadata tag key must not be blank");
                }
                if (RESERVED_TAGS.contains(key)) {
                    throw new IllegalArgumentException("metadata tag key \"" + key
                            + "\" is a tag of the meters already; choose another key");
                }
            }
            metadataTags.addAll(keys);
            return this;
        }

        /**
         * Adds metadata keys whose values become tags; see {@link #metadataTags(Collection)}.
         *
         * @param keys metadata keys
         * @return this builder
         */
        public Builder metadataTags(String... keys) {
            return metadataTags(Arrays.asList(Objects.requireNonNull(keys, "metadataTags")));
        }

        /**
         * Binds the meters to a registry from the start (same as {@link SpectraMeters#bindTo} later).
         *
         * @param meterRegistry the registry
         * @return this builder
         */
        public Builder registry(MeterRegistry meterRegistry) {
            registries.add(Objects.requireNonNull(meterRegistry, "meterRegistry"));
            return this;
        }

        /**
         * @return the meters
         */
        public SpectraMeters build() {
            return new SpectraMeters(this);
        }
    }
}
