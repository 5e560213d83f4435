package dev.spectra.reactive;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.spectra.reactive.pricing.PricingCatalog;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** The provider a router passed a call on to: from the router's answer, or from the model the call asked for. */
class UpstreamProviderUnitTests {

    private final TestTracker tracker = new TestTracker(PricingCatalog.bundled(), ProviderRegistry.builtIn());

    @Test
    void theHuggingFaceRoutersModelSuffixNamesTheProviderButNotARoutingPolicy() {
        assertThat(ProviderRegistry.upstreamProviderOfModel("huggingface", "openai/gpt-oss-120b:cerebras"))
                .isEqualTo("cerebras");
        assertThat(ProviderRegistry.upstreamProviderOfModel("HuggingFace", "deepseek-ai/DeepSeek-V3.1:Novita"))
                .isEqualTo("novita");
        for (String policy : List.of("fastest", "cheapest", "preferred", "auto")) {
            assertThat(ProviderRegistry.upstreamProviderOfModel("huggingface", "openai/gpt-oss-120b:" + policy))
                    .as(policy).isNull();
        }
        assertThat(ProviderRegistry.upstreamProviderOfModel("huggingface", "openai/gpt-oss-120b")).isNull();
        assertThat(ProviderRegistry.upstreamProviderOfModel("huggingface", "openai/gpt-oss-120b:")).isNull();
        assertThat(ProviderRegistry.upstreamProviderOfModel("ollama", "gpt-oss:120b")).as("a tag, not a route")
                .isNull();
    }

    @Test
    void theOperatorsRecordTheUpstreamProviderOnce() {
        String openRouter = fixture("openrouter__chat__json__1.json");
        StepVerifier.create(Mono.just(openRouter).transform(tracker.tracker.tracked("openrouter",
                "anthropic/claude-sonnet-4.5"))).expectNext(openRouter).verifyComplete();
        List<String> stream = ProviderFormatsTrackingUnitTests.ssePayloads(fixture("openrouter__chat__stream__1.sse"));
        StepVerifier.create(Flux.fromIterable(stream).transform(tracker.tracker.stream("openrouter",
                "openai/gpt-4o-mini"))).expectNextCount(stream.size()).verifyComplete();
        String routed = fixture("huggingface__chat__json__1.json");
        StepVerifier.create(Mono.just(routed).transform(tracker.tracker.tracked("huggingface",
                "openai/gpt-oss-120b:cerebras"))).expectNext(routed).verifyComplete();
        StepVerifier.create(Mono.just(routed).transform(tracker.tracker.tracked("huggingface",
                "openai/gpt-oss-120b:fastest"))).expectNext(routed).verifyComplete();
        String direct = fixture("openai__chat__json__1.json");
        StepVerifier.create(Mono.just(direct).transform(tracker.tracker.tracked("openai", "gpt-4o")))
                .expectNext(direct).verifyComplete();

        assertThat(tracker.records()).extracting(TrackedRequest::upstreamProvider)
                .containsExactly("Amazon Bedrock", "OpenAI", "cerebras", null, null);
        assertThat(RequestColumn.UPSTREAM_PROVIDER.value(tracker.records().get(0))).isEqualTo("Amazon Bedrock");
    }

    private static String fixture(String file) {
        return new String(ProviderFixtures.bytes(file), StandardCharsets.UTF_8);
    }
}
