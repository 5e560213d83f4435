package dev.spectra.reactive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.spectra.reactive.testing.SpectraFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** Metadata, tags and the other attributes that ride the Reactor Context, and how the layers merge. */
class ContextMetadataUnitTests {

    private final SpectraFake fake = SpectraFake.create();

    @AfterEach
    void clearGlobals() {
        Spectra.clearGlobals();
    }

    @Test
    void layersMergeGlobalsUnderContextUnderOptionsUnderTheCallback() {
        Spectra.withMetadata(ordered("env", "prod", "layer", "globals", "g", 1));
        Spectra.addGlobalTags("service:billing");
        TrackOptions options = TrackOptions.builder().metadata("layer", "options").metadata("o", 3)
                .tags("from-options").build();

        Mono<String> tracked = Spectra.track("openai", "gpt-4o", call -> {
            call.addMetadata("layer", "callback").addMetadata("a", 4).addTag("from-callback");
            return Mono.just("ok");
        }, options);

        StepVerifier.create(tracked
                        .contextWrite(Spectra.metadata(ordered("layer", "context", "c", 2)))
                        .contextWrite(Spectra.tags("from-context", "service:billing"))
                        .contextWrite(fake.bind()))
                .expectNext("ok")
                .verifyComplete();

        TrackedRequest r = fake.last();
        assertThat(r.metadata()).containsExactly(entry("env", "prod"), entry("layer", "callback"), entry("g", 1),
                entry("c", 2), entry("o", 3), entry("a", 4));
        assertThat(r.tags()).containsExactly("service:billing", "from-context", "from-options", "from-callback");
    }

    @Test
    void singleValuesFollowTheSameOrder() {
        Spectra.withPricingTier(PricingTier.FLEX);
        Spectra.withTrackable("team", "global-team");

        StepVerifier.create(Mono.just(1).transform(Spectra.tracked("openai", "gpt-4o"))
                        .contextWrite(fake.bind()))
                .expectNext(1).verifyComplete();
        StepVerifier.create(Mono.just(2).transform(Spectra.tracked("openai", "gpt-4o"))
                        .contextWrite(Spectra.pricingTier(PricingTier.PRIORITY))
                        .contextWrite(Spectra.trackable("user", "u-1"))
                        .contextWrite(Spectra.conversationId("conv-call"))
                        .contextWrite(fake.bind()))
                .expectNext(2).verifyComplete();
        StepVerifier.create(Mono.just(3).transform(Spectra.tracked("openai", "gpt-4o", TrackOptions.builder()
                                .pricingTier("batch").trackable("user", "u-2").conversationId("conv-opt").build()))
                        .contextWrite(Spectra.pricingTier(PricingTier.PRIORITY))
                        .contextWrite(Spectra.trackable("user", "u-1"))
                        .contextWrite(fake.bind()))
                .expectNext(3).verifyComplete();

        List<TrackedRequest> r = fake.recorded();
        assertThat(r).extracting(TrackedRequest::pricingTier)
                .containsExactly(PricingTier.FLEX, PricingTier.PRIORITY, PricingTier.BATCH);
        assertThat(r).extracting(TrackedRequest::trackable).containsExactly(new Trackable("team", "global-team"),
                new Trackable("user", "u-1"), new Trackable("user", "u-2"));
        assertThat(r).extracting(TrackedRequest::conversationId).containsExactly(null, "conv-call", "conv-opt");
    }

    @Test
    void contextWritersMergeAndTheWriteClosestToTheCallWins() {
        Mono<String> call = Mono.just("v").transform(Spectra.tracked("openai", "gpt-4o"))
                .contextWrite(Spectra.metadata("tenant_id", "inner"))
                .contextWrite(Spectra.metadata(ordered("tenant_id", "outer", "request_id", "r-1")))
                .contextWrite(Spectra.tags("a"))
                .contextWrite(Spectra.tags("b", "a"))
                .contextWrite(ctx -> ctx.put("someone-else", "kept"))
                .contextWrite(fake.bind());

        StepVerifier.create(call).expectNext("v").verifyComplete();

        TrackedRequest r = fake.last();
        assertThat(r.metadata()).containsExactly(entry("tenant_id", "inner"), entry("request_id", "r-1"));
        assertThat(r.tags()).containsExactly("b", "a");
    }

    @Test
    void contextMetadataSurvivesPublishOnSubscribeOnFlatMapAndZip() {
        Mono<String> a = Mono.fromCallable(() -> "a").subscribeOn(Schedulers.boundedElastic())
                .transform(Spectra.tracked("openai", "gpt-4o"));
        Mono<String> b = Mono.just("b").publishOn(Schedulers.parallel())
                .transform(Spectra.tracked("anthropic", "claude-sonnet-4-5"));
        Mono<String> c = Mono.just("c").delayElement(Duration.ofMillis(5))
                .flatMap(x -> Mono.just(x + "!").subscribeOn(Schedulers.single())
                        .transform(Spectra.tracked("gemini", "gemini-2.5-flash")));

        Mono<String> handler = Mono.zip(a, b, c).map(t -> t.getT1() + t.getT2() + t.getT3())
                .publishOn(Schedulers.boundedElastic())
                .contextWrite(Spectra.metadata("tenant_id", "tenant_123"))
                .contextWrite(Spectra.traceId("req-7"))
                .contextWrite(fake.bind());

        StepVerifier.create(handler).expectNext("abc!").verifyComplete();

        fake.assertRequestCount(3);
        assertThat(fake.recorded()).extracting(TrackedRequest::provider)
                .containsExactlyInAnyOrder("openai", "anthropic", "gemini");
        assertThat(fake.recorded()).allSatisfy(r -> {
            assertThat(r.metadata()).containsExactly(entry("tenant_id", "tenant_123"));
            assertThat(r.traceId()).isEqualTo("req-7");
        });
    }

    @Test
    void callsOfOneInboundRequestShareTheTraceIdFromTraceparentElseEachCallHasItsOwn() {
        Mono<String> two = Mono.just("x").transform(Spectra.tracked("openai", "gpt-4o"))
                .then(Mono.just("y").transform(Spectra.tracked("openai", "gpt-4o")));

        StepVerifier.create(two.contextWrite(ctx -> ctx.put("traceparent",
                        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")).contextWrite(fake.bind()))
                .expectNext("y").verifyComplete();
        StepVerifier.create(two.contextWrite(fake.bind())).expectNext("y").verifyComplete();

        List<TrackedRequest> r = fake.recorded();
        assertThat(r.get(0).traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(r.get(1).traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(r.get(2).traceId()).isNotEqualTo(r.get(3).traceId());
        assertThat(r.get(2).traceId()).isEqualTo(r.get(2).id().toString());
        assertThat(r.get(3).traceId()).isEqualTo(r.get(3).id().toString());
    }

    @Test
    void aThousandConcurrentCallsWithDistinctContextGiveAThousandRecordsWithoutCrossTalk() {
        int n = 1000;
        Flux<String> all = Flux.range(0, n).flatMap(i -> Mono.fromCallable(() -> "r" + i)
                .subscribeOn(i % 2 == 0 ? Schedulers.parallel() : Schedulers.boundedElastic())
                .delayElement(Duration.ofMillis(i % 7))
                .transform(Spectra.tracked("openai", "gpt-4o", TrackOptions.metadata("call", i)))
                .contextWrite(Spectra.metadata(ordered("tenant_id", "t" + i, "index", i)))
                .contextWrite(Spectra.tags("tenant:" + i))
                .contextWrite(Spectra.traceId("trace-" + i)), 256);

        StepVerifier.create(all.contextWrite(fake.bind()).collectList())
                .assertNext(list -> assertThat(list).hasSize(n))
                .verifyComplete();

        List<TrackedRequest> records = fake.recorded();
        assertThat(records).hasSize(n);
        assertThat(records).allSatisfy(r -> {
            Object i = r.metadata().get("index");
            assertThat(r.metadata()).containsExactly(entry("tenant_id", "t" + i), entry("index", i),
                    entry("call", i));
            assertThat(r.tags()).containsExactly("tenant:" + i);
            assertThat(r.traceId()).isEqualTo("trace-" + i);
        });
        Set<Object> indexes = records.stream().map(r -> r.metadata().get("index")).collect(Collectors.toSet());
        assertThat(indexes).hasSize(n);
        assertThat(records.stream().map(TrackedRequest::id).distinct().count()).isEqualTo(n);
    }

    @Test
    void aTrackerBoundInTheContextWinsOverTheGlobalOne() {
        try (SpectraFake global = SpectraFake.install()) {
            StepVerifier.create(Mono.just(1).transform(Spectra.tracked("openai", "gpt-4o"))).expectNext(1)
                    .verifyComplete();
            StepVerifier.create(Mono.just(2).transform(Spectra.tracked("openai", "gpt-4o"))
                    .contextWrite(fake.bind())).expectNext(2).verifyComplete();

            global.assertRequestCount(1);
            fake.assertRequestCount(1);
        }
    }

    @Test
    void readingTheContextFromTheCallback() {
        Mono<Map<String, Object>> seen = Spectra.track("openai", "gpt-4o", call -> Mono.just(call.metadata()));

        StepVerifier.create(seen.contextWrite(Spectra.metadata("tenant_id", "t-1")).contextWrite(fake.bind()))
                .assertNext(m -> assertThat(m).containsExactly(entry("tenant_id", "t-1")))
                .verifyComplete();
    }

    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<Object> list(Object... v) {
        return new ArrayList<>(List.of(v));
    }
}
