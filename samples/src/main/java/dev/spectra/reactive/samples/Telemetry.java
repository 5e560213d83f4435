package dev.spectra.reactive.samples;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.spectra.reactive.SpectraTrackerBuilder;
import dev.spectra.reactive.opentelemetry.SpectraOpenTelemetry;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import org.jspecify.annotations.Nullable;

/**
 * The sample's OpenTelemetry: when {@code OTEL_EXPORTER_OTLP_ENDPOINT} names a collector, an SDK exporting spans
 * and metrics to it over OTLP/HTTP ({@code <endpoint>/v1/traces}, {@code <endpoint>/v1/metrics}), service name from
 * {@code OTEL_SERVICE_NAME}, and every record exported to it as a span and GenAI metrics.
 */
final class Telemetry implements AutoCloseable {

    static final String ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT";
    static final String PROTOCOL_ENV = "OTEL_EXPORTER_OTLP_PROTOCOL";
    static final String SERVICE_NAME_ENV = "OTEL_SERVICE_NAME";
    static final String DEFAULT_SERVICE_NAME = "spectra-sample";
    /** How often metrics are pushed; the SDK's default is a minute, too slow to watch a demo. */
    static final Duration METRIC_INTERVAL = Duration.ofSeconds(10);

    private final OpenTelemetrySdk sdk;
    private final String endpoint;
    private final String serviceName;

    private Telemetry(String endpoint, String serviceName) {
        this.endpoint = endpoint;
        this.serviceName = serviceName;
        Resource resource = Resource.getDefault().merge(Resource.builder().put("service.name", serviceName).build());
        this.sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().setResource(resource)
                        .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                                .setEndpoint(endpoint + "/v1/traces").setTimeout(Duration.ofSeconds(5)).build())
                                .build())
                        .build())
                .setMeterProvider(SdkMeterProvider.builder().setResource(resource)
                        .registerMetricReader(PeriodicMetricReader.builder(OtlpHttpMetricExporter.builder()
                                        .setEndpoint(endpoint + "/v1/metrics").setTimeout(Duration.ofSeconds(5)).build())
                                .setInterval(METRIC_INTERVAL).build())
                        .build())
                .build();
    }

    /**
     * @param env the environment
     * @return the telemetry, or null when {@value #ENDPOINT_ENV} is not set
     * @throws IllegalArgumentException when the endpoint is not an http(s) URL, or the protocol is not http/protobuf
     */
    static @Nullable Telemetry fromEnvironment(Map<String, String> env) {
        String endpoint = env.get(ENDPOINT_ENV);
        if (endpoint == null || endpoint.isBlank()) {
            return null;
        }
        endpoint = endpoint.trim();
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ENDPOINT_ENV + " is not a URL: " + endpoint, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(ENDPOINT_ENV + " must be the collector's OTLP/HTTP base URL, such as "
                    + "http://localhost:4318, was " + endpoint);
        }
        String protocol = env.getOrDefault(PROTOCOL_ENV, "http/protobuf").trim();
        if (!protocol.isEmpty() && !protocol.equals("http/protobuf")) {
            throw new IllegalArgumentException(PROTOCOL_ENV + "=" + protocol + " is not supported by the sample: it "
                    + "exports OTLP over HTTP with protobuf (http/protobuf, the collector's port 4318)");
        }
        String service = env.get(SERVICE_NAME_ENV);
        return new Telemetry(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint,
                service == null || service.isBlank() ? DEFAULT_SERVICE_NAME : service.trim());
    }

    /** Adds the export of every record to the tracker being built. */
    SpectraTrackerBuilder applyTo(SpectraTrackerBuilder tracker) {
        return SpectraOpenTelemetry.builder(sdk).metadataKeys("tenant_id", "feature", "env").build().applyTo(tracker);
    }

    String describe() {
        return "OTLP/HTTP to " + endpoint + " as service " + serviceName;
    }

    /** Exports what is queued, within a few seconds, then stops; after the tracker has handed over its records. */
    @Override
    public void close() {
        sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
}
