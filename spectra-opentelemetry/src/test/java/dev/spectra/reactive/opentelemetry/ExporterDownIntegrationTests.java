package dev.spectra.reactive.opentelemetry;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.SpectraTrackerBuilder;
import dev.spectra.reactive.r2dbc.R2dbcSinkOptions;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.r2dbc.SpectraSchema;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.sink.RecorderStats;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A collector that accepts connections and never answers: the OpenTelemetry export is stuck for good, and neither
 * the callers nor the PostgreSQL writes notice. Measured against the same calls without the export: each caller's
 * latency and the time until every row is in PostgreSQL stay far below the exporter's timeout, which they would
 * reach if they waited on it.
 */
@ExtendWith(PostgresExtension.class)
class ExporterDownIntegrationTests {

    static final int CALLS = 400;
    /** The exporter's own timeout per request: a caller or write that waited on it would take at least this. */
    static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(30);

    /** What one run measured. */
    record Run(long[] callerNanos, long flushNanos, long rows, @Nullable RecorderStats export) {
        long maxCallerMillis() {
            return Arrays.stream(callerNanos).max().orElse(0) / 1_000_000;
        }

        long totalCallerMillis() {
            return Arrays.stream(callerNanos).sum() / 1_000_000;
        }
    }

    @Test
    void callersAndPostgresWritesAreUnaffectedByAHangingCollector(TestDatabase db) {
        Run baseline = run(db, "baseline", null);
        Run down;
        try (OtlpReceiver collector = OtlpReceiver.hanging()) {
            OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                                    .setEndpoint(collector.endpoint("/v1/traces")).setTimeout(EXPORT_TIMEOUT).build())
                            .setMaxQueueSize(64).setMaxExportBatchSize(16).setScheduleDelay(Duration.ofMillis(10))
                            .setExporterTimeout(EXPORT_TIMEOUT).build())
                    .build()).build();
            down = run(db, "down", sdk);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (collector.requests() == 0 && System.nanoTime() < deadline) {
                pause(); // the JDK HTTP client's first connection can take seconds on a loaded machine
            }
            assertThat(collector.requests()).as("the exporter reached the collector, which hangs").isPositive();
            sdk.shutdown(); // not awaited: the hanging export ends when the collector closes
        }

        System.out.printf("exporter down: callers total %d ms (max %d ms), rows in PostgreSQL after %d ms; "
                        + "without export: callers total %d ms (max %d ms), rows after %d ms%n",
                down.totalCallerMillis(), down.maxCallerMillis(), down.flushNanos() / 1_000_000,
                baseline.totalCallerMillis(), baseline.maxCallerMillis(), baseline.flushNanos() / 1_000_000);
        assertThat(baseline.rows()).isEqualTo(CALLS);
        assertThat(down.rows()).isEqualTo(CALLS);
        long timeoutMillis = EXPORT_TIMEOUT.toMillis();
        assertThat(down.maxCallerMillis()).isLessThan(timeoutMillis / 10);
        assertThat(down.flushNanos() / 1_000_000).isLessThan(timeoutMillis / 3);
        // two phases timed one after the other on a shared machine differ by more than noise, hence the wide
        // ratio; one caller that waited on the exporter would still add its 30 s timeout, far above the bound
        assertThat(down.totalCallerMillis()).isLessThan(5 * baseline.totalCallerMillis() + 2000);
        // the destination handed every record to the SDK, which queues and drops on its own side
        assertThat(down.export()).isNotNull();
        assertThat(down.export().written()).isEqualTo(CALLS);
        assertThat(down.export().failed()).isZero();
        assertThat(down.export().dropped()).isZero();
    }

    private static Run run(TestDatabase db, String name, @Nullable OpenTelemetrySdk sdk) {
        String schema = db.newSchemaName(name);
        SpectraSchema.of(schema).createOrUpgrade(db.connectionFactory()).block(Duration.ofSeconds(30));
        R2dbcSpectraSink postgres = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema)
                .build());
        SpectraTrackerBuilder builder = SpectraTracker.builder().sink(postgres)
                .recorder(RecorderOptions.builder().maxDelay(Duration.ofMillis(50)).build());
        if (sdk != null) {
            SpectraOpenTelemetry.builder(sdk).build().applyTo(builder);
        }
        SpectraTracker tracker = builder.build();
        try {
            long[] callers = new long[CALLS];
            for (int i = 0; i < CALLS; i++) {
                long start = System.nanoTime();
                Mono.just("{\"id\":\"chatcmpl-" + name + i + "\",\"model\":\"gpt-4o-2024-08-06\",\"usage\":"
                                + "{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}")
                        .transform(tracker.tracked("openai", "gpt-4o"))
                        .block(Duration.ofSeconds(10));
                callers[i] = System.nanoTime() - start;
            }
            long flushStart = System.nanoTime();
            long rows;
            while ((rows = db.single("SELECT count(*) FROM \"" + schema + "\".spectra_requests", Long.class)) < CALLS
                    && System.nanoTime() - flushStart < Duration.ofSeconds(20).toNanos()) {
                pause(); // each round asks PostgreSQL itself: the rows, not the tracker's counters
            }
            long flushNanos = System.nanoTime() - flushStart;
            RecorderStats export = null;
            if (sdk != null) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (tracker.stats().destinations().get(SpectraOpenTelemetry.DESTINATION_NAME).written() < CALLS
                        && System.nanoTime() < deadline) {
                    pause();
                }
                export = tracker.stats().destinations().get(SpectraOpenTelemetry.DESTINATION_NAME);
            }
            return new Run(callers, flushNanos, rows, export);
        } finally {
            tracker.close(Duration.ofSeconds(5)).block(Duration.ofSeconds(20));
        }
    }

    /** Between looks at a condition: parks, so that the threads that make it true have the cores. */
    private static void pause() {
        LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
}
