package dev.spectra.reactive.r2dbc;

/**
 * What a search is ordered by. Ties are broken by the request id, so the order is total and keyset paging is
 * stable. Requests without a value (unknown cost, unknown tokens) come last in both directions.
 *
 * @since 0.1
 */
public enum RequestSort {
    /** By start time ({@code started_at}). */
    STARTED_AT("started_at", false),
    /** By total cost in USD ({@code total_cost}); unpriced requests last. */
    TOTAL_COST("total_cost", true),
    /** By total tokens ({@code total_tokens}); requests with unknown usage last. */
    TOTAL_TOKENS("total_tokens", true),
    /** By latency ({@code latency_ms}). */
    LATENCY("latency_ms", false);

    private final String column;
    private final boolean nullable;

    RequestSort(String column, boolean nullable) {
        this.column = column;
        this.nullable = nullable;
    }

    String column() {
        return column;
    }

    boolean nullable() {
        return nullable;
    }
}
