package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.internal.SecretScrubber;
import dev.spectra.reactive.internal.SetClock;
import dev.spectra.reactive.sink.InMemorySink;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static dev.spectra.reactive.budget.Budgets.T0;
import static dev.spectra.reactive.budget.Budgets.usd;
import static org.assertj.core.api.Assertions.assertThat;

class SpectraBudgetsUnitTests {

    private final SetClock clock = new SetClock(T0);
    private final AtomicInteger providerCalls = new AtomicInteger();

    /** A stand-in provider call: counts its subscriptions. */
    private Mono<String> call() {
        return Mono.fromSupplier(() -> "answer " + providerCalls.incrementAndGet());
    }

    private static BudgetExceededException refusal(Throwable e) {
        assertThat(e).isInstanceOf(BudgetExceededException.class);
        return (BudgetExceededException) e;
    }

    @Test
    void aHardUsdLimitRefusesTheCallThatWouldCrossItWithoutCallingTheProvider() {
        SpectraBudgets budgets = Budgets.builder(clock)
                .budget(Budget.builder("daily").usd("0.10").build())
                .build();
        BudgetEstimate estimate = BudgetEstimate.of(1000, 1000); // $0.01 + $0.03

        for (int i = 1; i <= 2; i++) {
            call().transform(budgets.enforce("openai", "gpt-4o", estimate)).as(StepVerifier::create)
                    .expectNext("answer " + i).verifyComplete();
        }
        call().transform(budgets.enforce("openai", "gpt-4o", estimate)).as(StepVerifier::create)
                .verifyErrorSatisfies(e -> {
                    BudgetExceededException x = refusal(e);
                    assertThat(x.budget()).isEqualTo("daily");
                    assertThat(x.subject()).isEmpty();
                    assertThat(x.dimension()).isEqualTo(BudgetDimension.USD);
                    assertThat(x.spent()).isEqualTo(usd("0.08"));
                    assertThat(x.limit()).isEqualTo(new BigDecimal("0.10"));
                    assertThat(x.periodEnd()).isEqualTo(Instant.parse("2026-12-06T00:00:00Z"));
                    assertThat(x).hasMessage("budget \"daily\": usd limit 0.1 reached (0.08 spent or reserved); "
                            + "resets at 2026-12-06T00:00:00Z");
                });

        assertThat(providerCalls).hasValue(2);
        assertThat(budgets.refusedCalls()).isEqualTo(1);
        budgets.status("daily", "").as(StepVerifier::create).assertNext(s -> {
            BudgetStatus.Line l = s.line(BudgetDimension.USD);
            assertThat(l.spent()).isEqualTo(usd("0.08"));
            assertThat(l.reserved()).isEqualTo(usd("0"));
            assertThat(l.remaining()).isEqualTo(usd("0.02"));
            assertThat(l.percentUsed()).isEqualTo(new BigDecimal("80.00"));
            // 10h15 of a 24h day gone: 0.08 × 24 / 10.25
            assertThat(l.forecast()).isEqualTo(new BigDecimal("0.1873170732"));
        }).verifyComplete();
    }

    @Test
    void tokenAndRequestLimitsRefuseInTheirOwnUnit() {
        SpectraBudgets budgets = Budgets.builder(clock)
                .budget(Budget.builder("tokens").tokens(5_000).build())
                .budget(Budget.builder("requests").scope(BudgetScope.model("gpt-4o-mini")).requests(3).build())
                .build();

        // tokens: 2 × 2,000 pass, the third would make 6,000
        for (int i = 0; i < 2; i++) {
            call().transform(budgets.enforce("openai", "gpt-4o", BudgetEstimate.of(500, 1500)))
                    .as(StepVerifier::create).expectNextCount(1).verifyComplete();
        }
        call().transform(budgets.enforce("openai", "gpt-4o", BudgetEstimate.of(500, 1500))).as(StepVerifier::create)
                .verifyErrorSatisfies(e -> {
                    assertThat(refusal(e).dimension()).isEqualTo(BudgetDimension.TOKENS);
                    assertThat(refusal(e).spent()).isEqualByComparingTo("4000");
                    assertThat(refusal(e).limit()).isEqualByComparingTo("5000");
                });
        // a small call still fits the tokens; the mini model has a budget of three calls of its own
        for (int i = 0; i < 3; i++) {
            call().transform(budgets.enforce("openai", "gpt-4o-mini", BudgetEstimate.of(100, 0)))
                    .as(StepVerifier::create).expectNextCount(1).verifyComplete();
        }
        call().transform(budgets.enforce("openai", "gpt-4o-mini", BudgetEstimate.of(100, 0))).as(StepVerifier::create)
                .verifyErrorSatisfies(e -> {
                    assertThat(refusal(e).budget()).isEqualTo("requests");
                    assertThat(refusal(e).dimension()).isEqualTo(BudgetDimension.REQUESTS);
                    assertThat(refusal(e).spent()).isEqualByComparingTo("3");
                });
        assertThat(providerCalls).hasValue(5);
        // the refused mini call gave back what the token budget had granted it before the request budget refused
        budgets.status("tokens", "").as(StepVerifier::create)
                .assertNext(s -> {
                    assertThat(s.line(BudgetDimension.TOKENS).spent()).isEqualByComparingTo("4300");
                    assertThat(s.line(BudgetDimension.TOKENS).reserved()).isEqualByComparingTo("0");
                }).verifyComplete();
    }

    @Test
    void severalLimitsOfOneBudgetAreEachEnforced() {
        SpectraBudgets budgets = Budgets.builder(clock)
                .budget(Budget.builder("all").usd("1.00").tokens(100_000).requests(2).build())
                .build();
        for (int i = 0; i < 2; i++) {
            call().transform(budgets.enforce("openai", "gpt-4o", BudgetEstimate.of(10, 10)))
                    .as(StepVerifier::create).expectNextCount(1).verifyComplete();
        }
        call().transform(budgets.enforce("openai", "gpt-4o", BudgetEstimate.of(10, 10))).as(StepVerifier::create)
                .verifyErrorSatisfies(e -> assertThat(refusal(e).dimension()).isEqualTo(BudgetDimension.REQUESTS));
        budgets.status().as(StepVerifier::create).assertNext(s -> {
            assertThat(s.lines()).extracting(BudgetStatus.Line::dimension)
                    .containsExactly(BudgetDimension.USD, BudgetDimension.TOKENS, BudgetDimension.REQUESTS);
            assertThat(s.line(BudgetDimension.USD).spent()).isEqualTo(usd("0.0008"));
            assertThat(s.line(BudgetDimension.TOKENS).spent()).isEqualByComparingTo("40");
            assertThat(s.line(BudgetDimension.REQUESTS).remaining()).isEqualByComparingTo("0");
        }).verifyComplete();
    }

    @Test
    void aBudgetSplitByMetadataValueKeepsOneSpendPerValueFromTheContext() {
        SpectraBudgets budgets = Budgets.builder(clock)
                .budget(Budget.builder("tenant").scope(BudgetScope.metadata("tenant_id")).requests(1).build())
                .build();
        for (String tenant : List.of("acme", "globex")) {
            call().transform(budgets.enforce("openai", "gpt-4o")).contextWrite(Spectra.metadata("tenant_id", tenant))
                    .as(StepVerifier::create).expectNextCount(1).verifyComplete();
        }
        call().transform(budgets.enforce("openai", "gpt-4o")).contextWrite(Spectra.metadata("tenant_id", "acme"))
                .as(StepVerifier::create)
                .verifyErrorSatisfies(e -> assertThat(refusal(e).subject()).isEqualTo("acme"));
        // no tenant: not counted by this budget
        call().transform(budgets.enforce("openai", "gpt-4o")).as(StepVerifier::create).expectNextCount(1)
                .verifyComplete();

        budgets.status().map(s -> s.subject() + "=" + s.line(BudgetDimension.REQUESTS).spent())
                .as(StepVerifier::create).expectNext("acme=1", "globex=1").verifyComplete();
    }

    @Test
    void aBudgetSplitByACredentialKeepsEachKeyApartUnderItsDigestAndNeverItself() {
        String key = "sk-proj-Zx8Kq2Lm9Np4Rs7Tv1Wy3Ab5";
        String other = "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9";
        SpectraBudgets budgets = Budgets.builder(clock)
                .budget(Budget.builder("per-key").scope(BudgetScope.metadata("api_key")).requests(1).build())
                .budget(Budget.builder("per-customer").scope(BudgetScope.trackable("customer")).requests(1).build())
                .build();
        for (String k : List.of(key, other)) {
            call().transform(budgets.enforce("openai", "gpt-4o")).contextWrite(Spectra.metadata("api_key", k))
                    .as(StepVerifier::create).expectNextCount(1).verifyComplete();
        }
        call().transform(budgets.enforce("openai", "gpt-4o")).contextWrite(Spectra.metadata("api_key", key))
                .as(StepVerifier::create)
                .verifyErrorSatisfies(e -> {
                    assertThat(refusal(e).subject()).isEqualTo(SecretScrubber.identifying("api_key", key))
                            .startsWith("sha256:").hasSize(39);
                    assertThat(e).hasMessageNotContaining(key);
                });
        // a customer id shaped like a key is kept as its digest; a plain one as itself
        call().transform(budgets.enforce("openai", "gpt-4o")).contextWrite(Spectra.trackable("customer", key))
                .as(StepVerifier::create).expectNextCount(1).verifyComplete();
        call().transform(budgets.enforce("openai", "gpt-4o")).contextWrite(Spectra.trackable("customer", "c-42"))
                .as(StepVerifier::create).expectNextCount(1).verifyComplete();

        budgets.status().map(BudgetStatus::subject).collectList().as(StepVerifier::create)
                .assertNext(subjects -> assertThat(subjects).hasSize(4).contains("c-42")
                        .allSatisfy(subject -> assertThat(subject).doesNotContain(key).doesNotContain(other))
                        .containsOnlyOnce(SecretScrubber.identifying("api_key", other)))
                .verifyComplete();
        // asked for by the key itself or by its digest: the same status
        for (String asked : List.of(key, SecretScrubber.identifying("api_key", key))) {
            budgets.status("per-key", asked).as(StepVerifier::create).assertNext(s -> {
                assertThat(s.subject()).isEqualTo(SecretScrubber.identifying("api_key", key));
                assertThat(s.line(BudgetDimension.REQUESTS).spent()).isEqualByComparingTo("1");
            }).verifyComplete();
        }
    }

    @Test
    void trackableAndTagScopesReadTheContext() {
        SpectraBudgets budgets = Budgets.builder(clock)
                .budget(Budget.builder("per-user").scope(BudgetScope.trackable("user")).requests(1).build())
                .budget(Budget.builder("batch").scope(BudgetScope.tag("batch")).requests(1).build())
                .build();
        call().transform(budgets.enforce("openai", "gpt-4o")).contextWrite(Spectra.trackable("user", "7"))
                .as(StepVerifier::create).expectNextCount(1).verifyComplete();
        call().transform(budgets.enforce("openai", "gpt-4o")).contextWrite(Spectra.trackable("user", "8"))
                .contextWrite(Spectra.tags("batch"))
                .as(StepVerifier::create).expectNextCount(1).verifyComplete();
        call().transform(budgets.enforce("openai", "gpt-4o")).contextWrite(Spectra.trackable("user", "9"))
                .contextWrite(Spectra.tags("batch"))
                .as(StepVerifier::create)
                .verifyErrorSatisfies(e -> assertThat(refusal(e).budget()).isEqualTo("batch"));
        // the refusal gave user 9's reservation back
        budgets.status("per-user", "9").as(StepVerifier::create)
                .assertNext(s -> assertThat(s.line(BudgetDimension.REQUESTS).reserved()).isEqualByComparingTo("0"))
                .verifyComplete();
    }

    @Test
    void aSoftBudgetNeverRefusesAndEmitsEachThresholdOnce() {
        SpectraBudgets budgets = Budgets.builder(clock)
                .budget(Budget.builder("soft").usd("0.10").soft().thresholds(50, 80, 100, 150).build())
                .build();
        try (Budgets.Events events = new Budgets.Events(budgets)) {
            for (int i = 0; i < 5; i++) { // 5 × $0.04
                call().transform(budgets.enforce("openai", "gpt-4o", BudgetEstimate.of(1000, 1000)))
                        .as(StepVerifier::create).expectNextCount(1).verifyComplete();
            }
            assertThat(events.list()).extracting(BudgetEvent::type, BudgetEvent::thresholdPercent, BudgetEvent::spent)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(BudgetEvent.Type.THRESHOLD_REACHED, 50, usd("0.08")),
                            org.assertj.core.groups.Tuple.tuple(BudgetEvent.Type.THRESHOLD_REACHED, 80, usd("0.08")),
                            org.assertj.core.groups.Tuple.tuple(BudgetEvent.Type.THRESHOLD_REACHED, 100, usd("0.12")),
                            org.assertj.core.groups.Tuple.tuple(BudgetEvent.Type.THRESHOLD_REACHED, 150, usd("0.16")));
            assertThat(events.list()).allSatisfy(e -> {
                assertThat(e.budget()).isEqualTo("soft");
                assertThat(e.hard()).isFalse();
                assertThat(e.limit()).isEqualByComparingTo("0.10");
                assertThat(e.dimension()).isEqualTo(BudgetDimension.USD);
            });
        }
        assertThat(providerCalls).hasValue(5);
    }

    @Test
    void aRefusalIsAnEvent() {
        SpectraBudgets budgets = Budgets.builder(clock).budget(Budget.builder("one").requests(0).build()).build();
        try (Budgets.Events events = new Budgets.Events(budgets)) {
            call().transform(budgets.enforce("openai", "gpt-4o")).as(StepVerifier::create)
                    .verifyError(BudgetExceededException.class);
            assertThat(events.list()).singleElement().satisfies(e -> {
                assertThat(e.type()).isEqualTo(BudgetEvent.Type.CALL_REFUSED);
                assertThat(e.dimension()).isEqualTo(BudgetDimension.REQUESTS);
                assertThat(e.at()).isEqualTo(T0);
            });
        }
    }

    @Test
    void theActualCostOfTheRecordReplacesTheReservation() {
        InMemorySink sink = new InMemorySink();
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery().pricing(Budgets.PRICES).build();
        SpectraBudgets budgets = Budgets.builder(clock).budget(Budget.builder("d").usd("1.00").build()).build();
        TrackOptions usage = TrackOptions.builder()
                .usageExtractor(String.class, s -> Usage.of(200, 100)).build();

        call().transform(tracker.tracked("openai", "gpt-4o", usage))
                .transform(budgets.enforce("openai", "gpt-4o", BudgetEstimate.of(1000, 1000)))
                .as(StepVerifier::create).expectNext("answer 1").verifyComplete();

        // $0.002 + $0.003 instead of the $0.04 reserved
        budgets.status("d", "").as(StepVerifier::create).assertNext(s -> {
            assertThat(s.line(BudgetDimension.USD).spent()).isEqualTo(usd("0.005"));
            assertThat(s.line(BudgetDimension.USD).reserved()).isEqualTo(usd("0"));
        }).verifyComplete();
        tracker.close(Duration.ofSeconds(1)).block();
    }

    @Test
    void aFailedCallCountsAsARequestWithoutCost() {
        SpectraBudgets budgets = Budgets.builder(clock).budget(Budget.builder("d").usd("1.00").requests(10).build())
                .build();
        Mono.error(new IllegalStateException("provider down"))
                .transform(budgets.enforce("openai", "gpt-4o")).as(StepVerifier::create)
                .verifyErrorMessage("provider down");
        budgets.status("d", "").as(StepVerifier::create).assertNext(s -> {
            assertThat(s.line(BudgetDimension.USD).spent()).isEqualTo(usd("0"));
            assertThat(s.line(BudgetDimension.REQUESTS).spent()).isEqualByComparingTo("1");
            assertThat(s.line(BudgetDimension.USD).reserved()).isEqualTo(usd("0"));
        }).verifyComplete();
    }

    @Test
    void aReservationOfACallThatNeverEndsExpires() {
        SpectraBudgets budgets = Budgets.builder(clock).reservationTtl(Duration.ofMinutes(5))
                .budget(Budget.builder("d").requests(1).build()).build();
        // a call in flight forever: its process died, it will never settle
        Disposable stuck = Mono.never().transform(budgets.enforce("openai", "gpt-4o")).subscribe();
        call().transform(budgets.enforce("openai", "gpt-4o")).as(StepVerifier::create)
                .verifyError(BudgetExceededException.class);

        clock.now.set(T0.plus(Duration.ofMinutes(5)).minusMillis(1));
        call().transform(budgets.enforce("openai", "gpt-4o")).as(StepVerifier::create)
                .verifyError(BudgetExceededException.class);
        clock.now.set(T0.plus(Duration.ofMinutes(5)));
        call().transform(budgets.enforce("openai", "gpt-4o")).as(StepVerifier::create).expectNext("answer 1")
                .verifyComplete();
        stuck.dispose();
    }

    @Test
    void aNewPeriodStartsFromZeroInItsTimeZone() {
        SpectraBudgets budgets = Budgets.builder(clock)
                .budget(Budget.builder("tokyo").period(BudgetPeriod.daily(ZoneId.of("Asia/Tokyo"))).requests(1).build())
                .build();
        clock.now.set(Instant.parse("2026-12-05T14:59:59Z")); // 23:59:59 in Tokyo
        call().transform(budgets.enforce("openai", "gpt-4o")).as(StepVerifier::create).expectNextCount(1)
                .verifyComplete();
        call().transform(budgets.enforce("openai", "gpt-4o")).as(StepVerifier::create)
                .verifyErrorSatisfies(e -> assertThat(refusal(e).periodEnd())
                        .isEqualTo(Instant.parse("2026-12-05T15:00:00Z")));
        clock.now.set(Instant.parse("2026-12-05T15:00:00Z")); // midnight in Tokyo
        call().transform(budgets.enforce("openai", "gpt-4o")).as(StepVerifier::create).expectNextCount(1)
                .verifyComplete();
        budgets.status().as(StepVerifier::create).assertNext(s -> {
            assertThat(s.window().start()).isEqualTo(Instant.parse("2026-12-05T15:00:00Z"));
            assertThat(s.line(BudgetDimension.REQUESTS).spent()).isEqualByComparingTo("1");
        }).verifyComplete();
    }

    @Test
    void aCallNoBudgetMatchesPassesUntouched() {
        SpectraBudgets budgets = Budgets.builder(clock)
                .budget(Budget.builder("anthropic").scope(BudgetScope.provider("anthropic")).requests(0).build())
                .build();
        call().transform(budgets.enforce("openai", "gpt-4o")).as(StepVerifier::create).expectNext("answer 1")
                .verifyComplete();
        budgets.status().as(StepVerifier::create)
                .assertNext(s -> assertThat(s.line(BudgetDimension.REQUESTS).spent()).isEqualByComparingTo("0"))
                .verifyComplete();
    }

    @Test
    void aModelWithoutAPriceHoldsTokensAndRequestsButNoDollars() {
        SpectraBudgets budgets = Budgets.builder(clock).budget(Budget.builder("d").usd("0.01").tokens(300).build())
                .build();
        call().transform(budgets.enforce("openai", "unpriced", BudgetEstimate.of(100, 100)))
                .as(StepVerifier::create).expectNextCount(1).verifyComplete();
        call().transform(budgets.enforce("openai", "unpriced", BudgetEstimate.of(100, 100))).as(StepVerifier::create)
                .verifyErrorSatisfies(e -> assertThat(refusal(e).dimension()).isEqualTo(BudgetDimension.TOKENS));
    }

    @Test
    void aFailingStorePassesCallsUnlessFailClosed() {
        BudgetStore down = new BrokenStore();
        SpectraBudgets open = Budgets.builder(clock).store(down).budget(Budget.builder("d").requests(1).build())
                .build();
        call().transform(open.enforce("openai", "gpt-4o")).as(StepVerifier::create).expectNext("answer 1")
                .verifyComplete();
        assertThat(open.storeFailures()).isEqualTo(2); // the reservation and the settlement

        SpectraBudgets closed = Budgets.builder(clock).store(down).failClosed()
                .budget(Budget.builder("d").requests(1).build()).build();
        call().transform(closed.enforce("openai", "gpt-4o")).as(StepVerifier::create)
                .verifyErrorMessage("store down");
        assertThat(providerCalls).hasValue(1);
    }

    @Test
    void badDefinitionsAreRefusedWhereTheyAreMade() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Budget.builder("x").build())
                .hasMessage("a budget limits at least one of usd, tokens and requests");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Budget.builder("x").usd("-1").build())
                .hasMessage("a budget limit is not negative: usd=-1, tokens=null, requests=null");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Budget.builder("x").requests(1).thresholds(0).build())
                .hasMessage("budget \"x\": a threshold is a percentage from 1 to 1000, was 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SpectraBudgets.builder()
                        .budget(Budget.builder("x").requests(1).build()).budget(Budget.builder("x").tokens(1).build()))
                .hasMessage("two budgets are named \"x\"");
        SpectraBudgets budgets = Budgets.builder(clock).budget(Budget.builder("x").requests(1).build()).build();
        budgets.status("y", "").as(StepVerifier::create)
                .verifyErrorMessage("no budget is named \"y\"; the budgets are [x]");
    }

    @Test
    void aRecordIsDeliveredBeforeTheBudgetSettlesWithIt() {
        InMemorySink sink = new InMemorySink();
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery().pricing(Budgets.PRICES).build();
        SpectraBudgets budgets = Budgets.builder(clock).budget(Budget.builder("d").tokens(10_000).build()).build();
        TrackOptions usage = TrackOptions.builder().usageExtractor(String.class, s -> Usage.of(7, 3)).build();
        call().transform(tracker.tracked("openai", "gpt-4o", usage))
                .transform(budgets.enforce("openai", "gpt-4o"))
                .as(StepVerifier::create).expectNextCount(1).verifyComplete();
        List<TrackedRequest> records = sink.records();
        assertThat(records).singleElement().satisfies(r -> assertThat(r.usage().totalTokens()).isEqualTo(10));
        budgets.status("d", "").as(StepVerifier::create)
                .assertNext(s -> assertThat(s.line(BudgetDimension.TOKENS).spent()).isEqualByComparingTo("10"))
                .verifyComplete();
        tracker.close(Duration.ofSeconds(1)).block();
    }

    /** A store whose every operation fails. */
    private static final class BrokenStore implements BudgetStore {
        @Override
        public Mono<Reservation> reserve(Key key, java.util.UUID reservation, Spend amount, BudgetLimits hardLimits,
                                         Instant now, Instant expiresAt) {
            return Mono.error(new IllegalStateException("store down"));
        }

        @Override
        public Mono<Settlement> settle(Key key, java.util.UUID reservation, Spend actual) {
            return Mono.error(new IllegalStateException("store down"));
        }

        @Override
        public Mono<Counters> counters(Key key, Instant now) {
            return Mono.error(new IllegalStateException("store down"));
        }

        @Override
        public reactor.core.publisher.Flux<SubjectCounters> subjects(String budget, BudgetWindow window, Instant now) {
            return reactor.core.publisher.Flux.error(new IllegalStateException("store down"));
        }
    }
}
