package dev.spectra.reactive.springai;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.okhttp.CarriedContext;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring AI 2.0.1's OpenAI chat model ({@code ChatClient}) on Spring Boot, recorded by the OkHttp interceptor
 * added through {@code OpenAiHttpClientBuilderCustomizer}: each call and each stream is one record, equal to the
 * WebClient filter's record of the same bytes, with the caller's metadata: a scope around a call, the Context of
 * a stream's subscription (carried by {@code SpectraContextAdvisor}, which changes nothing the provider
 * receives).
 */
@SpringBootTest(classes = StandIn.App.class)
class OpenAiChatClientIntegrationTests {

    @DynamicPropertySource
    static void standIn(DynamicPropertyRegistry p) {
        p.add("spring.ai.model.chat", () -> "openai");
        p.add("spring.ai.openai.base-url", () -> "http://127.0.0.1:" + StandIn.SERVER.port() + "/v1");
        p.add("spring.ai.openai.api-key", () -> "sk-proj-SpringAiTestKeyNeverStored0123456789");
        p.add("spring.ai.openai.chat.options.model", () -> "gpt-4o");
    }

    @Autowired
    ChatClient.Builder chat;

    @BeforeEach
    void reset() {
        StandIn.FAKE.reset();
        StandIn.byPrompt = Map.of();
    }

    @Test
    void aCallWithCachedTokensIsOneExactRecordWithTheCallersMetadata() {
        StandIn.answerWith("openai__chat__json__3.json");
        ChatResponse answer;
        try (SpectraScope scope = Spectra.scope(Spectra.metadata("tenant_id", "acme"))) {
            answer = chat.build().prompt().user("Hello").call().chatResponse();
        }
        assertThat(answer.getMetadata().getUsage().getPromptTokens()).isEqualTo(4020);

        assertThat(StandIn.FAKE.recorded()).hasSize(1);
        TrackedRequest r = StandIn.FAKE.last();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.usage().inputTokens()).isEqualTo(4020);
        assertThat(r.usage().cachedInputTokens()).isEqualTo(4012);
        assertThat(r.usage().outputTokens()).isEqualTo(4);
        assertThat(r.responseModel()).isEqualTo("gpt-5.6-sol");
        assertThat(r.metadata()).containsEntry("tenant_id", "acme");
        assertThat(r.toString()).doesNotContain("SpringAiTestKey");
        FilterReference.assertSameRecord(r, StandIn.filterRecord("openai", Map.of("tenant_id", "acme")));
    }

    @Test
    void aCallWithReasoningTokensIsOneExactRecord() {
        StandIn.answerWith("openai__chat__json__4.json", "x-chunks", "5");
        chat.build().prompt().user("Think").call().chatResponse();
        assertThat(StandIn.FAKE.recorded()).hasSize(1);
        TrackedRequest r = StandIn.FAKE.last();
        assertThat(r.usage().reasoningTokens()).isEqualTo(1792);
        assertThat(r.usage().outputTokens()).isEqualTo(2320);
        assertThat(r.cost()).isNotNull();
        FilterReference.assertSameRecord(r, StandIn.filterRecord("openai", Map.of()));
    }

    @Test
    void aStreamIsOneExactRecordWithTheSubscribersContext() {
        StandIn.answerWith("openai__chat__stream__1.sse", "x-chunks", "9");
        List<ChatResponse> chunks = chat.build().prompt().user("Hello").stream().chatResponse()
                .contextWrite(Spectra.metadata("tenant_id", "acme"))
                .collectList().block(Duration.ofSeconds(20));
        assertThat(chunks).isNotEmpty();
        assertThat(StandIn.lastRequest().body()).asString().contains("\"include_usage\":true");

        assertThat(StandIn.FAKE.recorded()).hasSize(1);
        TrackedRequest r = StandIn.FAKE.last();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.streaming()).isTrue();
        assertThat(r.usage().inputTokens()).isEqualTo(14);
        assertThat(r.usage().outputTokens()).isEqualTo(30);
        assertThat(r.timeToFirstTokenMs()).isNotNull();
        assertThat(r.metadata()).containsEntry("tenant_id", "acme");
        FilterReference.assertSameRecord(r, StandIn.filterRecord("openai", Map.of("tenant_id", "acme")));
    }

    @Test
    void aStreamInsideAScopeCarriesTheScope() {
        StandIn.answerWith("openai__chat__stream__1.sse", "x-chunks", "3");
        try (SpectraScope scope = Spectra.scope(Spectra.metadata("tenant_id", "acme"))) {
            chat.build().prompt().user("Hello").stream().chatResponse().blockLast(Duration.ofSeconds(20));
        }
        assertThat(StandIn.FAKE.recorded()).hasSize(1);
        assertThat(StandIn.FAKE.last().metadata()).containsEntry("tenant_id", "acme");
    }

    /** {@code contextCapture()} moves the scope into the Context, where the pipeline's writes merge over it. */
    @Test
    void aStreamCarriesTagsTraceIdAndTrackableMergedOverACapturedScope() {
        StandIn.answerWith("openai__chat__stream__1.sse", "x-chunks", "3");
        try (SpectraScope scope = Spectra.scope(Spectra.metadata("tenant_id", "acme"), Spectra.tags("batch"))) {
            chat.build().prompt().user("Hello").stream().chatResponse()
                    .contextWrite(Spectra.trackable("user", "u-42"))
                    .contextWrite(Spectra.traceId("4bf92f3577b34da6a3ce929d0e0e4736"))
                    .contextCapture()
                    .blockLast(Duration.ofSeconds(20));
        }
        assertThat(StandIn.FAKE.recorded()).hasSize(1);
        TrackedRequest r = StandIn.FAKE.last();
        assertThat(r.metadata()).containsEntry("tenant_id", "acme");
        assertThat(r.tags()).containsExactly("batch");
        assertThat(r.trackable().id()).isEqualTo("u-42");
        assertThat(r.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(r.usage().totalTokens()).isEqualTo(44);
    }

    @Test
    void concurrentStreamsKeepTheirOwnContexts() {
        // acme's stream is slow, so that globex's runs inside it; their answers differ (acme's carries usage)
        StandIn.answer("acme", "openai__chat__stream__1.sse", "x-chunks", "9", "x-delay-ms", "40");
        StandIn.answer("globex", "openai__chat__stream__nousage.sse", "x-chunks", "3");
        Flux<ChatResponse> acme = chat.build().prompt().user("Hello from acme").stream().chatResponse()
                .contextWrite(Spectra.metadata("tenant_id", "acme"));
        Flux<ChatResponse> globex = chat.build().prompt().user("Hello from globex").stream().chatResponse()
                .delaySubscription(Duration.ofMillis(50))
                .contextWrite(Spectra.metadata("tenant_id", "globex"));
        Flux.merge(acme, globex).blockLast(Duration.ofSeconds(20));

        assertThat(StandIn.FAKE.recorded()).hasSize(2);
        Map<Object, TrackedRequest> byTenant = new java.util.LinkedHashMap<>();
        StandIn.FAKE.recorded().forEach(r -> byTenant.put(r.metadata().get("tenant_id"), r));
        assertThat(byTenant.keySet()).containsExactlyInAnyOrder("globex", "acme");
        assertThat(byTenant.get("acme").usage().inputTokens()).isEqualTo(14);
        assertThat(byTenant.get("acme").usage().outputTokens()).isEqualTo(30);
        assertThat(byTenant.get("globex").usage()).isNull();
    }

    @Test
    void theProviderReceivesTheSameRequestWithOrWithoutTheAdvisor(@Autowired ChatModel model) {
        StandIn.answerWith("openai__chat__stream__1.sse", "x-chunks", "3");
        ChatClient.create(model).prompt().user("Hello").stream().chatResponse()
                .contextWrite(Spectra.metadata("tenant_id", "acme")).blockLast(Duration.ofSeconds(20));
        FixtureServer.Received without = StandIn.lastRequest();
        chat.build().prompt().user("Hello").stream().chatResponse()
                .contextWrite(Spectra.metadata("tenant_id", "acme")).blockLast(Duration.ofSeconds(20));
        FixtureServer.Received with = StandIn.lastRequest();

        assertThat(with.headers()).doesNotContainKey(CarriedContext.HEADER).isEqualTo(without.headers());
        assertThat(with.body()).isEqualTo(without.body());
        assertThat(with.uri()).isEqualTo(without.uri());
        assertThat(StandIn.FAKE.recorded()).hasSize(2);
        assertThat(StandIn.FAKE.recorded().get(0).metadata()).doesNotContainKey("tenant_id");
        assertThat(StandIn.FAKE.recorded().get(1).metadata()).containsEntry("tenant_id", "acme");
    }

    @Test
    void aStreamCancelledAfterTwoChunksIsCancelled() {
        // 100 ms between pieces: about 3 s for the whole stream, so that it is still running when the cancel
        // reaches the SDK (a stream that ended first would be a success)
        StandIn.answerWith("openai__chat__stream__1.sse", "x-chunks", "30", "x-delay-ms", "100");
        List<ChatResponse> two = chat.build().prompt().user("Hello").stream().chatResponse()
                .take(2)
                .collectList().block(Duration.ofSeconds(20));
        assertThat(two).hasSize(2);
        awaitOneRecord();
        TrackedRequest r = StandIn.FAKE.last();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.chunkCount()).isGreaterThanOrEqualTo(2);
        assertThat(r.usage()).isNull(); // OpenAI sends usage only in the last chunk, which never came
    }

    /**
     * A cancelled stream is closed on OkHttp's thread, just after the subscriber has gone: parks between looks, so
     * that the thread closing it has the core.
     */
    static void awaitOneRecord() {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (StandIn.FAKE.recorded().isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        assertThat(StandIn.FAKE.recorded()).hasSize(1);
    }
}
