package dev.spectra.reactive;

import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.spectra.reactive.internal.CallObserver;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.sink.SpectraSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * A call a capture path ends ({@code succeed}, {@code cancel}, {@code fail} without an exception) while nothing
 * waits for its record: its end is fixed when it ends, and the recorder builds the record when it cuts the batch.
 */
class RecordBuiltByTheRecorderUnitTests {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";
    /** Thread state a resolver reads, as a tracer's current span is read under automatic context propagation. */
    private static final ThreadLocal<String> CURRENT_SPAN = new ThreadLocal<>();

    private final InMemorySink sink = new InMemorySink();
    private final AtomicLong ticker = new AtomicLong(1_000_000_000L);
    private final AtomicLong ids = new AtomicLong();
    private final SpectraTracker tracker = SpectraTracker.builder()
            .sink(sink)
            .recorder(RecorderOptions.builder().batchSize(100).maxDelay(Duration.ofHours(1)).build())
            .clock(Clock.fixed(TestTracker.T0, ZoneOffset.UTC))
            .nanoTime(ticker::get)
            .idGenerator(() -> new UUID(0L, ids.incrementAndGet()))
            .traceIdResolver(v -> CURRENT_SPAN.get() != null ? TRACE : null)
            .parentSpanIdResolver(v -> CURRENT_SPAN.get())
            .build();

    @AfterEach
    void close() {
        tracker.close(Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
    }

    private void advanceMillis(long ms) {
        ticker.addAndGet(ms * 1_000_000L);
    }

    private void flush() {
        StepVerifier.create(tracker.flush()).expectComplete().verify(Duration.ofSeconds(10));
    }

    @Test
    void theRecordIsBuiltWhenItsBatchIsCutWithTheTimeTheCallEnded() {
        TrackedCall call = tracker.startCall("openai", "gpt-4o", TrackOptions.none());
        advanceMillis(120);

        assertThat(call.succeed()).isTrue();
        advanceMillis(5_000);

        assertThat(call.isRecorded()).isTrue();
        assertThat(call.succeed()).isFalse();
        assertThat(tracker.stats().recorded()).as("not built before its batch is cut").isZero();
        flush();
        assertThat(sink.records()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(new UUID(0L, 1));
            assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(r.latencyMs()).isEqualTo(120);
            assertThat(r.completedAt()).isEqualTo(TestTracker.T0.plusMillis(120));
        });
        assertThat(tracker.stats().recorded()).isEqualTo(1);
        assertThat(tracker.stats().delivery().written()).isEqualTo(1);
    }

    @Test
    void changesMadeAfterTheEndStayOutOfTheRecord() {
        TrackedCall call = tracker.startCall("openai", "gpt-4o", TrackOptions.none())
                .addMetadata("tenant_id", "acme").streaming(true);
        call.chunkArrived();
        call.cancel();

        call.addMetadata("late", "yes").addTag("late").usage(Usage.of(10, 5)).model("gpt-4o-mini")
                .httpStatus(500).traceId("late-trace").streaming(false).operation("late.operation");
        call.chunksArrived(4);

        flush();
        assertThat(sink.records()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(r.model()).isEqualTo("gpt-4o");
            assertThat(r.metadata()).containsExactly(entry("tenant_id", "acme"), entry("streaming", true));
            assertThat(r.tags()).isEmpty();
            assertThat(r.usage()).isNull();
            assertThat(r.httpStatus()).isNull();
            assertThat(r.traceId()).isEqualTo(new UUID(0L, 1).toString());
            assertThat(r.streaming()).isTrue();
            assertThat(r.chunkCount()).isEqualTo(1);
            assertThat(r.operation()).isNull();
        });
    }

    @Test
    void traceIdsAreResolvedOnTheThreadThatEndsTheCall() {
        TrackedCall call = tracker.startCall("openai", "gpt-4o", TrackOptions.none(), Context.empty());
        CURRENT_SPAN.set(SPAN);
        try {
            call.succeed();
        } finally {
            CURRENT_SPAN.remove();
        }

        flush();
        assertThat(sink.records()).singleElement().satisfies(r -> {
            assertThat(r.traceId()).isEqualTo(TRACE);
            assertThat(r.parentSpanId()).isEqualTo(SPAN);
        });
        assertThat(call.traceId()).isEqualTo(TRACE);
    }

    @Test
    void aQueuedCallLetsGoOfTheCallersContext() throws InterruptedException {
        Object request = new byte[1 << 20];
        WeakReference<Object> held = new WeakReference<>(request);
        TrackedCall call = tracker.startCall("openai", "gpt-4o", TrackOptions.none(),
                Context.of("request", request));
        call.succeed();
        request = null;

        for (int i = 0; i < 20 && held.get() != null; i++) {
            System.gc();
            Thread.sleep(10); // lets a concurrent collector finish; the assertion below does not depend on time
        }

        assertThat(held.get()).as("the Context's values, released while the call waits in the queue").isNull();
        assertThat(tracker.stats().recorded()).isZero();
        flush();
        assertThat(sink.records()).singleElement().satisfies(r -> assertThat(r.id()).isEqualTo(call.id()));
    }

    @Test
    void theSinkAndADestinationShareOneRecordBuiltOnce() {
        InMemorySink meters = new InMemorySink();
        SpectraTracker both = SpectraTracker.builder().sink(sink)
                .recorder(RecorderOptions.builder().batchSize(100).maxDelay(Duration.ofHours(1)).build())
                .addDestination("meters", meters, RecorderOptions.builder().batchSize(100)
                        .maxDelay(Duration.ofHours(1)).build())
                .build();
        try {
            both.startCall("openai", "gpt-4o", TrackOptions.none()).succeed();

            assertThat(both.stats().recorded()).isZero();
            StepVerifier.create(both.flush()).expectComplete().verify(Duration.ofSeconds(10));

            assertThat(meters.records()).singleElement().isSameAs(sink.records().get(0));
            assertThat(both.stats().recorded()).isEqualTo(1);
        } finally {
            both.close(Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aDestinationBuildsTheRecordWhileTheSinkIsStalled() throws InterruptedException {
        List<TrackedRequest> exported = new CopyOnWriteArrayList<>();
        CountDownLatch bothExported = new CountDownLatch(2);
        SpectraSink exporter = batch -> Mono.fromRunnable(() -> {
            exported.addAll(batch);
            batch.forEach(r -> bothExported.countDown());
        });
        SpectraSink stalled = batch -> Mono.never();
        SpectraTracker stalledSink = SpectraTracker.builder().sink(stalled)
                .recorder(RecorderOptions.builder().batchSize(1).writeTimeout(Duration.ofHours(1)).build())
                .addDestination("otel", exporter, RecorderOptions.builder().batchSize(1).build())
                .nanoTime(ticker::get)
                .build();
        try {
            stalledSink.startCall("openai", "gpt-4o", TrackOptions.none()).succeed(); // takes the sink's one write
            TrackedCall second = stalledSink.startCall("openai", "gpt-4o", TrackOptions.none());
            advanceMillis(75);
            second.succeed(); // queued behind the stalled write

            assertThat(bothExported.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(exported).extracting(TrackedRequest::latencyMs).containsExactly(0L, 75L);
            assertThat(stalledSink.stats().delivery().written()).isZero();
            assertThat(stalledSink.stats().recorded()).isEqualTo(2);
        } finally {
            stalledSink.close(Duration.ofMillis(100)).block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aFailureWithAnExceptionIsBuiltAtOnce() {
        TrackedCall call = tracker.startCall("openai", "gpt-4o", TrackOptions.none());

        assertThat(call.fail(new IllegalStateException("connection reset"))).isTrue();

        assertThat(tracker.stats().recorded()).isEqualTo(1);
        flush();
        assertThat(sink.records()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(r.errorMessage()).isEqualTo("connection reset");
        });
    }

    @Test
    void aCallAnObserverWaitsForIsBuiltWhenItEnds() {
        List<TrackedRequest> observed = new CopyOnWriteArrayList<>();
        CallObserver budget = new CallObserver() {
            @Override
            public void started(TrackedCall call) {
            }

            @Override
            public void recorded(TrackedRequest record) {
                observed.add(record);
            }
        };
        TrackedCall call = tracker.startCall("openai", "gpt-4o", TrackOptions.none(),
                Context.of(CallObserver.CONTEXT_KEY, budget));
        advanceMillis(30);

        call.succeed();

        assertThat(observed).singleElement().satisfies(r -> assertThat(r.latencyMs()).isEqualTo(30));
        assertThat(tracker.stats().recorded()).isEqualTo(1);
    }
}
