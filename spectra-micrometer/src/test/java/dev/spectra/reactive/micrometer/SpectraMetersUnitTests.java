package dev.spectra.reactive.micrometer;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.TrackedCall;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.sink.RecorderOptions;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpectraMetersUnitTests {

    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static TrackedRequest.Builder record(String model, Outcome outcome) {
        return TrackedRequest.builder().id(UUID.randomUUID()).traceId("trace").provider("openai").model(model)
                .operation("chat").outcome(outcome).startedAt(T0).completedAt(T0.plusMillis(5));
    }

    @Test
    void everyRecordFeedsTheGenAiMetricsTaggedByOperationProviderModelAndAllowListedMetadata() {
        SpectraMeters meters = SpectraMeters.builder().metadataTags("tenant_id").registry(registry).build();
        TrackedRequest priced = record("gpt-4o", Outcome.SUCCESS).latencyMs(1500).usage(Usage.of(100, 20))
                .cost(Cost.of("0.00025", "0.0002")).metadata(Map.of("tenant_id", "acme", "user", "u-1")).build();
        TrackedRequest stream = record("gpt-4o", Outcome.SUCCESS).latencyMs(900).streaming(true)
                .timeToFirstTokenMs(120L).usage(Usage.of(7, 3)).metadata(Map.of("tenant_id", "acme")).build();
        TrackedRequest failed = record("gpt-4o", Outcome.FAILURE).latencyMs(40).errorType("rate_limit_exceeded")
                .build();

        StepVerifier.create(meters.write(List.of(priced, stream, failed))).verifyComplete();

        DistributionSummary input = registry.get(SpectraMeters.TOKEN_USAGE).tag("gen_ai.token.type", "input")
                .tag("tenant_id", "acme").summary();
        assertThat(input.count()).isEqualTo(2);
        assertThat(input.totalAmount()).isEqualTo(107.0);
        DistributionSummary output = registry.get(SpectraMeters.TOKEN_USAGE).tag("gen_ai.token.type", "output")
                .summary();
        assertThat(output.count()).isEqualTo(2);
        assertThat(output.totalAmount()).isEqualTo(23.0);
        assertThat(input.getId().getTags()).extracting(t -> t.getKey() + "=" + t.getValue()).containsExactly(
                "gen_ai.operation.name=chat", "gen_ai.provider.name=openai", "gen_ai.request.model=gpt-4o",
                "gen_ai.token.type=input", "tenant_id=acme");

        Timer acmeDuration = registry.get(SpectraMeters.OPERATION_DURATION).tag("tenant_id", "acme").timer();
        assertThat(acmeDuration.count()).isEqualTo(2);
        assertThat(acmeDuration.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2400.0);
        Timer noTenant = registry.get(SpectraMeters.OPERATION_DURATION).tag("tenant_id", SpectraMeters.ABSENT)
                .timer();
        assertThat(noTenant.count()).isEqualTo(1);
        assertThat(noTenant.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40.0);

        Timer firstChunk = registry.get(SpectraMeters.TIME_TO_FIRST_CHUNK).timer();
        assertThat(firstChunk.count()).isEqualTo(1);
        assertThat(firstChunk.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(120.0);

        assertThat(registry.get(SpectraMeters.COST).counter().count()).isEqualTo(0.00045);
        assertThat(registry.get(SpectraMeters.RECORDS).tag("outcome", "success").counter().count()).isEqualTo(2.0);
        assertThat(registry.get(SpectraMeters.RECORDS).tag("outcome", "failure").counter().count()).isEqualTo(1.0);
        // metadata outside the allow-list never becomes a tag
        assertThat(registry.getMeters()).flatExtracting(m -> m.getId().getTags())
                .noneMatch(t -> t.getKey().equals("user"));
    }

    @Test
    void bucketsAreTheConventionsBoundaries() {
        SpectraMeters meters = SpectraMeters.builder().registry(registry).build();
        meters.record(record("gpt-4o", Outcome.SUCCESS).latencyMs(30).usage(Usage.of(5, 70)).build());

        CountAtBucket[] tokens = registry.get(SpectraMeters.TOKEN_USAGE).tag("gen_ai.token.type", "input")
                .summary().takeSnapshot().histogramCounts();
        assertThat(Arrays.stream(tokens).mapToDouble(CountAtBucket::bucket).toArray()).containsExactly(1, 4, 16, 64, 256,
                1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864);
        assertThat(Arrays.stream(tokens).mapToDouble(CountAtBucket::count).toArray())
                .containsExactly(0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);

        CountAtBucket[] durations = registry.get(SpectraMeters.OPERATION_DURATION).timer().takeSnapshot()
                .histogramCounts();
        assertThat(Arrays.stream(durations).mapToDouble(b -> b.bucket(TimeUnit.MILLISECONDS)).toArray()).containsExactly(10,
                20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960, 81920);
        assertThat(durations[1].count()).isZero();
        assertThat(durations[2].count()).isEqualTo(1);
    }

    @Test
    void recordsWithoutOperationOrUsageOrCostStillCountAndTimeTheCall() {
        SpectraMeters meters = SpectraMeters.builder().registry(registry).build();
        meters.record(record("gpt-4o", Outcome.CANCELLED).operation(null).latencyMs(7).build());

        assertThat(registry.get(SpectraMeters.RECORDS).tag("gen_ai.operation.name", SpectraMeters.UNKNOWN)
                .tag("outcome", "cancelled").counter().count()).isEqualTo(1.0);
        assertThat(registry.get(SpectraMeters.OPERATION_DURATION).timer().count()).isEqualTo(1);
        assertThat(registry.find(SpectraMeters.TOKEN_USAGE).meters()).isEmpty();
        assertThat(registry.find(SpectraMeters.COST).meters()).isEmpty();
        assertThat(registry.find(SpectraMeters.TIME_TO_FIRST_CHUNK).meters()).isEmpty();
    }

    @Test
    void unboundMetersRecordNothingAndARegistryBoundLaterGetsWhatComesAfter() {
        SpectraMeters meters = SpectraMeters.create();
        meters.record(record("gpt-4o", Outcome.SUCCESS).build());
        meters.bindTo(registry);
        assertThat(registry.get(SpectraMeters.RECORDS).counter().count()).isZero();

        meters.record(record("gpt-4o", Outcome.SUCCESS).build());
        assertThat(registry.get(SpectraMeters.RECORDS).counter().count()).isEqualTo(1.0);
    }

    @Test
    void metadataTagKeysAreChecked() {
        assertThatThrownBy(() -> SpectraMeters.builder().metadataTags("gen_ai.provider.name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metadata tag key \"gen_ai.provider.name\" is a tag of the meters already; choose another key");
        assertThatThrownBy(() -> SpectraMeters.builder().metadataTags(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("metadata tag key must not be blank");
    }

    @Test
    void asADestinationOfATrackerItMetersEveryCallAndTheTrackerCountersArePublished() {
        SpectraMeters meters = SpectraMeters.builder().registry(registry).build();
        InMemorySink sink = new InMemorySink();
        SpectraTracker tracker = SpectraTracker.builder().sink(sink)
                .addDestination("micrometer", meters, RecorderOptions.defaults()).build();
        SpectraTrackerMetrics.of(tracker).bindTo(registry);
        try {
            TrackedCall call = tracker.startCall("openai", "gpt-4o", TrackOptions.none());
            StepVerifier.create(Spectra.recordSuccess(call, null, Usage.of(12, 4))).expectNextCount(1)
                    .verifyComplete();
            StepVerifier.create(tracker.flush()).verifyComplete();

            assertThat(registry.get(SpectraMeters.TOKEN_USAGE).tag("gen_ai.token.type", "input").summary()
                    .totalAmount()).isEqualTo(12.0);
            assertThat(registry.get(SpectraTrackerMetrics.RECORDED).functionCounter().count()).isEqualTo(1.0);
            assertThat(registry.get(SpectraTrackerMetrics.WRITTEN).tag("destination", "primary").functionCounter()
                    .count()).isEqualTo(1.0);
            assertThat(registry.get(SpectraTrackerMetrics.WRITTEN).tag("destination", "micrometer")
                    .functionCounter().count()).isEqualTo(1.0);
            assertThat(registry.get(SpectraTrackerMetrics.QUEUE_SIZE).tag("destination", "primary").gauge().value())
                    .isZero();
            assertThat(registry.get(SpectraTrackerMetrics.DROPPED).tag("destination", "primary").functionCounter()
                    .count()).isZero();
            assertThat(registry.find("spectra.delivery.written").meters()).extracting(Meter::getId)
                    .extracting(id -> id.getTag("destination")).containsExactlyInAnyOrder("primary", "micrometer");
            assertThat(sink.size()).isEqualTo(1);
        } finally {
            tracker.close(Duration.ofSeconds(5)).block();
        }
    }
}
