package dev.spectra.reactive.springai;

import java.time.Duration;
import java.util.List;
import java.util.Map;

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
 * Spring AI 2.0.1's Anthropic chat model ({@code ChatClient}) on Spring Boot, recorded by the OkHttp interceptor
 * added through {@code AnthropicHttpClientBuilderCustomizer}: a call and a stream are each one record, equal to
 * the WebClient filter's record of the same bytes, cache reads and writes included, with the caller's metadata
 * (a stream's from the Context of its subscription, carried by {@code SpectraContextAdvisor}); a stream cancelled
 * after two
 * chunks is cancelled with the usage that had arrived; the key Spring AI sends ({@code x-api-key}) is never
 * stored.
 */
@SpringBootTest(classes = StandIn.App.class)
class AnthropicChatClientIntegrationTests {

    static final String KEY = "sk-ant-api03-SpringAiAnthropicKeyNeverStored-0123456789";

    @DynamicPropertySource
    static void standIn(DynamicPropertyRegistry p) {
        p.add("spring.ai.model.chat", () -> "anthropic");
        p.add("spring.ai.anthropic.base-url", () -> "http://127.0.0.1:" + StandIn.SERVER.port());
        p.add("spring.ai.anthropic.api-key", () -> KEY);
        p.add("spring.ai.anthropic.chat.options.model", () -> "claude-sonnet-4-5");
        // the OpenAI starter is on the classpath too: its other models (audio ...) need a key to start
        p.add("spring.ai.openai.api-key", () -> "sk-proj-unused");
        p.add("spring.ai.openai.base-url", () -> "http://127.0.0.1:" + StandIn.SERVER.port() + "/v1");
    }

    @Autowired
    ChatClient.Builder chat;

    @BeforeEach
    void reset() {
        StandIn.FAKE.reset();
        StandIn.byPrompt = Map.of();
    }

    @Test
    void aCallWithCacheReadsIsOneExactRecordWithTheCallersMetadata() {
        StandIn.answerWith("anthropic__messages__json__1.json");
        ChatResponse answer;
        try (SpectraScope scope = Spectra.scope(Spectra.metadata("tenant_id", "acme"))) {
            answer = chat.build().prompt().user("Hello").call().chatResponse();
        }
        assertThat(answer.getResult()).isNotNull();
        assertThat(StandIn.lastRequest().headers().get("x-api-key")).isEqualTo(KEY);

        assertThat(StandIn.FAKE.recorded()).hasSize(1);
        TrackedRequest r = StandIn.FAKE.last();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.usage().cachedInputTokens()).isEqualTo(1111);
        assertThat(r.usage().outputTokens()).isEqualTo(406);
        assertThat(r.responseModel()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(r.cost()).isNotNull();
        assertThat(r.metadata()).containsEntry("tenant_id", "acme");
        assertThat(r.toString()).doesNotContain("SpringAiAnthropicKey");
        FilterReference.assertSameRecord(r, StandIn.filterRecord("anthropic", Map.of("tenant_id", "acme")));
    }

    @Test
    void aStreamWithCacheWritesIsOneExactRecordWithTheSubscribersContext() {
        StandIn.answerWith("anthropic__messages__stream__cache.sse", "x-chunks", "9");
        List<ChatResponse> chunks = chat.build().prompt().user("Hello").stream().chatResponse()
                .contextWrite(Spectra.metadata("tenant_id", "acme"))
                .collectList().block(Duration.ofSeconds(20));
        assertThat(chunks).isNotEmpty();
        assertThat(StandIn.lastRequest().headers()).doesNotContainKey(CarriedContext.HEADER);

        assertThat(StandIn.FAKE.recorded()).hasSize(1);
        TrackedRequest r = StandIn.FAKE.last();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.streaming()).isTrue();
        assertThat(r.usage().cachedInputTokens()).isEqualTo(2048);
        assertThat(r.usage().cacheWriteTokens()).isEqualTo(188);
        assertThat(r.usage().outputTokens()).isEqualTo(512);
        assertThat(r.timeToFirstTokenMs()).isNotNull();
        assertThat(r.metadata()).containsEntry("tenant_id", "acme");
        FilterReference.assertSameRecord(r, StandIn.filterRecord("anthropic", Map.of("tenant_id", "acme")));
    }

    @Test
    void concurrentStreamsKeepTheirOwnContexts() {
        // acme's stream is slow, so that globex's runs inside it; globex's is refused (400), acme's succeeds
        StandIn.answer("acme", "anthropic__messages__stream__cache.sse", "x-chunks", "9", "x-delay-ms", "40");
        StandIn.answer("globex", "anthropic__messages__error__1.json", "x-status", "400");
        Flux<ChatResponse> acme = chat.build().prompt().user("Hello from acme").stream().chatResponse()
                .contextWrite(Spectra.metadata("tenant_id", "acme"));
        Flux<ChatResponse> globex = chat.build().prompt().user("Hello from globex").stream().chatResponse()
                .delaySubscription(Duration.ofMillis(50))
                .onErrorResume(e -> Flux.empty())
                .contextWrite(Spectra.metadata("tenant_id", "globex"));
        Flux.merge(acme, globex).blockLast(Duration.ofSeconds(20));

        assertThat(StandIn.FAKE.recorded()).hasSize(2);
        Map<Object, TrackedRequest> byTenant = new java.util.LinkedHashMap<>();
        StandIn.FAKE.recorded().forEach(r -> byTenant.put(r.metadata().get("tenant_id"), r));
        assertThat(byTenant.keySet()).containsExactlyInAnyOrder("globex", "acme");
        assertThat(byTenant.get("acme").outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(byTenant.get("acme").usage().cacheWriteTokens()).isEqualTo(188);
        assertThat(byTenant.get("globex").outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(byTenant.get("globex").httpStatus()).isEqualTo(400);
    }

    @Test
    void theProviderReceivesTheSameRequestWithOrWithoutTheAdvisor(@Autowired ChatModel model) {
        StandIn.answerWith("anthropic__messages__stream__cache.sse", "x-chunks", "3");
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
    void aStreamCancelledAfterTwoChunksIsCancelledWithTheUsageThatArrived() {
        // the second answer is the second text delta, 26 pieces of 33 in: 200 ms between pieces leaves the
        // stream running for about 1.4 s after it, so that the cancel reaches the SDK first (a stream that ended
        // first would be a success)
        StandIn.answerWith("anthropic__messages__stream__cache.sse", "x-chunks", "33", "x-delay-ms", "200");
        List<ChatResponse> two = chat.build().prompt().user("Hello").stream().chatResponse().take(2)
                .collectList().block(Duration.ofSeconds(20));
        assertThat(two).hasSize(2);
        OpenAiChatClientIntegrationTests.awaitOneRecord();
        TrackedRequest r = StandIn.FAKE.last();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.usage().cachedInputTokens()).isEqualTo(2048); // from message_start, which had arrived
        assertThat(r.usage().cacheWriteTokens()).isEqualTo(188);
    }
}
