package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a budget: a threshold reached, a call refused, a stream cut off. Threshold events are
 * emitted once per threshold and period, by the instance whose settlement crossed it (the store tells spend before
 * and after atomically), so several instances sharing a PostgreSQL store do not repeat them.
 *
 * @param type what happened
 * @param budget the budget's name
 * @param subject the subject (empty for a budget not split by value)
 * @param dimension the unit concerned
 * @param thresholdPercent the threshold reached, or null for the other types
 * @param spent what is spent in that unit (for a refusal: spent and reserved)
 * @param limit the limit in that unit
 * @param hard whether the budget is hard
 * @param periodEnd when the period ends
 * @param at when it happened
 * @since 0.2
 */
public record BudgetEvent(Type type, String budget, String subject, BudgetDimension dimension,
                          @Nullable Integer thresholdPercent, BigDecimal spent, BigDecimal limit, boolean hard,
                          Instant periodEnd, Instant at) {

    /** What happened. */
    public enum Type {
        /** The spend reached a threshold of the limit (100 is the limit itself; a soft budget may go beyond). */
        THRESHOLD_REACHED,
        /** A hard budget refused a call before the provider was called. */
        CALL_REFUSED,
        /** A hard budget cut a stream off. */
        STREAM_CUT_OFF
    }
}
