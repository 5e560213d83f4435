package dev.spectra.reactive.spring.boot.autoconfigure;

import dev.spectra.reactive.SpectraTracker;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code spectra} health indicator: DOWN while writes to storage fail or records are being dropped, UP again
 * after. Off with {@code management.health.spectra.enabled=false}.
 *
 * @since 0.1
 */
@AutoConfiguration(after = SpectraAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBooleanProperty(name = "spectra.enabled", matchIfMissing = true)
@ConditionalOnEnabledHealthIndicator("spectra")
@ConditionalOnBean(SpectraTracker.class)
public final class SpectraHealthAutoConfiguration {

    SpectraHealthAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(name = "spectraHealthIndicator")
    HealthIndicator spectraHealthIndicator(SpectraTracker tracker, ObjectProvider<StorageMonitor> monitor) {
        return new SpectraHealthIndicator(tracker, monitor.getIfAvailable());
    }
}
