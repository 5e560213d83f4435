package dev.spectra.reactive;

import java.util.Map;

import dev.spectra.reactive.testing.SpectraFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** startCall / recordSuccess / recordFailure: calls recorded by hand, for batch APIs and offline pipelines. */
class ManualFlowUnitTests {

    private SpectraFake fake = SpectraFake.install();

    @AfterEach
    void restore() {
        fake.close();
        Spectra.clearGlobals();
    }

    @Test
    void aBatchItemIsRecordedWithItsUsageTierAndMetadata() {
        Spectra.withMetadata(Map.of("env", "prod"));
        TrackedCall call = Spectra.startCall("openai", "gpt-4o-mini", TrackOptions.builder()
                .pricingTier(PricingTier.BATCH).metadata("batch_id", "batch_abc").metadata("custom_id", "req-1")
                .build());

        StepVerifier.create(Spectra.recordSuccess(call, Map.of("id", "resp_1"), Usage.of(120, 30)))
                .assertNext(r -> {
                    assertThat(r.id()).isEqualTo(call.id());
                    assertThat(r.startedAt()).isEqualTo(call.startedAt());
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
        TrackedCall call = Spectra.startCall("anthropic", "claude-haiku-4-5");

        StepVerifier.create(Spectra.recordFailure(call, new RuntimeException("overloaded"), 529)
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
    void chunksThatArriveTogetherEachCountAndTheFirstSetsTheTimeToFirstToken() {
        TestTracker tt = new TestTracker();
        TrackedCall call = tt.tracker.startCall("openai", "gpt-4o", TrackOptions.none()).streaming(true);
        tt.advanceMillis(40);
        call.chunksArrived(0);
        tt.advanceMillis(110);
        call.chunksArrived(3);
        tt.advanceMillis(50);
        call.chunkArrived();
        call.chunksArrived(2);
        tt.advanceMillis(100);

        assertThat(call.succeed()).isTrue();
        TrackedRequest r = tt.only();
        assertThat(r.chunkCount()).isEqualTo(6);
        assertThat(r.timeToFirstTokenMs()).isEqualTo(150L);
        assertThat(r.latencyMs()).isEqualTo(300);
    }

    @Test
    void aChunkCountPastTheLargestIntStaysAtTheLargestInt() {
        TestTracker tt = new TestTracker();
        TrackedCall call = tt.tracker.startCall("openai", "gpt-4o", TrackOptions.none()).streaming(true);
        call.chunksArrived(Integer.MAX_VALUE - 1);
        call.chunksArrived(2);
        call.chunkArrived();

        assertThat(call.succeed()).isTrue();
        assertThat(tt.only().chunkCount()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aNegativeChunkCountIsRefusedAndCountsNothing() {
        TestTracker tt = new TestTracker();
        TrackedCall call = tt.tracker.startCall("openai", "gpt-4o", TrackOptions.none()).streaming(true);

        assertThatThrownBy(() -> call.chunksArrived(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count must not be negative: -1");
        assertThat(call.succeed()).isTrue();
        assertThat(tt.only().chunkCount()).isZero();
        assertThat(tt.only().timeToFirstTokenMs()).isNull();
    }

    @Test
    void nothingIsRecordedUntilSubscribedAndASecondRecordingIsAnError() {
        TrackedCall call = Spectra.startCall("openai", "gpt-4o");
        var pending = Spectra.recordSuccess(call, null);
        fake.assertNothingTracked();

        StepVerifier.create(pending).expectNextCount(1).verifyComplete();
        StepVerifier.create(Spectra.recordFailure(call, new RuntimeException("late")))
                .expectErrorMessage("call " + call.id() + " was already recorded")
                .verify();
        fake.assertRequestCount(1).assertSuccessful();
    }

    @Test
    void aDisabledTrackerRecordsNothing() {
        fake.disable();
        TrackedCall call = Spectra.startCall("openai", "gpt-4o");
        call.addMetadata("still", "accepted");

        StepVerifier.create(Spectra.recordSuccess(call, null)).verifyComplete();
        fake.assertNothingTracked();
    }

    @Test
    void onlySpectrasOwnCallsExist() {
        // TrackedCall is sealed: a proxy or a class of the user's own cannot stand in for a call Spectra started
        assertThat(TrackedCall.class.isSealed()).isTrue();
        assertThatThrownBy(() -> java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {TrackedCall.class}, (p, m, a) -> null)).isInstanceOf(IllegalArgumentException.class);
    }
}
