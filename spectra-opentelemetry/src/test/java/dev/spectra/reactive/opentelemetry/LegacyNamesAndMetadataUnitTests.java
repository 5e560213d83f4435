package dev.spectra.reactive.opentelemetry;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sink alone, given hand-made records, into an in-memory SDK: the older names and when they are emitted, the
 * metadata allow-list, values the fixtures do not cover (failures without a type, records without an operation).
 */
class LegacyNamesAndMetadataUnitTests {

    static final Instant START = Instant.parse("2026-01-02T03:04:05.123456Z");

    static TrackedRequest record(String provider) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("tenant", "acme");
        metadata.put("attempt", 2);
        metadata.put("ratio", 0.5);
        metadata.put("beta", true);
        metadata.put("regions", List.of("eu", "us"));
        metadata.put("nested", Map.of("a", 1));
        metadata.put("email", "someone@example.com");
        return TrackedRequest.builder().id(UUID.fromString("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"))
                .provider(provider).model("gpt-4o").operation("chat").outcome(Outcome.SUCCESS)
                .usage(Usage.builder().inputTokens(100).outputTokens(20).totalTokens(120).build())
                .cost(Cost.of("0.00025", "0.0002")).metadata(metadata)
                .startedAt(START).completedAt(START.plusMillis(1500)).latencyMs(1500).build();
    }

    static SpanData export(SpectraOpenTelemetry export, TestSdk otel, TrackedRequest r) {
        export.sink().write(List.of(r)).as(StepVerifier::create).verifyComplete();
        assertThat(otel.finishedSpans()).hasSize(1);
        return otel.finishedSpans().get(0);
    }

    @Test
    void olderNamesAreOffByDefaultAndWhenTheLatestConventionsAreOptedIn() {
        for (String optIn : new String[] {null, "", "gen_ai_latest_experimental", "http,gen_ai_latest_experimental"}) {
            try (TestSdk otel = new TestSdk()) {
                SpectraOpenTelemetry export = SpectraOpenTelemetry.builder(otel.sdk).semconvStabilityOptIn(optIn)
                        .build();
                SpanData span = export(export, otel, record("azure"));

                assertThat(export.legacyNames()).as(optIn).isFalse();
                assertThat(FixtureExportIntegrationTests.asNames(span.getAttributes().asMap())).as(optIn)
                        .containsEntry("gen_ai.provider.name", "azure.ai.openai")
                        .doesNotContainKeys("gen_ai.system", "gen_ai.usage.prompt_tokens",
                                "gen_ai.usage.completion_tokens");
            }
        }
    }

    @Test
    void olderNamesComeBesideTheCurrentOnesWhenAskedOrWhenOptInsLeaveGenAiOut() {
        try (TestSdk asked = new TestSdk(); TestSdk byEnvironment = new TestSdk()) {
            SpectraOpenTelemetry explicit = SpectraOpenTelemetry.builder(asked.sdk).legacyNames(true)
                    .semconvStabilityOptIn("gen_ai_latest_experimental").build();
            SpectraOpenTelemetry fromOptIn = SpectraOpenTelemetry.builder(byEnvironment.sdk)
                    .semconvStabilityOptIn("http,database").build();

            for (SpanData span : List.of(export(explicit, asked, record("azure")),
                    export(fromOptIn, byEnvironment, record("azure")))) {
                assertThat(FixtureExportIntegrationTests.asNames(span.getAttributes().asMap()))
                        .containsEntry("gen_ai.provider.name", "azure.ai.openai")
                        .containsEntry("gen_ai.system", "az.ai.openai")
                        .containsEntry("gen_ai.usage.input_tokens", 100L)
                        .containsEntry("gen_ai.usage.prompt_tokens", 100L)
                        .containsEntry("gen_ai.usage.output_tokens", 20L)
                        .containsEntry("gen_ai.usage.completion_tokens", 20L);
            }
            assertThat(byEnvironment.metric("gen_ai.client.operation.duration").getHistogramData().getPoints())
                    .singleElement().satisfies(p -> assertThat(FixtureExportIntegrationTests.asNames(
                            p.getAttributes().asMap())).containsEntry("gen_ai.system", "az.ai.openai"));
        }
    }

    @Test
    void onlyAllowListedMetadataKeysAreExportedAndOnlyTheirScalarOrStringArrayValues() {
        try (TestSdk otel = new TestSdk()) {
            SpectraOpenTelemetry export = SpectraOpenTelemetry.builder(otel.sdk)
                    .metadataKeys("tenant", "attempt", "ratio", "beta", "regions", "nested", "missing").build();
            SpanData span = export(export, otel, record("openai"));

            Map<String, Object> metadata = new LinkedHashMap<>();
            FixtureExportIntegrationTests.asNames(span.getAttributes().asMap()).forEach((k, v) -> {
                if (k.startsWith("spectra.metadata.")) {
                    metadata.put(k, v);
                }
            });
            assertThat(metadata).containsOnly(
                    Map.entry("spectra.metadata.tenant", "acme"),
                    Map.entry("spectra.metadata.attempt", 2L),
                    Map.entry("spectra.metadata.ratio", 0.5),
                    Map.entry("spectra.metadata.beta", true),
                    Map.entry("spectra.metadata.regions", List.of("eu", "us")));
        }
    }

    @Test
    void aFailureWithoutATypeIsOtherAndARecordWithoutAnOperationGetsOneFromItsModelType() {
        try (TestSdk otel = new TestSdk()) {
            SpectraOpenTelemetry export = SpectraOpenTelemetry.builder(otel.sdk).build();
            TrackedRequest failed = TrackedRequest.builder().id(UUID.randomUUID()).provider("together")
                    .model("m2-bert-80M-8k-retrieval").modelType(ModelType.EMBEDDING).outcome(Outcome.FAILURE)
                    .errorMessage("connection reset").startedAt(START).completedAt(START.plusMillis(3)).build();
            SpanData span = export(export, otel, failed);

            assertThat(span.getName()).isEqualTo("embeddings m2-bert-80M-8k-retrieval");
            assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(span.getStatus().getDescription()).isEqualTo("connection reset");
            assertThat(FixtureExportIntegrationTests.asNames(span.getAttributes().asMap()))
                    .containsEntry("error.type", "_OTHER")
                    .containsEntry("gen_ai.provider.name", "together")
                    .containsEntry("gen_ai.operation.name", "embeddings")
                    .containsEntry("spectra.pricing.status", "usage_unknown")
                    .doesNotContainKeys("gen_ai.usage.input_tokens", "gen_ai.usage.cost.amount");
            assertThat(otel.metric("gen_ai.client.operation.duration").getHistogramData().getPoints())
                    .singleElement().satisfies(p -> {
                        assertThat(p.getSum()).isEqualTo(0.003);
                        assertThat(FixtureExportIntegrationTests.asNames(p.getAttributes().asMap()))
                                .containsEntry("error.type", "_OTHER");
                    });
        }
    }

    @Test
    void theCostIsTheExactTotalAsADoubleWithItsCurrencyAndSource() {
        try (TestSdk otel = new TestSdk()) {
            SpanData span = export(SpectraOpenTelemetry.builder(otel.sdk).build(), otel, record("openai"));

            assertThat(FixtureExportIntegrationTests.asNames(span.getAttributes().asMap()))
                    .containsEntry("gen_ai.usage.cost.amount", new BigDecimal("0.00045").doubleValue())
                    .containsEntry("gen_ai.usage.cost.currency", "USD")
                    .containsEntry("gen_ai.usage.cost.source", "local");
            assertThat(otel.metric("spectra.client.cost").getDoubleSumData().getPoints()).singleElement()
                    .satisfies(p -> assertThat(p.getValue()).isEqualTo(0.00045));
        }
    }

    @Test
    void withMetricsOffOnlyTheSpanIsExported() {
        try (TestSdk otel = new TestSdk()) {
            export(SpectraOpenTelemetry.builder(otel.sdk).metrics(false).build(), otel, record("openai"));

            assertThat(otel.allMetrics()).isEmpty();
        }
    }

    @Test
    void badSettingsAreRefusedWhereTheyAreGiven() {
        try (TestSdk otel = new TestSdk()) {
            assertThatThrownBy(() -> SpectraOpenTelemetry.builder(otel.sdk).metadataKeys("tenant", " "))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("metadata key must not be blank");
            assertThatThrownBy(() -> SpectraOpenTelemetry.builder(null))
                    .isInstanceOf(NullPointerException.class).hasMessage("openTelemetry");
            var tracker = dev.spectra.reactive.SpectraTracker.builder();
            SpectraOpenTelemetry export = SpectraOpenTelemetry.builder(otel.sdk).build();
            export.applyTo(tracker);
            assertThatThrownBy(() -> export.applyTo(tracker)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("destination \"opentelemetry\" is already added");
            assertThat(export.recorderOptions().retryTimeout()).isEqualTo(Duration.ZERO);
        }
    }
}
