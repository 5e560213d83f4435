package dev.spectra.reactive.spring.boot.autoconfigure;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Capture of WebClient calls: a {@link SpectraExchangeFilter} bean recording with the tracker bean, and a
 * {@link WebClientCustomizer} that adds it to every {@code WebClient.Builder} Spring Boot builds. Off with
 * {@code spectra.webclient.enabled=false}. A {@code WebClient} built by hand gets it with
 * {@code WebClient.builder().filter(filter)}.
 *
 * @since 0.1
 */
@AutoConfiguration(after = SpectraAutoConfiguration.class)
@ConditionalOnClass({WebClient.class, WebClientCustomizer.class, SpectraExchangeFilter.class})
@ConditionalOnBooleanProperty(name = {"spectra.enabled", "spectra.webclient.enabled"}, matchIfMissing = true)
@ConditionalOnBean(SpectraTracker.class)
@EnableConfigurationProperties(SpectraProperties.class)
public final class SpectraWebClientAutoConfiguration {

    SpectraWebClientAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    SpectraExchangeFilter spectraExchangeFilter(SpectraTracker tracker, SpectraProperties properties) {
        SpectraExchangeFilter.Builder filter = SpectraExchangeFilter.builder().tracker(tracker)
                .includeStreamUsage(properties.webclient().includeStreamUsage());
        if (properties.webclient().capturePayloads()) {
            filter.capturePayloads();
        }
        return filter.build();
    }

    @Bean
    @ConditionalOnMissingBean(name = "spectraWebClientCustomizer")
    WebClientCustomizer spectraWebClientCustomizer(SpectraExchangeFilter filter) {
        return builder -> builder.filters(filters -> {
            if (!filters.contains(filter)) {
                filters.add(filter);
            }
        });
    }
}
