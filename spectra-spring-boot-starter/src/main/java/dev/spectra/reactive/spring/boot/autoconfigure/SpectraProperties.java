package dev.spectra.reactive.spring.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.SpectraTrackerBuilder;
import dev.spectra.reactive.r2dbc.R2dbcSinkOptions;
import dev.spectra.reactive.sink.RecorderOptions;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Spectra's configuration properties, under {@code spectra.*}.
 *
 * @param enabled whether Spectra is configured at all; false turns off the tracker, capture, storage, meters and
 *        health
 * @param recorder how records are queued and written to storage
 * @param redactKeys metadata keys whose values are stored as "[REDACTED]", in addition to the built-in ones
 *        (api_key, authorization, password, token, secret ...)
 * @param pricingFile a JSON price list in the bundled catalog's format; its prices are added to the bundled ones
 *        and win over them
 * @param metadata metadata added to every record (for example the service or region)
 * @param metadataMaxBytes bound on a call's serialised metadata, in bytes
 * @param hosts more hosts for known providers, by provider id, for every capture path: for example openai:
 *        llm-gateway:8080 (host, host:port or *.suffix), for a gateway, a vLLM server or a local stand-in
 * @param shutdownTimeout how long closing the application waits for queued records to be written
 * @param r2dbc storage in PostgreSQL over R2DBC
 * @param webclient capture of the calls made through the WebClient.Builder that Spring Boot provides
 * @param metrics Micrometer meters
 * @param opentelemetry export to OpenTelemetry, when the application has an OpenTelemetry bean
 * @since 0.1
 */
@ConfigurationProperties("spectra")
public record SpectraProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue Recorder recorder,
        @DefaultValue List<String> redactKeys,
        @Nullable Path pricingFile,
        @DefaultValue Map<String, String> metadata,
        @DefaultValue("" + SpectraTrackerBuilder.DEFAULT_METADATA_MAX_BYTES) int metadataMaxBytes,
        @DefaultValue Map<String, List<String>> hosts,
        @DefaultValue("10s") Duration shutdownTimeout,
        @DefaultValue R2dbc r2dbc,
        @DefaultValue WebClient webclient,
        @DefaultValue Metrics metrics,
        @DefaultValue OpenTelemetry opentelemetry) {

    /**
     * The recorder between the tracked calls and storage.
     *
     * @param queueCapacity records held while storage is slow or down; past it, new records are dropped and counted
     * @param batchSize largest number of records written in one statement
     * @param maxDelay longest time a record waits for its batch to fill
     * @param writeTimeout timeout of one write; a timed-out write is retried
     * @param retryMinBackoff first wait before retrying a failed write (it doubles, with jitter)
     * @param retryMaxBackoff longest wait between retries
     * @param retryTimeout how long after a record was first offered its batch is still retried
     */
    public record Recorder(
            @DefaultValue("" + RecorderOptions.DEFAULT_QUEUE_CAPACITY) int queueCapacity,
            @DefaultValue("" + RecorderOptions.DEFAULT_BATCH_SIZE) int batchSize,
            @DefaultValue("1s") Duration maxDelay,
            @DefaultValue("10s") Duration writeTimeout,
            @DefaultValue("100ms") Duration retryMinBackoff,
            @DefaultValue("5s") Duration retryMaxBackoff,
            @DefaultValue("2m") Duration retryTimeout) {

        /**
         * @return the recorder options these properties describe
         * @throws IllegalArgumentException naming the option when a value is out of range
         */
        public RecorderOptions toOptions() {
            return RecorderOptions.builder().queueCapacity(queueCapacity).batchSize(batchSize).maxDelay(maxDelay)
                    .writeTimeout(writeTimeout).retryBackoff(retryMinBackoff, retryMaxBackoff)
                    .retryTimeout(retryTimeout).build();
        }
    }

    /**
     * Storage in PostgreSQL over R2DBC: either a database of Spectra's own ({@code url}), or the application's
     * {@code ConnectionFactory} ({@code use-application-connection-factory}: its database and credentials); in both
     * cases through a pool of Spectra's own, so that tracking never takes the application's connections. With
     * neither, records stay in a bounded in-memory store.
     *
     * @param url the database, e.g. r2dbc:postgresql://db:5432/app (not an r2dbc:pool: URL)
     * @param username the user, when not in the URL
     * @param password the password, when not in the URL; never logged
     * @param useApplicationConnectionFactory store in the database of the application's ConnectionFactory bean
     *        (spring.r2dbc.*) when no url is set
     * @param schema the PostgreSQL schema of Spectra's tables
     * @param createSchema create or upgrade the tables before the first write
     * @param checkOnStartup check at start-up that records can be written, and stop the application when they cannot
     *        (wrong URL, password or database), instead of failing in the background
     * @param maxPoolSize upper bound of Spectra's own connections
     * @param writeConcurrency batches written at once, each on its own connection, at most {@code maxPoolSize}; 1
     *        commits them in the order their records were queued; unset: 2, or {@code maxPoolSize} when smaller
     * @param maxAcquireTime how long a write waits for a connection
     * @param statementTimeout server-side statement timeout of Spectra's connections
     */
    public record R2dbc(
            @Nullable String url,
            @Nullable String username,
            @Nullable String password,
            @DefaultValue("false") boolean useApplicationConnectionFactory,
            @DefaultValue(R2dbcSinkOptions.DEFAULT_SCHEMA) String schema,
            @DefaultValue("true") boolean createSchema,
            @DefaultValue("true") boolean checkOnStartup,
            @DefaultValue("" + R2dbcSinkOptions.DEFAULT_MAX_POOL_SIZE) int maxPoolSize,
            @Nullable Integer writeConcurrency,
            @DefaultValue("3s") Duration maxAcquireTime,
            @DefaultValue("5s") Duration statementTimeout) {

        @Override
        public String toString() {
            return "R2dbc{url=" + (url == null ? null : "(set)") + ", username=" + username + ", password=" + (password == null ? null : "******")
                    + ", useApplicationConnectionFactory=" + useApplicationConnectionFactory + ", schema=" + schema
                    + ", createSchema=" + createSchema + ", checkOnStartup=" + checkOnStartup + ", maxPoolSize="
                    + maxPoolSize + ", writeConcurrency=" + writeConcurrency + ", maxAcquireTime=" + maxAcquireTime
                    + ", statementTimeout=" + statementTimeout + "}";
        }
    }

    /**
     * Capture of the calls made through the {@code WebClient.Builder} bean.
     *
     * @param enabled whether Spectra's filter is added to every WebClient.Builder that Spring Boot builds
     * @param capturePayloads store the request and response bodies (bounded) with each record
     * @param includeStreamUsage ask OpenAI-compatible providers to report usage at the end of streams
     *        (stream_options.include_usage), which changes the request body
     */
    public record WebClient(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("false") boolean capturePayloads,
            @DefaultValue("false") boolean includeStreamUsage) {
    }

    /**
     * Micrometer meters.
     *
     * @param enabled whether the GenAI client metrics, the cost counter and the tracker's counters are published
     * @param metadataTags metadata keys whose values become tags of the meters (for example tenant_id); every other
     *        metadata key stays out of the meters, so the number of series stays bounded
     * @param budgetRefresh how often the budget gauges read the budgets' status (when the application has a
     *        SpectraBudgets bean), in the background: a scrape shows the last values and never reads the budget
     *        store; at least 100ms
     */
    public record Metrics(
            @DefaultValue("true") boolean enabled,
            @DefaultValue List<String> metadataTags,
            @DefaultValue("30s") Duration budgetRefresh) {
    }

    /**
     * Export to OpenTelemetry (spectra-opentelemetry), when the application has an {@code OpenTelemetry} bean.
     *
     * @param enabled whether every record is exported as a span (and metrics) through the application's
     *        OpenTelemetry
     * @param metadataKeys metadata keys exported as span attributes spectra.metadata.&lt;key&gt;; nothing else of the
     *        metadata is exported
     * @param metrics whether the GenAI metrics are recorded through OpenTelemetry too (turn off when Micrometer
     *        already exports them to the same backend)
     */
    public record OpenTelemetry(
            @DefaultValue("true") boolean enabled,
            @DefaultValue List<String> metadataKeys,
            @DefaultValue("true") boolean metrics) {
    }
}
