package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * One budget: the calls it counts ({@link BudgetScope}), when its spend resets ({@link BudgetPeriod}), what it
 * allows ({@link BudgetLimits}), whether a call that would cross a limit is refused ({@code hard}) or only reported
 * (soft), and the percentages of a limit at which a {@link BudgetEvent} is emitted.
 *
 * <pre>{@code
 * Budget perTenant = Budget.builder("tenant-daily")
 *         .scope(BudgetScope.metadata("tenant_id"))
 *         .period(BudgetPeriod.daily(ZoneId.of("Europe/Paris")))
 *         .usd("10.00").requests(2_000)
 *         .hard()
 *         .thresholds(50, 80, 100)
 *         .build();
 * }</pre>
 *
 * @param name the budget's name, unique among a {@link SpectraBudgets}' budgets: its spend is stored under it
 * @param scope the calls it counts
 * @param period when its spend resets
 * @param limits what it allows
 * @param hard whether a call that would cross a limit is refused
 * @param thresholds percentages of a limit (1 to 1000, ascending, no repeats) at which an event is emitted
 * @since 0.2
 */
public record Budget(String name, BudgetScope scope, BudgetPeriod period, BudgetLimits limits, boolean hard,
                     List<Integer> thresholds) {

    /** The thresholds of a budget built without any: 50, 80 and 100 percent. */
    public static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);

    /**
     * Checks the budget.
     *
     * @param name its name, 1 to 200 characters
     * @param scope the calls it counts
     * @param period when it resets
     * @param limits what it allows
     * @param hard whether it refuses
     * @param thresholds percentages
     */
    public Budget {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("a budget name is 1 to 200 characters, not blank: \"" + name + "\"");
        }
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(limits, "limits");
        TreeSet<Integer> sorted = new TreeSet<>();
        for (Integer t : thresholds) {
            if (t == null || t < 1 || t > 1000) {
                throw new IllegalArgumentException("budget \"" + name + "\": a threshold is a percentage from 1 to "
                        + "1000, was " + t);
            }
            sorted.add(t);
        }
        thresholds = List.copyOf(sorted);
    }

    /**
     * @param name the budget's name
     * @return a builder: global scope, daily in UTC, hard, thresholds {@link #DEFAULT_THRESHOLDS}; set a limit
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link Budget}. */
    public static final class Builder {
        private final String name;
        private BudgetScope scope = BudgetScope.global();
        private BudgetPeriod period = BudgetPeriod.daily(java.time.ZoneOffset.UTC);
        private @Nullable BigDecimal usd;
        private @Nullable Long tokens;
        private @Nullable Long requests;
        private boolean hard = true;
        private List<Integer> thresholds = DEFAULT_THRESHOLDS;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * @param scope the calls counted (default {@link BudgetScope#global()})
         * @return this builder
         */
        public Builder scope(BudgetScope scope) {
            this.scope = Objects.requireNonNull(scope, "scope");
            return this;
        }

        /**
         * @param period when the spend resets (default daily in UTC)
         * @return this builder
         */
        public Builder period(BudgetPeriod period) {
            this.period = Objects.requireNonNull(period, "period");
            return this;
        }

        /**
         * @param usd the limit in US dollars, e.g. {@code "10.00"}
         * @return this builder
         */
        public Builder usd(String usd) {
            return usd(new BigDecimal(Objects.requireNonNull(usd, "usd")));
        }

        /**
         * @param usd the limit in US dollars
         * @return this builder
         */
        public Builder usd(BigDecimal usd) {
            this.usd = Objects.requireNonNull(usd, "usd");
            return this;
        }

        /**
         * @param tokens the limit in total tokens
         * @return this builder
         */
        public Builder tokens(long tokens) {
            this.tokens = tokens;
            return this;
        }

        /**
         * @param requests the limit in calls
         * @return this builder
         */
        public Builder requests(long requests) {
            this.requests = requests;
            return this;
        }

        /**
         * A call that would cross a limit is refused (the default).
         *
         * @return this builder
         */
        public Builder hard() {
            this.hard = true;
            return this;
        }

        /**
         * Calls are never refused; crossing a threshold or the limit only emits events.
         *
         * @return this builder
         */
        public Builder soft() {
            this.hard = false;
            return this;
        }

        /**
         * @param percentages percentages of a limit at which an event is emitted (default 50, 80, 100)
         * @return this builder
         */
        public Builder thresholds(int... percentages) {
            this.thresholds = java.util.Arrays.stream(percentages).boxed().toList();
            return this;
        }

        /**
         * @return the budget
         * @throws IllegalArgumentException when no limit is set, or a value is out of range
         */
        public Budget build() {
            return new Budget(name, scope, period, new BudgetLimits(usd, tokens, requests), hard, thresholds);
        }
    }
}
