package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What a group of requests cost, read from the daily spend rollups by {@link SpectraRequests#spend}: the same sums
 * as {@link UsageTotals} for requests, unpriced requests, cost and tokens, without what a rollup cannot keep
 * (latency percentiles, failures, cached and reasoning tokens).
 *
 * @param group the group's value, formatted as {@link UsageTotals#group()} formats it; null for
 *        {@link Grouping#none()} and for requests attributed to no owner when grouping by owner
 * @param requests number of requests
 * @param unpricedRequests requests without a cost (model not priced or usage unknown)
 * @param cost sum of known costs, USD, scale 10
 * @param inputTokens sum of input tokens (saturated at {@link Long#MAX_VALUE}, as are the other token sums)
 * @param outputTokens sum of output tokens
 * @param totalTokens sum of total tokens
 * @since 0.2
 */
public record SpendTotals(@Nullable String group, long requests, long unpricedRequests, BigDecimal cost,
                          long inputTokens, long outputTokens, long totalTokens) {

    /**
     * Checks the cost is present.
     *
     * @param group the group's value
     * @param requests number of requests
     * @param unpricedRequests requests without a cost
     * @param cost sum of known costs, USD
     * @param inputTokens input tokens
     * @param outputTokens output tokens
     * @param totalTokens total tokens
     */
    public SpendTotals {
        Objects.requireNonNull(cost, "cost");
    }
}
