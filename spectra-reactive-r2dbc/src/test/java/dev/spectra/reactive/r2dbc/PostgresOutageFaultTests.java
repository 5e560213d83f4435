package dev.spectra.reactive.r2dbc;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.sink.RecorderStats;
import dev.spectra.reactive.testsupport.postgres.EmbeddedServer;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault proof: PostgreSQL goes away for a while under a steady load of tracked calls, with the tracker's default
 * recorder settings. The callers see nothing, the queue absorbs the records, the recorder retries, and when the
 * server is back the backlog drains within seconds, every record stored exactly once.
 *
 * <p>The outage lasts 5 s in the normal suite; {@code -Dspectra.fault.outageSeconds=30} runs the documented
 * 30-second version (see RELIABILITY.md). Uses a server of its own, as it stops it.
 */
class PostgresOutageFaultTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int OUTAGE_SECONDS = Integer.getInteger("spectra.fault.outageSeconds", 5);
    private static final long CALL_INTERVAL_MILLIS = 5;
    private static EmbeddedServer server;

    record Reply(long in, long out) {
    }

    @BeforeAll
    static void start() {
        server = EmbeddedServer.start(Map.of("fsync", "off"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anOutageUnderSteadyLoadLosesNothingAndTheCallersSeeNoError() throws Exception {
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder()
                .url(server.r2dbcUrl("postgres")).schema("outage").build());
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).build(); // the default recorder settings
        TrackOptions usage = TrackOptions.builder().usageExtractor(Reply.class, r -> Usage.of(r.in(), r.out())).build();
        AtomicLong calls = new AtomicLong();
        AtomicLong callerErrors = new AtomicLong();
        AtomicInteger maxQueue = new AtomicInteger();

        // a steady load: one tracked call every 5 ms (about 200 per second), each with its tenant in the Context
        Disposable load = Flux.interval(Duration.ofMillis(CALL_INTERVAL_MILLIS), Schedulers.parallel())
                .onBackpressureDrop()
                .flatMap(i -> Mono.fromCallable(() -> new Reply(100 + i % 50, 20 + i % 7))
                        .transform(tracker.tracked("openai", "gpt-4o-mini", usage))
                        .contextWrite(Spectra.metadata("tenant_id", "t" + i % 3))
                        .doOnSuccess(r -> calls.incrementAndGet())
                        .doOnError(e -> callerErrors.incrementAndGet())
                        .onErrorResume(e -> Mono.empty()))
                .subscribe();
        Disposable watch = Flux.interval(Duration.ofMillis(20))
                .subscribe(t -> maxQueue.accumulateAndGet(tracker.stats().delivery().queueSize(), Math::max));

        Thread.sleep(2_000);
        long beforeOutage = tracker.stats().delivery().written();
        server.stop();
        long stoppedAt = System.nanoTime();
        Thread.sleep(OUTAGE_SECONDS * 1_000L);
        long writtenDuringOutage = tracker.stats().delivery().written() - beforeOutage;
        server.restart();
        long restartedAt = System.nanoTime();
        Thread.sleep(2_000);
        load.dispose();
        long tracked = tracker.stats().recorded();

        // the backlog drains: everything recorded gets written
        long drainedAt = restartedAt;
        while (System.nanoTime() - restartedAt < TIMEOUT.toNanos()) {
            RecorderStats s = tracker.stats().delivery();
            if (s.written() + s.failed() + s.dropped() >= tracked && s.queueSize() == 0) {
                drainedAt = System.nanoTime();
                break;
            }
            Thread.sleep(10);
        }
        watch.dispose();
        RecorderStats stats = tracker.stats().delivery();
        tracker.close(Duration.ofSeconds(10)).block(TIMEOUT);

        ConnectionFactory cf = ConnectionFactories.get(server.r2dbcUrl("postgres"));
        long rows = count(cf, "SELECT count(*) FROM outage.spectra_requests");
        long distinct = count(cf, "SELECT count(DISTINCT id) FROM outage.spectra_requests");
        double drainSeconds = (drainedAt - restartedAt) / 1e9;
        System.out.printf("outage fault proof: %d s outage; %d tracked calls (%.0f/s), %d caller errors; "
                        + "queue peaked at %d; %d written during the outage; %d retries; drained %.2f s after the "
                        + "restart; written %d, dropped %d, failed %d; %d rows (%d distinct ids)%n",
                OUTAGE_SECONDS, tracked, tracked / ((System.nanoTime() - stoppedAt) / 1e9 + 2.0), callerErrors.get(),
                maxQueue.get(), writtenDuringOutage, stats.retried(), drainSeconds, stats.written(), stats.dropped(),
                stats.failed(), rows, distinct);

        assertThat(callerErrors.get()).isZero();
        assertThat(calls.get()).isEqualTo(tracked);
        assertThat(writtenDuringOutage).isZero();
        assertThat(maxQueue.get()).as("the queue absorbed the outage")
                .isGreaterThan((int) (OUTAGE_SECONDS * 1000 / CALL_INTERVAL_MILLIS / 4));
        assertThat(stats.retried()).isPositive();
        assertThat(stats.dropped()).isZero();
        assertThat(stats.failed()).isZero();
        assertThat(stats.written()).isEqualTo(tracked);
        assertThat(rows).isEqualTo(tracked);
        assertThat(distinct).isEqualTo(tracked);
        // the longest backoff is 5 s: once the server is back, the next attempt writes and the rest follows
        assertThat(drainSeconds).isLessThan(10.0);
    }

    private static long count(ConnectionFactory cf, String sql) {
        Long n = Mono.usingWhen(cf.create(), c -> Flux.from(c.createStatement(sql).execute())
                .flatMap(r -> r.map((row, m) -> row.get(0, Long.class))).single(), Connection::close).block(TIMEOUT);
        return n == null ? -1 : n;
    }
}
