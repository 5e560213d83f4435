package dev.spectra.reactive.spring.boot.autoconfigure;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.micrometer.SpectraBudgetMetrics;
import dev.spectra.reactive.micrometer.SpectraMeters;
import dev.spectra.reactive.micrometer.SpectraTrackerMetrics;
import dev.spectra.reactive.sink.RecorderOptions;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters, when the application has a {@link MeterRegistry}: a {@link SpectraMeters} bean that the
 * tracker feeds as its {@value #DESTINATION} destination (GenAI client metrics, cost, records by outcome, tagged
 * with the metadata keys of {@code spectra.metrics.metadata-tags}), and a {@link SpectraTrackerMetrics} bean with
 * the tracker's counters. When the application has a {@link SpectraBudgets} bean, a {@link SpectraBudgetMetrics}
 * bean too: gauges of each budget's limit, spent, reserved and remaining, refreshed in the background every
 * {@code spectra.metrics.budget-refresh} (a scrape never reads the budget store), the refresh stopped when the
 * context closes. Spring Boot binds them to its registries. Off with {@code spectra.metrics.enabled=false}.
 *
 * @since 0.1
 */
@AutoConfiguration(after = SpectraAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, SpectraMeters.class})
@ConditionalOnBooleanProperty(name = {"spectra.enabled", "spectra.metrics.enabled"}, matchIfMissing = true)
@ConditionalOnBean(MeterRegistry.class)
@EnableConfigurationProperties(SpectraProperties.class)
public final class SpectraMetricsAutoConfiguration {

    /** The name of the meters' destination in the tracker's stats and logs. */
    public static final String DESTINATION = "micrometer";

    SpectraMetricsAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    SpectraMeters spectraMeters(SpectraProperties properties) {
        return SpectraMeters.builder().metadataTags(properties.metrics().metadataTags()).build();
    }

    @Bean
    SpectraTrackerCustomizer spectraMetersDestination(SpectraMeters meters) {
        return builder -> builder.addDestination(DESTINATION, meters, RecorderOptions.defaults());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(SpectraTracker.class)
    SpectraTrackerMetrics spectraTrackerMetrics(SpectraTracker tracker) {
        return SpectraTrackerMetrics.of(tracker);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBean(SpectraBudgets.class)
    SpectraBudgetMetrics spectraBudgetMetrics(SpectraBudgets budgets, SpectraProperties properties) {
        return SpectraBudgetMetrics.of(budgets).start(properties.metrics().budgetRefresh());
    }
}
