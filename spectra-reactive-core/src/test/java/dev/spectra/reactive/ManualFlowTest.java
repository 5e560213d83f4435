package dev.spectra.reactive;

import java.util.Map;

import dev.spectra.reactive.testing.SpectraFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** startRequest / recordSuccess / recordFailure: batch APIs and offline pipelines. */
class ManualFlowTest {

    private SpectraFake fake = Spectra.fake();

    @AfterEach
    void restore() {
        fake.close();
        Spectra.clearGlobals();
    }

    @Test
    void aBatchItemIsRecordedWithItsUsageTierAndMetadata() {
        Spectra.withMetadata(Map.of("env", "prod"));
        RequestContext ctx = Spectra.startRequest("openai", "gpt-4o-mini", TrackOptions.builder()
                .pricingTier(PricingTier.BATCH).metadata("batch_id", "batch_abc").metadata("custom_id", "req-1")
                .build());

        StepVerifier.create(Spectra.recordSuccess(ctx, Map.of("id", "resp_1"), Usage.of(120, 30)))
                .assertNext(r -> {
                    assertThat(r.id()).isEqualTo(ctx.id());
                    assertThat(r.startedAt()).isEqualTo(ctx.startedAt());
                    assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
                    assertThat(r.pricingTier()).isEqualTo(PricingTier.BATCH);
                    assertThat(r.usage()).isEqualTo(Usage.of(120, 30));
                    assertThat(r.metadata()).containsExactly(entry("env", "prod"), entry("batch_id", "batch_abc"),
                            entry("custom_id", "req-1"));
                })
                .verifyComplete();
        fake.assertRequestCount(1).assertTotalTokens(150);
    }

    @Test
    void aFailureKeepsItsHttpStatusAndTheRecordingSubscribersContextIsMerged() {
        RequestContext ctx = Spectra.startRequest("anthropic", "claude-haiku-4-5");

        StepVerifier.create(Spectra.recordFailure(ctx, new RuntimeException("overloaded"), 529)
                        .contextWrite(Spectra.metadata("job", "nightly")))
                .assertNext(r -> {
                    assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
                    assertThat(r.httpStatus()).isEqualTo(529);
                    assertThat(r.errorMessage()).isEqualTo("overloaded");
                    assertThat(r.metadata()).containsExactly(entry("job", "nightly"));
                })
                .verifyComplete();
    }

    @Test
    void nothingIsRecordedUntilSubscribedAndASecondRecordingIsAnError() {
        RequestContext ctx = Spectra.startRequest("openai", "gpt-4o");
        var pending = Spectra.recordSuccess(ctx, null);
        fake.assertNothingTracked();

        StepVerifier.create(pending).expectNextCount(1).verifyComplete();
        StepVerifier.create(Spectra.recordFailure(ctx, new RuntimeException("late")))
                .expectErrorMessage("request " + ctx.id() + " was already recorded")
                .verify();
        fake.assertRequestCount(1).assertSuccessful();
    }

    @Test
    void aDisabledTrackerRecordsNothing() {
        fake.disable();
        RequestContext ctx = Spectra.startRequest("openai", "gpt-4o");
        ctx.addMetadata("still", "accepted");

        StepVerifier.create(Spectra.recordSuccess(ctx, null)).verifyComplete();
        fake.assertNothingTracked();
    }

    @Test
    void onlySpectrasOwnContextsCanBeRecorded() {
        RequestContext foreign = java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RequestContext.class}, (p, m, a) -> null) instanceof RequestContext rc ? rc : null;
        assertThatThrownBy(() -> Spectra.recordSuccess(foreign, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ctx must be a RequestContext from startRequest, was ");
    }
}
