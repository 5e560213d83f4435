package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.spectra.reactive.internal.SetClock;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static dev.spectra.reactive.budget.Budgets.T0;
import static dev.spectra.reactive.budget.Budgets.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RollingBudgetUnitTests {

    /** One hour in buckets of ten minutes. */
    private static final BudgetPeriod LAST_HOUR = BudgetPeriod.rolling(Duration.ofHours(1), Duration.ofMinutes(10));
    /** $0.60: 20 000 output tokens at $0.00003. */
    private static final BudgetEstimate SIXTY_CENTS = BudgetEstimate.of(0, 20_000);

    private final SetClock clock = new SetClock(T0);
    private final AtomicInteger providerCalls = new AtomicInteger();

    private Mono<String> call() {
        return Mono.fromSupplier(() -> "answer " + providerCalls.incrementAndGet());
    }

    @Test
    void aRollingWindowEndsWithTheCurrentBucketAndSpansItsLength() {
        assertThat(BudgetPeriod.rolling(Duration.ofHours(24)).window(T0.plusSeconds(30)))
                .isEqualTo(new BudgetWindow(Instant.parse("2026-12-04T10:16:00Z"),
                        Instant.parse("2026-12-05T10:16:00Z"), Duration.ofMinutes(1)));
        assertThat(BudgetPeriod.rolling(Duration.ofDays(7)).window(T0))
                .isEqualTo(new BudgetWindow(Instant.parse("2026-11-28T11:00:00Z"),
                        Instant.parse("2026-12-05T11:00:00Z"), Duration.ofHours(1)));
        assertThat(BudgetPeriod.rolling(Duration.ofDays(30)).window(T0).length()).isEqualTo(Duration.ofDays(30));
        assertThat(LAST_HOUR.window(T0).currentBucketStart()).isEqualTo(Instant.parse("2026-12-05T10:10:00Z"));
        assertThat(LAST_HOUR.isRolling()).isTrue();
        assertThat(BudgetPeriod.daily(java.time.ZoneOffset.UTC).isRolling()).isFalse();
        assertThat(LAST_HOUR).hasToString("rolling PT1H in PT10M").isEqualTo(
                BudgetPeriod.rolling(Duration.ofMinutes(60), Duration.ofSeconds(600)));
    }

    @Test
    void aRollingPeriodIsAWholeNumberOfBucketsOfAtLeastOneSecond() {
        assertThatThrownBy(() -> BudgetPeriod.rolling(Duration.ofMinutes(25), Duration.ofMinutes(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a rolling budget's length is a whole number of its buckets: PT25M is not a multiple of "
                        + "PT10M");
        assertThatThrownBy(() -> BudgetPeriod.rolling(Duration.ofHours(1), Duration.ofMillis(500)))
                .hasMessage("a rolling budget's bucket is at least one second, in whole milliseconds, was PT0.5S");
        assertThatThrownBy(() -> BudgetPeriod.rolling(Duration.ofDays(30), Duration.ofSeconds(1)))
                .hasMessage("a rolling budget holds at most 100000 buckets: PT720H in buckets of PT1S would be "
                        + "2592000; use longer buckets");
        assertThatThrownBy(() -> BudgetPeriod.rolling(Duration.ofDays(2).plusMinutes(30)))
                .hasMessage("a rolling budget's length is a whole number of its buckets: PT48H30M is not a "
                        + "multiple of PT1H");
    }

    @Test
    void spendLeavesTheWindowWhenItsBucketDoesAndHeadroomComesBack() {
        SpectraBudgets budgets = Budgets.builder(clock)
                .budget(Budget.builder("last-hour").period(LAST_HOUR).usd("1.00").build()).build();

        call().transform(budgets.enforce("openai", "gpt-4o", SIXTY_CENTS)).as(StepVerifier::create)
                .expectNext("answer 1").verifyComplete(); // 10:15, bucket 10:10

        clock.now.set(Instant.parse("2026-12-05T10:45:00Z"));
        call().transform(budgets.enforce("openai", "gpt-4o", SIXTY_CENTS)).as(StepVerifier::create)
                .verifyErrorSatisfies(e -> {
                    BudgetExceededException x = (BudgetExceededException) e;
                    assertThat(x.spent()).isEqualTo(usd("0.60"));
                    assertThat(x.periodEnd()).isEqualTo(Instant.parse("2026-12-05T10:50:00Z"));
                });

        clock.now.set(Instant.parse("2026-12-05T11:09:59Z")); // the 10:10 bucket is still in the window
        call().transform(budgets.enforce("openai", "gpt-4o", SIXTY_CENTS)).as(StepVerifier::create)
                .verifyError(BudgetExceededException.class);
        budgets.status("last-hour", "").as(StepVerifier::create).assertNext(s -> {
            assertThat(s.window()).isEqualTo(new BudgetWindow(Instant.parse("2026-12-05T10:10:00Z"),
                    Instant.parse("2026-12-05T11:10:00Z"), Duration.ofMinutes(10)));
            assertThat(s.line(BudgetDimension.USD).spent()).isEqualTo(usd("0.60"));
            assertThat(s.line(BudgetDimension.USD).forecast()).isEqualTo(usd("0.60"));
        }).verifyComplete();

        clock.now.set(Instant.parse("2026-12-05T11:10:00Z")); // it has left
        budgets.status("last-hour", "").as(StepVerifier::create)
                .assertNext(s -> assertThat(s.line(BudgetDimension.USD).spent()).isEqualTo(usd("0")))
                .verifyComplete();
        call().transform(budgets.enforce("openai", "gpt-4o", SIXTY_CENTS)).as(StepVerifier::create)
                .expectNext("answer 2").verifyComplete();

        clock.now.set(Instant.parse("2026-12-05T11:30:00Z"));
        budgets.status("last-hour", "").as(StepVerifier::create).assertNext(s -> {
            BudgetStatus.Line l = s.line(BudgetDimension.USD);
            assertThat(l.spent()).isEqualTo(usd("0.60"));
            assertThat(l.remaining()).isEqualTo(usd("0.40"));
        }).verifyComplete();
        assertThat(providerCalls).hasValue(2);
        assertThat(budgets.refusedCalls()).isEqualTo(2);
    }

    @Test
    void spendInSeveralBucketsLeavesBucketByBucket() {
        InMemoryBudgetStore store = InMemoryBudgetStore.create();
        for (int minute : new int[] {0, 10, 20}) {
            Instant at = Instant.parse("2026-12-05T10:00:00Z").plus(Duration.ofMinutes(minute));
            BudgetStore.Key key = new BudgetStore.Key("b", "t1", LAST_HOUR.window(at));
            store.settle(key, UUID.randomUUID(), Spend.of("0.1" + minute / 10, 10, 1)).block();
        }
        assertThat(spentAt(store, "2026-12-05T10:59:59Z")).isEqualTo(Spend.of("0.33", 30, 3));
        assertThat(spentAt(store, "2026-12-05T11:00:00Z")).isEqualTo(Spend.of("0.23", 20, 2));
        assertThat(spentAt(store, "2026-12-05T11:15:00Z")).isEqualTo(Spend.of("0.12", 10, 1));
        assertThat(spentAt(store, "2026-12-05T11:20:00Z")).isEqualTo(Spend.ZERO);
        assertThat(store.subjects("b", LAST_HOUR.window(Instant.parse("2026-12-05T11:20:00Z")),
                Instant.parse("2026-12-05T11:20:00Z")).collectList().block())
                .containsExactly(new BudgetStore.SubjectCounters("t1", BudgetStore.Counters.ZERO));
    }

    @Test
    void aRollingReservationHoldsHeadroomUntilItExpires() {
        InMemoryBudgetStore store = InMemoryBudgetStore.create();
        BudgetLimits limits = new BudgetLimits(new BigDecimal("1.00"), null, null);
        BudgetStore.Key key = new BudgetStore.Key("b", "", LAST_HOUR.window(T0));
        assertThat(store.reserve(key, UUID.randomUUID(), Spend.of("0.80", 0, 1), limits, T0, T0.plusSeconds(600))
                .block().granted()).isTrue();

        Instant later = T0.plusSeconds(300);
        BudgetStore.Key laterKey = new BudgetStore.Key("b", "", LAST_HOUR.window(later));
        assertThat(store.reserve(laterKey, UUID.randomUUID(), Spend.of("0.30", 0, 1), limits, later,
                later.plusSeconds(600)).block().granted()).isFalse();

        Instant expired = T0.plusSeconds(600);
        BudgetStore.Key expiredKey = new BudgetStore.Key("b", "", LAST_HOUR.window(expired));
        BudgetStore.Reservation r = store.reserve(expiredKey, UUID.randomUUID(), Spend.of("0.30", 0, 1), limits,
                expired, expired.plusSeconds(600)).block();
        assertThat(r.granted()).isTrue();
        assertThat(r.counters()).isEqualTo(new BudgetStore.Counters(Spend.ZERO, Spend.of("0.30", 0, 1)));
    }

    @Test
    void aCallThatOutlivesItsBucketsPlaceInTheWindowCountsNowhere() {
        InMemoryBudgetStore store = InMemoryBudgetStore.create();
        UUID call = UUID.randomUUID();
        BudgetStore.Key started = new BudgetStore.Key("b", "", LAST_HOUR.window(T0));
        store.reserve(started, call, Spend.of("0.50", 0, 1), null, T0, T0.plus(Duration.ofHours(3))).block();
        Instant twoHoursOn = T0.plus(Duration.ofHours(2));
        assertThat(store.counters(new BudgetStore.Key("b", "", LAST_HOUR.window(twoHoursOn)), twoHoursOn).block())
                .isEqualTo(new BudgetStore.Counters(Spend.ZERO, Spend.of("0.50", 0, 1)));

        BudgetStore.Settlement s = store.settle(started, call, Spend.of("0.40", 0, 1)).block();
        assertThat(s.after()).isEqualTo(BudgetStore.Counters.ZERO);
    }

    private static Spend spentAt(BudgetStore store, String at) {
        Instant now = Instant.parse(at);
        return store.counters(new BudgetStore.Key("b", "t1", LAST_HOUR.window(now)), now).block().spent();
    }
}
