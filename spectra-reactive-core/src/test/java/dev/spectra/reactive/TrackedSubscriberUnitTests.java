package dev.spectra.reactive;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;
import reactor.test.subscriber.TestSubscriber;
import reactor.test.util.RaceTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-record guarantee of the operators against sources that break the rules and against the races of a real
 * pipeline: a cancellation at the same time as the completion, the value or the error.
 */
class TrackedSubscriberUnitTests {

    private static final int RACES = 1_000;

    private final TestTracker tt = new TestTracker();

    @Test
    void aStreamThatSignalsAfterCompletingIsCutOffAndRecordedOnce() {
        TestPublisher<String> source = TestPublisher.createNoncompliant(TestPublisher.Violation.CLEANUP_ON_TERMINATE);
        Flux<String> tracked = source.flux().transform(tt.tracker.stream("openai", "gpt-4o"));

        StepVerifier.create(tracked)
                .then(() -> source.next("a").complete())
                .expectNext("a")
                .then(() -> source.next("late").error(new IllegalStateException("late error")).complete())
                .expectComplete()
                .verifyThenAssertThat()
                .hasDropped("late")
                .hasDroppedErrorWithMessage("late error");

        TrackedRequest r = tt.only();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.chunkCount()).isEqualTo(1);
    }

    @Test
    void aStreamThatSignalsAfterFailingIsCutOffAndRecordedOnce() {
        TestPublisher<String> source = TestPublisher.createNoncompliant(TestPublisher.Violation.CLEANUP_ON_TERMINATE);
        Flux<String> tracked = source.flux().transform(tt.tracker.stream("openai", "gpt-4o"));

        StepVerifier.create(tracked)
                .then(() -> source.error(new IllegalStateException("first")).next("late")
                        .error(new IllegalStateException("second")).complete())
                .expectErrorMessage("first")
                .verifyThenAssertThat()
                .hasDropped("late")
                .hasDroppedErrorWithMessage("second");

        TrackedRequest r = tt.only();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.errorMessage()).isEqualTo("first");
        assertThat(r.chunkCount()).isZero();
    }

    @Test
    void aMonoSourceThatCompletesTwiceOrFailsAfterItsValueIsRecordedOnce() {
        TestPublisher<String> source = TestPublisher.createNoncompliant(TestPublisher.Violation.CLEANUP_ON_TERMINATE);
        // fromDirect: no cardinality check in front of the operator, so it sees the source as it is
        Mono<String> tracked = Mono.fromDirect(source).transform(tt.tracker.tracked("openai", "gpt-4o"));

        StepVerifier.create(tracked)
                .then(() -> source.next("v").complete())
                .expectNext("v")
                .then(() -> source.complete().error(new IllegalStateException("after the value")))
                .expectComplete()
                .verifyThenAssertThat()
                .hasDroppedErrorWithMessage("after the value");

        assertThat(tt.only().outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void cancelRacingCompletionGivesExactlyOneRecordPerSubscription() {
        raceCancel(Kind.STREAM, Outcome.SUCCESS);
    }

    @Test
    void cancelRacingAnErrorGivesExactlyOneRecordPerSubscription() {
        raceCancel(Kind.STREAM, Outcome.FAILURE);
    }

    @Test
    void cancelRacingAMonosValueGivesExactlyOneRecordPerSubscription() {
        raceCancel(Kind.MONO, Outcome.SUCCESS);
    }

    @Test
    void cancelRacingAMonosErrorGivesExactlyOneRecordPerSubscription() {
        raceCancel(Kind.MONO, Outcome.FAILURE);
    }

    private enum Kind { MONO, STREAM }

    /**
     * Subscribes {@value #RACES} times, each time racing the subscriber's cancel against the source's end, and
     * checks that each subscription has exactly one record, whose outcome is one of the two that raced.
     */
    private void raceCancel(Kind kind, Outcome end) {
        for (int i = 0; i < RACES; i++) {
            TestPublisher<String> source = TestPublisher.create();
            TestSubscriber<String> subscriber = TestSubscriber.create();
            if (kind == Kind.MONO) {
                Mono.fromDirect(source).transform(tt.tracker.tracked("openai", "gpt-4o")).subscribe(subscriber);
            } else {
                source.flux().transform(tt.tracker.stream("openai", "gpt-4o")).subscribe(subscriber);
                source.next("chunk");
            }
            Runnable ending = end == Outcome.FAILURE ? () -> source.error(new IllegalStateException("boom"))
                    : kind == Kind.MONO ? () -> source.emit("value") : source::complete;

            RaceTestUtils.race(subscriber::cancel, ending);

            List<TrackedRequest> records = tt.records();
            assertThat(records).as("records after race %d", i).hasSize(i + 1);
            assertThat(records.get(i).outcome()).as("race %d", i).isIn(Outcome.CANCELLED, end);
        }
        Set<UUID> ids = new HashSet<>();
        tt.records().forEach(r -> ids.add(r.id()));
        assertThat(ids).hasSize(RACES);
    }
}
