package dev.spectra.reactive.spring.boot.autoconfigure;

import dev.spectra.reactive.opentelemetry.SpectraOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * OpenTelemetry export, when the application has an {@link OpenTelemetry} bean and {@code spectra-opentelemetry}
 * is on the class path: a {@link SpectraOpenTelemetry} bean, added to the tracker as its
 * {@value SpectraOpenTelemetry#DESTINATION_NAME} destination (a span per call, the GenAI metrics, the caller's span
 * as parent), exporting the metadata keys of {@code spectra.opentelemetry.metadata-keys}. Off with
 * {@code spectra.opentelemetry.enabled=false}. The application owns the {@code OpenTelemetry} instance.
 *
 * @since 0.1
 */
@AutoConfiguration(after = SpectraAutoConfiguration.class,
        afterName = "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration")
@ConditionalOnClass({SpectraOpenTelemetry.class, OpenTelemetry.class})
@ConditionalOnBooleanProperty(name = {"spectra.enabled", "spectra.opentelemetry.enabled"}, matchIfMissing = true)
@ConditionalOnBean(OpenTelemetry.class)
@EnableConfigurationProperties(SpectraProperties.class)
public final class SpectraOpenTelemetryAutoConfiguration {

    SpectraOpenTelemetryAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    SpectraOpenTelemetry spectraOpenTelemetry(OpenTelemetry openTelemetry, SpectraProperties properties) {
        return SpectraOpenTelemetry.builder(openTelemetry)
                .metadataKeys(properties.opentelemetry().metadataKeys())
                .metrics(properties.opentelemetry().metrics())
                .build();
    }

    @Bean
    SpectraTrackerCustomizer spectraOpenTelemetryDestination(SpectraOpenTelemetry export) {
        return export::applyTo;
    }
}
