package dev.spectra.reactive.r2dbc.internal;

import java.util.List;

import dev.spectra.reactive.RequestColumn;

/**
 * The batch insert: one statement for any number of rows, every value bound.
 *
 * <p>Each column of {@link RequestColumn} travels as one array parameter and {@code unnest} zips the arrays back
 * into rows, so the SQL text and the parameter count (one per column: {@link #COLUMN_COUNT}) are the same for a
 * batch of 1 or 10,000: one prepared statement, one round trip, no per-row {@code Bind/Execute} exchange (which is
 * what {@code Statement.add()} costs in r2dbc-postgresql) and no risk of the 32,767-parameter limit of multi-row
 * {@code VALUES}. {@code jsonb} columns travel as {@code text[]} cast per element, because the driver has no
 * {@code Json[]} codec. The sink binds each array in binary ({@link ColumnArray}) where the connection has
 * {@link ColumnArrayCodec}, else as its text literal ({@link LiteralBatch}); the SQL is the same either way.
 *
 * <p>Idempotent, and one call captured twice is stored once. The unnested batch is materialised once; its
 * {@code (provider, response_id)} pairs go first into {@link SchemaDdl#RESPONSE_IDS_TABLE} with
 * {@code ON CONFLICT DO NOTHING} (the claims), and a row with a response id is inserted into the requests only when
 * its pair was new there, whichever month's partition holds the row stored before. A row without a response id is
 * inserted with {@code ON CONFLICT DO NOTHING} on the primary key {@code (id, started_at)}, so a retried batch skips
 * the rows already stored (a retried row with a response id finds its pair already stored and is skipped the same
 * way).
 *
 * <p>The rows whose claim this statement made are inserted without {@code ON CONFLICT}: a request row with a
 * response id is only ever stored together with its claim, in one statement, and deleted together with it
 * (pruning, dropping a month), so a new claim means a row not stored yet, and a concurrent batch holding the same
 * call waits on the claim instead of on the row. That spares each row the arbiter check and the confirmation of a
 * speculative insertion. One record present twice in a batch (the same id) makes the plain insert fail with a
 * unique violation; the sink's isolation then splits the batch and the second copy finds its claim stored.
 */
public final class RequestInsert {

    /** Columns in insert (and parameter) order. */
    private static final List<RequestColumn> COLUMNS = List.of(RequestColumn.values());

    /** Number of columns, and of bound arrays. */
    public static final int COLUMN_COUNT = COLUMNS.size();

    private RequestInsert() {
    }

    /**
     * The statement for a schema.
     *
     * @param quotedSchema the quoted schema name
     * @return {@code WITH batch AS MATERIALIZED (SELECT … FROM unnest($1::uuid[], …)), ids AS (INSERT INTO
     *         spectra_response_ids … ON CONFLICT DO NOTHING RETURNING …), claimed AS (INSERT INTO spectra_requests …)
     *         INSERT INTO spectra_requests … ON CONFLICT DO NOTHING}
     */
    public static String sql(String quotedSchema) {
        return batchAndResponseIds(quotedSchema) + ",\nclaimed AS (\n" + insertClaimed(quotedSchema) + "\n)\n"
                + insertUnclaimed(quotedSchema);
    }

    /** The batch, unnested once, and the insert of its response ids, which returns the rows whose pair was new. */
    private static String batchAndResponseIds(String quotedSchema) {
        StringBuilder names = new StringBuilder();
        StringBuilder select = new StringBuilder();
        StringBuilder arrays = new StringBuilder();
        for (int i = 0; i < COLUMNS.size(); i++) {
            RequestColumn c = COLUMNS.get(i);
            ColumnCodec codec = ColumnCodec.of(c);
            String sep = i == 0 ? "" : ", ";
            names.append(sep).append(c.columnName());
            select.append(sep).append("u.").append(c.columnName());
            if (codec == ColumnCodec.JSONB) {
                select.append("::").append(c.sqlType()).append(" AS ").append(c.columnName());
            }
            arrays.append(sep).append('$').append(i + 1).append("::").append(codec.arrayType);
        }
        String key = PROVIDER + ", " + RESPONSE_ID + ", " + ID + ", " + STARTED;
        return "WITH batch AS MATERIALIZED (\nSELECT " + select + "\nFROM unnest(" + arrays + ")\n  AS u(" + names
                + ")\n),\nids AS (\nINSERT INTO " + quotedSchema + "." + SchemaDdl.RESPONSE_IDS_TABLE + " (" + key
                + ")\nSELECT " + key + " FROM batch WHERE " + RESPONSE_ID + " IS NOT NULL\nORDER BY " + PROVIDER + ", "
                + RESPONSE_ID + "\nON CONFLICT DO NOTHING"
                + "\nRETURNING " + ID + ", " + STARTED + "\n)";
    }

    /** The insert of the batch's rows whose response id this statement claimed: new rows, no conflict to check. */
    private static String insertClaimed(String quotedSchema) {
        return insertFromBatch(quotedSchema) + "\nWHERE (" + ID + ", " + STARTED + ") IN (SELECT " + ID + ", "
                + STARTED + " FROM ids)";
    }

    /** The insert of the batch's rows without a response id, skipping those stored before (a retried batch). */
    private static String insertUnclaimed(String quotedSchema) {
        return insertFromBatch(quotedSchema) + "\nWHERE " + RESPONSE_ID + " IS NULL\nON CONFLICT DO NOTHING";
    }

    private static String insertFromBatch(String quotedSchema) {
        String names = String.join(", ", columnNames());
        return "INSERT INTO " + quotedSchema + "." + SchemaDdl.REQUESTS_TABLE + " (" + names + ")\nSELECT " + names
                + " FROM batch";
    }

    /**
     * The batch insert that also adds the rows it inserted to the daily spend rollups, in the same statement and so
     * the same transaction: a row skipped as already stored (a retried batch, a call captured twice) is not counted
     * twice. {@link SchemaDdl#DAILY_SPEND_TABLE} gets every row by UTC day of {@code started_at}, provider, model and
     * owner; {@link SchemaDdl#DAILY_SPEND_METADATA_TABLE} gets, for each key of
     * {@link SchemaDdl#METADATA_DIMENSIONS_TABLE} a row's metadata holds, the row by key, value, day, provider and
     * model. An unpriced call counts in {@code requests} and {@code unpriced_requests}, not in {@code cost}. Groups
     * are upserted in key order, so concurrent batches lock rollup rows in the same order.
     *
     * @param quotedSchema the quoted schema name
     * @return {@code WITH batch …, ids …, claimed AS (INSERT … RETURNING …), unclaimed AS (INSERT … ON CONFLICT DO
     *         NOTHING RETURNING …), inserted AS (…), by_metadata AS (INSERT … ON CONFLICT … DO UPDATE) INSERT INTO
     *         spectra_spend_daily … ON CONFLICT … DO UPDATE}
     */
    public static String sqlWithDailySpend(String quotedSchema) {
        String started = RequestColumn.STARTED_AT.columnName();
        String provider = RequestColumn.PROVIDER.columnName();
        String model = RequestColumn.MODEL.columnName();
        String type = RequestColumn.TRACKABLE_TYPE.columnName();
        String id = RequestColumn.TRACKABLE_ID.columnName();
        String metadata = RequestColumn.METADATA.columnName();
        String returning = String.join(", ", started, provider, model, type, id, COST, IN, OUT, TOTAL, metadata);
        String day = "(" + started + " AT TIME ZONE 'UTC')::date";
        return batchAndResponseIds(quotedSchema) + ",\nclaimed AS (\n" + insertClaimed(quotedSchema) + "\nRETURNING "
                + returning + "\n),\nunclaimed AS (\n" + insertUnclaimed(quotedSchema) + "\nRETURNING " + returning
                + "\n),\ninserted AS (\nSELECT * FROM claimed UNION ALL SELECT * FROM unclaimed\n),\nby_metadata AS (\n"
                + "INSERT INTO " + quotedSchema + "."
                + SchemaDdl.DAILY_SPEND_METADATA_TABLE + " AS d (key, value, day, provider, model, " + SUM_COLUMNS
                + ")\nSELECT k.key, i." + metadata + " -> k.key, " + day + ", " + provider + ", " + model + ", "
                + SUMS + "\nFROM inserted i JOIN " + quotedSchema + "." + SchemaDdl.METADATA_DIMENSIONS_TABLE
                + " k ON i." + metadata + " ? k.key\nGROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5\n"
                + "ON CONFLICT (key, value, day, provider, model) DO UPDATE SET " + ADD_SUMS + "\n)\n"
                + "INSERT INTO " + quotedSchema + "." + SchemaDdl.DAILY_SPEND_TABLE + " AS d"
                + " (day, provider, model, trackable_type, trackable_id, " + SUM_COLUMNS + ")\n"
                + "SELECT " + day + ", " + provider + ", " + model + ", coalesce(" + type + ", ''), coalesce(" + id
                + ", ''), " + SUMS + "\nFROM inserted GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5\n"
                + "ON CONFLICT (day, provider, model, trackable_type, trackable_id) DO UPDATE SET " + ADD_SUMS;
    }

    private static final String ID = RequestColumn.ID.columnName();
    private static final String PROVIDER = RequestColumn.PROVIDER.columnName();
    private static final String RESPONSE_ID = RequestColumn.RESPONSE_ID.columnName();
    private static final String STARTED = RequestColumn.STARTED_AT.columnName();
    private static final String COST = RequestColumn.TOTAL_COST.columnName();
    private static final String IN = RequestColumn.INPUT_TOKENS.columnName();
    private static final String OUT = RequestColumn.OUTPUT_TOKENS.columnName();
    private static final String TOTAL = RequestColumn.TOTAL_TOKENS.columnName();

    /** The sums every rollup keeps, in column order. */
    public static final String SUM_COLUMNS = "requests, unpriced_requests, cost, input_tokens, output_tokens, "
            + "total_tokens";

    /** The sums of {@link #SUM_COLUMNS} over a group of request rows. */
    public static final String SUMS = "count(*), count(*) FILTER (WHERE " + COST + " IS NULL), coalesce(sum(" + COST
            + "), 0.0000000000), coalesce(sum(" + IN + "), 0), coalesce(sum(" + OUT + "), 0), coalesce(sum(" + TOTAL
            + "), 0)";

    private static final String ADD_SUMS = "requests = d.requests + excluded.requests,"
            + " unpriced_requests = d.unpriced_requests + excluded.unpriced_requests,"
            + " cost = d.cost + excluded.cost, input_tokens = d.input_tokens + excluded.input_tokens,"
            + " output_tokens = d.output_tokens + excluded.output_tokens,"
            + " total_tokens = d.total_tokens + excluded.total_tokens";

    /**
     * The column names in insert order, for the select list and for tools that write the same rows another way
     * (the benchmark's {@code COPY}).
     *
     * @return the names
     */
    public static List<String> columnNames() {
        return COLUMNS.stream().map(RequestColumn::columnName).toList();
    }
}
