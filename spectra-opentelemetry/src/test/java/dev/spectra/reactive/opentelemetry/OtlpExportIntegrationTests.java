package dev.spectra.reactive.opentelemetry;

import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.SpectraTrackerBuilder;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OTLP/HTTP from the SDK's own exporters (JDK HTTP sender) to a receiver on 127.0.0.1, decoded with the OTLP
 * protobuf: the collector gets the call's span, under the caller's span, with its GenAI attributes, and the metrics.
 */
class OtlpExportIntegrationTests {

    @Test
    void theReceiverGetsTheSpanAndTheMetricsAsOtlpProtobuf() throws Exception {
        ProviderFixture f = ProviderFixtures.named("anthropic__messages__json__1.json");
        try (OtlpReceiver receiver = OtlpReceiver.start(); FixtureServer server = FixtureServer.start()) {
            OtlpHttpSpanExporter spans = OtlpHttpSpanExporter.builder().setEndpoint(receiver.endpoint("/v1/traces"))
                    .setTimeout(Duration.ofSeconds(5)).build();
            OtlpHttpMetricExporter metrics = OtlpHttpMetricExporter.builder()
                    .setEndpoint(receiver.endpoint("/v1/metrics")).setTimeout(Duration.ofSeconds(5)).build();
            OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder()
                            .setResource(Resource.getDefault().merge(Resource.builder()
                                    .put("service.name", "otlp-test").build()))
                            .addSpanProcessor(BatchSpanProcessor.builder(spans).build()).build())
                    .setMeterProvider(SdkMeterProvider.builder()
                            .registerMetricReader(PeriodicMetricReader.builder(metrics)
                                    .setInterval(Duration.ofHours(1)).build()).build())
                    .build();
            InMemorySink stored = new InMemorySink();
            SpectraTrackerBuilder builder = SpectraTracker.builder().sink(stored).directDelivery();
            SpectraOpenTelemetry.builder(sdk).build().applyTo(builder);
            SpectraTracker tracker = builder.build();
            WebClient client = ProviderCalls.client(SpectraExchangeFilter.builder().tracker(tracker).build());

            ProviderCalls.call(client, server, f)
                    .contextWrite(ctx -> ctx.put("traceparent",
                            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
                    .block(Duration.ofSeconds(20));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (stored.size() < 1 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the threads awaited have the cores
            }
            tracker.flush().block(Duration.ofSeconds(10));
            assertThat(sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            assertThat(sdk.getSdkMeterProvider().forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
            TrackedRequest record = stored.records().get(0);

            List<OtlpReceiver.Post> traces = receiver.posts("/v1/traces");
            assertThat(traces).isNotEmpty().allSatisfy(p -> assertThat(p.contentType())
                    .isEqualTo("application/x-protobuf"));
            List<Span> received = traces.stream().flatMap(p -> parseTraces(p.body()).getResourceSpansList().stream())
                    .flatMap(rs -> rs.getScopeSpansList().stream())
                    .peek(ss -> assertThat(ss.getScope().getName()).isEqualTo("dev.spectra.reactive"))
                    .flatMap(ss -> ss.getSpansList().stream()).toList();
            assertThat(received).singleElement().satisfies(span -> {
                assertThat(span.getName()).isEqualTo("chat claude-sonnet-4-5");
                assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
                assertThat(HexFormat.of().formatHex(span.getTraceId().toByteArray()))
                        .isEqualTo("0af7651916cd43dd8448eb211c80319c");
                assertThat(HexFormat.of().formatHex(span.getParentSpanId().toByteArray()))
                        .isEqualTo("b7ad6b7169203331");
                assertThat(span.getStartTimeUnixNano()).isEqualTo(FixtureExportIntegrationTests.nanos(
                        record.startedAt()));
                assertThat(span.getEndTimeUnixNano()).isEqualTo(FixtureExportIntegrationTests.nanos(
                        record.completedAt()));
                Map<String, Object> attributes = attributes(span.getAttributesList());
                assertThat(attributes).containsEntry("gen_ai.provider.name", "anthropic")
                        .containsEntry("gen_ai.operation.name", "chat")
                        .containsEntry("gen_ai.request.model", f.model())
                        .containsEntry("gen_ai.response.model", "claude-sonnet-4-5-20250929")
                        .containsEntry("gen_ai.usage.input_tokens", 1114L)
                        .containsEntry("gen_ai.usage.output_tokens", 406L)
                        .containsEntry("gen_ai.usage.cache_read.input_tokens", 1111L)
                        .containsEntry("gen_ai.response.finish_reasons", List.of(f.finishReason()))
                        .containsEntry("gen_ai.request.stream", false)
                        .containsEntry("spectra.request.id", record.id().toString());
            });
            List<String> metricNames = receiver.posts("/v1/metrics").stream()
                    .flatMap(p -> parseMetrics(p.body()).getResourceMetricsList().stream())
                    .flatMap(rm -> rm.getScopeMetricsList().stream())
                    .flatMap(sm -> sm.getMetricsList().stream()).map(Metric::getName).distinct().sorted().toList();
            assertThat(metricNames).contains("gen_ai.client.operation.duration", "gen_ai.client.token.usage");
            tracker.close(Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
            sdk.close();
        }
    }

    static Map<String, Object> attributes(List<KeyValue> list) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (KeyValue kv : list) {
            map.put(kv.getKey(), value(kv.getValue()));
        }
        return map;
    }

    private static Object value(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> v.getBoolValue();
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(OtlpExportIntegrationTests::value)
                    .toList();
            default -> v.toString();
        };
    }

    private static ExportTraceServiceRequest parseTraces(byte[] body) {
        try {
            return ExportTraceServiceRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not an OTLP trace request", e);
        }
    }

    private static ExportMetricsServiceRequest parseMetrics(byte[] body) {
        try {
            return ExportMetricsServiceRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not an OTLP metrics request", e);
        }
    }
}
