package dev.spectra.reactive.spring.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.SpectraTrackerBuilder;
import dev.spectra.reactive.pricing.PricingCatalog;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.sink.SpectraSink;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The tracker: a {@link SpectraTracker} bean built from the {@code spectra.*} properties, writing to the
 * {@link R2dbcSpectraSink} bean when there is one (see {@link SpectraR2dbcAutoConfiguration}), else to a bounded
 * in-memory store, then changed by every {@link SpectraTrackerCustomizer} bean. It is installed as the global
 * tracker ({@link Spectra#configure}), so that the {@link Spectra} operators and every capture path record with
 * it, and it is closed with the application, after writing what is queued (within
 * {@code spectra.shutdown-timeout}).
 *
 * <p>An application's own {@link SpectraTracker} bean replaces it; that one is neither installed nor closed here.
 *
 * @since 0.1
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "spectra.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SpectraProperties.class)
public final class SpectraAutoConfiguration {

    private static final Log LOG = LogFactory.getLog(SpectraAutoConfiguration.class);

    SpectraAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    StorageMonitor spectraStorageMonitor() {
        return new StorageMonitor();
    }

    /** The auto-configured tracker, with what installs and closes it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(SpectraTracker.class)
    static class TrackerConfiguration {

        @Bean(destroyMethod = "")
        SpectraTracker spectraTracker(SpectraProperties properties, StorageMonitor monitor,
                                      ObjectProvider<R2dbcSpectraSink> storage,
                                      ObjectProvider<SpectraTrackerCustomizer> customizers) {
            SpectraTrackerBuilder builder = SpectraTracker.builder()
                    .recorder(properties.recorder().toOptions())
                    .metadataMaxBytes(properties.metadataMaxBytes());
            if (!properties.redactKeys().isEmpty()) {
                builder.addRedactKeys(properties.redactKeys().toArray(String[]::new));
            }
            if (properties.pricingFile() != null) {
                builder.pricing(pricing(properties.pricingFile()));
            }
            if (!properties.hosts().isEmpty()) {
                builder.providers(providers(properties.hosts()));
            }
            R2dbcSpectraSink database = storage.getIfAvailable();
            SpectraSink sink;
            if (database != null) {
                sink = database;
            } else {
                sink = new InMemorySink();
                LOG.info("Spectra: no storage configured; records are kept in a bounded in-memory store ("
                        + InMemorySink.DEFAULT_CAPACITY + " records). Set spectra.r2dbc.url, or "
                        + "spectra.r2dbc.use-application-connection-factory=true, to store them in PostgreSQL.");
            }
            builder.sink(monitor.watch(sink));
            customizers.orderedStream().forEach(c -> c.customize(builder));
            return builder.build();
        }

        @Bean
        GlobalTracker spectraGlobalTracker(SpectraTracker tracker, SpectraProperties properties) {
            return new GlobalTracker(tracker, properties.metadata(), properties.shutdownTimeout());
        }

        private static PricingCatalog pricing(Path file) {
            try {
                return PricingCatalog.bundled().toBuilder().load(file).build();
            } catch (RuntimeException e) {
                throw new IllegalStateException("spectra.pricing-file " + file + " could not be loaded: "
                        + e.getMessage(), e);
            }
        }

        private static ProviderRegistry providers(Map<String, List<String>> hosts) {
            ProviderRegistry.Builder registry = ProviderRegistry.builtIn().toBuilder();
            hosts.forEach((provider, patterns) -> patterns.forEach(pattern -> {
                try {
                    registry.host(provider, pattern);
                } catch (RuntimeException e) {
                    throw new IllegalStateException("spectra.hosts." + provider + ": " + e.getMessage(), e);
                }
            }));
            return registry.build();
        }
    }

    /**
     * Installs the tracker as the global one, with the global metadata, and on shutdown writes what is queued,
     * closes it and uninstalls it.
     */
    static final class GlobalTracker implements DisposableBean {

        private final SpectraTracker tracker;
        private final boolean metadata;
        private final Duration shutdownTimeout;

        GlobalTracker(SpectraTracker tracker, Map<String, String> metadata, Duration shutdownTimeout) {
            this.tracker = tracker;
            this.metadata = !metadata.isEmpty();
            this.shutdownTimeout = shutdownTimeout;
            SpectraTracker previous = Spectra.configure(tracker);
            if (previous != null && previous != tracker) {
                LOG.debug("Spectra: replaced the global tracker " + previous);
            }
            if (this.metadata) {
                Spectra.withMetadata(metadata);
            }
        }

        @Override
        public void destroy() {
            try {
                tracker.close(shutdownTimeout).block(shutdownTimeout.plusSeconds(1));
            } catch (RuntimeException e) {
                LOG.warn("Spectra: closing the tracker failed: " + e);
            } finally {
                SpectraTracker current = Spectra.resetTracker();
                if (current != null && current != tracker) {
                    Spectra.configure(current);
                }
                if (metadata) {
                    Spectra.clearGlobals();
                }
            }
        }
    }
}
