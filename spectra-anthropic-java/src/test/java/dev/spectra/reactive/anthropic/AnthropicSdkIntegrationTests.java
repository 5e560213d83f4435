package dev.spectra.reactive.anthropic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The official Anthropic Java SDK (anthropic-java 3.16.0) with the interceptor, against the fixture server: every
 * shared Anthropic fixture, whole and in pieces, gives the record the WebClient filter gives for the same bytes;
 * the key the SDK sends never reaches a record; an error answer the SDK never closes is recorded at once; a stream
 * closed early is cancelled with the usage that arrived; an asynchronous call carries its caller's metadata.
 */
class AnthropicSdkIntegrationTests {

    static final String KEY = "sk-ant-api03-SpectraTestKeyThatMustNeverBeStored-0123456789abcdef";

    static final ExecutorService COMPLETION = Executors.newCachedThreadPool();

    static FixtureServer server;
    static AnthropicClient client;
    final SpectraFake fake = SpectraFake.create();

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        client = client(SpectraAnthropicInterceptor.builder().host("anthropic", "127.0.0.1:" + server.port())
                .capturePayloads().build());
    }

    static AnthropicClient client(SpectraAnthropicInterceptor interceptor) {
        return AnthropicOkHttpClient.builder()
                // the SDK makes an asynchronous call on this executor: it carries the caller's scope there
                .completionExecutor(Spectra.withThreadContext(COMPLETION))
                .apiKey(KEY)
                .baseUrl("http://127.0.0.1:" + server.port())
                .addInterceptor(interceptor)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        COMPLETION.shutdown();
        server.close();
    }

    @AfterEach
    void close() {
        fake.close();
    }

    static List<Arguments> fixtures() {
        List<Arguments> out = new ArrayList<>();
        for (ProviderFixture f : ProviderFixtures.all()) {
            if (f.provider().equals("anthropic")) {
                out.add(Arguments.of(f, 1));
                out.add(Arguments.of(f, 7));
            }
        }
        return out;
    }

    private static MessageCreateParams params(String model, Map<String, String> headers) {
        MessageCreateParams.Builder p = MessageCreateParams.builder().model(model).maxTokens(1024)
                .addUserMessage("Hello");
        headers.forEach(p::putAdditionalHeader);
        return p.build();
    }

    @ParameterizedTest(name = "{0} in {1} pieces")
    @MethodSource("fixtures")
    void eachAnthropicFixtureGivesTheFiltersRecord(ProviderFixture f, int pieces) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-fixture", f.file());
        headers.put("x-status", Integer.toString(f.status()));
        headers.put("x-chunks", Integer.toString(pieces));
        MessageCreateParams p = params(f.requestModel() != null ? f.requestModel() : f.model(), headers);

        try (SpectraScope scope = Spectra.scope(fake.bind(), Spectra.metadata("fixture", f.file()))) {
            if (f.errorType() != null) {
                // the SDK reads the error body and never closes it: the record is made at its Content-Length
                assertThatThrownBy(() -> client.messages().create(p)).isInstanceOf(AnthropicServiceException.class);
            } else if (f.streaming()) {
                try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(p)) {
                    assertThat(s.stream().count()).isPositive();
                }
            } else {
                Message m = client.messages().create(p);
                assertThat(m.id()).isEqualTo(f.responseId());
            }
        }

        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest sdk = fake.last();
        assertThat(sdk.outcome()).isEqualTo(f.errorType() != null ? Outcome.FAILURE : Outcome.SUCCESS);
        FixtureServer.Received received = server.received().get(server.received().size() - 1);
        assertThat(received.headers().get("authorization")).isEqualTo("Bearer " + KEY);
        assertThat(sdk.toString()).doesNotContain(KEY).doesNotContain("SpectraTestKey");
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("fixture", f.file());
        for (String key : List.of("request_body", "response_body")) {
            if (sdk.metadata().containsKey(key)) {
                metadata.put(key, sdk.metadata().get(key));
            }
        }
        TrackedRequest filter = FilterReference.record("anthropic", server.port(), received.uri(),
                received.headers().get("content-type"), received.body(), headers, metadata);
        FilterReference.assertSameRecord(sdk, filter);
    }

    @Test
    void aStreamClosedAfterTwoEventsIsCancelledWithTheUsageThatArrived() {
        MessageCreateParams p = params("claude-sonnet-4-20250514", Map.of(
                "x-fixture", "anthropic__messages__stream__1.sse", "x-chunks", "40", "x-delay-ms", "20"));
        try (SpectraScope scope = Spectra.scope(fake.bind());
             StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(p)) {
            Iterator<RawMessageStreamEvent> events = s.stream().iterator();
            events.next();
            events.next();
        }
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.usage().inputTokens()).isEqualTo(377);
        assertThat(r.chunkCount()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anAsyncCallCarriesTheMetadataOfTheThreadThatStartedIt() throws Exception {
        MessageCreateParams p = params("claude-sonnet-4-5", Map.of("x-fixture", "anthropic__messages__json__1.json"));
        CompletableFuture<Message> answer;
        try (SpectraScope scope = Spectra.scope(fake.bind(), Spectra.metadata("tenant_id", "acme"),
                Spectra.traceId("trace-9"))) {
            answer = client.async().messages().create(p);
        }
        assertThat(answer.get(20, TimeUnit.SECONDS).usage().cacheReadInputTokens()).contains(1111L);
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.metadata()).containsEntry("tenant_id", "acme");
        assertThat(r.traceId()).isEqualTo("trace-9");
        assertThat(r.usage().cachedInputTokens()).isEqualTo(1111);
    }

    /**
     * Cancelling the SDK's future does not stop its HTTP call: the answer still arrives. Whether the SDK then reads
     * it (a success, billed) or drops it unread (cancelled, found by the garbage collector) is the SDK's timing;
     * either way there is exactly one record.
     */
    @Test
    void anAsyncCallWhoseFutureIsCancelledIsRecordedOnceAsItRan() throws Exception {
        MessageCreateParams p = params("claude-sonnet-4-5", Map.of(
                "x-fixture", "anthropic__messages__json__1.json", "x-header-delay-ms", "3000"));
        int before = server.received().size();
        CompletableFuture<Message> answer;
        try (SpectraScope scope = Spectra.scope(fake.bind())) {
            answer = client.async().messages().create(p);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (server.received().size() == before && System.nanoTime() < deadline) {
            Thread.sleep(5); // until the server holds the request, before its answer
        }
        assertThat(answer.cancel(true)).isTrue();
        while (fake.recorded().isEmpty() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        Thread.sleep(200); // a second record would come now
        assertThat(fake.recorded()).hasSize(1);
        assertThat(fake.last().outcome()).isIn(Outcome.SUCCESS, Outcome.CANCELLED);
    }
}
