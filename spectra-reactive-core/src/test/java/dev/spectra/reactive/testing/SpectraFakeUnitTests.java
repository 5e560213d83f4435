package dev.spectra.reactive.testing;

import java.math.BigDecimal;
import java.util.Map;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.pricing.Pricing;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpectraFakeUnitTests {

    record Answer(long in, long out) {
    }

    private static final TrackOptions USAGE = TrackOptions.builder()
            .usageExtractor(Answer.class, a -> Usage.of(a.in(), a.out())).build();

    /** $1 per million input and output tokens for any model but "free". */
    private static final Pricing PRICING = (p, m, t, u) -> m.equals("free") ? null
            : Cost.of(BigDecimal.valueOf(u.inputTokens()).movePointLeft(6),
            BigDecimal.valueOf(u.outputTokens()).movePointLeft(6));

    private SpectraFake recordTwo() {
        SpectraFake fake = SpectraFake.withPricing(PRICING);
        Mono<Answer> ok = Mono.just(new Answer(14, 37)).transform(Spectra.tracked("openai", "gpt-4o", USAGE));
        Mono<Answer> failed = Mono.<Answer>error(new IllegalStateException("rate limited"))
                .transform(Spectra.tracked("anthropic", "claude-sonnet-4-5"));
        StepVerifier.create(ok.contextWrite(Spectra.metadata(Map.of("tenant_id", "tenant_123", "attempt", 2)))
                .contextWrite(Spectra.tags("billing", "eu")).contextWrite(fake.bind())).expectNextCount(1)
                .verifyComplete();
        StepVerifier.create(failed.contextWrite(fake.bind())).expectError().verify();
        return fake;
    }

    private static final String LISTING = "; recorded (2):\n"
            + "  #1 openai/gpt-4o success tokens=51 cost=$0.000051 tags=[billing, eu] metadata={";

    @Test
    void everyAssertionPassesOnWhatWasRecorded() {
        SpectraFake fake = recordTwo();

        fake.assertRequestCount(2)
                .assertProviderUsed("openai").assertProviderUsed("anthropic")
                .assertModelUsed("gpt-4o")
                .assertTrackedWithTags("eu", "billing")
                .assertTrackedWithMetadata(Map.of("tenant_id", "tenant_123", "attempt", 2L))
                .assertTrackedWithMetadata(Map.of("attempt", 2.0))
                .assertSuccessful().assertFailed()
                .assertTracked(r -> r.outcome() == Outcome.FAILURE && "rate limited".equals(r.errorMessage()))
                .assertTotalTokens(51)
                .assertTotalCost("0.000051")
                .assertTotalCost(new BigDecimal("0.0000510000"));
        assertThat(fake.successful()).hasSize(1);
        assertThat(fake.failed()).hasSize(1);
        assertThat(fake.cancelled()).isEmpty();
        assertThat(fake.last().provider()).isEqualTo("anthropic");
    }

    @Test
    void everyAssertionFailsWithWhatWasExpectedAndEverythingRecorded() {
        SpectraFake fake = recordTwo();

        assertThatThrownBy(() -> fake.assertRequestCount(3)).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("Expected 3 tracked request(s) but 2 were tracked" + LISTING)
                .hasMessageContaining("\n  #2 anthropic/claude-sonnet-4-5 failure tokens=unknown cost=usage_unknown "
                        + "error=java.lang.IllegalStateException");
        assertThatThrownBy(fake::assertNothingTracked)
                .hasMessageStartingWith("Expected 0 tracked request(s) but 2 were tracked" + LISTING);
        assertThatThrownBy(() -> fake.assertProviderUsed("gemini"))
                .hasMessageStartingWith("Expected a request to provider \"gemini\" but none matched" + LISTING);
        assertThatThrownBy(() -> fake.assertModelUsed("gpt-5"))
                .hasMessageStartingWith("Expected a request for model \"gpt-5\" but none matched" + LISTING);
        assertThatThrownBy(() -> fake.assertTrackedWithTags("billing", "us"))
                .hasMessageStartingWith("Expected a request tagged [billing, us] but none matched" + LISTING);
        assertThatThrownBy(() -> fake.assertTrackedWithMetadata(Map.of("tenant_id", "tenant_999")))
                .hasMessageStartingWith("Expected a request with metadata {tenant_id=tenant_999} but none matched"
                        + LISTING);
        assertThatThrownBy(fake::assertCancelled)
                .hasMessageStartingWith("Expected a cancelled request but none matched" + LISTING);
        assertThatThrownBy(fake::assertStreamed)
                .hasMessageStartingWith("Expected a streamed request but none matched" + LISTING);
        assertThatThrownBy(() -> fake.assertTotalTokens(50))
                .hasMessageStartingWith("Expected 50 total tokens but the records sum to 51" + LISTING);
        assertThatThrownBy(() -> fake.assertTotalCost("0.01"))
                .hasMessageStartingWith("Expected a total cost of $0.01 but the records sum to $0.000051" + LISTING);
        assertThatThrownBy(() -> fake.assertTracked("a request over 1000 tokens",
                        r -> r.usage() != null && r.usage().totalTokens() > 1000))
                .hasMessageStartingWith("Expected a request over 1000 tokens but none matched" + LISTING);
    }

    @Test
    void successAndFailureAssertionsFailOnAnEmptyFake() {
        SpectraFake fake = SpectraFake.create();

        fake.assertNothingTracked().assertTotalTokens(0).assertTotalCost(BigDecimal.ZERO);
        assertThatThrownBy(fake::assertSuccessful)
                .hasMessage("Expected a successful request but none matched; nothing was tracked");
        assertThatThrownBy(fake::assertFailed)
                .hasMessage("Expected a failed request but none matched; nothing was tracked");
        assertThatThrownBy(fake::last).hasMessage("Expected a tracked request, but nothing was tracked");
    }

    @Test
    void resetDisableAndEnable() {
        SpectraFake fake = recordTwo();
        fake.reset().assertNothingTracked();

        fake.disable();
        StepVerifier.create(Flux.just("a").transform(Spectra.stream("openai", "gpt-4o")).contextWrite(fake.bind()))
                .expectNext("a").verifyComplete();
        fake.assertNothingTracked();

        fake.enable();
        StepVerifier.create(Flux.just("a").transform(Spectra.stream("openai", "gpt-4o")).contextWrite(fake.bind()))
                .expectNext("a").verifyComplete();
        fake.assertRequestCount(1).assertStreamed();
    }

    @Test
    void theGlobalFakeRecordsFacadeCallsAndCloseRestoresThePreviousTracker() {
        var before = Spectra.tracker();
        try (SpectraFake fake = SpectraFake.install()) {
            assertThat(Spectra.tracker()).isSameAs(fake.tracker());
            StepVerifier.create(Mono.just(1).transform(Spectra.tracked("openai", "gpt-4o"))).expectNext(1)
                    .verifyComplete();
            fake.assertRequestCount(1);
        }
        assertThat(Spectra.tracker()).isSameAs(before);
    }

    @Test
    void describeSummarisesARecordOnOneLine() {
        TrackedRequest r = TrackedRequest.builder().id(new java.util.UUID(0, 1)).traceId("t").provider("openai")
                .model("gpt-4o").responseModel("gpt-4o-2024-08-06").outcome(Outcome.SUCCESS).httpStatus(200)
                .streaming(true).usage(Usage.of(10, 5)).cost(Cost.of("0.00001", "0.00002"))
                .startedAt(java.time.Instant.EPOCH).completedAt(java.time.Instant.EPOCH).build();

        assertThat(SpectraFake.describe(r)).isEqualTo(
                "openai/gpt-4o (gpt-4o-2024-08-06) success status=200 streamed tokens=15 cost=$0.00003");
    }
}
