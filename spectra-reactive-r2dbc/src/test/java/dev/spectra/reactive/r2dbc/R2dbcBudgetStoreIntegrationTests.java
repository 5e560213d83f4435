package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.spectra.reactive.budget.Budget;
import dev.spectra.reactive.budget.BudgetDimension;
import dev.spectra.reactive.budget.BudgetEstimate;
import dev.spectra.reactive.budget.BudgetEvent;
import dev.spectra.reactive.budget.BudgetExceededException;
import dev.spectra.reactive.budget.BudgetPeriod;
import dev.spectra.reactive.budget.BudgetScope;
import dev.spectra.reactive.budget.BudgetStore;
import dev.spectra.reactive.budget.BudgetWindow;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.budget.Spend;
import dev.spectra.reactive.Cost;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Budgets shared by two instances through one PostgreSQL database: each instance has its own pool, its own store and
 * its own {@link SpectraBudgets}, as two processes would.
 */
@ExtendWith(PostgresExtension.class)
class R2dbcBudgetStoreIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Instant T0 = Instant.parse("2026-12-05T10:15:00Z");
    /** $0.00001 per input token, $0.00003 per output token. */
    private static final Pricing PRICES = (provider, model, tier, usage) -> Cost.of(
            BigDecimal.valueOf(usage.inputTokens()).multiply(new BigDecimal("0.00001")),
            BigDecimal.valueOf(usage.outputTokens()).multiply(new BigDecimal("0.00003")));
    /** 100 input and 300 output tokens: $0.001 + $0.009 = $0.01, the most a call of the proof can cost. */
    private static final BudgetEstimate CALL = BudgetEstimate.of(100, 300);

    private final List<ConnectionPool> pools = new ArrayList<>();
    private final HandClock clock = new HandClock(T0);
    private final AtomicInteger providerCalls = new AtomicInteger();

    @AfterEach
    void closePools() {
        pools.forEach(p -> p.disposeLater().block(TIMEOUT));
    }

    /** One instance: its own pool of ten connections over the test database, and a store on it. */
    private R2dbcBudgetStore instance(TestDatabase db, SpectraSchema schema) {
        ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(ConnectionFactories.get(db.url()))
                .maxSize(10).maxAcquireTime(Duration.ofSeconds(60)).build());
        pools.add(pool);
        return R2dbcBudgetStore.create(pool, schema);
    }

    private SpectraSchema schema(TestDatabase db, String hint) {
        SpectraSchema schema = SpectraSchema.of(db.newSchemaName(hint));
        schema.createOrUpgrade(db.connectionFactory()).block(TIMEOUT);
        return schema;
    }

    private SpectraBudgets budgets(BudgetStore store, Budget... budgets) {
        return SpectraBudgets.builder().store(store).pricing(PRICES).clock(clock).budgets(List.of(budgets)).build();
    }

    /** A stand-in provider call: on another thread, as a network answer would arrive. */
    private Mono<String> providerCall() {
        return Mono.fromSupplier(() -> "answer " + providerCalls.incrementAndGet()).subscribeOn(Schedulers.parallel());
    }

    private static Budget oneDollar() {
        return Budget.builder("one-dollar").usd("1.00").hard().build();
    }

    private record Outcomes(int passed, int refused) {
    }

    private Mono<Outcomes> burst(SpectraBudgets budgets, int calls) {
        return Flux.range(0, calls)
                .flatMap(i -> providerCall().transform(budgets.enforce("openai", "gpt-4o", CALL))
                        .map(a -> true)
                        .onErrorResume(BudgetExceededException.class, e -> Mono.just(false)), calls)
                .reduce(new Outcomes(0, 0), (o, passed) -> passed ? new Outcomes(o.passed + 1, o.refused)
                        : new Outcomes(o.passed, o.refused + 1));
    }

    @Test
    void twoInstancesOf500ConcurrentCallsEachNeverPassAOneDollarHardLimit(TestDatabase db) {
        SpectraSchema schema = schema(db, "budget_proof");
        SpectraBudgets a = budgets(instance(db, schema), oneDollar());
        SpectraBudgets b = budgets(instance(db, schema), oneDollar());

        List<Outcomes> outcomes = Flux.merge(burst(a, 500), burst(b, 500)).collectList().block(TIMEOUT);

        // every call costs its maximum, $0.01: exactly 100 fit in $1.00, whatever the interleaving
        assertThat(outcomes.stream().mapToInt(Outcomes::passed).sum()).isEqualTo(100);
        assertThat(outcomes.stream().mapToInt(Outcomes::refused).sum()).isEqualTo(900);
        assertThat(providerCalls).hasValue(100);
        assertThat(a.refusedCalls() + b.refusedCalls()).isEqualTo(900);
        assertThat(a.storeFailures() + b.storeFailures()).isZero();
        assertThat(db.single("SELECT spent_usd::text || ' ' || spent_tokens || ' ' || spent_requests || ' '"
                + " || reserved_usd::text || ' ' || reserved_requests FROM \"" + schema.name()
                + "\".spectra_budget_spend", String.class)).isEqualTo("1.0000000000 40000 100 0.0000000000 0");
        assertThat(db.single("SELECT count(*) FROM \"" + schema.name() + "\".spectra_budget_reservations", Long.class))
                .isZero();

        // the limit is reached: no call passes on either instance
        assertThat(Flux.merge(burst(a, 50), burst(b, 50)).map(Outcomes::passed).reduce(0, Integer::sum)
                .block(TIMEOUT)).isZero();
        assertThat(providerCalls).hasValue(100);
    }

    @Test
    void callsCheaperThanTheirEstimateOvershootByLessThanOneCallAndLeaveNoReservation(TestDatabase db) {
        SpectraSchema schema = schema(db, "budget_cheaper");
        R2dbcBudgetStore storeA = instance(db, schema);
        R2dbcBudgetStore storeB = instance(db, schema);
        SpectraBudgets a = budgets(storeA, oneDollar());
        SpectraBudgets b = budgets(storeB, oneDollar());
        BudgetStore.Key key = new BudgetStore.Key("one-dollar", "",
                BudgetPeriod.daily(ZoneOffset.UTC).window(T0));

        // settle each call with its own actual cost, 1 to 300 output tokens: $0.00103 to $0.01
        Flux<Boolean> calls = Flux.range(1, 1000).flatMap(i -> {
            SpectraBudgets instance = i % 2 == 0 ? a : b;
            return providerCall().transform(instance.enforce("openai", "gpt-4o", CALL)).map(x -> true)
                    .onErrorResume(BudgetExceededException.class, e -> Mono.just(false));
        }, 1000);
        long passed = calls.filter(p -> p).count().block(TIMEOUT);

        BudgetStore.Counters counters = storeA.counters(key, T0).block(TIMEOUT);
        // without a tracker the settlement is the estimate: every passed call spent $0.01
        assertThat(counters.spent().usd()).isEqualByComparingTo(new BigDecimal("0.01").multiply(
                BigDecimal.valueOf(passed)));
        assertThat(counters.spent().usd()).isLessThanOrEqualTo(new BigDecimal("1.00"));
        assertThat(counters.reserved()).isEqualTo(Spend.ZERO);
        assertThat(passed).isEqualTo(100);
    }

    @Test
    void aReservationOfAKilledInstanceIsFreedWhenItExpires(TestDatabase db) throws InterruptedException {
        SpectraSchema schema = schema(db, "budget_expiry");
        Budget oneCall = Budget.builder("one-call").requests(1).build();
        R2dbcBudgetStore killedStore = instance(db, schema);
        SpectraBudgets killed = SpectraBudgets.builder().store(killedStore).pricing(PRICES).clock(clock)
                .reservationTtl(Duration.ofMinutes(5)).budget(oneCall).build();
        SpectraBudgets survivor = budgets(instance(db, schema), oneCall);

        // the first instance reserves and dies mid-call: its pool is gone, it never settles
        java.util.concurrent.CountDownLatch called = new java.util.concurrent.CountDownLatch(1);
        Disposable inFlight = Mono.never().doOnSubscribe(s -> called.countDown())
                .transform(killed.enforce("openai", "gpt-4o")).subscribe();
        assertThat(called.await(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(db.single("SELECT count(*) FROM \"" + schema.name() + "\".spectra_budget_reservations", Long.class))
                .isEqualTo(1L);
        pools.get(0).disposeLater().block(TIMEOUT);

        providerCall().transform(survivor.enforce("openai", "gpt-4o")).as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(((BudgetExceededException) e).spent()).isEqualByComparingTo("1"))
                .verify(TIMEOUT);
        clock.set(T0.plus(Duration.ofMinutes(5)).minusMillis(1));
        providerCall().transform(survivor.enforce("openai", "gpt-4o")).as(StepVerifier::create)
                .expectError(BudgetExceededException.class).verify(TIMEOUT);
        clock.set(T0.plus(Duration.ofMinutes(5)));
        providerCall().transform(survivor.enforce("openai", "gpt-4o")).as(StepVerifier::create)
                .expectNext("answer 1").expectComplete().verify(TIMEOUT);
        inFlight.dispose();
    }

    @Test
    void eachThresholdIsReportedOnceAcrossInstances(TestDatabase db) {
        SpectraSchema schema = schema(db, "budget_events");
        Budget soft = Budget.builder("soft").usd("0.50").soft().thresholds(50, 100).build();
        SpectraBudgets a = budgets(instance(db, schema), soft);
        SpectraBudgets b = budgets(instance(db, schema), soft);
        List<BudgetEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        Disposable ea = a.events().subscribe(events::add);
        Disposable eb = b.events().subscribe(events::add);

        // 60 calls of $0.01: the spend passes $0.25 and $0.50 once each; a soft budget refuses none
        assertThat(Flux.merge(burst(a, 30), burst(b, 30)).map(Outcomes::passed).reduce(0, Integer::sum)
                .block(TIMEOUT)).isEqualTo(60);
        ea.dispose();
        eb.dispose();

        assertThat(events).extracting(BudgetEvent::thresholdPercent).containsExactlyInAnyOrder(50, 100);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.type()).isEqualTo(BudgetEvent.Type.THRESHOLD_REACHED);
            assertThat(e.dimension()).isEqualTo(BudgetDimension.USD);
        });
        a.status("soft", "").as(StepVerifier::create)
                .assertNext(s -> assertThat(s.line(BudgetDimension.USD).spent()).isEqualByComparingTo("0.60"))
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void periodsRollOverAndSubjectsAreKeptApart(TestDatabase db) {
        SpectraSchema schema = schema(db, "budget_periods");
        Budget perTenant = Budget.builder("tenant").scope(BudgetScope.metadata("tenant_id"))
                .period(BudgetPeriod.daily(ZoneId.of("America/New_York"))).requests(1).build();
        SpectraBudgets budgets = budgets(instance(db, schema), perTenant);
        clock.set(Instant.parse("2026-12-06T04:59:59Z")); // 23:59:59 on the 5th in New York

        for (String tenant : List.of("acme", "globex")) {
            providerCall().transform(budgets.enforce("openai", "gpt-4o"))
                    .contextWrite(Spectra.metadata("tenant_id", tenant))
                    .as(StepVerifier::create).expectNextCount(1).expectComplete().verify(TIMEOUT);
        }
        providerCall().transform(budgets.enforce("openai", "gpt-4o"))
                .contextWrite(Spectra.metadata("tenant_id", "acme")).as(StepVerifier::create)
                .expectErrorSatisfies(e -> {
                    assertThat(((BudgetExceededException) e).subject()).isEqualTo("acme");
                    assertThat(((BudgetExceededException) e).periodEnd())
                            .isEqualTo(Instant.parse("2026-12-06T05:00:00Z"));
                }).verify(TIMEOUT);
        budgets.status().map(s -> s.subject() + "=" + s.line(BudgetDimension.REQUESTS).spent())
                .as(StepVerifier::create).expectNext("acme=1", "globex=1").expectComplete().verify(TIMEOUT);

        clock.set(Instant.parse("2026-12-06T05:00:00Z")); // midnight in New York
        providerCall().transform(budgets.enforce("openai", "gpt-4o"))
                .contextWrite(Spectra.metadata("tenant_id", "acme"))
                .as(StepVerifier::create).expectNextCount(1).expectComplete().verify(TIMEOUT);
        budgets.status().map(s -> s.subject() + "=" + s.line(BudgetDimension.REQUESTS).spent())
                .as(StepVerifier::create).expectNext("acme=1").expectComplete().verify(TIMEOUT);
        assertThat(db.column("SELECT subject || ' ' || window_start::text || ' ' || spent_requests FROM \""
                + schema.name() + "\".spectra_budget_spend ORDER BY window_start, subject", String.class))
                .containsExactly("acme 2026-12-05 05:00:00+00 1", "globex 2026-12-05 05:00:00+00 1",
                        "acme 2026-12-06 05:00:00+00 1");
    }

    @Test
    void aTopUpAddsToTheSameReservationAndASettlementReleasesItAll(TestDatabase db) {
        SpectraSchema schema = schema(db, "budget_store");
        R2dbcBudgetStore store = instance(db, schema);
        BudgetWindow day = BudgetPeriod.daily(ZoneOffset.UTC).window(T0);
        BudgetStore.Key key = new BudgetStore.Key("b", "s", day);
        UUID call = UUID.randomUUID();
        dev.spectra.reactive.budget.BudgetLimits limits =
                new dev.spectra.reactive.budget.BudgetLimits(new BigDecimal("1.00"), 1000L, null);
        Instant expires = T0.plusSeconds(60);

        assertThat(store.reserve(key, call, Spend.of("0.40", 100, 1), limits, T0, expires).block(TIMEOUT).granted())
                .isTrue();
        assertThat(store.reserve(key, call, Spend.of("0.50", 100, 0), limits, T0, expires).block(TIMEOUT).granted())
                .isTrue();
        BudgetStore.Reservation refused = store.reserve(key, UUID.randomUUID(), Spend.of("0.20", 1, 1), limits, T0,
                expires).block(TIMEOUT);
        assertThat(refused.granted()).isFalse();
        assertThat(refused.counters().reserved()).isEqualTo(Spend.of("0.90", 200, 1));

        BudgetStore.Settlement s = store.settle(key, call, Spend.of("0.30", 150, 1)).block(TIMEOUT);
        assertThat(s.spentBefore()).isEqualTo(Spend.ZERO);
        assertThat(s.after()).isEqualTo(new BudgetStore.Counters(Spend.of("0.30", 150, 1), Spend.ZERO));
        // settling again (a retried settlement) adds the spend but releases nothing more
        BudgetStore.Settlement again = store.settle(key, call, Spend.of("0", 0, 0)).block(TIMEOUT);
        assertThat(again.after().reserved()).isEqualTo(Spend.ZERO);
        store.subjects("b", day, T0).as(StepVerifier::create)
                .expectNext(new BudgetStore.SubjectCounters("s", new BudgetStore.Counters(Spend.of("0.30", 150, 1),
                        Spend.ZERO)))
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void twoInstancesOf500ConcurrentCallsEachNeverPassARollingOneDollarLimitAndItsSpendLeavesWithTime(TestDatabase db) {
        SpectraSchema schema = schema(db, "budget_rolling_proof");
        Budget last24Hours = Budget.builder("last-24h").period(BudgetPeriod.rolling(Duration.ofHours(24)))
                .usd("1.00").hard().build();
        SpectraBudgets a = budgets(instance(db, schema), last24Hours);
        SpectraBudgets b = budgets(instance(db, schema), last24Hours);

        List<Outcomes> first = Flux.merge(burst(a, 500), burst(b, 500)).collectList().block(TIMEOUT);
        assertThat(first.stream().mapToInt(Outcomes::passed).sum()).isEqualTo(100);
        assertThat(providerCalls).hasValue(100);

        // 23 h 59 min on: the 10:15 bucket is still in the window, nothing passes
        clock.set(T0.plus(Duration.ofHours(24)).minusSeconds(1));
        assertThat(Flux.merge(burst(a, 50), burst(b, 50)).map(Outcomes::passed).reduce(0, Integer::sum)
                .block(TIMEOUT)).isZero();

        // 24 h on: it has left; again exactly 100 of 1000 racing calls pass
        clock.set(T0.plus(Duration.ofHours(24)));
        List<Outcomes> second = Flux.merge(burst(a, 500), burst(b, 500)).collectList().block(TIMEOUT);
        assertThat(second.stream().mapToInt(Outcomes::passed).sum()).isEqualTo(100);
        assertThat(providerCalls).hasValue(200);
        assertThat(a.storeFailures() + b.storeFailures()).isZero();
        a.status("last-24h", "").as(StepVerifier::create).assertNext(s -> {
            assertThat(s.line(BudgetDimension.USD).spent()).isEqualByComparingTo("1.00");
            assertThat(s.line(BudgetDimension.USD).reserved()).isEqualByComparingTo("0");
        }).expectComplete().verify(TIMEOUT);
        assertThat(db.column("SELECT bucket_start::text || ' ' || spent_usd::text || ' ' || spent_requests || ' '"
                + " || rolled_out FROM \"" + schema.name() + "\".spectra_budget_buckets ORDER BY bucket_start",
                String.class)).containsExactly("2026-12-05 10:15:00+00 1.0000000000 100 true",
                "2026-12-06 10:15:00+00 1.0000000000 100 false");
        assertThat(db.single("SELECT window_start::text || ' ' || spent_usd::text || ' ' || reserved_usd::text FROM \""
                + schema.name() + "\".spectra_budget_spend", String.class))
                .isEqualTo("1970-01-01 00:00:00+00 1.0000000000 0.0000000000");
    }

    @Test
    void aRollingWindowForgetsSpendBucketByBucketAcrossInstances(TestDatabase db) {
        SpectraSchema schema = schema(db, "budget_rolling");
        R2dbcBudgetStore storeA = instance(db, schema);
        R2dbcBudgetStore storeB = instance(db, schema);
        BudgetPeriod lastHour = BudgetPeriod.rolling(Duration.ofHours(1), Duration.ofMinutes(10));
        for (int minute : new int[] {0, 10, 20}) {
            Instant at = Instant.parse("2026-12-05T10:00:00Z").plus(Duration.ofMinutes(minute));
            R2dbcBudgetStore store = minute == 10 ? storeB : storeA;
            store.settle(new BudgetStore.Key("b", "t1", lastHour.window(at)), UUID.randomUUID(),
                    Spend.of("0.1" + minute / 10, 10, 1)).block(TIMEOUT);
        }
        assertThat(rollingSpent(storeB, lastHour, "2026-12-05T10:59:59Z")).isEqualTo(Spend.of("0.33", 30, 3));
        assertThat(rollingSpent(storeA, lastHour, "2026-12-05T11:00:00Z")).isEqualTo(Spend.of("0.23", 20, 2));
        assertThat(rollingSpent(storeB, lastHour, "2026-12-05T11:15:00Z")).isEqualTo(Spend.of("0.12", 10, 1));
        assertThat(rollingSpent(storeA, lastHour, "2026-12-05T11:20:00Z")).isEqualTo(Spend.ZERO);

        // a reservation holds headroom until it expires, then stops counting
        dev.spectra.reactive.budget.BudgetLimits oneDollar =
                new dev.spectra.reactive.budget.BudgetLimits(new BigDecimal("1.00"), null, null);
        Instant t = Instant.parse("2026-12-05T11:20:00Z");
        BudgetStore.Key key = new BudgetStore.Key("b", "t1", lastHour.window(t));
        UUID longCall = UUID.randomUUID();
        assertThat(storeA.reserve(key, longCall, Spend.of("0.80", 0, 1), oneDollar, t, t.plusSeconds(600))
                .block(TIMEOUT).granted()).isTrue();
        assertThat(storeB.reserve(key, UUID.randomUUID(), Spend.of("0.30", 0, 1), oneDollar, t.plusSeconds(599),
                t.plusSeconds(1200)).block(TIMEOUT).granted()).isFalse();
        BudgetStore.Reservation afterExpiry = storeB.reserve(key, UUID.randomUUID(), Spend.of("0.30", 0, 1),
                oneDollar, t.plusSeconds(600), t.plusSeconds(1200)).block(TIMEOUT);
        assertThat(afterExpiry.granted()).isTrue();
        assertThat(afterExpiry.counters()).isEqualTo(new BudgetStore.Counters(Spend.ZERO, Spend.of("0.30", 0, 1)));

        // the expired call ends two hours later: its bucket has left the window, its spend counts nowhere
        Instant late = t.plus(Duration.ofHours(2));
        assertThat(rollingSpent(storeA, lastHour, late.toString())).isEqualTo(Spend.ZERO);
        storeA.settle(key, longCall, Spend.of("0.40", 0, 1)).block(TIMEOUT);
        assertThat(rollingSpent(storeB, lastHour, late.toString())).isEqualTo(Spend.ZERO);
        assertThat(db.single("SELECT spent_usd::text || ' ' || rolled_out FROM \"" + schema.name()
                + "\".spectra_budget_buckets WHERE bucket_start = '2026-12-05T11:20:00Z'", String.class))
                .isEqualTo("0.4000000000 true");
    }

    private static Spend rollingSpent(R2dbcBudgetStore store, BudgetPeriod period, String at) {
        Instant now = Instant.parse(at);
        return store.counters(new BudgetStore.Key("b", "t1", period.window(now)), now).block(TIMEOUT).spent();
    }

    /** A wall clock the test sets by hand. */
    private static final class HandClock extends Clock {
        private final AtomicReference<Instant> now;

        HandClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void set(Instant instant) {
            now.set(instant);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
