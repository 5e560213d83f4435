package dev.spectra.reactive.opentelemetry;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.SpectraTrackerBuilder;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The call's span sits under the span that was current where the call was made, whatever thread the call runs on
 * and whenever its record is made: a server span, calls before and after {@code publishOn}, real HTTP through the
 * filter.
 */
class CallerSpanIntegrationTests {

    final ProviderFixture chat = ProviderFixtures.named("openai__chat__json__1.json");
    final ProviderFixture stream = ProviderFixtures.named("anthropic__messages__stream__1.sse");

    FixtureServer server;
    TestSdk otel;
    InMemorySink stored;
    SpectraTracker tracker;
    WebClient client;

    @BeforeEach
    void start() {
        server = FixtureServer.start();
        otel = new TestSdk();
        stored = new InMemorySink();
        SpectraTrackerBuilder builder = SpectraTracker.builder().sink(stored).directDelivery();
        SpectraOpenTelemetry.builder(otel.sdk).build().applyTo(builder);
        tracker = builder.build();
        client = ProviderCalls.client(SpectraExchangeFilter.builder().tracker(tracker).build());
    }

    @AfterEach
    void stop() {
        tracker.close(Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
        otel.close();
        server.close();
    }

    @Test
    void callsBeforeAndAfterPublishOnAreChildrenOfTheServerSpan() {
        Tracer tracer = otel.sdk.getTracer("test-server");
        Span request = tracer.spanBuilder("POST /ask").setSpanKind(SpanKind.SERVER).startSpan();
        List<String> threads;
        try (Scope ignored = request.makeCurrent()) {
            threads = ProviderCalls.call(client, server, chat)
                    .map(body -> Thread.currentThread().getName())
                    .publishOn(Schedulers.parallel())
                    .flatMap(first -> ProviderCalls.call(client, server, stream)
                            .subscribeOn(Schedulers.boundedElastic())
                            .map(body -> List.of(first, Thread.currentThread().getName())))
                    .contextWrite(SpectraOpenTelemetry.currentContext())
                    .block(Duration.ofSeconds(20));
        } finally {
            request.end();
        }
        await(2);

        assertThat(threads).hasSize(2);
        List<SpanData> calls = clientSpans();
        assertThat(calls).extracting(SpanData::getName)
                .containsExactly("chat " + chat.model(), "chat " + stream.model());
        for (SpanData call : calls) {
            assertThat(call.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
            assertThat(call.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
            assertThat(call.getParentSpanContext().isRemote()).isTrue();
        }
        assertThat(stored.records()).extracting(TrackedRequest::traceId, TrackedRequest::parentSpanId)
                .containsOnly(org.assertj.core.groups.Tuple.tuple(request.getSpanContext().getTraceId(),
                        request.getSpanContext().getSpanId()));
        SpanData server = otel.finishedSpans().stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst()
                .orElseThrow();
        assertThat(server.getParentSpanContext().isValid()).isFalse();
    }

    @Test
    void aSpanPutInTheContextByAnInstrumentationUnderItsOwnKeyIsFoundToo() {
        Span request = otel.sdk.getTracer("test-server").spanBuilder("GET /").setSpanKind(SpanKind.SERVER)
                .startSpan();
        ProviderCalls.call(client, server, chat)
                .contextWrite(ctx -> ctx.put("some-instrumentation-key", request))
                .block(Duration.ofSeconds(20));
        request.end();
        await(1);

        assertThat(clientSpans()).singleElement().satisfies(s -> {
            assertThat(s.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
            assertThat(s.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        });
    }

    @Test
    void aTraceparentStringIsTheParentWhenNoOpenTelemetryContextIsThere() {
        ProviderCalls.call(client, server, chat)
                .contextWrite(ctx -> ctx.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .block(Duration.ofSeconds(20));
        await(1);

        assertThat(clientSpans()).singleElement().satisfies(s -> {
            assertThat(s.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(s.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        });
    }

    @Test
    void aCallOutsideAnyTraceIsARootSpanAndACallGivenItsOwnTraceIdToo() {
        Span request = otel.sdk.getTracer("test-server").spanBuilder("GET /").startSpan();
        ProviderCalls.call(client, server, chat).block(Duration.ofSeconds(20));
        ProviderCalls.call(client, server, chat)
                .contextWrite(Spectra.traceId("order-42"))
                .contextWrite(SpectraOpenTelemetry.context(io.opentelemetry.context.Context.root().with(request)))
                .block(Duration.ofSeconds(20));
        request.end();
        await(2);

        assertThat(clientSpans()).hasSize(2).allSatisfy(s -> assertThat(s.getParentSpanContext().isValid()).isFalse());
        assertThat(clientSpans()).extracting(SpanData::getTraceId).doesNotHaveDuplicates()
                .doesNotContain(request.getSpanContext().getTraceId());
        assertThat(stored.records()).extracting(TrackedRequest::parentSpanId).containsOnlyNulls();
        assertThat(stored.records().get(1).traceId()).isEqualTo("order-42");
    }

    private List<SpanData> clientSpans() {
        return otel.finishedSpans().stream().filter(s -> s.getKind() == SpanKind.CLIENT)
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
    }

    /** The filter records as the body ends; the destination drains on its own thread: wait for both, bounded. */
    private void await(int records) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stored.size() < records && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the threads being waited for have the cores
        }
        tracker.flush().block(Duration.ofSeconds(10));
        assertThat(stored.size()).isEqualTo(records);
    }
}
