package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.spectra.reactive.internal.SetClock;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static dev.spectra.reactive.budget.Budgets.T0;
import static dev.spectra.reactive.budget.Budgets.usd;
import static org.assertj.core.api.Assertions.assertThat;

class InMemoryBudgetStoreUnitTests {

    private static final BudgetWindow DAY = BudgetPeriod.daily(ZoneOffset.UTC).window(T0);
    private static final BudgetStore.Key KEY = new BudgetStore.Key("b", "", DAY);

    @Test
    void manyConcurrentCallsOnEveryCoreNeverOverspendAndTheTotalIsExact() {
        SpectraBudgets budgets = Budgets.builder(new SetClock(T0))
                .budget(Budget.builder("one-dollar").usd("1.00").build()).build();
        AtomicInteger providerCalls = new AtomicInteger();
        BudgetEstimate cent = BudgetEstimate.of(100, 300); // $0.001 + $0.009

        long passed = Flux.range(0, 2000)
                .flatMap(i -> Mono.fromSupplier(providerCalls::incrementAndGet)
                        .transform(budgets.enforce("openai", "gpt-4o", cent))
                        .map(x -> true)
                        .onErrorResume(BudgetExceededException.class, e -> Mono.just(false))
                        .subscribeOn(Schedulers.parallel()), 256)
                .filter(p -> p).count().block(Duration.ofSeconds(60));

        assertThat(passed).isEqualTo(100);
        assertThat(providerCalls).hasValue(100);
        assertThat(budgets.refusedCalls()).isEqualTo(1900);
        BudgetStore.Counters c = budgets.store().counters(new BudgetStore.Key("one-dollar", "", DAY), T0)
                .block(Duration.ofSeconds(5));
        assertThat(c.spent()).isEqualTo(new Spend(new BigDecimal("1.00"), 40_000, 100));
        assertThat(c.reserved()).isEqualTo(Spend.ZERO);
    }

    @Test
    void aTopUpAddsToItsReservationAndASettlementReleasesAllOfIt() {
        InMemoryBudgetStore store = InMemoryBudgetStore.create();
        UUID call = UUID.randomUUID();
        BudgetLimits limits = new BudgetLimits(new BigDecimal("1.00"), 1000L, null);
        Instant expires = T0.plusSeconds(60);

        assertThat(store.reserve(KEY, call, Spend.of("0.40", 100, 1), limits, T0, expires).block().granted()).isTrue();
        assertThat(store.reserve(KEY, call, Spend.of("0.50", 100, 0), limits, T0, expires).block().granted()).isTrue();
        BudgetStore.Reservation refused = store.reserve(KEY, UUID.randomUUID(), Spend.of("0.20", 1, 1), limits, T0,
                expires).block();
        assertThat(refused.granted()).isFalse();
        assertThat(refused.counters().reserved()).isEqualTo(Spend.of("0.90", 200, 1));

        BudgetStore.Settlement s = store.settle(KEY, call, Spend.of("0.30", 150, 1)).block();
        assertThat(s.spentBefore()).isEqualTo(Spend.ZERO);
        assertThat(s.after()).isEqualTo(new BudgetStore.Counters(Spend.of("0.30", 150, 1), Spend.ZERO));
        assertThat(store.settle(KEY, call, Spend.ZERO).block().after().reserved()).isEqualTo(Spend.ZERO);
    }

    @Test
    void aSoftReservationIsNeverRefusedAndAnExpiredOneStopsCounting() {
        InMemoryBudgetStore store = InMemoryBudgetStore.create();
        for (int i = 0; i < 3; i++) {
            assertThat(store.reserve(KEY, UUID.randomUUID(), Spend.of("1", 0, 1), null, T0, T0.plusSeconds(10))
                    .block().granted()).isTrue();
        }
        assertThat(store.counters(KEY, T0).block().reserved()).isEqualTo(Spend.of("3", 0, 3));
        assertThat(store.counters(KEY, T0.plusSeconds(10)).block()).isEqualTo(BudgetStore.Counters.ZERO);
    }

    @Test
    void accountsOfEndedPeriodsAreDroppedOnceNothingHoldsThem() {
        InMemoryBudgetStore store = InMemoryBudgetStore.create();
        store.settle(KEY, UUID.randomUUID(), Spend.of("0.5", 0, 1)).block();
        Instant tomorrow = DAY.end().plusSeconds(1);
        BudgetStore.Key next = new BudgetStore.Key("b", "", BudgetPeriod.daily(ZoneOffset.UTC).window(tomorrow));
        store.reserve(next, UUID.randomUUID(), Spend.of("0.1", 0, 1), null, tomorrow, tomorrow.plusSeconds(5)).block();

        assertThat(store.counters(KEY, tomorrow).block()).isEqualTo(BudgetStore.Counters.ZERO);
        assertThat(store.counters(next, tomorrow).block().reserved()).isEqualTo(Spend.of("0.1", 0, 1));
        assertThat(store).hasToString("InMemoryBudgetStore{accounts=1}");
        assertThat(usd("0.1")).isEqualTo(Spend.of("0.1", 0, 0).usd());
    }
}
