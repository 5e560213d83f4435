package dev.spectra.reactive.r2dbc.internal;

import java.util.List;

/**
 * The batch insert: one statement for any number of rows, every value bound.
 *
 * <p>Each column travels as one array parameter and {@code unnest} zips the arrays back into rows, so the SQL
 * text and the parameter count (one per column: {@link #COLUMN_COUNT}) are the same for a batch of 1 or 10,000:
 * one prepared statement, one round trip, no per-row {@code Bind/Execute} exchange (which is what
 * {@code Statement.add()} costs in r2dbc-postgresql) and no risk of the 32,767-parameter limit of multi-row
 * {@code VALUES}. {@code jsonb} columns travel as {@code text[]} cast per element, because the driver has no
 * {@code Json[]} codec. The sink binds each array as its text literal ({@link LiteralBatch}).
 *
 * <p>{@code ON CONFLICT DO NOTHING} makes the statement idempotent: a retried batch skips the rows already
 * stored (primary key {@code id}), and a record whose {@code (provider, response_id)} is already stored is
 * skipped too (the same call captured twice).
 */
public final class RequestInsert {

    /** Columns in insert (and parameter) order, with the array type each is bound as. */
    private static final String[][] COLUMNS = {
            {"id", "uuid[]"},
            {"trace_id", "text[]"},
            {"response_id", "text[]"},
            {"provider", "text[]"},
            {"model", "text[]"},
            {"response_model", "text[]"},
            {"model_type", "text[]"},
            {"endpoint", "text[]"},
            {"operation", "text[]"},
            {"http_status", "int4[]"},
            {"outcome", "text[]"},
            {"error_type", "text[]"},
            {"error_message", "text[]"},
            {"finish_reason", "text[]"},
            {"tool_call_counts", "text[]"},
            {"streaming", "bool[]"},
            {"input_tokens", "int8[]"},
            {"output_tokens", "int8[]"},
            {"cached_input_tokens", "int8[]"},
            {"cache_write_tokens", "int8[]"},
            {"reasoning_tokens", "int8[]"},
            {"total_tokens", "int8[]"},
            {"images", "int8[]"},
            {"audio_seconds", "numeric[]"},
            {"characters", "int8[]"},
            {"cache_write_1h_tokens", "int8[]"},
            {"audio_input_tokens", "int8[]"},
            {"audio_output_tokens", "int8[]"},
            {"image_input_tokens", "int8[]"},
            {"image_output_tokens", "int8[]"},
            {"input_cost", "numeric[]"},
            {"output_cost", "numeric[]"},
            {"total_cost", "numeric[]"},
            {"pricing_tier", "text[]"},
            {"pricing_status", "text[]"},
            {"latency_ms", "int8[]"},
            {"time_to_first_token_ms", "int8[]"},
            {"tokens_per_second", "float8[]"},
            {"chunk_count", "int4[]"},
            {"trackable_type", "text[]"},
            {"trackable_id", "text[]"},
            {"conversation_id", "text[]"},
            {"tags", "text[]"},
            {"metadata", "text[]"},
            {"started_at", "timestamptz[]"},
            {"completed_at", "timestamptz[]"},
    };

    private static final List<String> JSONB = List.of("tool_call_counts", "tags", "metadata");

    /** Number of columns, and of bound arrays. */
    public static final int COLUMN_COUNT = COLUMNS.length;

    private RequestInsert() {
    }

    /**
     * The statement for a table.
     *
     * @param qualifiedTable the quoted, schema-qualified table name
     * @return {@code INSERT … SELECT … FROM unnest($1::uuid[], …) … ON CONFLICT DO NOTHING}
     */
    public static String sql(String qualifiedTable) {
        StringBuilder names = new StringBuilder();
        StringBuilder select = new StringBuilder();
        StringBuilder arrays = new StringBuilder();
        for (int i = 0; i < COLUMNS.length; i++) {
            String name = COLUMNS[i][0];
            String sep = i == 0 ? "" : ", ";
            names.append(sep).append(name);
            select.append(sep).append("u.").append(name).append(JSONB.contains(name) ? "::jsonb" : "");
            arrays.append(sep).append('$').append(i + 1).append("::").append(COLUMNS[i][1]);
        }
        return "INSERT INTO " + qualifiedTable + " (" + names + ")\nSELECT " + select + "\nFROM unnest(" + arrays
                + ")\n  AS u(" + names + ")\nON CONFLICT DO NOTHING";
    }

    /**
     * The column names in insert order, for tools that write the same rows another way (the benchmark's
     * {@code COPY}).
     *
     * @return the names
     */
    public static List<String> columnNames() {
        String[] names = new String[COLUMNS.length];
        for (int i = 0; i < COLUMNS.length; i++) {
            names[i] = COLUMNS[i][0];
        }
        return List.of(names);
    }
}
