package dev.spectra.reactive.spring.boot.autoconfigure;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.TrackedCall;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.micrometer.SpectraMeters;
import dev.spectra.reactive.micrometer.SpectraTrackerMetrics;
import dev.spectra.reactive.r2dbc.R2dbcSinkOptions;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every condition of the auto-configuration: what it configures by default, what turns each part off, where it
 * backs off for the application's own beans, and what each property does. No I/O: storage is only configured with
 * {@code check-on-startup=false}, which opens no connection.
 */
class SpectraAutoConfigurationUnitTests {

    private static final String DB_URL = "r2dbc:postgresql://spectra@127.0.0.1:1/spectra";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SpectraAutoConfiguration.class,
                    SpectraR2dbcAutoConfiguration.class, SpectraWebClientAutoConfiguration.class,
                    SpectraMetricsAutoConfiguration.class, SpectraHealthAutoConfiguration.class))
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

    @AfterEach
    void forgetGlobals() {
        Spectra.resetTracker();
        Spectra.clearGlobals();
    }

    // ------------------------------------------------------------------------------------------ defaults

    @Test
    void byDefaultATrackerIsInstalledGloballyWithCaptureMetersAndHealthAndRecordsInMemory() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(SpectraTracker.class)
                    .hasSingleBean(SpectraExchangeFilter.class).hasBean("spectraWebClientCustomizer")
                    .hasSingleBean(SpectraMeters.class).hasSingleBean(SpectraTrackerMetrics.class)
                    .hasBean("spectraHealthIndicator").doesNotHaveBean(R2dbcSpectraSink.class);
            SpectraTracker tracker = context.getBean(SpectraTracker.class);
            assertThat(Spectra.tracker()).isSameAs(tracker);
            assertThat(tracker.toString()).contains("sink=InMemorySink").contains("destinations=[micrometer]");
        });
        // closed with the application, and no longer the global tracker
        assertThat(Spectra.resetTracker()).isNull();
    }

    @Test
    void closingTheApplicationWritesWhatIsQueued() {
        InMemorySink probe = new InMemorySink();
        runner.withBean("probe", SpectraTrackerCustomizer.class,
                () -> b -> b.addDestination("probe", probe, RecorderOptions.defaults())).run(context -> {
            SpectraTracker tracker = context.getBean(SpectraTracker.class);
            record(tracker, "openai", "gpt-4o", Map.of());
        });
        assertThat(probe.records()).hasSize(1);
    }

    @Test
    void defaultsAreTheLibrarysDefaults() {
        runner.run(context -> {
            SpectraProperties properties = context.getBean(SpectraProperties.class);
            assertThat(properties.recorder().toOptions().toString()).isEqualTo(RecorderOptions.defaults().toString());
            assertThat(properties.r2dbc().maxAcquireTime()).isEqualTo(R2dbcSinkOptions.DEFAULT_MAX_ACQUIRE_TIME);
            assertThat(properties.r2dbc().statementTimeout()).isEqualTo(R2dbcSinkOptions.DEFAULT_STATEMENT_TIMEOUT);
            assertThat(properties.r2dbc().maxPoolSize()).isEqualTo(R2dbcSinkOptions.DEFAULT_MAX_POOL_SIZE);
            assertThat(properties.r2dbc().schema()).isEqualTo(R2dbcSinkOptions.DEFAULT_SCHEMA);
        });
    }

    // ------------------------------------------------------------------------------------------ turned off

    @Test
    void disabledConfiguresNothing() {
        runner.withPropertyValues("spectra.enabled=false", "spectra.r2dbc.url=" + DB_URL,
                "spectra.r2dbc.check-on-startup=false").run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(SpectraTracker.class).doesNotHaveBean(SpectraExchangeFilter.class)
                .doesNotHaveBean(WebClientCustomizer.class).doesNotHaveBean(SpectraMeters.class)
                .doesNotHaveBean(SpectraTrackerMetrics.class).doesNotHaveBean(HealthIndicator.class)
                .doesNotHaveBean(R2dbcSpectraSink.class).doesNotHaveBean(SpectraProperties.class));
        assertThat(Spectra.resetTracker()).isNull();
    }

    @Test
    void webClientCaptureOffByPropertyOrWithoutSpringBootsWebClient() {
        runner.withPropertyValues("spectra.webclient.enabled=false").run(context -> assertThat(context)
                .hasSingleBean(SpectraTracker.class).doesNotHaveBean(SpectraExchangeFilter.class)
                .doesNotHaveBean(WebClientCustomizer.class));
        runner.withClassLoader(new FilteredClassLoader(WebClientCustomizer.class)).run(context -> assertThat(context)
                .hasSingleBean(SpectraTracker.class).doesNotHaveBean(SpectraExchangeFilter.class));
    }

    @Test
    void metersOffByPropertyOrWithoutAMeterRegistry() {
        runner.withPropertyValues("spectra.metrics.enabled=false").run(context -> {
            assertThat(context).hasSingleBean(SpectraTracker.class).doesNotHaveBean(SpectraMeters.class)
                    .doesNotHaveBean(SpectraTrackerMetrics.class);
            assertThat(context.getBean(SpectraTracker.class).stats().destinations()).isEmpty();
        });
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SpectraAutoConfiguration.class,
                SpectraMetricsAutoConfiguration.class)).run(context -> assertThat(context)
                .hasSingleBean(SpectraTracker.class).doesNotHaveBean(SpectraMeters.class));
    }

    @Test
    void healthOffByPropertyOrWithoutSpringBootsHealth() {
        runner.withPropertyValues("management.health.spectra.enabled=false").run(context -> assertThat(context)
                .hasSingleBean(SpectraTracker.class).doesNotHaveBean("spectraHealthIndicator"));
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run(context -> assertThat(context)
                .hasSingleBean(SpectraTracker.class).doesNotHaveBean("spectraHealthIndicator"));
    }

    @Test
    void noStorageWithoutAUrlOrTheApplicationsConnectionFactory() {
        runner.withBean(ConnectionFactory.class, () -> ConnectionFactories.get(DB_URL)).run(context -> assertThat(
                context).doesNotHaveBean(R2dbcSpectraSink.class));
        runner.withClassLoader(new FilteredClassLoader(ConnectionFactory.class))
                .withPropertyValues("spectra.r2dbc.url=" + DB_URL, "spectra.r2dbc.check-on-startup=false")
                .run(context -> assertThat(context).hasSingleBean(SpectraTracker.class)
                        .doesNotHaveBean(R2dbcSpectraSink.class));
    }

    // ------------------------------------------------------------------------------------------ back-off

    @Test
    void theApplicationsTrackerIsUsedAndNeitherInstalledNorClosed() {
        SpectraTracker own = SpectraTracker.builder().directDelivery().build();
        runner.withBean(SpectraTracker.class, () -> own).run(context -> {
            assertThat(context).hasSingleBean(SpectraTracker.class)
                    .doesNotHaveBean(SpectraAutoConfiguration.GlobalTracker.class)
                    .hasSingleBean(SpectraExchangeFilter.class).hasSingleBean(SpectraTrackerMetrics.class)
                    .hasBean("spectraHealthIndicator");
            assertThat(context.getBean(SpectraTracker.class)).isSameAs(own);
            assertThat(context.getBean(SpectraExchangeFilter.class).toString()).contains("tracker=fixed");
        });
        TrackedCall call = own.startCall("openai", "gpt-4o", TrackOptions.none());
        assertThat(Spectra.recordSuccess(call, null, Usage.of(1, 1)).block()).isNotNull();
        own.close(Duration.ofSeconds(1)).block();
    }

    @Test
    void theApplicationsFilterMetersAndSinkAreUsed() {
        SpectraExchangeFilter filter = SpectraExchangeFilter.create();
        SpectraMeters meters = SpectraMeters.create();
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(DB_URL).build());
        runner.withBean(SpectraExchangeFilter.class, () -> filter).withBean(SpectraMeters.class, () -> meters)
                .withBean(R2dbcSpectraSink.class, () -> sink)
                .withPropertyValues("spectra.r2dbc.url=" + DB_URL).run(context -> {
                    assertThat(context.getBean(SpectraExchangeFilter.class)).isSameAs(filter);
                    assertThat(context.getBean(SpectraMeters.class)).isSameAs(meters);
                    assertThat(context.getBean(R2dbcSpectraSink.class)).isSameAs(sink);
                    assertThat(context.getBean(SpectraTracker.class).toString()).contains("sink=" + sink);
                    WebClient.Builder builder = WebClient.builder();
                    context.getBean(WebClientCustomizer.class).customize(builder);
                    assertThat(filters(builder)).containsExactly(filter);
                });
    }

    @Test
    void customizersChangeTheTrackerInOrder() {
        InMemorySink audit = new InMemorySink();
        runner.withBean("audit", SpectraTrackerCustomizer.class,
                        () -> b -> b.addDestination("audit", audit, RecorderOptions.defaults()))
                .run(context -> assertThat(context.getBean(SpectraTracker.class).stats().destinations())
                        .containsOnlyKeys("micrometer", "audit"));
    }

    // ------------------------------------------------------------------------------------------ properties

    @Test
    void recorderProperties() {
        runner.withPropertyValues("spectra.recorder.queue-capacity=100", "spectra.recorder.batch-size=10",
                "spectra.recorder.max-delay=250ms", "spectra.recorder.write-timeout=3s",
                "spectra.recorder.retry-min-backoff=50ms", "spectra.recorder.retry-max-backoff=1s",
                "spectra.recorder.retry-timeout=30s").run(context -> assertThat(
                context.getBean(SpectraTracker.class).toString()).contains("RecorderOptions{queueCapacity=100, "
                + "batchSize=10, maxDelay=PT0.25S, writeTimeout=PT3S, retryBackoff=PT0.05S..PT1S, retryTimeout=PT30S}"));
    }

    @Test
    void aBadValueStopsTheApplicationNamingTheOption() {
        runner.withPropertyValues("spectra.recorder.batch-size=0").run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause().hasMessage("batchSize must be in 1..10000, was 0"));
        runner.withPropertyValues("spectra.hosts.no-such-provider=gw.example").run(context -> assertThat(context).hasFailed()
                .getFailure().hasStackTraceContaining("spectra.hosts.no-such-provider: "));
    }

    @Test
    void redactKeysAreAddedToTheBuiltInOnes() {
        InMemorySink probe = new InMemorySink();
        runner.withPropertyValues("spectra.redact-keys=customer_ssn")
                .withBean("probe", SpectraTrackerCustomizer.class,
                        () -> b -> b.addDestination("probe", probe, RecorderOptions.defaults()))
                .run(context -> {
                    SpectraTracker tracker = context.getBean(SpectraTracker.class);
                    record(tracker, "openai", "gpt-4o", Map.of("customer_ssn", "123-45-6789", "api_key", "sk-1",
                            "order", "o-1"));
                    tracker.flush().block();
                    assertThat(probe.records()).singleElement().extracting(TrackedRequest::metadata)
                            .isEqualTo(Map.of("customer_ssn", "[REDACTED]", "api_key", "[REDACTED]",
                                    "order", "o-1"));
                });
    }

    @Test
    void globalMetadataReachesEveryRecordAndIsForgottenOnClose() {
        InMemorySink probe = new InMemorySink();
        runner.withPropertyValues("spectra.metadata.service=billing", "spectra.metadata.region=eu-west-1")
                .withBean("probe", SpectraTrackerCustomizer.class,
                        () -> b -> b.addDestination("probe", probe, RecorderOptions.defaults()))
                .run(context -> {
                    SpectraTracker tracker = context.getBean(SpectraTracker.class);
                    record(tracker, "openai", "gpt-4o", Map.of("order", "o-1"));
                    tracker.flush().block();
                    assertThat(probe.records()).singleElement().extracting(TrackedRequest::metadata)
                            .isEqualTo(Map.of("service", "billing", "region", "eu-west-1", "order", "o-1"));
                });
        InMemorySink direct = new InMemorySink();
        SpectraTracker plain = SpectraTracker.builder().sink(direct).directDelivery().build();
        record(plain, "openai", "gpt-4o", Map.of());
        assertThat(direct.records()).singleElement().extracting(TrackedRequest::metadata).isEqualTo(Map.of());
        plain.close(Duration.ZERO).block();
    }

    @Test
    void metadataMaxBytes() {
        runner.withPropertyValues("spectra.metadata-max-bytes=300").run(context -> assertThat(
                context.getBean(SpectraTracker.class).toString()).contains("metadataMaxBytes=300"));
    }

    @Test
    void pricingFileAddsAndOverridesPrices(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, """
                {"providers": {"openai": {"in-house-model": {"type": "text", "tiers": {"standard":
                  {"input_per_1m_tokens": "2", "output_per_1m_tokens": "8"}}}}}}
                """);
        runner.withPropertyValues("spectra.pricing-file=" + file).run(context -> {
            SpectraTracker tracker = context.getBean(SpectraTracker.class);
            Usage million = Usage.of(1_000_000, 1_000_000);
            assertThat(tracker.pricing().cost("openai", "in-house-model", PricingTier.STANDARD, million))
                    .extracting(Cost::total).isEqualTo(new BigDecimal("10.0000000000"));
            // the bundled prices are still there
            assertThat(tracker.pricing().cost("openai", "gpt-4o", PricingTier.STANDARD, million)).isNotNull();
        });
        runner.withPropertyValues("spectra.pricing-file=" + dir.resolve("missing.json")).run(context -> assertThat(
                context).hasFailed().getFailure().hasStackTraceContaining("spectra.pricing-file " + dir.resolve(
                "missing.json") + " could not be loaded"));
    }

    @Test
    void hostsAreRecognisedByEveryCapturePath() {
        runner.withPropertyValues("spectra.hosts.openai=llm-gateway:8080").run(context -> {
            SpectraTracker tracker = context.getBean(SpectraTracker.class);
            assertThat(tracker.providers().match("llm-gateway", 8080, "/v1/chat/completions")).isNotNull();
            assertThat(tracker.providers().match("llm-gateway", 9090, "/v1/chat/completions")).isNull();
        });
    }

    @Test
    void webClientProperties() {
        runner.withPropertyValues("spectra.webclient.capture-payloads=true",
                "spectra.webclient.include-stream-usage=true").run(context -> assertThat(
                context.getBean(SpectraExchangeFilter.class).toString()).contains("capturePayloads=" 
                + SpectraExchangeFilter.DEFAULT_CAPTURE_BYTES + " bytes").contains("includeStreamUsage=true"));
        runner.run(context -> assertThat(context.getBean(SpectraExchangeFilter.class).toString())
                .contains("capturePayloads=off").contains("includeStreamUsage=false"));
    }

    @Test
    void theCustomizerAddsTheFilterOnce() {
        runner.run(context -> {
            WebClient.Builder builder = WebClient.builder();
            WebClientCustomizer customizer = context.getBean(WebClientCustomizer.class);
            customizer.customize(builder);
            customizer.customize(builder);
            assertThat(filters(builder)).containsExactly(context.getBean(SpectraExchangeFilter.class));
        });
    }

    @Test
    void metricsMetadataTags() {
        runner.withPropertyValues("spectra.metrics.metadata-tags=tenant_id,plan").run(context -> assertThat(
                context.getBean(SpectraMeters.class).metadataTags()).containsExactly("tenant_id", "plan"));
    }

    @Test
    void storageFromAUrl() {
        runner.withPropertyValues("spectra.r2dbc.url=" + DB_URL, "spectra.r2dbc.check-on-startup=false",
                "spectra.r2dbc.schema=tracking", "spectra.r2dbc.create-schema=false", "spectra.r2dbc.max-pool-size=2",
                "spectra.r2dbc.write-concurrency=1", "spectra.r2dbc.max-acquire-time=1s", "spectra.r2dbc.statement-timeout=2s").run(context -> {
            R2dbcSinkOptions options = context.getBean(R2dbcSpectraSink.class).options();
            assertThat(options.url()).isEqualTo(DB_URL);
            assertThat(options.schema().name()).isEqualTo("tracking");
            assertThat(options.createSchema()).isFalse();
            assertThat(options.maxPoolSize()).isEqualTo(2);
            assertThat(options.writeConcurrency()).isEqualTo(1);
            assertThat(context.getBean(R2dbcSpectraSink.class).maxConcurrentWrites()).isEqualTo(1);
            assertThat(options.maxAcquireTime()).isEqualTo(Duration.ofSeconds(1));
            assertThat(options.statementTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(context.getBean(SpectraTracker.class).toString()).contains("sink=R2dbcSpectraSink");
        });
    }

    @Test
    void storageWithSeparateCredentialsNeverShowsThePassword() {
        runner.withPropertyValues("spectra.r2dbc.url=r2dbc:postgresql://127.0.0.1:1/spectra",
                "spectra.r2dbc.username=tracker", "spectra.r2dbc.password=hunter2",
                "spectra.r2dbc.check-on-startup=false").run(context -> {
            R2dbcSinkOptions options = context.getBean(R2dbcSpectraSink.class).options();
            assertThat(options.url()).isNull();
            assertThat(options.connectionFactory()).isNotNull();
            assertThat(context.getBean(SpectraProperties.class).toString()).doesNotContain("hunter2");
            assertThat(options.toString()).doesNotContain("hunter2");
        });
    }

    @Test
    void storageInTheApplicationsDatabaseThroughAPoolOfItsOwn() {
        ConnectionFactory unpooled = ConnectionFactories.get(DB_URL);
        ConnectionPool applicationPool = new ConnectionPool(ConnectionPoolConfiguration.builder(unpooled).build());
        runner.withBean(ConnectionFactory.class, () -> applicationPool)
                .withPropertyValues("spectra.r2dbc.use-application-connection-factory=true",
                        "spectra.r2dbc.check-on-startup=false")
                .run(context -> assertThat(context.getBean(R2dbcSpectraSink.class).options().connectionFactory())
                        .isSameAs(unpooled));
        applicationPool.dispose();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static void record(SpectraTracker tracker, String provider, String model, Map<String, Object> metadata) {
        TrackedCall call = tracker.startCall(provider, model, TrackOptions.builder().metadata(metadata).build());
        assertThat(Spectra.recordSuccess(call, null, Usage.of(3, 2)).block()).isNotNull();
    }

    private static List<ExchangeFilterFunction> filters(WebClient.Builder builder) {
        List<ExchangeFilterFunction> filters = new java.util.ArrayList<>();
        builder.filters(filters::addAll);
        return filters;
    }
}
