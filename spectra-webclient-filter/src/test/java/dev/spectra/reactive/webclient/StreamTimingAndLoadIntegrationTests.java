package dev.spectra.reactive.webclient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** Time to first token measured from the bytes, and many concurrent streams through one client. */
class StreamTimingAndLoadIntegrationTests {

    static FixtureServer server;
    static ConnectionProvider connections;
    static WebClient client;
    static final Fixtures.Fixture STREAM = Fixtures.named("openai__chat__stream__1.sse");

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        connections = ConnectionProvider.builder("spectra-load").maxConnections(500).pendingAcquireMaxCount(-1)
                .build();
        client = TestClients.client(SpectraExchangeFilter.create(), connections);
    }

    @AfterAll
    static void stop() {
        connections.disposeLater().block(Duration.ofSeconds(10));
        server.close();
    }

    private Flux<String> stream(SpectraFake fake, String firstDelay, String chunks, String delay) {
        return client.post().uri("http://api.openai.com:" + server.port() + STREAM.path())
                .header("x-fixture", STREAM.file())
                .header("x-first-delay-ms", firstDelay).header("x-chunks", chunks).header("x-delay-ms", delay)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(STREAM.requestBody())
                .retrieve().bodyToFlux(String.class)
                .contextWrite(fake.bind());
    }

    /**
     * The stream's timing read from a ticker the test moves: the server sends the first event when the ticker reads
     * 200 ms after the start, and the rest at 440 ms, so TTFT and latency are exact whatever the machine's speed.
     */
    @Test
    void timeToFirstTokenIsTheFirstChunkAndLatencyTheWholeStream() {
        String sse = new String(ProviderFixtures.bytes(STREAM.file()), StandardCharsets.UTF_8);
        int firstEventEnd = sse.indexOf("\n\n") + 2;
        Sinks.Many<String> events = Sinks.many().unicast().onBackpressureBuffer();
        DisposableServer paced = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> req.receive().then(res.header("content-type", "text/event-stream")
                        .sendString(events.asFlux()).then()))
                .bindNow();
        AtomicLong ticker = new AtomicLong(1_000_000_000L);
        InMemorySink sink = new InMemorySink();
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).nanoTime(ticker::get).build();
        try {
            Flux<String> stream = client.post().uri("http://api.openai.com:" + paced.port() + STREAM.path())
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(STREAM.requestBody())
                    .retrieve().bodyToFlux(String.class)
                    .contextWrite(tracker.bind());

            StepVerifier.create(stream)
                    .then(() -> {
                        ticker.addAndGet(200_000_000L);
                        events.tryEmitNext(sse.substring(0, firstEventEnd));
                    })
                    .expectNextCount(1)
                    .then(() -> {
                        ticker.addAndGet(240_000_000L);
                        events.tryEmitNext(sse.substring(firstEventEnd));
                        events.tryEmitComplete();
                    })
                    .expectNextCount(33)
                    .verifyComplete();
            tracker.close(Duration.ofSeconds(10)).block();

            assertThat(sink.records()).hasSize(1);
            TrackedRequest r = sink.records().get(0);
            assertThat(r.timeToFirstTokenMs()).as("TTFT").isEqualTo(200L);
            assertThat(r.latencyMs()).as("latency: the whole stream").isEqualTo(440L);
            assertThat(r.chunkCount()).isEqualTo(34);
            assertThat(r.usage().outputTokens()).isEqualTo(30);
            assertThat(r.tokensPerSecond()).as("30 tokens in the 240 ms after the first chunk").isEqualTo(125.0);
        } finally {
            paced.disposeNow(Duration.ofSeconds(10));
        }
    }

    @Test
    void fiveHundredConcurrentStreamsGiveFiveHundredRecordsEachWithItsOwnContext() {
        SpectraFake fake = SpectraFake.create();
        Flux<Integer> all = Flux.range(0, 500).flatMap(i -> stream(fake, "0", "4", "5")
                .count()
                .doOnNext(n -> assertThat(n).isEqualTo(34L))
                .thenReturn(i)
                .contextWrite(Spectra.metadata(Map.of("request_id", i, "tenant", "t" + (i % 7))))
                .contextWrite(Spectra.tags("load", "tenant-" + (i % 7))), 64); // 64 in flight: the paranoid leak detector
                                                                            // makes each one slow

        StepVerifier.create(all).expectNextCount(500).expectComplete().verify(Duration.ofSeconds(45));

        List<TrackedRequest> records = fake.recorded();
        assertThat(records).hasSize(500).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(r.usage().totalTokens()).isEqualTo(44);
            assertThat(r.chunkCount()).isEqualTo(34);
            assertThat(r.responseId()).isEqualTo("chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL");
            int id = ((Number) r.metadata().get("request_id")).intValue();
            assertThat(r.metadata()).containsEntry("tenant", "t" + (id % 7)).containsEntry("streaming", true);
            assertThat(r.tags()).containsExactly("load", "tenant-" + (id % 7));
        });
        Set<Integer> ids = records.stream().map(r -> ((Number) r.metadata().get("request_id")).intValue())
                .collect(Collectors.toSet());
        assertThat(ids).isEqualTo(IntStream.range(0, 500).boxed().collect(Collectors.toSet()));
        assertThat(records.stream().map(TrackedRequest::traceId).distinct()).hasSize(500);
    }

    @Test
    void aLongStreamIsReadEventByEvent() {
        // one stream of 34 x 500 = 17 000 events (10 MB) in 200 pieces: read one event at a time, nothing kept
        SpectraFake fake = SpectraFake.create();
        byte[] one = FixtureServer.fixture(STREAM.file());
        StepVerifier.create(client.post().uri("http://api.openai.com:" + server.port() + STREAM.path())
                        .header("x-fixture", STREAM.file()).header("x-repeat", "500").header("x-chunks", "200")
                        .header("x-delay-ms", "0")
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(STREAM.requestBody())
                        .exchangeToFlux(r -> r.bodyToFlux(DataBuffer.class))
                        .as(Records::sha256)
                        .contextWrite(fake.bind()))
                .expectNext(Records.sha256(repeat(one, 500)))
                .verifyComplete();
        TrackedRequest r = fake.last();
        assertThat(fake.recorded()).hasSize(1);
        assertThat(r.chunkCount()).isEqualTo(34 * 500);
        assertThat(r.usage().totalTokens()).as("the last usage chunk, never a sum").isEqualTo(44);
    }

    private static byte[] repeat(byte[] b, int times) {
        byte[] out = new byte[b.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(b, 0, out, i * b.length, b.length);
        }
        return out;
    }
}
