package dev.spectra.reactive.sink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.spectra.reactive.TrackedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** Records handed over as builders: built by the delivery when it takes them, counted as if given whole. */
class DeliverLaterUnitTests {

    private final List<Recorder> recorders = new ArrayList<>();

    @AfterEach
    void closeAll() {
        Flux.fromIterable(recorders).flatMap(r -> r.close(Duration.ofSeconds(1))).blockLast(Duration.ofSeconds(10));
    }

    private Recorder recorder(SpectraSink sink, RecorderOptions options) {
        Recorder r = Recorder.create(sink, options);
        recorders.add(r);
        return r;
    }

    /** Builds one record and remembers on which thread each build ran. */
    private static final class Builder implements Supplier<TrackedRequest> {
        final long n;
        final List<String> threads = new CopyOnWriteArrayList<>();

        Builder(long n) {
            this.n = n;
        }

        @Override
        public TrackedRequest get() {
            threads.add(Thread.currentThread().getName());
            return Records.record(n);
        }
    }

    @Test
    void aBuilderRunsOnceOnTheRecordersThreadWhenItsBatchIsCut() {
        RecorderUnitTests.ListSink sink = new RecorderUnitTests.ListSink();
        Recorder recorder = recorder(sink, RecorderOptions.builder().batchSize(3).maxDelay(Duration.ofHours(1))
                .build());
        StepVerifier seen = StepVerifier.create(recorder.events().map(TrackedRequest::id).take(3))
                // a whole record is seen when it is handed over, a built one when it is built
                .expectNext(new UUID(7, 3), new UUID(7, 1), new UUID(7, 2)).expectComplete().verifyLater();
        Builder first = new Builder(1);
        Builder second = new Builder(2);

        assertThat(recorder.deliverLater(first)).isTrue();
        recorder.deliver(Records.record(3)); // a whole record between two builders keeps its place
        assertThat(recorder.deliverLater(second)).isTrue();
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(first.threads).singleElement().asString().startsWith("spectra-recorder-");
        assertThat(second.threads).singleElement().asString().startsWith("spectra-recorder-");
        assertThat(sink.batches).extracting(List::size).containsExactly(3);
        assertThat(sink.ids()).containsExactly(new UUID(7, 1), new UUID(7, 3), new UUID(7, 2));
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(3, 3, 0, 0, 0, 0));
        seen.verify(Duration.ofSeconds(10));
    }

    @Test
    void aBuilderIsNotRunBeforeItsBatchIsDue() {
        RecorderUnitTests.ListSink sink = new RecorderUnitTests.ListSink();
        Recorder recorder = recorder(sink, RecorderOptions.builder().batchSize(2).maxDelay(Duration.ofHours(1))
                .build());
        Builder builder = new Builder(1);

        recorder.deliverLater(builder);

        assertThat(builder.threads).isEmpty();
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(1, 0, 0, 0, 0, 1));
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(builder.threads).hasSize(1);
    }

    @Test
    void aBuilderThatBuildsNothingOrThrowsWasNeverQueuedAndDoesNotHoldUpAFlush() {
        RecorderUnitTests.ListSink sink = new RecorderUnitTests.ListSink();
        Recorder recorder = recorder(sink, RecorderOptions.builder().batchSize(10).maxDelay(Duration.ofHours(1))
                .build());

        recorder.deliverLater(() -> null);
        recorder.deliverLater(() -> {
            throw new IllegalStateException("a bug in the builder");
        });
        recorder.deliver(Records.record(5));
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(sink.ids()).containsExactly(new UUID(7, 5));
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(1, 1, 0, 0, 0, 0));
    }

    @Test
    void onlyBuildersThatBuildNothingSettleAFlushWithoutAWrite() {
        RecorderUnitTests.ListSink sink = new RecorderUnitTests.ListSink();
        Recorder recorder = recorder(sink, RecorderOptions.builder().batchSize(10).maxDelay(Duration.ofHours(1))
                .build());

        recorder.deliverLater(() -> null);
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));

        assertThat(sink.batches).isEmpty();
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(0, 0, 0, 0, 0, 0));
    }

    @Test
    void whenTheQueueIsFullTheRecordIsBuiltAtOnceSeenAndDropped() throws InterruptedException {
        RecorderUnitTests.ListSink sink = new RecorderUnitTests.ListSink();
        Sinks.Empty<Void> release = Sinks.empty();
        CountDownLatch writing = new CountDownLatch(1);
        sink.gate = Mono.fromRunnable(writing::countDown).then(release.asMono());
        Recorder recorder = recorder(sink, RecorderOptions.builder().queueCapacity(2).batchSize(2)
                .maxDelay(Duration.ofHours(1)).writeTimeout(Duration.ofHours(1)).build());
        StepVerifier seen = StepVerifier.create(recorder.events().map(TrackedRequest::id).take(5))
                .expectNext(new UUID(7, 1), new UUID(7, 2), new UUID(7, 3), new UUID(7, 4), new UUID(7, 5))
                .expectComplete().verifyLater();
        recorder.deliver(Records.record(1));
        recorder.deliver(Records.record(2));
        assertThat(writing.await(10, TimeUnit.SECONDS)).as("the first batch is in flight, held").isTrue();
        recorder.deliver(Records.record(3));
        recorder.deliver(Records.record(4));
        Builder overflow = new Builder(5);

        assertThat(recorder.deliverLater(overflow)).isTrue();

        assertThat(overflow.threads).containsExactly(Thread.currentThread().getName());
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(4, 0, 0, 1, 0, 2));
        sink.gate = Mono.empty();
        release.tryEmitEmpty();
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(sink.ids()).containsExactly(new UUID(7, 1), new UUID(7, 2), new UUID(7, 3), new UUID(7, 4));
        seen.verify(Duration.ofSeconds(10)); // the dropped record too
    }

    @Test
    void aClosedRecorderBuildsTheRecordAtOnceAndDropsIt() {
        RecorderUnitTests.ListSink sink = new RecorderUnitTests.ListSink();
        Recorder recorder = recorder(sink, RecorderOptions.builder().build());
        recorder.close(Duration.ofSeconds(1)).block(Duration.ofSeconds(10));
        Builder late = new Builder(1);

        recorder.deliverLater(late);

        assertThat(late.threads).containsExactly(Thread.currentThread().getName());
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(0, 0, 0, 1, 0, 0));
        assertThat(sink.batches).isEmpty();
    }

    @Test
    void aCloseThatGivesUpStillBuildsWhatIsQueuedAndCountsItFailed() throws InterruptedException {
        CountDownLatch writing = new CountDownLatch(1);
        SpectraSink stalled = batch -> Mono.<Void>never().doOnSubscribe(s -> writing.countDown());
        Recorder recorder = recorder(stalled, RecorderOptions.builder().batchSize(1).maxDelay(Duration.ofHours(1))
                .writeTimeout(Duration.ofHours(1)).build());
        recorder.deliver(Records.record(1));
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        Builder queued = new Builder(2);
        recorder.deliverLater(queued);
        recorder.deliverLater(() -> null);

        recorder.close(Duration.ofMillis(200)).block(Duration.ofSeconds(10));

        assertThat(queued.threads).singleElement().asString().startsWith("spectra-recorder-");
        assertThat(recorder.stats()).isEqualTo(new RecorderStats(2, 0, 0, 0, 2, 0));
    }

    @Test
    void theDirectDeliveryBuildsNothingLater() {
        RecorderUnitTests.ListSink sink = new RecorderUnitTests.ListSink();
        Delivery direct = Delivery.direct(sink);
        Builder builder = new Builder(1);

        assertThat(direct.deliverLater(builder)).isFalse();

        assertThat(builder.threads).isEmpty();
        assertThat(direct.stats()).isEqualTo(new RecorderStats(0, 0, 0, 0, 0, 0));
    }
}
