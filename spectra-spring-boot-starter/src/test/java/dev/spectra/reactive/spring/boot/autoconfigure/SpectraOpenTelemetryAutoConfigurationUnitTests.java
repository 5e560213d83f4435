package dev.spectra.reactive.spring.boot.autoconfigure;

import java.util.Map;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.TrackedCall;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.opentelemetry.SpectraOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenTelemetry export: configured when the application has an {@code OpenTelemetry} bean, and each condition. */
class SpectraOpenTelemetryAutoConfigurationUnitTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SpectraAutoConfiguration.class,
                    SpectraOpenTelemetryAutoConfiguration.class));

    @AfterEach
    void forgetGlobals() {
        Spectra.resetTracker();
    }

    @Test
    void withAnOpenTelemetryBeanEveryRecordBecomesASpanWithTheAllowedMetadata() {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        runner.withBean(OpenTelemetry.class, () -> sdk)
                .withPropertyValues("spectra.opentelemetry.metadata-keys=tenant_id").run(context -> {
                    assertThat(context).hasSingleBean(SpectraOpenTelemetry.class);
                    SpectraTracker tracker = context.getBean(SpectraTracker.class);
                    assertThat(tracker.stats().destinations()).containsOnlyKeys("opentelemetry");
                    TrackedCall call = tracker.startCall("openai", "gpt-4o", TrackOptions.builder()
                            .operation("chat").metadata(Map.of("tenant_id", "acme", "user", "u-1")).build());
                    assertThat(Spectra.recordSuccess(call, null, Usage.of(10, 4)).block()).isNotNull();
                    tracker.flush().block();

                    assertThat(spans.getFinishedSpanItems()).singleElement().satisfies((SpanData span) -> {
                        assertThat(span.getName()).isEqualTo("chat gpt-4o");
                        assertThat(span.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")))
                                .isEqualTo("gpt-4o");
                        assertThat(span.getAttributes().get(AttributeKey.stringKey("spectra.metadata.tenant_id")))
                                .isEqualTo("acme");
                        assertThat(span.getAttributes().get(AttributeKey.stringKey("spectra.metadata.user")))
                                .isNull();
                    });
                });
        sdk.close();
    }

    @Test
    void noExportWithoutAnOpenTelemetryBeanOrWhenTurnedOffOrWithoutTheModule() {
        runner.run(context -> assertThat(context).hasSingleBean(SpectraTracker.class)
                .doesNotHaveBean(SpectraOpenTelemetry.class));
        runner.withBean(OpenTelemetry.class, OpenTelemetry::noop)
                .withPropertyValues("spectra.opentelemetry.enabled=false").run(context -> {
                    assertThat(context).doesNotHaveBean(SpectraOpenTelemetry.class);
                    assertThat(context.getBean(SpectraTracker.class).stats().destinations()).isEmpty();
                });
        runner.withBean(OpenTelemetry.class, OpenTelemetry::noop)
                .withClassLoader(new FilteredClassLoader(SpectraOpenTelemetry.class))
                .run(context -> assertThat(context).hasSingleBean(SpectraTracker.class)
                        .doesNotHaveBean(SpectraOpenTelemetry.class));
    }

    @Test
    void theApplicationsExportIsUsed() {
        SpectraOpenTelemetry own = SpectraOpenTelemetry.builder(OpenTelemetry.noop()).metrics(false).build();
        runner.withBean(OpenTelemetry.class, OpenTelemetry::noop).withBean(SpectraOpenTelemetry.class, () -> own)
                .run(context -> {
                    assertThat(context.getBean(SpectraOpenTelemetry.class)).isSameAs(own);
                    assertThat(context.getBean(SpectraTracker.class).stats().destinations())
                            .containsOnlyKeys("opentelemetry");
                });
    }
}
