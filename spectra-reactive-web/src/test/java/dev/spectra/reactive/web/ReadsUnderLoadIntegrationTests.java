package dev.spectra.reactive.web;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.r2dbc.R2dbcSinkOptions;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.r2dbc.SpectraSchema;
import dev.spectra.reactive.sink.RecorderStats;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heavy reads never starve the writes: {@value #READERS} clients loop on {@code /api/stats} (four aggregates over
 * every row) over {@code spectra.load.rows} stored calls (default 250,000) while a tracker records about 200
 * calls a second through the sink's own pool. The reads run in a pool of their own, at most four at once; the
 * rest are refused at once with 503 and {@code Retry-After}. Figures are printed for docs/reliability.md.
 */
@ExtendWith(PostgresExtension.class)
class ReadsUnderLoadIntegrationTests {

    /** Connection waits of a test machine shared with other builds: seconds, not milliseconds. */
    private static final Duration SLOW_MACHINE = Duration.ofSeconds(30);

    private static final int READERS = 300;
    private static final int READ_POOL = 4;
    private static final Duration LOAD = Duration.ofSeconds(Long.getLong("spectra.load.seconds", 10));
    private static final long CALL_INTERVAL_MILLIS = 5;

    record Reply(long in, long out) {
    }

    @Test
    void threeHundredConcurrentHeavyReadsLeaveTheWritesAlone(TestDatabase db) throws InterruptedException {
        int rows = Integer.getInteger("spectra.load.rows", 250_000);
        R2dbcSpectraSink seedSink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url())
                .schema(db.schemaName()).maxAcquireTime(SLOW_MACHINE).maxCreateConnectionTime(SLOW_MACHINE).build());
        long seedStart = System.nanoTime();
        Instant now = Instant.now();
        Flux.range(0, rows / 5_000)
                .concatMap(batch -> {
                    List<TrackedRequest> chunk = new ArrayList<>(5_000);
                    for (int i = 0; i < 5_000; i++) {
                        int n = batch * 5_000 + i;
                        chunk.add(WebSeed.row(n % 30, now.minusSeconds(n % (30 * 86_400L))).toBuilder()
                                .id(WebSeed.uuid7(now.minusSeconds(n % (30 * 86_400L)), n)).build());
                    }
                    return seedSink.write(chunk);
                })
                .then().block(Duration.ofMinutes(10));
        seedSink.close().block(Duration.ofSeconds(10));
        double seedSeconds = (System.nanoTime() - seedStart) / 1e9;

        // the sink and the recorder as an application has them, at their defaults (a 3 s wait for a connection)
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url())
                .schema(db.schemaName()).build());
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).build();
        SpectraReadPool reads = SpectraReadPool.create(db.url(), SpectraSchema.of(db.schemaName()), READ_POOL,
                Duration.ofSeconds(10), SLOW_MACHINE);
        SpectraWebServer server = SpectraWebServer.start(SpectraWebOptions.builder(reads.requests())
                .access(SpectraAccess.localOnly()).maxConcurrentReads(READ_POOL).build(), "127.0.0.1", 0);
        ConnectionProvider connections = ConnectionProvider.builder("readers").maxConnections(READERS + 10)
                .pendingAcquireMaxCount(-1).build();
        HttpClient client = HttpClient.create(connections).baseUrl(server.baseUrl())
                .responseTimeout(Duration.ofSeconds(30));
        try {
            TrackOptions usage = TrackOptions.builder().usageExtractor(Reply.class, r -> Usage.of(r.in(), r.out()))
                    .build();
            AtomicLong callerErrors = new AtomicLong();
            AtomicInteger maxQueue = new AtomicInteger();
            long writtenBefore = tracker.stats().delivery().written();
            long loadStart = System.nanoTime();
            Disposable calls = Flux.interval(Duration.ofMillis(CALL_INTERVAL_MILLIS), Schedulers.parallel())
                    .onBackpressureDrop()
                    .flatMap(i -> Mono.fromCallable(() -> new Reply(100 + i % 50, 20 + i % 7))
                            .transform(tracker.tracked("openai", "gpt-4o-mini", usage))
                            .doOnError(e -> callerErrors.incrementAndGet())
                            .onErrorResume(e -> Mono.empty()))
                    .subscribe();
            Disposable watch = Flux.interval(Duration.ofMillis(20))
                    .subscribe(t -> maxQueue.accumulateAndGet(tracker.stats().delivery().queueSize(), Math::max));

            Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
            LongAdder okNanos = new LongAdder();
            LongAdder refusedNanos = new LongAdder();
            long end = System.nanoTime() + LOAD.toNanos();
            Flux.range(0, READERS)
                    .flatMap(reader -> Mono.defer(() -> {
                                long start = System.nanoTime();
                                return client.get().uri("/api/stats?period=all")
                                        .responseSingle((res, body) -> body.then(Mono.just(res.status().code())))
                                        .doOnNext(code -> {
                                            statuses.computeIfAbsent(code, c -> new LongAdder()).increment();
                                            (code == 200 ? okNanos : refusedNanos).add(System.nanoTime() - start);
                                        });
                            })
                            // a refused reader waits a little, as a client honouring Retry-After would, less
                            .flatMap(code -> code == 503 ? Mono.delay(Duration.ofMillis(100)).thenReturn(code)
                                    : Mono.just(code))
                            .repeat(() -> System.nanoTime() < end), READERS)
                    .then().block(LOAD.plusMinutes(2));
            calls.dispose();
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            // a call in flight when the load stopped is recorded a moment later: count what was recorded once
            // everything recorded is written
            long drainStart = System.nanoTime();
            while (System.nanoTime() - drainStart < Duration.ofSeconds(30).toNanos()) {
                RecorderStats s = tracker.stats().delivery();
                if (s.written() + s.failed() + s.dropped() >= tracker.stats().recorded() && s.queueSize() == 0) {
                    break;
                }
                Thread.sleep(10);
            }
            watch.dispose();
            long tracked = tracker.stats().recorded();
            RecorderStats stats = tracker.stats().delivery();

            long ok = statuses.getOrDefault(200, new LongAdder()).sum();
            long refused = statuses.getOrDefault(503, new LongAdder()).sum();
            System.out.printf("reads under load: %d rows (seeded in %.1f s); %d readers on /api/stats for %.1f s: "
                            + "%s (200 in %.0f ms on average, 503 in %.1f ms); %d calls tracked (%.0f/s), %d "
                            + "caller errors; queue peaked at %d; written %d, retried %d, dropped %d, failed %d%n",
                    rows, seedSeconds, READERS, loadSeconds, statuses, ok == 0 ? 0 : okNanos.sum() / 1e6 / ok,
                    refused == 0 ? 0 : refusedNanos.sum() / 1e6 / refused, tracked,
                    tracked / loadSeconds, callerErrors.get(), maxQueue.get(),
                    stats.written() - writtenBefore, stats.retried(), stats.dropped(), stats.failed());

            assertThat(statuses.keySet()).as("every answer a 200 or a 503").isSubsetOf(200, 503);
            assertThat(ok).isPositive();
            assertThat(refused).isPositive();
            assertThat(callerErrors.get()).isZero();
            assertThat(tracked).isGreaterThan(LOAD.toSeconds() * 100);
            assertThat(stats.retried()).as("write retries").isZero();
            assertThat(stats.failed()).isZero();
            assertThat(stats.dropped()).isZero();
            assertThat(stats.written()).isEqualTo(tracked);
            // the recorder writes every second at most (its default delay): the queue holds about a second of calls
            assertThat(maxQueue.get()).as("queue peak").isLessThan(1_000);
        } finally {
            server.close();
            connections.dispose();
            reads.close();
            tracker.close(Duration.ofSeconds(10)).block(Duration.ofSeconds(30));
        }
    }
}
