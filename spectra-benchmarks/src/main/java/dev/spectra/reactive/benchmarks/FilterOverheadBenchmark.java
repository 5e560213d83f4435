package dev.spectra.reactive.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * What {@link SpectraExchangeFilter} adds to a WebClient call, against a local Reactor Netty server that
 * answers at once: a chat completion (JSON) and a stream of {@value #STREAM_EVENTS} SSE events ({@value #EVENTS}
 * content chunks among them).
 * The same client with and without the filter, in one run; the caller reads the body as Strings, as users do.
 *
 * <p>Per call = {@code jsonFiltered - jsonPlain}; per event = ({@code streamFiltered - streamPlain} - per call) /
 * events; throughput ratio = plain time / filtered time. The tracker behind the filter has the real recorder in
 * front of a sink that discards.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class FilterOverheadBenchmark {

    /** SSE content events per stream. */
    public static final int EVENTS = 100;

    /** SSE events per stream: the role chunk, the content chunks, the finish chunk, the usage chunk and [DONE]. */
    public static final int STREAM_EVENTS = EVENTS + 4;

    private DisposableServer server;
    private SpectraTracker tracker;
    private WebClient plain;
    private WebClient filtered;
    private byte[] json;
    private byte[] sse;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        json = ProviderFixtures.bytes("openai__chat__json__1.json");
        sse = stream();
        server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> req.receive().aggregate().asString().defaultIfEmpty("").flatMap(body -> {
                    boolean stream = body.contains("\"stream\":true");
                    return res.header("content-type", stream ? "text/event-stream" : "application/json")
                            .sendByteArray(Mono.just(stream ? sse : json)).then();
                }))
                .bindNow(Duration.ofSeconds(10));
        tracker = SpectraTracker.builder().sink(batch -> Mono.empty())
                .recorder(RecorderOptions.builder().queueCapacity(1 << 16).batchSize(4096).build()).build();
        String base = "http://127.0.0.1:" + server.port();
        plain = WebClient.builder().baseUrl(base).build();
        filtered = WebClient.builder().baseUrl(base).filter(SpectraExchangeFilter.builder().tracker(tracker)
                .host("openai", "127.0.0.1:" + server.port()).build()).build();
        // the filtered client must really track: one call, one record
        jsonFiltered();
        tracker.flush().block(Duration.ofSeconds(10));
        if (tracker.stats().recorded() != 1 || tracker.stats().readFailures() != 0) {
            throw new IllegalStateException("the filter did not track the call: " + tracker.stats());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tracker.close(Duration.ofSeconds(10)).block();
        server.disposeNow(Duration.ofSeconds(5));
    }

    private static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String CHAT_STREAM = "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Benchmark
    public String jsonPlain() {
        return call(plain);
    }

    @Benchmark
    public String jsonFiltered() {
        return call(filtered);
    }

    @Benchmark
    public Long streamPlain() {
        return stream(plain);
    }

    @Benchmark
    public Long streamFiltered() {
        return stream(filtered);
    }

    private static String call(WebClient client) {
        return client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(CHAT)
                .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
    }

    private static Long stream(WebClient client) {
        return client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(CHAT_STREAM)
                .accept(MediaType.TEXT_EVENT_STREAM).retrieve().bodyToFlux(String.class).count()
                .block(Duration.ofSeconds(10));
    }

    /**
     * A realistic OpenAI chat stream of {@value #STREAM_EVENTS} events: a role chunk, {@value #EVENTS} content chunks,
     * the finish chunk, the usage chunk, [DONE].
     */
    private static byte[] stream() {
        StringBuilder b = new StringBuilder();
        String head = "data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1727346163,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_5050236cbd\","
                + "\"choices\":[{\"index\":0,\"delta\":";
        b.append(head).append("{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],"
                + "\"usage\":null}\n\n");
        for (int i = 0; i < EVENTS; i++) {
            b.append(head).append("{\"content\":\" word").append(i).append("\"},\"logprobs\":null,"
                    + "\"finish_reason\":null}],\"usage\":null}\n\n");
        }
        b.append(head).append("{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        b.append("data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1727346163,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[],\"usage\":{\"prompt_tokens\":14,"
                + "\"completion_tokens\":100,\"total_tokens\":114}}\n\n");
        b.append("data: [DONE]\n\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

}
