package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.spectra.reactive.Cost;

/**
 * Where one subject of a budget stands in its current period: per limited unit, the limit, what is spent, what is
 * reserved by calls in flight, what remains, and a forecast of the spend at the period's end. The numbers a
 * dashboard shows and a gauge reads ({@link Line#spentValue()} ...).
 *
 * @param budget the budget's name
 * @param scope the budget's scope, as text (e.g. {@code metadata:tenant_id})
 * @param subject the subject, empty for a budget not split by value
 * @param hard whether the budget refuses calls
 * @param window the current period
 * @param at when the status was taken
 * @param lines one per limited unit
 * @param thresholds the budget's thresholds, percentages of each limit at which an event is emitted
 * @since 0.2
 */
public record BudgetStatus(String budget, String scope, String subject, boolean hard, BudgetWindow window,
                           Instant at, List<Line> lines, List<Integer> thresholds) {

    /**
     * Copies the lines.
     *
     * @param budget the budget's name
     * @param scope its scope
     * @param subject the subject
     * @param hard whether it is hard
     * @param window the period
     * @param at when
     * @param lines the lines
     * @param thresholds the thresholds
     */
    public BudgetStatus {
        lines = List.copyOf(lines);
        thresholds = List.copyOf(thresholds);
    }

    /**
     * One unit of a budget's status.
     *
     * @param dimension the unit
     * @param limit the limit
     * @param spent settled spend
     * @param reserved reserved by calls in flight
     * @param remaining limit minus spent and reserved, at least zero
     * @param forecast the settled spend extrapolated linearly to the period's end; for a rolling window, which never
     *        ends, the settled spend (what the window holds at the current rate)
     * @param percentUsed spent as a percentage of the limit (two decimals; 100 when the limit is zero and anything
     *        is spent)
     */
    public record Line(BudgetDimension dimension, BigDecimal limit, BigDecimal spent, BigDecimal reserved,
                       BigDecimal remaining, BigDecimal forecast, BigDecimal percentUsed) {

        /**
         * @return the spend as a double, for a gauge
         */
        public double spentValue() {
            return spent.doubleValue();
        }

        /**
         * @return the limit as a double, for a gauge
         */
        public double limitValue() {
            return limit.doubleValue();
        }

        /**
         * @return the reservations as a double, for a gauge
         */
        public double reservedValue() {
            return reserved.doubleValue();
        }

        /**
         * @return what remains as a double, for a gauge
         */
        public double remainingValue() {
            return remaining.doubleValue();
        }

        /**
         * @return the forecast as a double, for a gauge
         */
        public double forecastValue() {
            return forecast.doubleValue();
        }
    }

    /**
     * @param dimension a unit
     * @return its line, or null when the budget does not limit it
     */
    public @org.jspecify.annotations.Nullable Line line(BudgetDimension dimension) {
        for (Line l : lines) {
            if (l.dimension() == dimension) {
                return l;
            }
        }
        return null;
    }

    static BudgetStatus of(Budget budget, String subject, BudgetWindow window, Instant now,
                           BudgetStore.Counters counters) {
        List<Line> lines = new ArrayList<>(3);
        Duration elapsed = Duration.between(window.start(), now);
        for (BudgetDimension d : budget.limits().dimensions()) {
            BigDecimal limit = java.util.Objects.requireNonNull(budget.limits().limit(d));
            BigDecimal spent = counters.spent().amount(d);
            BigDecimal reserved = counters.reserved().amount(d);
            BigDecimal remaining = limit.subtract(spent).subtract(reserved).max(BigDecimal.ZERO);
            BigDecimal forecast = window.rolling() || elapsed.isNegative() || elapsed.isZero() ? spent
                    : spent.multiply(BigDecimal.valueOf(window.length().toMillis()))
                            .divide(BigDecimal.valueOf(Math.max(1, elapsed.toMillis())), Cost.SCALE,
                                    RoundingMode.HALF_UP);
            BigDecimal percent = limit.signum() == 0 ? (spent.signum() > 0 ? BigDecimal.valueOf(100) : BigDecimal.ZERO)
                    : spent.multiply(BigDecimal.valueOf(100)).divide(limit, 2, RoundingMode.HALF_UP);
            if (d != BudgetDimension.USD) {
                forecast = forecast.setScale(0, RoundingMode.HALF_UP);
            }
            lines.add(new Line(d, limit, spent, reserved, remaining, forecast, percent));
        }
        return new BudgetStatus(budget.name(), budget.scope().toString(), subject, budget.hard(), window, now, lines,
                budget.thresholds());
    }
}
