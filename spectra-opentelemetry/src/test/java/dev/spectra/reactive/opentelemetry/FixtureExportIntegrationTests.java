package dev.spectra.reactive.opentelemetry;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.SpectraTrackerBuilder;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every shared provider fixture, called through the WebClient filter against the fixture server, becomes exactly one
 * CLIENT span with the attributes below and one point of each metric, in an in-memory OpenTelemetry SDK. Expected
 * values come from the fixture table and from the conventions' well-known values, written out here; only what the
 * call itself decides (its id, times, cost, time to first chunk) is taken from the record stored beside.
 */
class FixtureExportIntegrationTests {

    /** gen_ai.provider.name of each provider of the fixtures; others keep their own id. */
    static final Map<String, String> PROVIDER_NAMES = Map.ofEntries(Map.entry("openai", "openai"),
            Map.entry("azure", "azure.ai.openai"), Map.entry("anthropic", "anthropic"),
            Map.entry("gemini", "gcp.gemini"), Map.entry("groq", "groq"), Map.entry("mistral", "mistral_ai"),
            Map.entry("deepseek", "deepseek"), Map.entry("xai", "x_ai"), Map.entry("cohere", "cohere"),
            Map.entry("vertex_ai", "gcp.vertex_ai"));

    /** gen_ai.operation.name where Spectra's operation differs. */
    static final Map<String, String> OPERATION_NAMES = Map.of("messages", "chat", "responses", "chat",
            "completions", "text_completion", "generate", "text_completion");

    static FixtureServer server;

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<ProviderFixture> fixtures() {
        return ProviderFixtures.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void eachFixtureBecomesOneClientSpanWithExactlyTheseAttributesAndOnePointOfEachMetric(ProviderFixture f) {
        try (TestSdk otel = new TestSdk()) {
            InMemorySink stored = new InMemorySink();
            SpectraTrackerBuilder builder = SpectraTracker.builder().sink(stored).directDelivery();
            SpectraOpenTelemetry.builder(otel.sdk).metadataKeys("fixture", "absent").legacyNames(false).build()
                    .applyTo(builder);
            SpectraTracker tracker = builder.build();
            WebClient client = ProviderCalls.client(SpectraExchangeFilter.builder().tracker(tracker)
                    .host("ollama", ProviderCalls.OLLAMA).build());

            ProviderCalls.call(client, server, f)
                    .contextWrite(Spectra.metadata(Map.of("fixture", f.file(), "secret_plan", "not exported")))
                    .contextWrite(Spectra.tags("replay", "otel"))
                    .block(Duration.ofSeconds(20));
            awaitRecords(stored);
            tracker.flush().block(Duration.ofSeconds(10));
            TrackedRequest record = stored.records().get(0);

            assertThat(otel.finishedSpans()).hasSize(1);
            SpanData span = otel.finishedSpans().get(0);
            String operation = OPERATION_NAMES.getOrDefault(f.operation(), f.operation());
            assertThat(span.getName()).isEqualTo(operation + " " + f.model());
            assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(span.getStartEpochNanos()).isEqualTo(nanos(record.startedAt()));
            assertThat(span.getEndEpochNanos()).isEqualTo(nanos(record.completedAt()));
            assertThat(span.getParentSpanContext().isValid()).isFalse();
            assertThat(span.getStatus().getStatusCode()).isEqualTo(f.failure() ? StatusCode.ERROR : StatusCode.UNSET);
            if (f.failure()) {
                assertThat(span.getStatus().getDescription()).isEqualTo(record.errorMessage());
            }
            assertThat(asNames(span.getAttributes().asMap())).isEqualTo(expectedAttributes(f, operation, record));

            assertMetrics(otel, f, operation, record);
            assertThat(tracker.stats().destinations().get(SpectraOpenTelemetry.DESTINATION_NAME).written())
                    .isEqualTo(1);
            tracker.close(Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
        }
    }

    static Map<String, Object> expectedAttributes(ProviderFixture f, String operation, TrackedRequest record) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("spectra.request.id", record.id().toString());
        if (f.responseId() != null) {
            a.put("gen_ai.response.id", f.responseId());
        }
        a.put("gen_ai.provider.name", PROVIDER_NAMES.getOrDefault(f.provider(), f.provider()));
        a.put("gen_ai.request.model", f.model());
        if (f.responseModel() != null) {
            a.put("gen_ai.response.model", f.responseModel());
        }
        a.put("gen_ai.operation.name", operation);
        a.put("http.response.status_code", (long) f.status());
        a.put("spectra.outcome", f.failure() ? "failure" : "success");
        if (f.failure()) {
            a.put("error.type", f.errorType());
        }
        if (f.finishReason() != null) {
            a.put("gen_ai.response.finish_reasons", List.of(f.finishReason()));
        }
        a.put("gen_ai.request.stream", f.streaming());
        ProviderFixture.Tokens u = f.usage();
        if (u != null) {
            a.put("gen_ai.usage.input_tokens", u.input());
            a.put("gen_ai.usage.output_tokens", u.output());
            putPositive(a, "gen_ai.usage.cache_read.input_tokens", u.cachedInput());
            putPositive(a, "gen_ai.usage.cache_creation.input_tokens", u.cacheWrite());
            putPositive(a, "gen_ai.usage.reasoning.output_tokens", u.reasoning());
            putPositive(a, "gen_ai.usage.audio.input_tokens", u.audioInput());
            putPositive(a, "gen_ai.usage.image.input_tokens", u.imageInput());
        }
        if (record.totalCost() != null) {
            a.put("gen_ai.usage.cost.amount", record.totalCost().doubleValue());
            a.put("gen_ai.usage.cost.currency", "USD");
            a.put("gen_ai.usage.cost.source", record.cost().source() == Cost.Source.PROVIDER ? "provider" : "local");
        }
        a.put("spectra.pricing.tier", f.pricingTier() == null ? "standard" : f.pricingTier());
        a.put("spectra.pricing.status", record.cost() != null ? record.pricingStatus().id()
                : f.usage() == null ? "usage_unknown" : "model_not_priced");
        if (record.timeToFirstTokenMs() != null) {
            assertThat(f.streaming()).isTrue();
            a.put("gen_ai.response.time_to_first_chunk", record.timeToFirstTokenMs() / 1000.0);
        }
        if (f.upstreamProvider() != null) {
            a.put("spectra.upstream_provider", f.upstreamProvider());
        }
        a.put("spectra.tags", List.of("replay", "otel"));
        a.put("spectra.metadata.fixture", f.file());
        return a;
    }

    static void assertMetrics(TestSdk otel, ProviderFixture f, String operation, TrackedRequest record) {
        Map<String, Object> common = new LinkedHashMap<>();
        common.put("gen_ai.operation.name", operation);
        common.put("gen_ai.provider.name", PROVIDER_NAMES.getOrDefault(f.provider(), f.provider()));
        common.put("gen_ai.request.model", f.model());
        if (f.responseModel() != null) {
            common.put("gen_ai.response.model", f.responseModel());
        }
        if (f.failure()) {
            common.put("error.type", f.errorType());
        }

        HistogramPointData duration = single(otel.metric("gen_ai.client.operation.duration"));
        assertThat(asNames(duration.getAttributes().asMap())).isEqualTo(common);
        assertThat(duration.getCount()).isEqualTo(1);
        assertThat(duration.getSum()).isEqualTo(
                java.time.Duration.between(record.startedAt(), record.completedAt()).toNanos() / 1e9);
        assertThat(duration.getBoundaries()).containsExactly(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28,
                2.56, 5.12, 10.24, 20.48, 40.96, 81.92);

        List<String> names = otel.allMetrics().stream().map(MetricData::getName).sorted().toList();
        if (f.usage() != null) {
            MetricData tokens = otel.metric("gen_ai.client.token.usage");
            assertThat(tokens.getUnit()).isEqualTo("{token}");
            Map<String, Double> byType = new LinkedHashMap<>();
            for (HistogramPointData p : tokens.getHistogramData().getPoints()) {
                Map<String, Object> attrs = asNames(p.getAttributes().asMap());
                String type = (String) attrs.remove("gen_ai.token.type");
                assertThat(attrs).isEqualTo(common);
                assertThat(p.getCount()).isEqualTo(1);
                assertThat(p.getBoundaries()).startsWith(1.0, 4.0, 16.0).endsWith(67108864.0).hasSize(14);
                byType.put(type, p.getSum());
            }
            assertThat(byType).containsOnly(Map.entry("input", (double) f.usage().input()),
                    Map.entry("output", (double) f.usage().output()));
        } else {
            assertThat(names).doesNotContain("gen_ai.client.token.usage");
        }
        if (record.timeToFirstTokenMs() != null) {
            HistogramPointData ttfc = single(otel.metric("gen_ai.client.operation.time_to_first_chunk"));
            assertThat(ttfc.getSum()).isEqualTo(record.timeToFirstTokenMs() / 1000.0);
        } else {
            assertThat(names).doesNotContain("gen_ai.client.operation.time_to_first_chunk");
        }
        if (record.totalCost() != null) {
            MetricData cost = otel.metric("spectra.client.cost");
            assertThat(cost.getDoubleSumData().getPoints()).singleElement().satisfies(p -> {
                assertThat(p.getValue()).isEqualTo(record.totalCost().doubleValue());
                assertThat(asNames(p.getAttributes().asMap())).isEqualTo(common);
            });
        } else {
            assertThat(names).doesNotContain("spectra.client.cost");
        }
    }

    static HistogramPointData single(MetricData m) {
        assertThat(m.getHistogramData().getPoints()).hasSize(1);
        return m.getHistogramData().getPoints().iterator().next();
    }

    static Map<String, Object> asNames(Map<AttributeKey<?>, Object> attributes) {
        Map<String, Object> byName = new LinkedHashMap<>();
        attributes.forEach((k, v) -> byName.put(k.getKey(), v));
        return byName;
    }

    static long nanos(Instant t) {
        return TimeUnit.SECONDS.toNanos(t.getEpochSecond()) + t.getNano();
    }

    private static void putPositive(Map<String, Object> a, String name, long value) {
        if (value > 0) {
            a.put(name, value);
        }
    }

    /** The filter records when the answer's body ends, just after the caller got it: wait for that, bounded. */
    static void awaitRecords(InMemorySink sink) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sink.size() < 1 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the threads being waited for have the cores
        }
        assertThat(sink.size()).isEqualTo(1);
    }
}
