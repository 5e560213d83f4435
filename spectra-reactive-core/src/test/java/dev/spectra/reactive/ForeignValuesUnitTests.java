package dev.spectra.reactive;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectra.reactive.testing.SpectraFake;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** Values of types core does not build on: Jackson 2 trees are read, anything unknown is counted and said. */
class ForeignValuesUnitTests {

    private static final ObjectMapper JACKSON2 = new ObjectMapper();
    private final SpectraFake fake = SpectraFake.create();

    @Test
    void aJackson2BodyIsReadLikeItsText() throws Exception {
        String text = ProviderFormatsTrackingUnitTests.fixture("anthropic__messages__json__1.json");
        JsonNode body = JACKSON2.readTree(text);
        StepVerifier.create(Mono.just(body).transform(Spectra.tracked("anthropic", "claude-sonnet-4-5"))
                .contextWrite(fake.bind())).expectNext(body).verifyComplete();
        StepVerifier.create(Mono.just(text).transform(Spectra.tracked("anthropic", "claude-sonnet-4-5"))
                .contextWrite(fake.bind())).expectNext(text).verifyComplete();

        List<TrackedRequest> r = fake.recorded();
        assertThat(r.get(0).usage()).isNotNull().isEqualTo(r.get(1).usage());
        assertThat(r.get(0).usage().cachedInputTokens()).isEqualTo(1111);
        assertThat(r.get(0).cost()).isEqualTo(r.get(1).cost());
        assertThat(fake.tracker().stats().readFailures()).isZero();
    }

    @Test
    void aStreamOfJackson2ChunksIsReadLikeItsPayloads() throws Exception {
        List<String> payloads = ProviderFormatsTrackingUnitTests.ssePayloads(
                ProviderFormatsTrackingUnitTests.fixture("openai__chat__stream__1.sse"));
        List<Object> nodes = new java.util.ArrayList<>();
        for (String p : payloads) {
            if (!p.equals("[DONE]")) {
                nodes.add(JACKSON2.readTree(p));
            }
        }
        StepVerifier.create(Flux.fromIterable(nodes).transform(Spectra.stream("openai", "gpt-4o"))
                .contextWrite(fake.bind())).expectNextCount(nodes.size()).verifyComplete();
        assertThat(fake.last().usage()).isEqualTo(Usage.builder().inputTokens(14).outputTokens(30)
                .reasoningTokens(0).build());
    }

    @Test
    void aValueNoReaderUnderstandsIsCountedAsUnreadable() {
        record Answer(String text) {
        }
        StepVerifier.create(Mono.just(new Answer("hi")).transform(Spectra.tracked("openai", "gpt-4o"))
                .contextWrite(fake.bind())).expectNextCount(1).verifyComplete();
        assertThat(fake.last().usage()).isNull();
        assertThat(fake.tracker().stats().readFailures()).isEqualTo(1);

        StepVerifier.create(Flux.just(new Answer("a"), new Answer("b")).transform(Spectra.stream("openai", "gpt-4o"))
                .contextWrite(fake.bind())).expectNextCount(2).verifyComplete();
        assertThat(fake.last().usage()).isNull();
        assertThat(fake.tracker().stats().readFailures()).isEqualTo(2);
    }
}
