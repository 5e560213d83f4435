package dev.spectra.reactive.r2dbc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.Recorder;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.sink.RecorderStats;
import dev.spectra.reactive.testsupport.postgres.EmbeddedServer;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole delivery path (Recorder in front of R2dbcSpectraSink) across a restart of PostgreSQL in the middle of
 * a run. Uses a server of its own, always embedded: the shared one (or an external one) must not be restarted
 * under other test classes.
 */
class RecorderRestartIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static EmbeddedServer server;

    @BeforeAll
    static void start() {
        server = EmbeddedServer.start(Map.of("fsync", "off"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void withTheDatabaseStoppedFlushEndsWithinRetryTimeoutPlusWriteTimeoutWhateverTheNumberOfBatches() {
        Duration retryTimeout = Duration.ofSeconds(2);
        Duration writeTimeout = Duration.ofSeconds(1);
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder()
                .url(server.r2dbcUrl("postgres")).schema("stopped").build());
        sink.checkStartup().block(TIMEOUT);
        Recorder recorder = Recorder.create(sink, RecorderOptions.builder().batchSize(10)
                .maxDelay(Duration.ofHours(1)).writeTimeout(writeTimeout)
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).retryTimeout(retryTimeout).build());
        server.stop();
        try {
            Instant t = Instant.parse("2026-12-02T09:00:00Z");
            for (int i = 0; i < 60; i++) {                // six batches
                recorder.deliver(Records.full(t.plusMillis(i)));
            }
            long start = System.nanoTime();
            // a retry timeout per batch would take six times retryTimeout; from first offer, one
            recorder.flush().block(retryTimeout.plus(writeTimeout).plusSeconds(2));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).isLessThan(retryTimeout.plus(writeTimeout).plusSeconds(2));
            RecorderStats s = recorder.stats();
            assertThat(s.failed()).isEqualTo(60);
            assertThat(s.written()).isZero();
            assertThat(s.retried()).isPositive();
        } finally {
            recorder.close(Duration.ofSeconds(1)).block(TIMEOUT);
            server.restart();
        }
    }

    @Test
    void aRestartInTheMiddleOfARunLosesNothingThatWasQueuedAndStoresEachRecordOnce() throws Exception {
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder()
                .url(server.r2dbcUrl("postgres")).schema("restart").build());
        Recorder recorder = Recorder.create(sink, RecorderOptions.builder()
                .batchSize(100)
                .maxDelay(Duration.ofMillis(20))
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .build());
        List<TrackedRequest> produced = new ArrayList<>();
        CompletableFuture<Void> restart = null;

        // 30 rounds of 100 records, 50 ms apart; the server goes down after round 10 and stays down for a second
        // while records keep coming: the queue absorbs them and the recorder retries the batch in flight.
        for (int round = 0; round < 30; round++) {
            for (int i = 0; i < 100; i++) {
                TrackedRequest r = Records.full(Instant.parse("2025-04-01T00:00:00Z").plusMillis(round * 100L + i));
                produced.add(r);
                assertThat(recorder.deliver(r)).as("accepted").isTrue();
            }
            if (round == 10) {
                restart = CompletableFuture.runAsync(() -> {
                    server.stop();
                    sleep(1_000);
                    server.restart();
                });
            }
            Thread.sleep(50);
        }
        restart.get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        recorder.flush().block(TIMEOUT);
        RecorderStats stats = recorder.stats();
        recorder.close(Duration.ofSeconds(10)).block(TIMEOUT);

        assertThat(stats.queued()).isEqualTo(3_000);
        assertThat(stats.dropped()).isZero();
        assertThat(stats.failed()).isZero();
        assertThat(stats.written()).isEqualTo(3_000);
        assertThat(stats.retried()).as("the restart made writes fail and be retried").isPositive();
        ConnectionFactory cf = ConnectionFactories.get(server.r2dbcUrl("postgres"));
        assertThat(count(cf, "SELECT count(*) FROM restart.spectra_requests")).isEqualTo(3_000);
        assertThat(count(cf, "SELECT count(DISTINCT id) FROM restart.spectra_requests")).isEqualTo(3_000);
        UUID[] ids = produced.stream().map(TrackedRequest::id).toArray(UUID[]::new);
        assertThat(Mono.usingWhen(cf.create(), c -> Flux.from(c.createStatement(
                        "SELECT count(*) FROM restart.spectra_requests WHERE id = ANY($1)").bind(0, ids).execute())
                .flatMap(res -> res.map((row, m) -> row.get(0, Long.class))).single(), Connection::close)
                .block(TIMEOUT)).isEqualTo(3_000L);
    }

    private static long count(ConnectionFactory cf, String sql) {
        Long n = Mono.usingWhen(cf.create(), c -> Flux.from(c.createStatement(sql).execute())
                .flatMap(r -> r.map((row, m) -> row.get(0, Long.class))).single(), Connection::close).block(TIMEOUT);
        return n == null ? -1 : n;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
