package dev.spectra.reactive.sink;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import dev.spectra.reactive.TrackedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;

class RecorderUnitTests {

    private final List<Recorder> recorders = new ArrayList<>();

    @AfterEach
    void closeAll() {
        Flux.fromIterable(recorders).flatMap(r -> r.close(Duration.ofSeconds(1))).blockLast(Duration.ofSeconds(10));
    }

    private Recorder recorder(SpectraSink sink, Function<RecorderOptions.Builder, RecorderOptions.Builder> options) {
        Recorder r = Recorder.create(sink, options.apply(RecorderOptions.builder()).build());
        recorders.add(r);
        return r;
    }

    /** Stores batches; each write can be held open by a gate. */
    static final class ListSink implements SpectraSink {
        final List<List<TrackedRequest>> batches = new CopyOnWriteArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        volatile Mono<Void> gate = Mono.empty();
        int concurrency = 1;

        @Override
        public int maxConcurrentWrites() {
            return concurrency;
        }

        @Override
        public Mono<Void> write(List<TrackedRequest> batch) {
            return Mono.defer(() -> {
                int n = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(n, Math::max);
                return gate.then(Mono.fromRunnable(() -> batches.add(List.copyOf(batch))));
            }).doOnTerminate(inFlight::decrementAndGet).doOnCancel(inFlight::decrementAndGet).then();
        }

        List<UUID> ids() {
            List<UUID> ids = new ArrayList<>();
            batches.forEach(b -> b.forEach(r -> ids.add(r.id())));
            return ids;
        }
    }

    @Test
    void fullBatchesAreWrittenAtOnceAndTheRestOnFlush() {
        ListSink sink = new ListSink();
        Recorder recorder = recorder(sink, o -> o.batchSize(3).maxDelay(Duration.ofHours(1)));

        for (int i = 0; i < 7; i++) {
            assertThat(recorder.deliver(Records.record(i))).isTrue();
        }
        StepVerifier.create(recorder.flush()).verifyComplete();

        assertThat(sink.batches).extracting(List::size).containsExactly(3, 3, 1);
        assertThat(sink.ids()).containsExactly(ids(0, 7));
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(7, 7, 0, 0, 0, 0));
    }

    @Test
    void aPartialBatchIsWrittenAfterTheDelay() throws InterruptedException {
        ListSink sink = new ListSink();
        CountDownLatch written = new CountDownLatch(1);
        sink.gate = Mono.fromRunnable(written::countDown);
        Recorder recorder = recorder(sink, o -> o.batchSize(100).maxDelay(Duration.ofMillis(50)));

        recorder.deliver(Records.record(1));

        assertThat(written.await(5, TimeUnit.SECONDS)).isTrue();
        StepVerifier.create(recorder.flush()).verifyComplete();
        assertThat(sink.ids()).containsExactly(new UUID(7, 1));
    }

    @Test
    void onlyOneBatchIsInFlight() {
        ListSink sink = new ListSink();
        sink.gate = Mono.delay(Duration.ofMillis(5)).then();
        Recorder recorder = recorder(sink, o -> o.batchSize(10).queueCapacity(1000));

        Flux.range(0, 500).parallel(4).runOn(Schedulers.parallel())
                .doOnNext(i -> recorder.deliver(Records.record(i))).sequential().blockLast();
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(30));

        assertThat(sink.maxInFlight.get()).isEqualTo(1);
        assertThat(sink.ids()).hasSize(500).doesNotHaveDuplicates();
        assertThat(sink.batches).allSatisfy(b -> assertThat(b.size()).isLessThanOrEqualTo(10));
    }

    @Test
    void asManyFullBatchesAreInFlightAsTheSinkTakesAndEveryRecordIsWrittenOnce() throws InterruptedException {
        ListSink sink = new ListSink();
        sink.concurrency = 3;
        Sinks.Empty<Void> release = Sinks.empty();
        CountDownLatch threeStarted = new CountDownLatch(3);
        sink.gate = Mono.fromRunnable(threeStarted::countDown).then(release.asMono());
        Recorder recorder = recorder(sink, o -> o.batchSize(2).maxDelay(Duration.ofHours(1)));

        for (int i = 0; i < 11; i++) {
            recorder.deliver(Records.record(i));
        }

        assertThat(threeStarted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.inFlight.get()).isEqualTo(3);
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(11, 0, 0, 0, 0, 5));
        sink.gate = Mono.empty();
        release.tryEmitEmpty();
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(sink.maxInFlight.get()).isEqualTo(3);
        assertThat(sink.batches).extracting(List::size).containsExactlyInAnyOrder(2, 2, 2, 2, 2, 1);
        assertThat(sink.ids()).containsExactlyInAnyOrder(ids(0, 11));
        // each batch keeps its records in queue order
        assertThat(sink.batches).allSatisfy(b -> assertThat(b).isSortedAccordingTo(
                java.util.Comparator.comparing(TrackedRequest::id)));
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(11, 11, 0, 0, 0, 0));
    }

    @Test
    void aFlushWritesThePartialBatchInAFreeSlotWhileAFullOneIsInFlight() throws InterruptedException {
        ListSink sink = new ListSink();
        sink.concurrency = 2;
        Sinks.Empty<Void> release = Sinks.empty();
        CountDownLatch firstStarted = new CountDownLatch(1);
        sink.gate = Mono.fromRunnable(firstStarted::countDown).then(release.asMono());
        Recorder recorder = recorder(sink, o -> o.batchSize(3).maxDelay(Duration.ofHours(1)));
        for (int i = 0; i < 4; i++) {
            recorder.deliver(Records.record(i));
        }
        assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
        sink.gate = Mono.empty();

        Mono<Void> flushed = recorder.flush().cache();
        flushed.subscribe();
        // the partial batch does not wait for the full one: it is written beside it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sink.batches.isEmpty() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
        assertThat(sink.ids()).containsExactly(new UUID(7, 3));
        release.tryEmitEmpty();
        StepVerifier.create(flushed).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(sink.ids()).containsExactly(new UUID(7, 3), new UUID(7, 0), new UUID(7, 1), new UUID(7, 2));
    }

    @Test
    void aTransientFailureRetriesItsOwnBatchWhileTheOtherSlotGoesOn() {
        AtomicInteger attempts = new AtomicInteger();
        ListSink stored = new ListSink();
        SpectraSink sink = new SpectraSink() {
            @Override
            public Mono<Void> write(List<TrackedRequest> batch) {
                boolean firstBatch = batch.get(0).id().equals(new UUID(7, 0));
                return firstBatch && attempts.incrementAndGet() <= 2
                        ? Mono.error(new TransientSinkException("busy", null)) : stored.write(batch);
            }

            @Override
            public int maxConcurrentWrites() {
                return 2;
            }
        };
        Recorder recorder = recorder(sink, o -> o.batchSize(2).maxDelay(Duration.ofHours(1))
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)));
        for (int i = 0; i < 6; i++) {
            recorder.deliver(Records.record(i));
        }

        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(stored.ids()).containsExactlyInAnyOrder(ids(0, 6));
        assertThat(stored.ids()).doesNotHaveDuplicates();
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(6, 6, 2, 0, 0, 0));
    }

    @Test
    void closeCountsEveryBatchStillInFlightAsFailedWhenItsTimeoutPasses() throws InterruptedException {
        ListSink sink = new ListSink();
        sink.concurrency = 2;
        CountDownLatch twoStarted = new CountDownLatch(2);
        sink.gate = Mono.fromRunnable(twoStarted::countDown).then(Mono.never());
        Recorder recorder = recorder(sink, o -> o.batchSize(2).maxDelay(Duration.ofHours(1)));
        for (int i = 0; i < 5; i++) {
            recorder.deliver(Records.record(i));
        }
        assertThat(twoStarted.await(5, TimeUnit.SECONDS)).isTrue();

        StepVerifier.create(recorder.close(Duration.ofMillis(200))).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(5, 0, 0, 0, 5, 0));
    }

    @Test
    void aFullQueueDropsTheNewestRecordsAndCountsThemExactly() throws InterruptedException {
        ListSink sink = new ListSink();
        Sinks.Empty<Void> release = Sinks.empty();
        CountDownLatch firstWriteStarted = new CountDownLatch(1);
        sink.gate = Mono.fromRunnable(firstWriteStarted::countDown).then(release.asMono());
        Recorder recorder = recorder(sink, o -> o.batchSize(5).queueCapacity(10).maxDelay(Duration.ofHours(1)));

        for (int i = 0; i < 5; i++) {
            recorder.deliver(Records.record(i));
        }
        assertThat(firstWriteStarted.await(5, TimeUnit.SECONDS)).isTrue();
        int accepted = 0;
        for (int i = 5; i < 105; i++) {
            accepted += recorder.deliver(Records.record(i)) ? 1 : 0;
        }

        assertThat(accepted).isEqualTo(10);
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(15, 0, 0, 90, 0, 10));
        sink.gate = Mono.empty();
        release.tryEmitEmpty();
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(15, 15, 0, 90, 0, 0));
        assertThat(sink.ids()).containsExactly(ids(0, 15));
    }

    @Test
    void closeWritesEverythingQueuedThenRefusesNewRecords() {
        ListSink sink = new ListSink();
        sink.gate = Mono.delay(Duration.ofMillis(2)).then();
        Recorder recorder = recorder(sink, o -> o.batchSize(64).maxDelay(Duration.ofHours(1)));

        for (int i = 0; i < 1000; i++) {
            recorder.deliver(Records.record(i));
        }
        StepVerifier.create(recorder.close(Duration.ofSeconds(30))).expectComplete().verify(Duration.ofSeconds(30));

        assertThat(sink.ids()).containsExactly(ids(0, 1000));
        assertThat(recorder.deliver(Records.record(5000))).isFalse();
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(1000, 1000, 0, 1, 0, 0));
        StepVerifier.create(recorder.close(Duration.ofSeconds(1))).verifyComplete();
    }

    @Test
    void closeGivesUpAfterItsTimeoutAndCountsWhatWasNotWrittenAsFailed() {
        ListSink sink = new ListSink();
        sink.gate = Mono.never();
        Recorder recorder = recorder(sink, o -> o.batchSize(2).maxDelay(Duration.ofHours(1))
                .writeTimeout(Duration.ofHours(1)));

        for (int i = 0; i < 6; i++) {
            recorder.deliver(Records.record(i));
        }
        StepVerifier.create(recorder.close(Duration.ofMillis(200))).expectComplete().verify(Duration.ofSeconds(10));

        // the batch in flight and everything still queued are failed when the timeout passes, not when (if ever)
        // the stuck write ends
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(6, 0, 0, 0, 6, 0));
    }

    /** A sink whose {@code write} blocks the thread calling it until released (or interrupted). */
    static final class BlockingSink implements SpectraSink {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch left = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean blockClose;

        @Override
        public Mono<Void> write(List<TrackedRequest> batch) {
            calls.incrementAndGet();
            entered.countDown();
            try {
                release.await();
                return Mono.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Mono.error(e);
            } finally {
                left.countDown();
            }
        }

        @Override
        public Mono<Void> close() {
            if (!blockClose) {
                return Mono.empty();
            }
            return Mono.fromRunnable(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    @Test
    void closeEndsByItsDeadlineWhenTheSinksWriteBlocksItsThreadAndCountsEverythingUnwrittenThen() throws Exception {
        BlockingSink sink = new BlockingSink();
        Recorder recorder = recorder(sink, o -> o.batchSize(2).maxDelay(Duration.ofHours(1))
                .writeTimeout(Duration.ofHours(1)));
        for (int i = 0; i < 6; i++) {
            recorder.deliver(Records.record(i));
        }
        assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();

        long start = System.nanoTime();
        StepVerifier.create(recorder.close(Duration.ofMillis(300))).expectComplete().verify(Duration.ofSeconds(10));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(tookMillis).isBetween(300L, 2_000L);
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(6, 0, 0, 0, 6, 0));
        System.out.println("blocked-write close proof: close(300 ms) returned after " + tookMillis + " ms; "
                + recorder.stats());
        // closing frees the blocked thread; the write it abandoned ends, and is not counted a second time
        assertThat(sink.left.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.calls.get()).isEqualTo(1);
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(6, 0, 0, 0, 6, 0));
        assertThat(recorder.deliver(Records.record(7))).isFalse();
        StepVerifier.create(recorder.close(Duration.ofSeconds(1))).verifyComplete();
    }

    @Test
    void closeEndsByItsDeadlineWhenTheSinksCloseBlocksToo() throws Exception {
        BlockingSink sink = new BlockingSink();
        sink.blockClose = true;
        Recorder recorder = recorder(sink, o -> o.batchSize(2).maxDelay(Duration.ofHours(1))
                .writeTimeout(Duration.ofHours(1)));
        for (int i = 0; i < 3; i++) {
            recorder.deliver(Records.record(i));
        }
        assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();

        long start = System.nanoTime();
        StepVerifier.create(recorder.close(Duration.ofMillis(300))).expectComplete().verify(Duration.ofSeconds(10));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        sink.release.countDown();

        assertThat(tookMillis).isBetween(300L, 2_000L);
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(3, 0, 0, 0, 3, 0));
    }

    @Test
    void flushEndsByTheWriteTimeoutWhenTheSinksWriteBlocksItsThread() throws Exception {
        BlockingSink sink = new BlockingSink();
        Recorder recorder = recorder(sink, o -> o.batchSize(2).maxDelay(Duration.ofHours(1))
                .writeTimeout(Duration.ofMillis(100)).retryTimeout(Duration.ZERO));
        for (int i = 0; i < 4; i++) {
            recorder.deliver(Records.record(i));
        }

        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        sink.release.countDown();

        // the first write timed out (its blocked thread interrupted); the second was tried once, and timed out too
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(4, 0, 0, 0, 4, 0));
    }

    @Test
    void aBatchOlderThanTheRetryTimeoutIsStillWrittenToAHealthySink() {
        AtomicLong clock = new AtomicLong();
        ListSink sink = new ListSink();
        Recorder recorder = recorder(sink, o -> o.batchSize(4).maxDelay(Duration.ofHours(1))
                .retryTimeout(Duration.ofMinutes(2)).nanoTime(clock::get));

        recorder.deliver(Records.record(0));               // offered at 0 s
        recorder.deliver(Records.record(1));
        clock.set(Duration.ofMinutes(3).toNanos());        // a batch in flight for minutes, say, held them up
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(sink.ids()).containsExactly(ids(0, 2));
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(2, 2, 0, 0, 0, 0));
    }

    /**
     * A sink whose first write fails for good (a missing table) and whose later writes go to {@code sink}; the size of
     * each attempt's batch goes to {@code attempts}.
     */
    private static SpectraSink failsFirstWrite(ListSink sink, List<Integer> attempts) {
        return batch -> {
            attempts.add(batch.size());
            return attempts.size() == 1 ? Mono.error(new IllegalStateException("relation does not exist"))
                    : sink.write(batch);
        };
    }

    /** Batches of 4, cut on flush only, aged by {@code clock}, retried with backoffs up to 3 s for 2 s. */
    private Recorder retriedForTwoSeconds(SpectraSink sink, AtomicLong clock) {
        return recorder(sink, o -> o.batchSize(4).maxDelay(Duration.ofHours(1))
                .retryBackoff(Duration.ofMillis(1), Duration.ofSeconds(3)).retryTimeout(Duration.ofSeconds(2))
                .nanoTime(clock::get));
    }

    @Test
    void aBatchOlderThanTheRetryTimeoutIsNotTriedWhileTheSinkIsFailingButIsOnceItMayHaveRecovered() {
        AtomicLong clock = new AtomicLong();
        ListSink sink = new ListSink();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        Recorder recorder = retriedForTwoSeconds(failsFirstWrite(sink, attempts), clock);

        recorder.deliver(Records.record(0));               // at 0 s: tried, fails
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        recorder.deliver(Records.record(1));               // offered at 0 s
        clock.set(Duration.ofMillis(2500).toNanos());                // 2.5 s old; the sink failed 2.5 s ago: failing now
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(attempts).containsExactly(1);
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(2, 0, 0, 0, 2, 0));

        clock.set(0);
        recorder.deliver(Records.record(2));               // offered at 0 s
        clock.set(Duration.ofSeconds(5).toNanos());       // the last failure is older than the longest backoff
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(attempts).containsExactly(1, 1);
        assertThat(sink.ids()).containsExactly(ids(2, 3));
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(3, 1, 0, 0, 2, 0));
    }

    @Test
    void aRecordHandedOverWithTheReadingItWasMadeAtIsAgedFromThatReading() {
        AtomicLong clock = new AtomicLong();
        ListSink sink = new ListSink();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        Recorder recorder = retriedForTwoSeconds(failsFirstWrite(sink, attempts), clock);
        clock.set(Duration.ofSeconds(10).toNanos());

        recorder.deliver(Records.record(0));               // at 10 s: tried, fails; the sink is failing now
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        // made at 7.5 s, by the reading handed over: 2.5 s old, past the retry timeout, so not tried
        recorder.deliver(Records.record(1), Duration.ofMillis(7500).toNanos());
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(attempts).containsExactly(1);
        // made at 9.5 s: 0.5 s old, so tried, and written
        recorder.deliver(Records.record(2), Duration.ofMillis(9500).toNanos());
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(attempts).containsExactly(1, 1);
        assertThat(sink.ids()).containsExactly(ids(2, 3));
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(3, 1, 0, 0, 2, 0));
    }

    @Test
    void transientFailuresAreRetriedWithBackoffAndCounted() {
        ListSink sink = new ListSink();
        AtomicInteger attempts = new AtomicInteger();
        SpectraSink flaky = batch -> attempts.incrementAndGet() <= 2
                ? Mono.error(new TransientSinkException("connection reset", new IOException("reset")))
                : sink.write(batch);
        Recorder recorder = recorder(flaky, o -> o.batchSize(4).retryBackoff(Duration.ofMillis(5),
                Duration.ofMillis(20)));

        for (int i = 0; i < 4; i++) {
            recorder.deliver(Records.record(i));
        }
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(attempts.get()).isEqualTo(3);
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(4, 4, 2, 0, 0, 0));
        assertThat(sink.ids()).containsExactly(ids(0, 4));
    }

    /**
     * Each call of the stuck sink takes 50 ms of a hand-advanced clock (and ends only by the write timeout), so
     * the 150 ms retry timeout allows exactly three calls, however slowly the machine runs them.
     */
    @Test
    void aWriteThatTimesOutIsRetriedUntilTheRetryTimeoutThenFails() {
        AtomicLong clock = new AtomicLong();
        AtomicInteger attempts = new AtomicInteger();
        SpectraSink stuck = batch -> {
            clock.addAndGet(Duration.ofMillis(50).toNanos());
            return Mono.<Void>never().doOnSubscribe(s -> attempts.incrementAndGet());
        };
        Recorder recorder = recorder(stuck, o -> o.batchSize(1).writeTimeout(Duration.ofMillis(20))
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(5)).retryTimeout(Duration.ofMillis(150))
                .nanoTime(clock::get));

        recorder.deliver(Records.record(1));
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(attempts.get()).isEqualTo(3);
        RecorderStats s = recorder.stats();
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.written()).isZero();
        assertThat(s.retried()).isEqualTo(2);
    }

    /**
     * A sink that is down: every write fails transiently and takes {@code step} of the hand-advanced clock; none
     * starts before {@code open} completes, so that the test's own records are all offered at the time it says.
     */
    private static SpectraSink down(AtomicLong clock, Duration step, List<Integer> attempts, Mono<Void> open) {
        return batch -> open.then(Mono.defer(() -> {
            attempts.add(batch.size());
            clock.addAndGet(step.toNanos());
            return Mono.error(new TransientSinkException("connection refused", new IOException("refused")));
        }));
    }

    /** Batches of 2 to a sink that is down once {@code open}, each try taking 1 s of the clock, tried for 10 s. */
    private Recorder recorderOfTenSecondRetries(AtomicLong clock, List<Integer> attempts, Mono<Void> open) {
        return recorder(down(clock, Duration.ofSeconds(1), attempts, open), o -> o.batchSize(2)
                .maxDelay(Duration.ofHours(1)).writeTimeout(Duration.ofHours(1))
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(1)).retryTimeout(Duration.ofSeconds(10))
                .nanoTime(clock::get));
    }

    @Test
    void theRetryTimeoutCountsFromWhenTheOldestRecordWasOfferedWhateverTheNumberOfBatches() {
        AtomicLong clock = new AtomicLong();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        Sinks.Empty<Void> open = Sinks.empty();
        Recorder recorder = recorderOfTenSecondRetries(clock, attempts, open.asMono());

        for (int i = 0; i < 6; i++) {                     // three batches, all offered at 0 s
            recorder.deliver(Records.record(i));
        }
        open.tryEmitEmpty();
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(30));

        // the first batch is tried at 0 s, 1 s .. 9 s; at 10 s its records are 10 s old: no more tries, and the
        // two batches behind it, as old, are not tried at all (a per-batch timeout would try 30 times)
        assertThat(attempts).hasSize(10).containsOnly(2);
        assertThat(clock.get()).isEqualTo(Duration.ofSeconds(10).toNanos());
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(6, 0, 9, 0, 6, 0));
    }

    @Test
    void eachBatchIsTriedUntilItsOwnOldestRecordIsRetryTimeoutOld() {
        AtomicLong clock = new AtomicLong();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        Sinks.Empty<Void> open = Sinks.empty();
        Recorder recorder = recorderOfTenSecondRetries(clock, attempts, open.asMono());

        recorder.deliver(Records.record(0));               // offered at 0 s
        recorder.deliver(Records.record(1));
        clock.set(Duration.ofSeconds(5).toNanos());
        recorder.deliver(Records.record(2));               // offered at 5 s
        recorder.deliver(Records.record(3));
        open.tryEmitEmpty();
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(30));

        // first batch: its tries run at 5 s .. 9 s (until it is 10 s old); second: at 10 s .. 14 s (until 15 s)
        assertThat(attempts).hasSize(10);
        assertThat(clock.get()).isEqualTo(Duration.ofSeconds(15).toNanos());
        assertThat(recorder.stats().failed()).isEqualTo(4);
    }

    @Test
    void aZeroRetryTimeoutTriesEachBatchOnceHoweverOld() {
        AtomicLong clock = new AtomicLong();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        Recorder recorder = recorder(down(clock, Duration.ofSeconds(1), attempts, Mono.empty()), o -> o.batchSize(2)
                .maxDelay(Duration.ofHours(1)).retryTimeout(Duration.ZERO).nanoTime(clock::get));

        for (int i = 0; i < 6; i++) {
            recorder.deliver(Records.record(i));
        }
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(30));

        assertThat(attempts).containsExactly(2, 2, 2);
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(6, 0, 0, 0, 6, 0));
    }

    @Test
    void withTheSinkHangingFlushEndsWithinRetryTimeoutPlusWriteTimeoutInVirtualTime() {
        Duration retryTimeout = Duration.ofMinutes(2);
        Duration writeTimeout = Duration.ofSeconds(10);
        List<UUID> attempts = new CopyOnWriteArrayList<>();      // the first record of each batch tried
        SpectraSink hanging = batch -> Mono.<Void>never().doOnSubscribe(s -> attempts.add(batch.get(0).id()));
        Recorder[] recorder = {null};

        StepVerifier.withVirtualTime(() -> {
                    VirtualTimeScheduler time = VirtualTimeScheduler.get();
                    // created here so that its worker and timers run on virtual time
                    recorder[0] = Recorder.create(hanging, RecorderOptions.builder().batchSize(10)
                            .writeTimeout(writeTimeout).retryTimeout(retryTimeout)
                            .nanoTime(() -> time.now(TimeUnit.NANOSECONDS)).build());
                    for (int i = 0; i < 100; i++) {       // ten batches
                        recorder[0].deliver(Records.record(i));
                    }
                    return recorder[0].flush();
                })
                .expectSubscription()
                // the first batch is still being tried just before its retry timeout
                .expectNoEvent(retryTimeout.minusMillis(1))
                .thenAwait(writeTimeout.plusMillis(1))
                .expectComplete()
                .verify(Duration.ofSeconds(30));

        RecorderStats s = recorder[0].stats();
        assertThat(s.failed()).isEqualTo(100);
        assertThat(s.written()).isZero();
        // every try was of the first batch, until it was retryTimeout old: the nine behind it, as old, were never
        // tried (a timeout per batch would have kept flush() waiting ten times as long)
        assertThat(attempts).hasSize((int) s.retried() + 1).containsOnly(new UUID(7, 0));
        assertThat(s.retried()).isPositive();
        // not closed: its worker was the virtual-time scheduler, disposed with it
    }

    @Test
    void permanentFailuresAreNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        SpectraSink broken = batch -> Mono.error(new IllegalArgumentException("column does not exist"))
                .doOnSubscribe(s -> attempts.incrementAndGet()).then();
        Recorder recorder = recorder(broken, o -> o.batchSize(3));

        for (int i = 0; i < 3; i++) {
            recorder.deliver(Records.record(i));
        }
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(attempts.get()).isEqualTo(1);
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(3, 0, 0, 0, 3, 0));
    }

    @Test
    void rejectedRecordsCountAsFailedAndTheRestAsWritten() {
        SpectraSink picky = batch -> Mono.error(new RejectedRecordsException(List.of(
                new RejectedRecordsException.Rejection(batch.get(1), "value too long"))));
        Recorder recorder = recorder(picky, o -> o.batchSize(3));

        for (int i = 0; i < 3; i++) {
            recorder.deliver(Records.record(i));
        }
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(recorder.stats()).isEqualTo(new RecorderStats(3, 2, 0, 0, 1, 0));
    }

    @Test
    void eventsSeeEveryRecordOnTheirOwnThreadWhileSubscribed() {
        Recorder recorder = recorder(new ListSink(), o -> o);
        String caller = Thread.currentThread().getName();
        StepVerifier.create(recorder.events().map(r -> r.id() + " " + Thread.currentThread().getName()).take(2))
                .then(() -> {
                    recorder.deliver(Records.record(1));
                    recorder.deliver(Records.record(2));
                })
                .assertNext(e -> assertThat(e).startsWith(new UUID(7, 1) + " spectra-events-").doesNotContain(caller))
                .assertNext(e -> assertThat(e).startsWith(new UUID(7, 2) + " spectra-events-"))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        // nobody listens: nothing is kept for a later subscriber
        recorder.deliver(Records.record(3));
        StepVerifier.create(recorder.events())
                .then(() -> recorder.deliver(Records.record(4)))
                .assertNext(r -> assertThat(r.id()).isEqualTo(new UUID(7, 4)))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aSubscriberThatBlocksBlocksNeitherTheTrackedCallNorTheWrites() throws Exception {
        ListSink sink = new ListSink();
        Recorder recorder = recorder(sink, o -> o);
        CountDownLatch release = new CountDownLatch(1);
        List<UUID> seen = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch completed = new CountDownLatch(1);
        recorder.events().subscribe(r -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            seen.add(r.id());
            Mono.just(r).block(); // may block: not a non-blocking Reactor thread
        }, e -> { }, completed::countDown);
        // were the subscriber called inline, the caller would wait on the latch and this would time out
        CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= 3; i++) {
                recorder.deliver(Records.record(i));
            }
        }).get(10, TimeUnit.SECONDS);
        // nor does it hold up the writes
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(sink.ids()).containsExactly(new UUID(7, 1), new UUID(7, 2), new UUID(7, 3));
        assertThat(seen).isEmpty();
        release.countDown();
        StepVerifier.create(recorder.close(Duration.ofSeconds(10))).expectComplete().verify(Duration.ofSeconds(15));
        assertThat(completed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).containsExactly(new UUID(7, 1), new UUID(7, 2), new UUID(7, 3));
    }

    @Test
    void eventsSeeEvenTheRecordsAFullQueueDrops() throws InterruptedException {
        ListSink sink = new ListSink();
        sink.gate = Mono.never();
        Recorder recorder = recorder(sink, o -> o.queueCapacity(2).batchSize(2).maxDelay(Duration.ofHours(1)));
        StepVerifier.create(recorder.events().take(6).map(TrackedRequest::id))
                .then(() -> {
                    recorder.deliver(Records.record(1));
                    recorder.deliver(Records.record(2)); // a full batch: taken by a write that never ends
                    awaitInFlight(sink);
                    for (int i = 3; i <= 6; i++) {
                        recorder.deliver(Records.record(i)); // 3 and 4 fill the queue; 5 and 6 are dropped
                    }
                })
                .expectNext(new UUID(7, 1), new UUID(7, 2), new UUID(7, 3), new UUID(7, 4), new UUID(7, 5),
                        new UUID(7, 6))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(recorder.stats().dropped()).isEqualTo(2);
        assertThat(recorder.stats().queued()).isEqualTo(4);
    }

    private static void awaitInFlight(ListSink sink) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sink.inFlight.get() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the first batch was never written");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }

    @Test
    void concurrentProducersLoseNothingWithinTheBound() {
        ListSink sink = new ListSink();
        Recorder recorder = recorder(sink, o -> o.queueCapacity(100_000).batchSize(500));
        Set<UUID> offered = ConcurrentHashMap.newKeySet();

        Flux.range(0, 20_000).parallel(8).runOn(Schedulers.parallel()).doOnNext(i -> {
            TrackedRequest r = Records.record(i);
            offered.add(r.id());
            recorder.deliver(r);
        }).sequential().blockLast();
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(30));

        assertThat(sink.ids()).hasSize(20_000).doesNotHaveDuplicates();
        assertThat(Set.copyOf(sink.ids())).isEqualTo(offered);
        assertThat(recorder.stats().dropped()).isZero();
    }

    @Test
    void optionsAreValidatedAndShowTheirDefaults() {
        assertThat(RecorderOptions.defaults().toString()).isEqualTo("RecorderOptions{queueCapacity=8192, "
                + "batchSize=512, maxDelay=PT1S, writeTimeout=PT10S, retryBackoff=PT0.1S..PT5S, retryTimeout=PT2M}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecorderOptions.builder().queueCapacity(10)
                        .batchSize(20).build())
                .hasMessage("batchSize (20) must not exceed queueCapacity (10)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecorderOptions.builder().maxDelay(Duration.ZERO))
                .hasMessage("maxDelay must be positive, was PT0S");
    }

    private static UUID[] ids(int from, int to) {
        UUID[] ids = new UUID[to - from];
        for (int i = from; i < to; i++) {
            ids[i - from] = new UUID(7, i);
        }
        return ids;
    }
}
