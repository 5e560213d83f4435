package dev.spectra.reactive.micrometer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.spectra.reactive.budget.Budget;
import dev.spectra.reactive.budget.BudgetLimits;
import dev.spectra.reactive.budget.BudgetPeriod;
import dev.spectra.reactive.budget.BudgetScope;
import dev.spectra.reactive.budget.BudgetStore;
import dev.spectra.reactive.budget.BudgetWindow;
import dev.spectra.reactive.budget.InMemoryBudgetStore;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.budget.Spend;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The budget gauges: exact values after a refresh, the subject nearest its limit for a budget split by value,
 * nothing read from the store when the registry reads the gauges, failures kept out of the values, and the
 * background refresh on virtual time.
 */
class SpectraBudgetMetricsUnitTests {

    private static final Instant NOW = Instant.parse("2026-03-04T10:00:00Z");
    private static final BudgetWindow TODAY = BudgetPeriod.daily(ZoneOffset.UTC).window(NOW);

    private final CountingStore store = new CountingStore();
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void afterARefreshTheGaugesHoldTheBudgetsExactLimitSpentReservedAndRemaining() {
        SpectraBudgets budgets = budgets(Budget.builder("daily").usd("10.00").tokens(100_000).build());
        SpectraBudgetMetrics metrics = SpectraBudgetMetrics.of(budgets);
        metrics.bindTo(registry);
        spend("daily", "", "2.50", 1_200);
        reserve("daily", "", "0.75", 500);

        assertThat(gauge(SpectraBudgetMetrics.LIMIT, "daily", "usd")).isEqualTo(10.0);
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "daily", "usd")).isNaN();
        assertThat(gauge(SpectraBudgetMetrics.REMAINING, "daily", "tokens")).isNaN();

        metrics.refresh().block();

        assertThat(gauge(SpectraBudgetMetrics.LIMIT, "daily", "usd")).isEqualTo(10.0);
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "daily", "usd")).isEqualTo(2.5);
        assertThat(gauge(SpectraBudgetMetrics.RESERVED, "daily", "usd")).isEqualTo(0.75);
        assertThat(gauge(SpectraBudgetMetrics.REMAINING, "daily", "usd")).isEqualTo(6.75);
        assertThat(gauge(SpectraBudgetMetrics.LIMIT, "daily", "tokens")).isEqualTo(100_000.0);
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "daily", "tokens")).isEqualTo(1_200.0);
        assertThat(gauge(SpectraBudgetMetrics.RESERVED, "daily", "tokens")).isEqualTo(500.0);
        assertThat(gauge(SpectraBudgetMetrics.REMAINING, "daily", "tokens")).isEqualTo(98_300.0);
        // only the limited units, and no subject count for a budget not split by value
        assertThat(registry.find(SpectraBudgetMetrics.SPENT).tag(SpectraBudgetMetrics.DIMENSION, "requests")
                .gauge()).isNull();
        assertThat(registry.find(SpectraBudgetMetrics.SUBJECTS).gauge()).isNull();
        assertThat(registry.get(SpectraBudgetMetrics.REFRESH_FAILURES).functionCounter().count()).isZero();
    }

    @Test
    void aBudgetSplitByValueShowsTheSubjectNearestItsLimitAndHowManySubjectsSpent() {
        SpectraBudgets budgets = budgets(Budget.builder("per-tenant").scope(BudgetScope.metadata("tenant_id"))
                .usd("5.00").build());
        SpectraBudgetMetrics metrics = SpectraBudgetMetrics.of(budgets);
        metrics.bindTo(registry);

        metrics.refresh().block();
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "per-tenant", "usd")).isZero();
        assertThat(gauge(SpectraBudgetMetrics.REMAINING, "per-tenant", "usd")).isEqualTo(5.0);
        assertThat(registry.get(SpectraBudgetMetrics.SUBJECTS).tag(SpectraBudgetMetrics.BUDGET, "per-tenant")
                .gauge().value()).isZero();

        spend("per-tenant", "globex", "1.00", 10);
        spend("per-tenant", "acme", "3.50", 10);
        reserve("per-tenant", "acme", "0.25", 10);
        spend("per-tenant", "initech", "4.00", 10);
        metrics.refresh().block();

        // acme has 1.25 left, initech 1.00: initech is nearest its limit
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "per-tenant", "usd")).isEqualTo(4.0);
        assertThat(gauge(SpectraBudgetMetrics.RESERVED, "per-tenant", "usd")).isZero();
        assertThat(gauge(SpectraBudgetMetrics.REMAINING, "per-tenant", "usd")).isEqualTo(1.0);
        assertThat(registry.get(SpectraBudgetMetrics.SUBJECTS).tag(SpectraBudgetMetrics.BUDGET, "per-tenant")
                .gauge().value()).isEqualTo(3.0);
        assertThat(registry.find(SpectraBudgetMetrics.SPENT).tagKeys("subject").gauge()).isNull();
    }

    @Test
    void readingTheGaugesNeverReadsTheStore() {
        SpectraBudgetMetrics metrics = SpectraBudgetMetrics.of(budgets(Budget.builder("daily").usd("10.00")
                .build()));
        metrics.bindTo(registry);
        registry.getMeters().forEach(m -> m.measure().forEach(measurement -> measurement.getValue()));
        assertThat(store.reads.get()).isZero();

        metrics.refresh().block();
        int afterRefresh = store.reads.get();
        assertThat(afterRefresh).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            registry.getMeters().forEach(m -> m.measure().forEach(measurement -> measurement.getValue()));
        }
        assertThat(store.reads.get()).isEqualTo(afterRefresh);
    }

    @Test
    void aFailedRefreshIsCountedAndKeepsTheLastValues() {
        SpectraBudgetMetrics metrics = SpectraBudgetMetrics.of(budgets(Budget.builder("daily").usd("10.00")
                .build()));
        metrics.bindTo(registry);
        spend("daily", "", "2.00", 100);
        metrics.refresh().block();

        spend("daily", "", "3.00", 100);
        store.failing = true;
        metrics.refresh().block();

        assertThat(gauge(SpectraBudgetMetrics.SPENT, "daily", "usd")).isEqualTo(2.0);
        assertThat(registry.get(SpectraBudgetMetrics.REFRESH_FAILURES).functionCounter().count()).isEqualTo(1.0);

        store.failing = false;
        metrics.refresh().block();
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "daily", "usd")).isEqualTo(5.0);
    }

    @Test
    void theBackgroundRefreshRunsAtOnceThenEveryIntervalCutsAHungReadAndStopsWhenClosed() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        SpectraBudgetMetrics metrics = SpectraBudgetMetrics.of(budgets(Budget.builder("daily").usd("10.00")
                .build()));
        metrics.bindTo(registry);
        spend("daily", "", "1.00", 10);

        metrics.start(Duration.ofSeconds(30), time);
        time.advanceTime();
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "daily", "usd")).isEqualTo(1.0);

        spend("daily", "", "2.00", 10);
        time.advanceTimeBy(Duration.ofSeconds(29));
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "daily", "usd")).isEqualTo(1.0);
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "daily", "usd")).isEqualTo(3.0);

        // a read that never answers is cut at the interval, counted, and the next one runs
        store.hanging = true;
        time.advanceTimeBy(Duration.ofSeconds(30));
        spend("daily", "", "4.00", 10);
        time.advanceTimeBy(Duration.ofSeconds(30));
        assertThat(registry.get(SpectraBudgetMetrics.REFRESH_FAILURES).functionCounter().count()).isEqualTo(1.0);
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "daily", "usd")).isEqualTo(3.0);
        store.hanging = false;
        time.advanceTimeBy(Duration.ofSeconds(30));
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "daily", "usd")).isEqualTo(7.0);

        metrics.close();
        int reads = store.reads.get();
        spend("daily", "", "1.00", 10);
        time.advanceTimeBy(Duration.ofMinutes(5));
        assertThat(store.reads.get()).isEqualTo(reads);
        assertThat(gauge(SpectraBudgetMetrics.SPENT, "daily", "usd")).isEqualTo(7.0);
        assertThatIllegalStateException().isThrownBy(() -> metrics.start(Duration.ofSeconds(30), time))
                .withMessage("the budget gauges are closed");
        time.dispose();
    }

    @Test
    void startingTwiceOrTooOftenIsRefused() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        SpectraBudgetMetrics metrics = SpectraBudgetMetrics.of(budgets(Budget.builder("daily").usd("10.00")
                .build()));
        assertThatIllegalArgumentException().isThrownBy(() -> metrics.start(Duration.ofMillis(99), time))
                .withMessage("the budget gauges' refresh interval must be at least 100 ms, was PT0.099S");
        metrics.start(Duration.ofSeconds(1), time);
        assertThatIllegalStateException().isThrownBy(() -> metrics.start(Duration.ofSeconds(1), time))
                .withMessage("the budget gauges are already refreshed in the background");
        metrics.close();
        time.dispose();
    }

    private SpectraBudgets budgets(Budget budget) {
        return SpectraBudgets.builder().budget(budget).store(store).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    }

    private double gauge(String name, String budget, String dimension) {
        return registry.get(name).tag(SpectraBudgetMetrics.BUDGET, budget)
                .tag(SpectraBudgetMetrics.DIMENSION, dimension).gauge().value();
    }

    private void spend(String budget, String subject, String usd, long tokens) {
        BudgetStore.Key key = new BudgetStore.Key(budget, subject, TODAY);
        UUID id = UUID.randomUUID();
        store.delegate.reserve(key, id, Spend.of(usd, tokens, 1), null, NOW, NOW.plusSeconds(600)).block();
        store.delegate.settle(key, id, Spend.of(usd, tokens, 1)).block();
    }

    private void reserve(String budget, String subject, String usd, long tokens) {
        store.delegate.reserve(new BudgetStore.Key(budget, subject, TODAY), UUID.randomUUID(),
                Spend.of(usd, tokens, 1), null, NOW, NOW.plusSeconds(600)).block();
    }

    /** The in-memory store, counting the reads of counters, and made to fail or hang on demand. */
    private static final class CountingStore implements BudgetStore {

        final InMemoryBudgetStore delegate = InMemoryBudgetStore.create();
        final AtomicInteger reads = new AtomicInteger();
        volatile boolean failing;
        volatile boolean hanging;

        @Override
        public Mono<Reservation> reserve(Key key, UUID reservation, Spend amount, @Nullable BudgetLimits hardLimits,
                                         Instant now, Instant expiresAt) {
            return delegate.reserve(key, reservation, amount, hardLimits, now, expiresAt);
        }

        @Override
        public Mono<Settlement> settle(Key key, UUID reservation, Spend actual) {
            return delegate.settle(key, reservation, actual);
        }

        @Override
        public Mono<Counters> counters(Key key, Instant now) {
            return Mono.defer(() -> {
                reads.incrementAndGet();
                if (failing) {
                    return Mono.error(new IllegalStateException("the budget database is down"));
                }
                return hanging ? Mono.never() : delegate.counters(key, now);
            });
        }

        @Override
        public Flux<SubjectCounters> subjects(String budget, BudgetWindow window, Instant now) {
            return Flux.defer(() -> {
                reads.incrementAndGet();
                if (failing) {
                    return Flux.error(new IllegalStateException("the budget database is down"));
                }
                return hanging ? Flux.never() : delegate.subjects(budget, window, now);
            });
        }
    }
}
