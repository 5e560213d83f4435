package dev.spectra.reactive.okhttp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.audio.transcriptions.TranscriptionCreateParams;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.responses.ResponseCreateParams;
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
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The official OpenAI Java SDK (openai-java 4.105.0, OkHttp) with the interceptor, against the fixture server:
 * every shared OpenAI fixture, whole and in pieces, gives the record the WebClient filter gives for the same
 * bytes; the SDK reads what it would read from OpenAI; metadata reaches the record from a scope or a Reactor
 * Context; each retry is a record; a cancelled asynchronous call is recorded as cancelled.
 */
class OpenAiSdkIntegrationTests {

    static final String KEY = "sk-proj-0penAiTestKeyThatMustNeverBeStored12345";

    static FixtureServer server;
    static OpenAIClient client;
    final SpectraFake fake = SpectraFake.create();

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        client = client(SpectraOkHttpInterceptor.builder().host("openai", "127.0.0.1:" + server.port())
                .capturePayloads().build(), 0);
    }

    static OpenAIClient client(SpectraOkHttpInterceptor interceptor, int retries) {
        return OpenAIOkHttpClient.builder()
                .apiKey(KEY)
                .baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .addInterceptor(interceptor)
                .maxRetries(retries)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @AfterEach
    void close() {
        fake.close();
    }

    static List<Arguments> fixtures() {
        List<Arguments> out = new ArrayList<>();
        for (ProviderFixture f : ProviderFixtures.all()) {
            if (f.provider().equals("openai")) {
                out.add(Arguments.of(f, 1));
                out.add(Arguments.of(f, 7));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} in {1} pieces")
    @MethodSource("fixtures")
    void eachOpenAiFixtureGivesTheFiltersRecord(ProviderFixture f, int pieces) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-fixture", f.file());
        headers.put("x-status", Integer.toString(f.status()));
        headers.put("x-chunks", Integer.toString(pieces));

        try (SpectraScope scope = Spectra.scope(fake.bind(), Spectra.metadata("fixture", f.file()))) {
            if (f.errorType() != null) {
                assertThatThrownBy(() -> call(f, headers)).isInstanceOf(OpenAIServiceException.class);
            } else {
                Object answer = call(f, headers);
                assertThat(answer).isNotNull();
            }
        }

        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest sdk = fake.last();
        assertThat(sdk.outcome()).isEqualTo(f.errorType() != null ? Outcome.FAILURE : Outcome.SUCCESS);
        assertThat(sdk.model()).isEqualTo(f.model());
        assertThat(sdk.responseId()).isEqualTo(f.responseId());
        assertThat(sdk.toString()).doesNotContain(KEY).doesNotContain("0penAiTestKey");
        FixtureServer.Received received = server.received().get(server.received().size() - 1);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("fixture", f.file());
        metadata.putAll(payloads(sdk));
        TrackedRequest filter = FilterReference.record("openai", server.port(), received.uri(),
                received.headers().get("content-type"), received.body(), headers, metadata);
        FilterReference.assertSameRecord(sdk, filter);
    }

    /** The captured payloads, which the reference record does not capture: compared here as they are. */
    private static Map<String, Object> payloads(TrackedRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String key : List.of("request_body", "response_body")) {
            if (r.metadata().containsKey(key)) {
                m.put(key, r.metadata().get(key));
            }
        }
        return m;
    }

    /** The SDK call a user makes for the fixture's API; returns what the SDK answered. */
    private static Object call(ProviderFixture f, Map<String, String> headers) {
        String model = f.requestModel() != null ? f.requestModel() : f.model();
        switch (f.operation()) {
            case "chat": {
                ChatCompletionCreateParams.Builder p = ChatCompletionCreateParams.builder().model(model)
                        .addUserMessage("Hello");
                headers.forEach(p::putAdditionalHeader);
                if (!f.streaming()) {
                    ChatCompletion c = client.chat().completions().create(p.build());
                    assertThat(c.id()).isEqualTo(f.responseId());
                    return c;
                }
                p.streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder()
                        .includeUsage(true).build());
                try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p.build())) {
                    return s.stream().count();
                }
            }
            case "responses": {
                ResponseCreateParams.Builder p = ResponseCreateParams.builder().model(model).input("Hello");
                headers.forEach(p::putAdditionalHeader);
                if (!f.streaming()) {
                    return client.responses().create(p.build());
                }
                try (var s = client.responses().createStreaming(p.build())) {
                    return s.stream().count();
                }
            }
            case "embeddings": {
                EmbeddingCreateParams.Builder p = EmbeddingCreateParams.builder().model(model).input("Hello");
                headers.forEach(p::putAdditionalHeader);
                return client.embeddings().create(p.build());
            }
            case "images": {
                ImageGenerateParams.Builder p = ImageGenerateParams.builder().model(model).prompt("A lighthouse");
                headers.forEach(p::putAdditionalHeader);
                return client.images().generate(p.build());
            }
            case "audio_transcription": {
                TranscriptionCreateParams.Builder p = TranscriptionCreateParams.builder().model(model)
                        .file(new byte[] {'R', 'I', 'F', 'F', 0, 0, 0, 0});
                headers.forEach(p::putAdditionalHeader);
                return client.audio().transcriptions().create(p.build());
            }
            default:
                throw new IllegalArgumentException("no SDK call for " + f.operation());
        }
    }

    @Test
    void theSdkStopsReadingAtDoneAndTheStreamIsStillComplete() {
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("Hi")
                .putAdditionalHeader("x-fixture", "openai__chat__stream__1.sse")
                .putAdditionalHeader("x-chunks", "9").build();
        try (SpectraScope scope = Spectra.scope(fake.bind());
             StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
            assertThat(s.stream().count()).isPositive();
        }
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.usage().inputTokens()).isEqualTo(14);
        assertThat(r.usage().outputTokens()).isEqualTo(30);
        assertThat(r.timeToFirstTokenMs()).isNotNull();
    }

    @Test
    void aStreamClosedAfterTwoChunksIsCancelled() {
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("Hi")
                .putAdditionalHeader("x-fixture", "openai__chat__stream__1.sse")
                .putAdditionalHeader("x-chunks", "30")
                .putAdditionalHeader("x-delay-ms", "20").build();
        try (SpectraScope scope = Spectra.scope(fake.bind());
             StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
            Iterator<ChatCompletionChunk> chunks = s.stream().iterator();
            chunks.next();
            chunks.next();
        }
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.chunkCount()).isGreaterThanOrEqualTo(2);
        assertThat(r.model()).isEqualTo("gpt-4o");
    }

    @Test
    void aBlockingCallInsideAPipelineCarriesTheContextWithAutomaticPropagation() {
        Hooks.enableAutomaticContextPropagation();
        try {
            ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("gpt-4o")
                    .addUserMessage("Hi").putAdditionalHeader("x-fixture", "openai__chat__json__1.json").build();
            ChatCompletion c = Mono.fromCallable(() -> client.chat().completions().create(p))
                    .subscribeOn(Schedulers.boundedElastic())
                    .contextWrite(Spectra.metadata("tenant_id", "acme"))
                    .contextWrite(Spectra.tags("pipeline"))
                    .contextWrite(Spectra.trackable("user", "u-42"))
                    .contextWrite(fake.bind())
                    .block(Duration.ofSeconds(20));
            assertThat(c).isNotNull();
        } finally {
            Hooks.disableAutomaticContextPropagation();
        }
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.metadata()).containsEntry("tenant_id", "acme");
        assertThat(r.tags()).containsExactly("pipeline");
        assertThat(r.trackable().id()).isEqualTo("u-42");
        assertThat(r.usage().totalTokens()).isEqualTo(51);
    }

    /** The asynchronous client with the calling thread's Context carried to the interceptor: the user's one line. */
    static CompletableFuture<ChatCompletion> createAsync(ChatCompletionCreateParams p, String carried) {
        return client.async().withOptions(o -> o.putHeader(CarriedContext.HEADER, carried))
                .chat().completions().create(p);
    }

    static ChatCompletionCreateParams chat(String fixture, String headerDelayMs) {
        return ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("Hi")
                .putAdditionalHeader("x-fixture", fixture)
                .putAdditionalHeader("x-header-delay-ms", headerDelayMs).build();
    }

    @Test
    void anAsyncCallInsideAScopeCarriesItsContextAndTheHeaderIsNeverSent() throws Exception {
        CompletableFuture<ChatCompletion> future;
        try (SpectraScope scope = Spectra.scope(fake.bind(), Spectra.metadata("tenant_id", "acme"),
                Spectra.tags("async"), Spectra.trackable("user", "u-7"),
                Spectra.traceId("4bf92f3577b34da6a3ce929d0e0e4736"))) {
            future = createAsync(chat("openai__chat__json__1.json", "0"), CarriedContext.ofThread());
        }
        ChatCompletion c = future.get(20, TimeUnit.SECONDS);
        assertThat(c.id()).isEqualTo(ProviderFixtures.named("openai__chat__json__1.json").responseId());

        assertThat(fake.recorded()).hasSize(1); // recorded by the tracker the scope bound: the Context arrived
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.metadata()).containsEntry("tenant_id", "acme");
        assertThat(r.tags()).containsExactly("async");
        assertThat(r.trackable().id()).isEqualTo("u-7");
        assertThat(r.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(r.usage().totalTokens()).isEqualTo(51);
        FixtureServer.Received sent = server.received().get(server.received().size() - 1);
        assertThat(sent.headers()).doesNotContainKey(CarriedContext.HEADER).containsKey("authorization");
    }

    @Test
    void anAsyncCallInsideAPipelineCarriesTheSubscribersContext() {
        ChatCompletion c = Mono.deferContextual(ctx -> Mono.fromFuture(
                        createAsync(chat("openai__chat__json__1.json", "0"), CarriedContext.of(ctx))))
                .contextWrite(Spectra.metadata("tenant_id", "acme"))
                .contextWrite(Spectra.trackable("user", "u-42"))
                .contextWrite(fake.bind())
                .block(Duration.ofSeconds(20));
        assertThat(c).isNotNull();
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.metadata()).containsEntry("tenant_id", "acme");
        assertThat(r.trackable().id()).isEqualTo("u-42");
        assertThat(r.usage().totalTokens()).isEqualTo(51);
    }

    @Test
    void concurrentAsyncCallsKeepTheirOwnContexts() throws Exception {
        // acme's answer is held back, so that globex's call is made while acme's is in flight
        CompletableFuture<ChatCompletion> acme;
        CompletableFuture<ChatCompletion> globex;
        try (SpectraScope scope = Spectra.scope(fake.bind(), Spectra.metadata("tenant_id", "acme"))) {
            acme = createAsync(chat("openai__chat__json__1.json", "800"), CarriedContext.ofThread());
        }
        try (SpectraScope scope = Spectra.scope(fake.bind(), Spectra.metadata("tenant_id", "globex"))) {
            globex = createAsync(chat("openai__chat__json__3.json", "0"), CarriedContext.ofThread());
        }
        assertThat(globex.get(20, TimeUnit.SECONDS).id())
                .isEqualTo(ProviderFixtures.named("openai__chat__json__3.json").responseId());
        assertThat(acme.get(20, TimeUnit.SECONDS).id())
                .isEqualTo(ProviderFixtures.named("openai__chat__json__1.json").responseId());

        assertThat(fake.recorded()).hasSize(2);
        Map<String, Object> tenantByAnswer = new LinkedHashMap<>();
        for (TrackedRequest r : fake.recorded()) {
            tenantByAnswer.put(r.responseId(), r.metadata().get("tenant_id"));
        }
        assertThat(tenantByAnswer).containsExactlyInAnyOrderEntriesOf(Map.of(
                ProviderFixtures.named("openai__chat__json__3.json").responseId(), "globex",
                ProviderFixtures.named("openai__chat__json__1.json").responseId(), "acme"));
    }

    @Test
    void eachRetryIsOneRecord() {
        OpenAIClient retrying = client(SpectraOkHttpInterceptor.builder().tracker(fake.tracker())
                .host("openai", "127.0.0.1:" + server.port()).build(), 1);
        try {
            ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("Hi")
                    .putAdditionalHeader("x-fixture", "openai__chat__error__1.json")
                    .putAdditionalHeader("x-status", "503").build();
            assertThatThrownBy(() -> retrying.chat().completions().create(p))
                    .isInstanceOf(OpenAIServiceException.class);
        } finally {
            retrying.close();
        }
        assertThat(fake.recorded()).hasSize(2).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(r.httpStatus()).isEqualTo(503);
        });
    }

    @Test
    void aNotFoundAnswerIsOneFailure() {
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("gpt-9").addUserMessage("Hi")
                .putAdditionalHeader("x-fixture", "openai__chat__error__1.json")
                .putAdditionalHeader("x-status", "404").build();
        try (SpectraScope scope = Spectra.scope(fake.bind())) {
            assertThatThrownBy(() -> client.chat().completions().create(p)).isInstanceOf(NotFoundException.class);
        }
        assertThat(fake.recorded()).hasSize(1);
        assertThat(fake.last().errorType()).isNotNull();
    }

    @Test
    void aCancelledAsyncCallWhoseAnswerIsDroppedUnreadIsCancelled() throws Exception {
        OpenAIClient async = client(SpectraOkHttpInterceptor.builder().tracker(fake.tracker())
                .host("openai", "127.0.0.1:" + server.port()).build(), 0);
        try {
            int before = server.received().size();
            ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("Hi")
                    .putAdditionalHeader("x-fixture", "openai__chat__json__1.json")
                    .putAdditionalHeader("x-header-delay-ms", "5000").build();
            CompletableFuture<ChatCompletion> future = async.async().chat().completions().create(p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (server.received().size() == before && System.nanoTime() < deadline) {
                Thread.sleep(5); // until the server holds the request, before its answer (5 s later)
            }
            assertThat(future.cancel(true)).isTrue();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (fake.recorded().isEmpty() && System.nanoTime() < deadline) {
                System.gc(); // the answer is dropped unread: its body is found unreachable
                Thread.sleep(50); // a few collections a second while the answer is still on its way
            }
        } finally {
            async.close();
        }
        // Cancelling the SDK's future does not cancel its HTTP call: the answer arrives, and the SDK, whose future
        // is cancelled, drops it without reading a byte. A response closed before it was read is cancelled; its
        // usage never arrived.
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.usage()).isNull();
        assertThat(r.responseId()).isNull();
    }
}
