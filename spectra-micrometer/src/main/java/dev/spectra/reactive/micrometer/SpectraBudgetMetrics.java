package dev.spectra.reactive.micrometer;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

import dev.spectra.reactive.budget.Budget;
import dev.spectra.reactive.budget.BudgetDimension;
import dev.spectra.reactive.budget.BudgetStatus;
import dev.spectra.reactive.budget.SpectraBudgets;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Publishes where each budget of a {@link SpectraBudgets} stands as gauges. Reading a budget's status may query
 * its store (PostgreSQL), so the gauges never read it: they show the values of the last {@link #refresh()}, which
 * {@link #start(Duration)} runs in the background at a fixed interval. Before the first refresh, and for a budget
 * whose refresh failed, the gauges keep what they had ({@code NaN} at first); failed refreshes are counted.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>value</th></tr>
 *   <tr><td>{@value #LIMIT}</td><td>gauge</td><td>the budget's limit in the unit</td></tr>
 *   <tr><td>{@value #SPENT}</td><td>gauge</td><td>settled spend in the current period</td></tr>
 *   <tr><td>{@value #RESERVED}</td><td>gauge</td><td>reserved by calls in flight</td></tr>
 *   <tr><td>{@value #REMAINING}</td><td>gauge</td><td>limit minus spent and reserved, at least zero</td></tr>
 *   <tr><td>{@value #SUBJECTS}</td><td>gauge</td><td>subjects with spend in the period (budgets split by
 *       value)</td></tr>
 *   <tr><td>{@value #REFRESH_FAILURES}</td><td>counter</td><td>refreshes that failed or timed out</td></tr>
 * </table>
 *
 * <p>Tags stay bounded: {@value #BUDGET} (the budget's name) and {@value #DIMENSION} ({@code usd}, {@code tokens}
 * or {@code requests}). A budget split by value (one limit per tenant, for example) is not tagged by subject: its
 * gauges show the subject nearest its limit (the least remaining, then the most spent), and {@value #SUBJECTS}
 * how many subjects spent in the period.
 *
 * @since 0.2
 */
public final class SpectraBudgetMetrics implements MeterBinder, AutoCloseable {

    /** The budget's limit. */
    public static final String LIMIT = "spectra.budget.limit";
    /** Settled spend in the current period. */
    public static final String SPENT = "spectra.budget.spent";
    /** Reserved by calls in flight. */
    public static final String RESERVED = "spectra.budget.reserved";
    /** Limit minus spent and reserved, at least zero. */
    public static final String REMAINING = "spectra.budget.remaining";
    /** Subjects with spend or reservations in the period, for a budget split by value. */
    public static final String SUBJECTS = "spectra.budget.subjects";
    /** Refreshes that failed or did not finish within the interval. */
    public static final String REFRESH_FAILURES = "spectra.budget.refresh.failures";
    /** The tag naming the budget. */
    public static final String BUDGET = "budget";
    /** The tag naming the limited unit. */
    public static final String DIMENSION = "dimension";

    private static final System.Logger LOG = System.getLogger(SpectraBudgetMetrics.class.getName());

    private final SpectraBudgets budgets;
    private final AtomicReference<Map<String, Snapshot>> last = new AtomicReference<>(Map.of());
    private final AtomicLong refreshFailures = new AtomicLong();
    private final AtomicReference<@Nullable Disposable> refreshing = new AtomicReference<>();

    private SpectraBudgetMetrics(SpectraBudgets budgets) {
        this.budgets = budgets;
    }

    /**
     * @param budgets the budgets whose status to publish
     * @return the binder; nothing is read until {@link #refresh()} or {@link #start(Duration)}
     */
    public static SpectraBudgetMetrics of(SpectraBudgets budgets) {
        return new SpectraBudgetMetrics(Objects.requireNonNull(budgets, "budgets"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        for (Budget budget : budgets.budgets()) {
            for (BudgetDimension dimension : budget.limits().dimensions()) {
                BigDecimal limit = Objects.requireNonNull(budget.limits().limit(dimension));
                gauge(registry, LIMIT, "The budget's limit", budget, dimension, m -> limit.doubleValue());
                gauge(registry, SPENT, "Spend settled in the budget's current period", budget, dimension,
                        m -> m.value(budget.name(), dimension, BudgetStatus.Line::spentValue));
                gauge(registry, RESERVED, "Spend reserved by calls in flight", budget, dimension,
                        m -> m.value(budget.name(), dimension, BudgetStatus.Line::reservedValue));
                gauge(registry, REMAINING, "The budget's limit minus spent and reserved", budget, dimension,
                        m -> m.value(budget.name(), dimension, BudgetStatus.Line::remainingValue));
            }
            if (budget.scope().splitsByValue()) {
                Gauge.builder(SUBJECTS, this, m -> m.subjects(budget.name()))
                        .description("Subjects with spend or reservations in the budget's current period")
                        .tag(BUDGET, budget.name()).strongReference(true).register(registry);
            }
        }
        FunctionCounter.builder(REFRESH_FAILURES, refreshFailures, AtomicLong::get)
                .description("Refreshes of the budget gauges that failed or timed out").register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, Budget budget,
                       BudgetDimension dimension, ToDoubleFunction<SpectraBudgetMetrics> value) {
        Gauge.builder(name, this, value).description(description).tag(BUDGET, budget.name())
                .tag(DIMENSION, dimension.id()).strongReference(true).register(registry);
    }

    /**
     * Reads every budget's status and keeps it for the gauges. A failure keeps the previous values and is counted,
     * never signalled.
     *
     * @return completes when the values are kept (or the failure counted)
     */
    public Mono<Void> refresh() {
        return budgets.status().collectList()
                .doOnNext(statuses -> last.set(snapshots(statuses)))
                .then()
                .onErrorResume(e -> {
                    failed(e);
                    return Mono.empty();
                });
    }

    /**
     * Refreshes now and then every {@code interval} on Reactor's parallel scheduler, until {@link #close()}.
     *
     * @param interval time between refreshes, at least 100 ms; a refresh still running after it is cut and counted
     *        as failed
     * @return this
     * @throws IllegalStateException when already started
     */
    public SpectraBudgetMetrics start(Duration interval) {
        return start(interval, Schedulers.parallel());
    }

    /**
     * Refreshes now and then every {@code interval} on a scheduler, until {@link #close()}.
     *
     * @param interval time between refreshes, at least 100 ms; a refresh still running after it is cut and counted
     *        as failed
     * @param scheduler the scheduler the interval runs on (a virtual-time one in tests)
     * @return this
     * @throws IllegalStateException when already started
     */
    public SpectraBudgetMetrics start(Duration interval, Scheduler scheduler) {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(scheduler, "scheduler");
        if (interval.toMillis() < 100) {
            throw new IllegalArgumentException("the budget gauges' refresh interval must be at least 100 ms, was "
                    + interval);
        }
        Disposable task = Flux.interval(Duration.ZERO, interval, scheduler)
                .onBackpressureDrop()
                // one refresh at a time, ticks during a refresh are dropped
                .concatMap(tick -> refresh().timeout(interval, scheduler).onErrorResume(e -> {
                    failed(e);
                    return Mono.empty();
                }), 0)
                .subscribe();
        if (!refreshing.compareAndSet(null, task)) {
            task.dispose();
            throw new IllegalStateException(Objects.requireNonNull(refreshing.get()).isDisposed()
                    ? "the budget gauges are closed" : "the budget gauges are already refreshed in the background");
        }
        return this;
    }

    /** Stops the background refresh; the gauges keep their last values. */
    @Override
    public void close() {
        Disposable task = refreshing.getAndSet(Disposables.disposed());
        if (task != null) {
            task.dispose();
        }
    }

    private void failed(Throwable e) {
        refreshFailures.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "could not refresh the budget gauges: " + e);
    }

    private double value(String budget, BudgetDimension dimension, ToDoubleFunction<BudgetStatus.Line> value) {
        Snapshot snapshot = last.get().get(budget);
        BudgetStatus.Line line = snapshot == null ? null : snapshot.lines.get(dimension);
        return line == null ? Double.NaN : value.applyAsDouble(line);
    }

    private double subjects(String budget) {
        Snapshot snapshot = last.get().get(budget);
        return snapshot == null ? Double.NaN : snapshot.subjects;
    }

    private Map<String, Snapshot> snapshots(List<BudgetStatus> statuses) {
        Map<String, Map<BudgetDimension, BudgetStatus.Line>> nearest = new HashMap<>();
        Map<String, Integer> subjects = new HashMap<>();
        for (BudgetStatus status : statuses) {
            subjects.merge(status.budget(), 1, Integer::sum);
            Map<BudgetDimension, BudgetStatus.Line> lines = nearest.computeIfAbsent(status.budget(),
                    b -> new HashMap<>());
            for (BudgetStatus.Line line : status.lines()) {
                lines.merge(line.dimension(), line, SpectraBudgetMetrics::nearerTheLimit);
            }
        }
        Map<String, Snapshot> snapshots = new HashMap<>();
        for (Budget budget : budgets.budgets()) {
            Map<BudgetDimension, BudgetStatus.Line> lines = nearest.getOrDefault(budget.name(), Map.of());
            Map<BudgetDimension, BudgetStatus.Line> complete = new HashMap<>(lines);
            for (BudgetDimension dimension : budget.limits().dimensions()) {
                // a budget split by value with no subject in the period: nothing spent, all of the limit remains
                BigDecimal limit = Objects.requireNonNull(budget.limits().limit(dimension));
                complete.putIfAbsent(dimension, new BudgetStatus.Line(dimension, limit, BigDecimal.ZERO,
                        BigDecimal.ZERO, limit, BigDecimal.ZERO, BigDecimal.ZERO));
            }
            snapshots.put(budget.name(), new Snapshot(Map.copyOf(complete),
                    subjects.getOrDefault(budget.name(), 0)));
        }
        return Map.copyOf(snapshots);
    }

    private static BudgetStatus.Line nearerTheLimit(BudgetStatus.Line a, BudgetStatus.Line b) {
        int remaining = a.remaining().compareTo(b.remaining());
        if (remaining != 0) {
            return remaining < 0 ? a : b;
        }
        return a.spent().compareTo(b.spent()) >= 0 ? a : b;
    }

    @Override
    public String toString() {
        Disposable task = refreshing.get();
        return "SpectraBudgetMetrics{" + budgets.budgets().stream().map(Budget::name).toList() + ", refreshing="
                + (task != null && !task.isDisposed()) + "}";
    }

    /** The last values of one budget. */
    private record Snapshot(Map<BudgetDimension, BudgetStatus.Line> lines, int subjects) {
    }
}
