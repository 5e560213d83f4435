package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Objects;

import dev.spectra.reactive.Trackable;
import org.jspecify.annotations.Nullable;

/**
 * One row of the daily spend rollup ({@code spectra_spend_daily}): what the requests of one UTC day, provider, model
 * and owner added up to; what {@link SpectraRequests#dailySpend} returns. Read from the rollup, not from the
 * requests, so it stays cheap however many requests a day holds, and it keeps counting requests that were pruned.
 *
 * @param day the UTC day the requests started
 * @param provider the provider id
 * @param model the requested model
 * @param trackable the owner, or null for requests without one
 * @param requests how many requests
 * @param unpricedRequests how many of them have no cost (usage unknown, or model not priced)
 * @param cost the sum of the costs of the priced ones, USD
 * @param inputTokens input tokens (saturated at {@link Long#MAX_VALUE}, as are the other token sums)
 * @param outputTokens output tokens
 * @param totalTokens total tokens
 * @since 0.2
 */
public record DailySpend(LocalDate day, String provider, String model, @Nullable Trackable trackable, long requests,
                         long unpricedRequests, BigDecimal cost, long inputTokens, long outputTokens,
                         long totalTokens) {

    /**
     * Checks the arguments.
     *
     * @param day the day
     * @param provider the provider
     * @param model the model
     * @param trackable the owner, or null
     * @param requests requests
     * @param unpricedRequests unpriced requests
     * @param cost cost
     * @param inputTokens input tokens
     * @param outputTokens output tokens
     * @param totalTokens total tokens
     */
    public DailySpend {
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(cost, "cost");
    }
}
