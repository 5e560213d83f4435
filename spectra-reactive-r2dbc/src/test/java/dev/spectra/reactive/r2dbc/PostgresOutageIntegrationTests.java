package dev.spectra.reactive.r2dbc;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

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
 * <p>Each phase is measured in records, not in time: the load runs until a number of records are written, the
 * outage lasts until the callers have made 1,000 more tracked calls (about 5 s of load) and the recorder has
 * retried, and the drain is awaited by counts. {@code -Dspectra.fault.outageCalls=6000} runs the documented
 * 30-second version (see docs/reliability.md). Uses a server of its own, as it stops it.
 */
class PostgresOutageIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int OUTAGE_CALLS = Integer.getInteger("spectra.fault.outageCalls", 1_000);
    private static final int WARM_UP_WRITES = 200;
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
        AtomicLong maxHeld = new AtomicLong();

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
        // held: accepted and not yet settled, whether queued or in a batch being retried
        Disposable watch = Flux.interval(Duration.ofMillis(20)).subscribe(t -> {
            RecorderStats s = tracker.stats().delivery();
            maxHeld.accumulateAndGet(s.queued() - s.written() - s.failed(), Math::max);
        });

        awaitCount(() -> tracker.stats().delivery().written(), WARM_UP_WRITES);
        long beforeOutage = tracker.stats().delivery().written();
        server.stop();
        long stoppedAt = System.nanoTime();
        long trackedAtStop = tracker.stats().recorded();
        awaitCount(() -> tracker.stats().recorded() - trackedAtStop, OUTAGE_CALLS);
        awaitCount(() -> tracker.stats().delivery().retried(), 1);
        long writtenDuringOutage = tracker.stats().delivery().written() - beforeOutage;
        long outageCalls = tracker.stats().recorded() - trackedAtStop;
        server.restart();
        long restartedAt = System.nanoTime();
        long writtenAtRestart = tracker.stats().delivery().written();
        awaitCount(() -> tracker.stats().delivery().written() - writtenAtRestart, WARM_UP_WRITES);
        load.dispose();
        long tracked = tracker.stats().recorded();

        // the backlog drains: everything recorded gets written
        awaitCount(() -> {
            RecorderStats s = tracker.stats().delivery();
            return s.queueSize() == 0 ? s.written() + s.failed() + s.dropped() : 0;
        }, tracked);
        long drainedAt = System.nanoTime();
        watch.dispose();
        RecorderStats stats = tracker.stats().delivery();
        tracker.close(Duration.ofSeconds(10)).block(TIMEOUT);

        ConnectionFactory cf = ConnectionFactories.get(server.r2dbcUrl("postgres"));
        long rows = count(cf, "SELECT count(*) FROM outage.spectra_requests");
        long distinct = count(cf, "SELECT count(DISTINCT id) FROM outage.spectra_requests");
        double drainSeconds = (drainedAt - restartedAt) / 1e9;
        System.out.printf("outage fault proof: %d calls during the outage; %d tracked calls (%.0f/s), %d caller errors; "
                        + "records held peaked at %d; %d written during the outage; %d retries; drained %.2f s after the "
                        + "restart; written %d, dropped %d, failed %d; %d rows (%d distinct ids)%n",
                outageCalls, tracked, tracked / ((System.nanoTime() - stoppedAt) / 1e9), callerErrors.get(),
                maxHeld.get(), writtenDuringOutage, stats.retried(), drainSeconds, stats.written(), stats.dropped(),
                stats.failed(), rows, distinct);

        assertThat(callerErrors.get()).isZero();
        assertThat(calls.get()).isEqualTo(tracked);
        assertThat(writtenDuringOutage).isZero();
        assertThat(maxHeld.get()).as("the recorder held the outage's records")
                .isGreaterThanOrEqualTo(OUTAGE_CALLS * 9 / 10);
        assertThat(stats.retried()).isPositive();
        assertThat(stats.dropped()).isZero();
        assertThat(stats.failed()).isZero();
        assertThat(stats.written()).isEqualTo(tracked);
        assertThat(rows).isEqualTo(tracked);
        assertThat(distinct).isEqualTo(tracked);
        // the longest backoff is 5 s: once the server is back, the next attempt writes and the rest follows
        assertThat(drainSeconds).isLessThan(10.0);
    }

    /** Waits, polling every 10 ms, until the count reaches the target; fails after {@link #TIMEOUT}. */
    private static void awaitCount(LongSupplier count, long target) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (count.getAsLong() < target) {
            assertThat(System.nanoTime()).as("waiting for a count of %d, at %d", target, count.getAsLong())
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static long count(ConnectionFactory cf, String sql) {
        Long n = Mono.usingWhen(cf.create(), c -> Flux.from(c.createStatement(sql).execute())
                .flatMap(r -> r.map((row, m) -> row.get(0, Long.class))).single(), Connection::close).block(TIMEOUT);
        return n == null ? -1 : n;
    }
}
