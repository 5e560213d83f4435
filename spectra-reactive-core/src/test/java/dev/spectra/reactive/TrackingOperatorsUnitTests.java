package dev.spectra.reactive;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.ResponseDetails;
import dev.spectra.reactive.provider.ResponseReader;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.Scannable;
import reactor.core.Scannable.Attr;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrackingOperatorsUnitTests {

    record Reply(String text, int in, int out) {
    }

    private static final TrackOptions REPLY_USAGE = TrackOptions.builder()
            .usageExtractor(Reply.class, r -> Usage.of(r.in(), r.out())).build();

    @Test
    void trackedMonoRecordsOneCallWithExactFieldsAndPassesTheValueThrough() {
        TestTracker tt = new TestTracker();
        Reply reply = new Reply("hi", 10, 5);
        Mono<Reply> call = Mono.fromCallable(() -> {
            tt.advanceMillis(250);
            return reply;
        });

        StepVerifier.create(call.transform(tt.tracker.tracked("openai", "gpt-4o")))
                .expectNextMatches(v -> v == reply)
                .verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.id()).isEqualTo(new UUID(0, 1));
        assertThat(r.traceId()).isEqualTo("00000000-0000-0000-0000-000000000001");
        assertThat(r.provider()).isEqualTo("openai");
        assertThat(r.model()).isEqualTo("gpt-4o");
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.latencyMs()).isEqualTo(250);
        assertThat(r.startedAt()).isEqualTo(TestTracker.T0);
        assertThat(r.completedAt()).isEqualTo(TestTracker.T0.plusMillis(250));
        assertThat(r.usage()).isNull();
        assertThat(r.cost()).isNull();
        assertThat(r.pricingStatus()).isEqualTo(PricingStatus.USAGE_UNKNOWN);
        assertThat(r.pricingTier()).isEqualTo(PricingTier.STANDARD);
        assertThat(r.streaming()).isFalse();
        assertThat(r.chunkCount()).isNull();
        assertThat(r.timeToFirstTokenMs()).isNull();
        assertThat(r.tokensPerSecond()).isNull();
        assertThat(r.tags()).isEmpty();
        assertThat(r.metadata()).isEmpty();
        assertThat(r.httpStatus()).isNull();
        assertThat(r.errorType()).isNull();
        assertThat(tt.tracker.stats().recorded()).isEqualTo(1);
    }

    @Test
    void usageFromAnExtractorIsPricedExactly() {
        TestTracker tt = new TestTracker(TestTracker.simplePricing(), ResponseReader.none());
        Mono<Reply> call = Mono.just(new Reply("ok", 1200, 300));

        StepVerifier.create(call.transform(tt.tracker.tracked("openai", "priced-model", REPLY_USAGE)))
                .expectNextCount(1)
                .verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.usage()).isEqualTo(Usage.of(1200, 300));
        assertThat(r.pricingStatus()).isEqualTo(PricingStatus.PRICED);
        // 1200 x $1/M = 0.0012 ; 300 x $2/M = 0.0006
        assertThat(r.cost()).isEqualTo(Cost.of("0.0012", "0.0006"));
        assertThat(r.totalCost()).isEqualByComparingTo("0.0018");
        assertThat(r.totalTokens()).isEqualTo(1500L);
    }

    @Test
    void anUnpricedModelGetsANullCostAndIsCounted() {
        TestTracker tt = new TestTracker(TestTracker.simplePricing(), ResponseReader.none());

        StepVerifier.create(Mono.just(new Reply("ok", 10, 5)).transform(tt.tracker.tracked("acme", "mystery-9", REPLY_USAGE)))
                .expectNextCount(1)
                .verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.usage()).isEqualTo(Usage.of(10, 5));
        assertThat(r.cost()).isNull();
        assertThat(r.pricingStatus()).isEqualTo(PricingStatus.MODEL_NOT_PRICED);
        assertThat(tt.tracker.stats().unpriced()).isEqualTo(1);
    }

    @Test
    void manualUsageWinsOverTheExtractorAndTheBatchTierIsApplied() {
        TestTracker tt = new TestTracker(TestTracker.simplePricing(), ResponseReader.none());
        TrackOptions options = REPLY_USAGE.toBuilder().pricingTier(PricingTier.BATCH).build();

        Mono<Reply> tracked = tt.tracker.track("openai", "priced-model", call -> {
            call.usage(Usage.builder().inputTokens(2000).cachedInputTokens(500).outputTokens(1000).build());
            return Mono.just(new Reply("x", 1, 1));
        }, options);

        StepVerifier.create(tracked).expectNextCount(1).verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.usage().inputTokens()).isEqualTo(2000);
        assertThat(r.usage().cachedInputTokens()).isEqualTo(500);
        assertThat(r.pricingTier()).isEqualTo(PricingTier.BATCH);
        // batch halves: 2000 x $1/M / 2 = 0.001 ; 1000 x $2/M / 2 = 0.001
        assertThat(r.cost()).isEqualTo(Cost.of("0.001", "0.001"));
    }

    @Test
    void anErrorIsRecordedAsAFailureAndPassesThroughUnchanged() {
        TestTracker tt = new TestTracker();
        IllegalStateException boom = new IllegalStateException("upstream said no");
        Mono<String> call = Mono.defer(() -> {
            tt.advanceMillis(40);
            return Mono.error(boom);
        });

        StepVerifier.create(call.transform(tt.tracker.tracked("anthropic", "claude-sonnet-4-5")))
                .expectErrorMatches(e -> e == boom)
                .verify();

        TrackedRequest r = tt.only();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.errorType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(r.errorMessage()).isEqualTo("upstream said no");
        assertThat(r.latencyMs()).isEqualTo(40);
        assertThat(r.httpStatus()).isNull();
    }

    /** Looks like Spring's WebClientResponseException: getStatusCode() returns an object with value(). */
    public static final class FakeWebClientResponseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FakeWebClientResponseException(String message) {
            super(message);
        }

        public Status getStatusCode() {
            return new Status();
        }
    }

    /** A public status type, as Spring's HttpStatusCode is. */
    public static final class Status {
        public int value() {
            return 429;
        }
    }

    @Test
    void theHttpStatusOfAnExceptionIsRecordedAndSecretsAreScrubbedFromTheMessage() {
        TestTracker tt = new TestTracker();
        Mono<String> call = Mono.error(new FakeWebClientResponseException(
                "429 Too Many Requests from POST https://generativelanguage.googleapis.com/v1beta/models/"
                        + "gemini-2.5-flash:generateContent?key=AIzaSyA1234567890abcdefghijklmnopqrstuv"));

        StepVerifier.create(call.transform(tt.tracker.tracked("gemini", "gemini-2.5-flash")))
                .expectError(FakeWebClientResponseException.class)
                .verify();

        TrackedRequest r = tt.only();
        assertThat(r.httpStatus()).isEqualTo(429);
        // typed as the WebClient filter types a 429 whose body names no error; the URL with its key is not kept
        assertThat(r.errorType()).isEqualTo("http_error");
        assertThat(r.errorMessage()).isEqualTo("HTTP 429");

        Mono<String> noStatus = Mono.error(new IllegalStateException("failed POST https://generativelanguage"
                + ".googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
                + "?key=AIzaSyA1234567890abcdefghijklmnopqrstuv"));
        StepVerifier.create(noStatus.transform(tt.tracker.tracked("gemini", "gemini-2.5-flash")))
                .expectError(IllegalStateException.class).verify();
        TrackedRequest s = tt.records().get(1);
        assertThat(s.errorType()).isEqualTo(IllegalStateException.class.getName());
        assertThat(s.errorMessage()).isEqualTo("failed POST https://generativelanguage.googleapis.com"
                + "/v1beta/models/gemini-2.5-flash:generateContent?key=[REDACTED]");
    }

    @Test
    void anEmptyMonoIsASuccessWithUnknownUsage() {
        TestTracker tt = new TestTracker();

        StepVerifier.create(Mono.<String>empty().transform(tt.tracker.tracked("openai", "gpt-4o")))
                .verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.usage()).isNull();
    }

    @Test
    void cancellingBeforeTheValueRecordsACancelledCall() {
        TestTracker tt = new TestTracker();
        TestPublisher<String> source = TestPublisher.create();

        StepVerifier.create(source.mono().transform(tt.tracker.tracked("openai", "gpt-4o")))
                .expectSubscription()
                .then(() -> tt.advanceMillis(75))
                .thenCancel()
                .verify();

        source.assertCancelled();
        TrackedRequest r = tt.only();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.latencyMs()).isEqualTo(75);
    }

    @Test
    void blockingCancelsAfterTheValueYetRecordsOneSuccess() {
        TestTracker tt = new TestTracker();

        String v = Mono.just("done").transform(tt.tracker.tracked("openai", "gpt-4o")).block(Duration.ofSeconds(5));

        assertThat(v).isEqualTo("done");
        assertThat(tt.only().outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void retryAboveTheOperatorRecordsOneCallPerAttempt() {
        TestTracker tt = new TestTracker();
        AtomicInteger attempts = new AtomicInteger();
        Mono<String> flaky = Mono.defer(() -> attempts.incrementAndGet() < 3
                ? Mono.error(new RuntimeException("attempt " + attempts.get()))
                : Mono.just("third time lucky"));

        StepVerifier.create(flaky.transform(tt.tracker.tracked("openai", "gpt-4o")).retry(3))
                .expectNext("third time lucky")
                .verifyComplete();

        List<TrackedRequest> records = tt.records();
        assertThat(records).extracting(TrackedRequest::outcome)
                .containsExactly(Outcome.FAILURE, Outcome.FAILURE, Outcome.SUCCESS);
        assertThat(records).extracting(TrackedRequest::errorMessage).containsExactly("attempt 1", "attempt 2", null);
        assertThat(records).extracting(TrackedRequest::id).doesNotHaveDuplicates();
    }

    @Test
    void theOperatorAddsNoThreadHop() {
        TestTracker tt = new TestTracker();
        AtomicReference<String> upstream = new AtomicReference<>();
        AtomicReference<String> downstream = new AtomicReference<>();
        Mono<String> call = Mono.fromCallable(() -> "v")
                .subscribeOn(Schedulers.single())
                .doOnNext(v -> upstream.set(Thread.currentThread().getName()))
                .transform(tt.tracker.tracked("openai", "gpt-4o"))
                .doOnNext(v -> downstream.set(Thread.currentThread().getName()));

        StepVerifier.create(call).expectNext("v").verifyComplete();

        assertThat(downstream.get()).isEqualTo(upstream.get()).startsWith("single-");
    }

    @Test
    void trackGivesTheCallbackItsContextAndRecordsWhatItAdds() {
        TestTracker tt = new TestTracker();

        Mono<String> tracked = tt.tracker.track("openai", "gpt-4o", call -> {
            call.addMetadata("tenant_id", "t-42").addMetadata("is_retry", false).addTag("billing");
            call.trackable("user", "u-7").conversationId("conv-1").traceId("trace-abc");
            return Mono.just("answer");
        }, TrackOptions.builder().metadata("workflow", "invoice-sync").metadata("attempt", 2).build());

        StepVerifier.create(tracked).expectNext("answer").verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.metadata()).containsExactly(Map.entry("workflow", "invoice-sync"), Map.entry("attempt", 2),
                Map.entry("tenant_id", "t-42"), Map.entry("is_retry", false));
        assertThat(r.tags()).containsExactly("billing");
        assertThat(r.trackable()).isEqualTo(new Trackable("user", "u-7"));
        assertThat(r.conversationId()).isEqualTo("conv-1");
        assertThat(r.traceId()).isEqualTo("trace-abc");
    }

    @Test
    void aCallbackThatThrowsIsRecordedAsFailedAndItsExceptionIsSignalled() {
        TestTracker tt = new TestTracker();
        IllegalArgumentException bad = new IllegalArgumentException("no prompt");

        StepVerifier.create(tt.tracker.<String>track("openai", "gpt-4o", call -> {
                    throw bad;
                }))
                .expectErrorMatches(e -> e == bad)
                .verify();

        assertThat(tt.only().outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(tt.only().errorMessage()).isEqualTo("no prompt");
    }

    @Test
    void aCallbackReturningNullSignalsANullPointerException() {
        TestTracker tt = new TestTracker();

        StepVerifier.create(tt.tracker.<String>track("openai", "gpt-4o", call -> null))
                .expectErrorMessage("the track callback of openai/gpt-4o returned null")
                .verify();

        assertThat(tt.only().outcome()).isEqualTo(Outcome.FAILURE);
    }

    @Test
    void aStreamRecordsTimeToFirstChunkChunkCountTokensPerSecondAndStreaming() {
        TestTracker tt = new TestTracker();
        TestPublisher<Reply> source = TestPublisher.create();
        TrackOptions options = TrackOptions.builder()
                .usageExtractor(Reply.class, r -> r.out() > 0 ? Usage.of(r.in(), r.out()) : null)
                .metadata("feature", "live-chat")
                .build();

        StepVerifier.create(source.flux().transform(tt.tracker.stream("openai", "gpt-4o", options)))
                .expectSubscription()
                .then(() -> tt.advanceMillis(200))
                .then(() -> source.next(new Reply("Hel", 0, 0)))
                .expectNextCount(1)
                .then(() -> tt.advanceMillis(100))
                .then(() -> source.next(new Reply("lo", 0, 0)))
                .then(() -> tt.advanceMillis(100))
                .then(() -> source.next(new Reply("!", 0, 0)))
                .then(() -> tt.advanceMillis(100))
                .then(() -> source.next(new Reply("", 20, 60)))
                .expectNextCount(3)
                .then(source::complete)
                .verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.streaming()).isTrue();
        assertThat(r.timeToFirstTokenMs()).isEqualTo(200L);
        assertThat(r.latencyMs()).isEqualTo(500);
        assertThat(r.chunkCount()).isEqualTo(4);
        assertThat(r.usage()).isEqualTo(Usage.of(20, 60));
        // 60 output tokens over the 300 ms after the first chunk
        assertThat(r.tokensPerSecond()).isEqualTo(200.0);
        assertThat(r.metadata()).containsExactly(Map.entry("feature", "live-chat"), Map.entry("streaming", true));
    }

    @Test
    void aCancelledStreamKeepsWhatArrived() {
        TestTracker tt = new TestTracker();
        Flux<String> chunks = Flux.just("a", "b", "c", "d", "e").doOnNext(c -> tt.advanceMillis(10));

        StepVerifier.create(chunks.transform(tt.tracker.stream("openai", "gpt-4o")).take(2))
                .expectNext("a", "b")
                .verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.chunkCount()).isEqualTo(2);
        assertThat(r.timeToFirstTokenMs()).isEqualTo(10L);
        assertThat(r.usage()).isNull();
        assertThat(r.tokensPerSecond()).isNull();
    }

    @Test
    void anErrorMidStreamIsAFailureWithTheChunksSoFar() {
        TestTracker tt = new TestTracker();
        Flux<String> chunks = Flux.just("a", "b").concatWith(Flux.error(new RuntimeException("reset by peer")));

        StepVerifier.create(chunks.transform(tt.tracker.stream("openai", "gpt-4o")))
                .expectNext("a", "b")
                .expectErrorMessage("reset by peer")
                .verify();

        TrackedRequest r = tt.only();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.chunkCount()).isEqualTo(2);
        assertThat(r.streaming()).isTrue();
    }

    @Test
    void anEmptyStreamHasNoTimeToFirstToken() {
        TestTracker tt = new TestTracker();

        StepVerifier.create(Flux.<String>empty().transform(tt.tracker.stream("openai", "gpt-4o"))).verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.chunkCount()).isZero();
        assertThat(r.timeToFirstTokenMs()).isNull();
    }

    @Test
    void chunksAreHandedToTheProvidersChunkReader() {
        ResponseReader reader = new ResponseReader() {
            @Override
            public ResponseDetails read(String provider, @Nullable String endpoint, Object response) {
                return ResponseDetails.EMPTY;
            }

            @Override
            public ChunkReader newChunkReader(String provider, @Nullable String endpoint) {
                return new ChunkReader() {
                    int seen;

                    @Override
                    public void onChunk(Object chunk) {
                        seen++;
                    }

                    @Override
                    public ResponseDetails details() {
                        return new ResponseDetails("gpt-4o-2024-08-06", "chatcmpl-1", Usage.of(14, seen), "stop",
                                Map.of(), null, null, null);
                    }
                };
            }
        };
        TestTracker tt = new TestTracker(Pricing.none(), reader);

        StepVerifier.create(Flux.just("{}", "{}", "{}").transform(tt.tracker.stream("openai", "gpt-4o")))
                .expectNextCount(3)
                .verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.responseModel()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(r.responseId()).isEqualTo("chatcmpl-1");
        assertThat(r.usage()).isEqualTo(Usage.of(14, 3));
        assertThat(r.finishReason()).isEqualTo("stop");
    }

    @Test
    void theResponseReaderReadsTheValueAndTheDetectedTierIsUsedWhenNoneIsSet() {
        ResponseReader reader = new ResponseReader() {
            @Override
            public ResponseDetails read(String provider, @Nullable String endpoint, Object response) {
                return new ResponseDetails("priced-2025-01-01", "resp_1", Usage.of(100, 10), "completed",
                        Map.of("function", 2), PricingTier.FLEX, null, null);
            }

            @Override
            public ChunkReader newChunkReader(String provider, @Nullable String endpoint) {
                throw new UnsupportedOperationException();
            }
        };
        Pricing flexOnly = (p, m, tier, u) -> tier.equals(PricingTier.FLEX) ? Cost.of("0.5", "0.25") : null;
        TestTracker tt = new TestTracker(flexOnly, reader);

        StepVerifier.create(Mono.just("{}").transform(tt.tracker.tracked("openai", "priced"))).expectNextCount(1)
                .verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.pricingTier()).isEqualTo(PricingTier.FLEX);
        assertThat(r.cost()).isEqualTo(Cost.of("0.5", "0.25"));
        assertThat(r.toolCallCounts()).isEqualTo(Map.of("function", 2));
        assertThat(r.responseModel()).isEqualTo("priced-2025-01-01");
    }

    @Test
    void aSuccessfulCallWhoseAnswerCannotBeReadIsCountedAsAReadFailure() {
        TestTracker tt = new TestTracker(TestTracker.simplePricing(), ProviderRegistry.builtIn());
        TrackOptions withUsage = TrackOptions.builder().usageExtractor(String.class, s -> Usage.of(3, 4)).build();

        // an HTML error page where JSON was expected, and a stream with a malformed event: counted once each
        StepVerifier.create(Mono.just("<html>502 Bad Gateway</html>").transform(tt.tracker.tracked("openai",
                "gpt-4o"))).expectNextCount(1).verifyComplete();
        StepVerifier.create(Flux.just("data: {\"choices\":[]}\n\n", "data: {\"choices\":\n\n")
                .transform(tt.tracker.stream("openai", "gpt-4o"))).expectNextCount(2).verifyComplete();
        // not counted: usage known anyway, a failed call, a cancelled stream cut in the middle of an event
        StepVerifier.create(Mono.just("plain text").transform(tt.tracker.tracked("openai", "gpt-4o", withUsage)))
                .expectNextCount(1).verifyComplete();
        StepVerifier.create(Flux.just("data: {\"choi").concatWith(Flux.error(new IllegalStateException("reset")))
                .transform(tt.tracker.stream("openai", "gpt-4o"))).expectNextCount(1).verifyError();
        StepVerifier.create(Flux.just("data: {\"choi", "ces\":[]").concatWith(Flux.never())
                .transform(tt.tracker.stream("openai", "gpt-4o"))).expectNextCount(2).thenCancel().verify();

        assertThat(tt.records()).extracting(TrackedRequest::outcome).containsExactly(Outcome.SUCCESS, Outcome.SUCCESS,
                Outcome.SUCCESS, Outcome.FAILURE, Outcome.CANCELLED);
        assertThat(tt.records().get(2).usage()).isEqualTo(Usage.of(3, 4));
        assertThat(tt.tracker.stats().readFailures()).isEqualTo(2);
        assertThat(tt.tracker.stats().trackingErrors()).isZero();
    }

    @Test
    void trackingFailuresNeverReachTheUsersStream() {
        ResponseReader broken = new ResponseReader() {
            @Override
            public ResponseDetails read(String provider, @Nullable String endpoint, Object response) {
                throw new IllegalStateException("malformed body");
            }

            @Override
            public ChunkReader newChunkReader(String provider, @Nullable String endpoint) {
                throw new IllegalStateException("no chunks today");
            }
        };
        Pricing brokenPricing = (p, m, t, u) -> {
            throw new ArithmeticException("bad price");
        };
        TestTracker tt = new TestTracker(brokenPricing, broken);
        TrackOptions throwingExtractor = TrackOptions.builder()
                .usageExtractor(Integer.class, i -> Usage.of(i, i)).build();

        StepVerifier.create(Mono.just("{}").transform(tt.tracker.tracked("openai", "gpt-4o"))).expectNext("{}")
                .verifyComplete();
        StepVerifier.create(Flux.just("a", "b").transform(tt.tracker.stream("openai", "gpt-4o")))
                .expectNext("a", "b").verifyComplete();
        StepVerifier.create(Mono.just(-1).transform(tt.tracker.tracked("openai", "gpt-4o", throwingExtractor)))
                .expectNext(-1).verifyComplete();
        StepVerifier.create(Mono.just(5).transform(tt.tracker.tracked("openai", "gpt-4o", throwingExtractor)))
                .expectNext(5).verifyComplete();

        assertThat(tt.records()).hasSize(4);
        assertThat(tt.records()).extracting(TrackedRequest::outcome).containsOnly(Outcome.SUCCESS);
        assertThat(tt.records().get(0).usage()).isNull();
        assertThat(tt.records().get(2).usage()).isNull();
        assertThat(tt.records().get(3).usage()).isEqualTo(Usage.of(5, 5));
        assertThat(tt.records().get(3).cost()).isNull();
        TrackerStats stats = tt.tracker.stats();
        // the reader is consulted for every value (it gives model, id, finish reason even when an extractor gives
        // the usage): 4 reads fail, plus the extractor that threw on -1
        assertThat(stats.readFailures()).isEqualTo(5);
        // only the record with a usage is priced; the price lookup throws once
        assertThat(stats.trackingErrors()).isEqualTo(1);
    }

    @Test
    void aFailingSinkNeverReachesTheUsersStream() {
        SpectraTracker tracker = SpectraTracker.builder().directDelivery()
                .sink(batch -> Mono.error(new IllegalStateException("database down"))).build();

        StepVerifier.create(Mono.just("v").transform(tracker.tracked("openai", "gpt-4o"))).expectNext("v")
                .verifyComplete();

        assertThat(tracker.stats().recorded()).isEqualTo(1);
        assertThat(tracker.stats().delivery().failed()).isEqualTo(1);
    }

    @Test
    void aDisabledTrackerPassesThroughAndTheCallbackStillRuns() {
        TestTracker tt = new TestTracker();
        tt.tracker.disable();

        StepVerifier.create(Mono.just("v").transform(tt.tracker.tracked("openai", "gpt-4o"))).expectNext("v")
                .verifyComplete();
        StepVerifier.create(tt.tracker.track("openai", "gpt-4o", call -> {
            call.addMetadata("k", "v");
            return Mono.just(call.provider());
        })).expectNext("openai").verifyComplete();

        assertThat(tt.records()).isEmpty();
        tt.tracker.enable();
        StepVerifier.create(Mono.just("v").transform(tt.tracker.tracked("openai", "gpt-4o"))).expectNextCount(1)
                .verifyComplete();
        assertThat(tt.records()).hasSize(1);
    }

    @Test
    void nullOrBlankProviderOrModelIsRejectedAtTheCall() {
        assertThatThrownBy(() -> Spectra.tracked(null, "gpt-4o"))
                .isInstanceOf(NullPointerException.class).hasMessage("provider must not be null (e.g. \"openai\")");
        assertThatThrownBy(() -> Spectra.stream("openai", null))
                .isInstanceOf(NullPointerException.class).hasMessage("model must not be null (e.g. \"gpt-4o\")");
        assertThatThrownBy(() -> Spectra.track(" ", "gpt-4o", call -> Mono.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("provider must not be blank (e.g. \"openai\")");
        assertThatThrownBy(() -> Spectra.startCall("openai", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("model must not be blank (e.g. \"gpt-4o\")");
    }

    @Test
    void trackStreamGivesTheCallbackItsContext() {
        TestTracker tt = new TestTracker();

        Flux<String> chunks = tt.tracker.trackStream("ollama", "llama3.2", call -> {
            call.addMetadata("feature", "summaries");
            return Flux.just("x", "y");
        }, TrackOptions.none());

        StepVerifier.create(chunks).expectNext("x", "y").verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.streaming()).isTrue();
        assertThat(r.chunkCount()).isEqualTo(2);
        assertThat(r.metadata()).containsExactly(Map.entry("feature", "summaries"), Map.entry("streaming", true));
    }

    @Test
    void unitsOfNonTokenApisArePriced() {
        Pricing perImage = (p, m, t, u) -> Cost.of(BigDecimal.ZERO, new BigDecimal("0.04").multiply(
                BigDecimal.valueOf(u.images())));
        TestTracker tt = new TestTracker(perImage, ResponseReader.none());
        TrackOptions images = TrackOptions.builder().modelType(ModelType.IMAGE)
                .usageExtractor(Integer.class, n -> Usage.builder().images(n).build()).build();

        StepVerifier.create(Mono.just(3).transform(tt.tracker.tracked("openai", "dall-e-3", images)))
                .expectNext(3).verifyComplete();

        TrackedRequest r = tt.only();
        assertThat(r.modelType()).isEqualTo(ModelType.IMAGE);
        assertThat(r.usage().images()).isEqualTo(3);
        assertThat(r.cost().total()).isEqualByComparingTo("0.12");
    }

    @Test
    void theTrackingSubscriberScansAsTerminatedAfterCompleteOrErrorAndAsCancelledOnlyAfterACancel() {
        TestTracker tt = new TestTracker();
        AtomicReference<Scannable> sub = new AtomicReference<>();

        TestPublisher<String> completing = TestPublisher.create();
        StepVerifier.create(completing.flux().transform(tt.tracker.stream("openai", "gpt-4o")))
                .consumeSubscriptionWith(s -> sub.set(Scannable.from(s)))
                .then(() -> assertScan(sub.get(), false, false))
                .then(() -> completing.next("a").complete())
                .expectNext("a")
                .verifyComplete();
        assertThat(sub.get()).isInstanceOf(TrackedSubscriber.class);
        assertScan(sub.get(), true, false);

        TestPublisher<String> failing = TestPublisher.create();
        StepVerifier.create(failing.flux().transform(tt.tracker.stream("openai", "gpt-4o")))
                .consumeSubscriptionWith(s -> sub.set(Scannable.from(s)))
                .then(() -> assertScan(sub.get(), false, false))
                .then(() -> failing.error(new IllegalStateException("boom")))
                .verifyError(IllegalStateException.class);
        assertScan(sub.get(), true, false);

        TestPublisher<String> cancelled = TestPublisher.create();
        StepVerifier.create(cancelled.mono().transform(tt.tracker.tracked("openai", "gpt-4o")))
                .consumeSubscriptionWith(s -> sub.set(Scannable.from(s)))
                .then(() -> assertScan(sub.get(), false, false))
                .thenCancel()
                .verify();
        assertScan(sub.get(), false, true);

        assertThat(tt.records()).extracting(TrackedRequest::outcome)
                .containsExactly(Outcome.SUCCESS, Outcome.FAILURE, Outcome.CANCELLED);
    }

    private static void assertScan(Scannable subscriber, boolean terminated, boolean cancelled) {
        assertThat(subscriber.scan(Attr.TERMINATED)).as("TERMINATED").isEqualTo(terminated);
        assertThat(subscriber.scan(Attr.CANCELLED)).as("CANCELLED").isEqualTo(cancelled);
    }
}
