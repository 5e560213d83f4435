package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What a group of requests consumed and cost. Requests with unknown usage add nothing to the token sums, and
 * unpriced requests nothing to the cost: {@link #unpricedRequests()} says how many there were, so a total is
 * never mistaken for complete.
 *
 * @param group the group's value (provider, model, ISO date or metadata value as text); null for
 *        {@link Grouping#none()} and for requests without the metadata key
 * @param requests number of requests
 * @param inputTokens sum of input tokens
 * @param outputTokens sum of output tokens
 * @param totalTokens sum of total tokens
 * @param cachedInputTokens sum of input tokens read from the provider's cache (part of the input tokens)
 * @param reasoningTokens sum of reasoning tokens (part of the output tokens)
 * @param failedRequests requests whose outcome is {@code failure}
 * @param totalCost sum of known costs, USD, scale 10
 * @param unpricedRequests requests without a cost (model not priced or usage unknown)
 * @param averageLatencyMs mean latency in milliseconds, null when there are no requests
 * @param p95LatencyMs 95th percentile of latency in milliseconds, interpolated between the two nearest
 *        ({@code percentile_cont(0.95)}), null when there are no requests
 * @since 0.1
 */
public record UsageTotals(@Nullable String group, long requests, long inputTokens, long outputTokens,
                          long totalTokens, long cachedInputTokens, long reasoningTokens, long failedRequests,
                          BigDecimal totalCost, long unpricedRequests,
                          @Nullable Double averageLatencyMs, @Nullable Double p95LatencyMs) {

    /**
     * Checks the cost is present.
     *
     * @param group the group's value
     * @param requests number of requests
     * @param inputTokens sum of input tokens
     * @param outputTokens sum of output tokens
     * @param totalTokens sum of total tokens
     * @param cachedInputTokens sum of cached input tokens
     * @param reasoningTokens sum of reasoning tokens
     * @param failedRequests requests that failed
     * @param totalCost sum of known costs, USD
     * @param unpricedRequests requests without a cost
     * @param averageLatencyMs mean latency, null when empty
     * @param p95LatencyMs p95 latency, null when empty
     */
    public UsageTotals {
        Objects.requireNonNull(totalCost, "totalCost");
    }
}
