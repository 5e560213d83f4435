package dev.spectra.reactive.sink;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.TrackedRequest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault proof: a sink that stalls forever while records keep coming. The queue holds at most its bound, the
 * producer never blocks, every record beyond the bound is dropped and counted exactly, and the heap holds what the
 * bound allows, not what was offered.
 */
class RecorderOverflowUnitTests {

    private static final int CAPACITY = 10_000;
    private static final int BATCH = 512;
    private static final int OFFERED = 200_000;
    private static final int PAYLOAD_CHARS = 2_000;

    private static TrackedRequest big(long n) {
        Instant t = Instant.parse("2026-11-24T00:00:00Z");
        // a payload of its own per record: if records were retained, 200,000 of them would hold about 400 MB
        char[] payload = new char[PAYLOAD_CHARS];
        java.util.Arrays.fill(payload, (char) ('a' + n % 26));
        return TrackedRequest.builder().id(new UUID(9, n)).provider("openai").model("gpt-4o")
                .outcome(Outcome.SUCCESS).startedAt(t).completedAt(t)
                .metadata(Map.of("payload", new String(payload))).build();
    }

    /** java.base only: the tests run in the core module, which reads no management module. */
    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @Test
    void aStalledSinkKeepsTheHeapBoundedAndCountsEveryDropExactly() throws InterruptedException {
        CountDownLatch firstWrite = new CountDownLatch(1);
        SpectraSink stalled = batch -> Mono.<Void>never().doOnSubscribe(s -> firstWrite.countDown());
        Recorder recorder = Recorder.create(stalled, RecorderOptions.builder().queueCapacity(CAPACITY)
                .batchSize(BATCH).maxDelay(Duration.ofHours(1)).writeTimeout(Duration.ofHours(1)).build());
        try {
            for (int i = 0; i < BATCH; i++) {
                recorder.deliver(big(i));
            }
            assertThat(firstWrite.await(10, TimeUnit.SECONDS)).as("the first batch is in flight, stalled").isTrue();
            long before = usedHeapAfterGc();

            long start = System.nanoTime();
            int accepted = 0;
            for (int i = BATCH; i < BATCH + OFFERED; i++) {
                accepted += recorder.deliver(big(i)) ? 1 : 0;
            }
            double offerMillis = (System.nanoTime() - start) / 1e6;
            long after = usedHeapAfterGc();

            RecorderStats s = recorder.stats();
            long retainedMb = (after - before) / (1024 * 1024);
            System.out.printf("overflow fault proof: %d offered in %.0f ms (%.0f ns each, payload building "
                            + "included), %d accepted, %d dropped; heap retained %d MB for a queue of %d (the offered "
                            + "payloads alone are %d MB)%n", OFFERED, offerMillis, offerMillis * 1e6 / OFFERED, accepted,
                    s.dropped(), retainedMb, CAPACITY, (long) OFFERED * PAYLOAD_CHARS / (1024 * 1024));

            assertThat(accepted).isEqualTo(CAPACITY);
            assertThat(s.dropped()).isEqualTo(OFFERED - CAPACITY);
            assertThat(s.queued()).isEqualTo(BATCH + CAPACITY);
            assertThat(s.queueSize()).isEqualTo(CAPACITY);
            assertThat(s.written()).isZero();
            // the queue holds 10,000 records of ~2 KB (~20 MB, more with object overhead); 200,000 would be ~400 MB
            assertThat(after - before).isLessThan(80L * 1024 * 1024);
        } finally {
            recorder.close(Duration.ofMillis(100)).block(Duration.ofSeconds(10));
        }
    }
}
