package dev.spectra.reactive;

import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.spectra.reactive.testing.SpectraFake;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The operators with the default tracker: real provider bodies and streams, read and priced by the catalog. */
class ProviderFormatsTrackingUnitTests {

    private final SpectraFake fake = SpectraFake.create();

    @Test
    void anOpenAiChatBodyIsReadAndPriced() {
        String body = fixture("openai__chat__json__1.json");

        StepVerifier.create(Mono.just(body).transform(Spectra.tracked("openai", "gpt-4o")).contextWrite(fake.bind()))
                .expectNext(body).verifyComplete();

        TrackedRequest r = fake.last();
        assertThat(r.responseModel()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(r.responseId()).startsWith("chatcmpl-");
        assertThat(r.finishReason()).isEqualTo("stop");
        // the body states reasoning_tokens 0 and no cached tokens: a stated 0 and an unknown
        assertThat(r.usage()).isEqualTo(Usage.builder().inputTokens(14).outputTokens(37).reasoningTokens(0).build());
        assertThat(RequestColumn.REASONING_TOKENS.value(r)).isEqualTo(0L);
        assertThat(RequestColumn.CACHED_INPUT_TOKENS.value(r)).isNull();
        // gpt-4o-2024-08-06 standard: $2.50 / $10.00 per 1M: 14 x 2.5e-6 = 0.000035 ; 37 x 1e-5 = 0.00037
        assertThat(r.cost()).isEqualTo(Cost.of("0.000035", "0.00037"));
        assertThat(r.modelType()).isEqualTo(ModelType.TEXT);
    }

    @Test
    void aJsonNodeOfAnAnthropicCacheHitIsNormalisedAndPricedWithTheCachedRate() {
        JsonNode body = JsonMapper.builder().build().readTree(fixture("anthropic__messages__json__1.json"));

        StepVerifier.create(Mono.just(body).transform(Spectra.tracked("anthropic", "claude-sonnet-4-5"))
                .contextWrite(fake.bind())).expectNextCount(1).verifyComplete();

        TrackedRequest r = fake.last();
        assertThat(r.responseModel()).isEqualTo("claude-sonnet-4-5-20250929");
        // Anthropic's input_tokens (3) excludes the cache read (1111): input = 1114, of which 1111 cached
        assertThat(r.usage().inputTokens()).isEqualTo(1114);
        assertThat(r.usage().cachedInputTokens()).isEqualTo(1111);
        assertThat(r.usage().outputTokens()).isEqualTo(406);
        // $3 / $0.30 cached / $15 per 1M: 3 x 3e-6 + 1111 x 3e-7 = 0.000009 + 0.0003333 ; 406 x 1.5e-5 = 0.00609
        assertThat(r.cost()).isEqualTo(Cost.of("0.0003423", "0.00609"));
    }

    @Test
    void anAnthropicStreamOfDataPayloadsKeepsTheLatestCumulativeUsage() {
        List<String> payloads = ssePayloads(fixture("anthropic__messages__stream__1.sse"));

        StepVerifier.create(Flux.fromIterable(payloads).transform(Spectra.stream("anthropic", "claude-sonnet-4-0"))
                        .contextWrite(fake.bind()))
                .expectNextCount(payloads.size()).verifyComplete();

        TrackedRequest r = fake.last();
        assertThat(r.streaming()).isTrue();
        assertThat(r.chunkCount()).isEqualTo(payloads.size());
        assertThat(r.responseModel()).isEqualTo("claude-sonnet-4-20250514");
        assertThat(r.responseId()).isEqualTo("msg_019Q1hrJbZG26Fb9BQhrkHEr");
        assertThat(r.usage()).isEqualTo(Usage.builder().inputTokens(377).outputTokens(65).cachedInputTokens(0)
                .cacheWriteTokens(0).build());
        // claude-sonnet-4-20250514: $3 / $15 per 1M: 377 x 3e-6 = 0.001131 ; 65 x 1.5e-5 = 0.000975
        assertThat(r.cost()).isEqualTo(Cost.of("0.001131", "0.000975"));
        assertThat(r.toolCallCounts()).isEqualTo(java.util.Map.of("function", 1));
    }

    @Test
    void anOpenAiStreamCutBeforeItsUsageChunkIsCancelledWithUnknownUsage() {
        List<String> payloads = ssePayloads(fixture("openai__chat__stream__1.sse"));

        StepVerifier.create(Flux.fromIterable(payloads).transform(Spectra.stream("openai", "gpt-4o")).take(3)
                .contextWrite(fake.bind())).expectNextCount(3).verifyComplete();

        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.usage()).isNull();
        assertThat(r.cost()).isNull();
        assertThat(r.pricingStatus()).isEqualTo(PricingStatus.USAGE_UNKNOWN);
        assertThat(r.responseModel()).isEqualTo("gpt-4o-2024-08-06");
    }

    @Test
    void aWholeOpenAiStreamGivesTheUsageOfItsFinalChunk() {
        List<String> payloads = ssePayloads(fixture("openai__chat__stream__1.sse"));

        StepVerifier.create(Flux.fromIterable(payloads).transform(Spectra.stream("openai", "gpt-4o"))
                .contextWrite(fake.bind())).expectNextCount(payloads.size()).verifyComplete();

        TrackedRequest r = fake.last();
        assertThat(r.usage()).isEqualTo(Usage.builder().inputTokens(14).outputTokens(30).reasoningTokens(0).build());
        // 14 x 2.5e-6 = 0.000035 ; 30 x 1e-5 = 0.0003
        assertThat(r.cost()).isEqualTo(Cost.of("0.000035", "0.0003"));
        assertThat(r.finishReason()).isEqualTo("stop");
    }

    static String fixture(String name) {
        return new String(ProviderFixtures.bytes(name), StandardCharsets.UTF_8);
    }

    /** The data payloads of an SSE body, one per event, as WebClient's bodyToFlux(String.class) yields them. */
    static List<String> ssePayloads(String sse) {
        List<String> out = new ArrayList<>();
        for (String line : sse.split("\r\n|\n")) {
            if (line.startsWith("data:")) {
                String data = line.substring(5);
                out.add(data.startsWith(" ") ? data.substring(1) : data);
            }
        }
        return out;
    }
}
