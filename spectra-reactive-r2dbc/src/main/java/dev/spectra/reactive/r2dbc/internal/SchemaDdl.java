package dev.spectra.reactive.r2dbc.internal;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import dev.spectra.reactive.RequestColumn;

/**
 * The schema's migrations, in order. A migration is never edited once released: changes go into a new version,
 * so a database at version n is upgraded by running n+1 .. current. Statements take the quoted schema name as
 * {@code %1$s}; nothing else is ever formatted into them.
 *
 * <p>The columns of {@code spectra_requests} come from {@link RequestColumn}: each is created by version 1 or
 * added by the later migration that names it.
 */
public final class SchemaDdl {

    /**
     * One step of the schema.
     * @param version its number
     * @param description what it does
     * @param statements DDL
     * @param columns the columns of {@code spectra_requests} it creates or adds
     */
    public record Migration(int version, String description, List<String> statements, List<RequestColumn> columns) {
        /**
         * Copies the statements and columns.
         *
         * @param version its number
         * @param description what it does
         * @param statements its DDL
         * @param columns the columns of {@code spectra_requests} it creates or adds
         */
        public Migration {
            statements = List.copyOf(statements);
            columns = List.copyOf(columns);
        }
    }

    /** The requests table; {@code %1$s} is the quoted schema. */
    public static final String REQUESTS_TABLE = "spectra_requests";

    /** The table recording which migrations ran. */
    public static final String VERSION_TABLE = "spectra_schema_version";

    /** The comment on the requests table, made by version 1 and again by version 8 on the partitioned table. */
    private static final String REQUESTS_COMMENT =
            "COMMENT ON TABLE %1$s.spectra_requests IS 'One row per tracked LLM call (Spectra Reactive)'";

    /**
     * The indexes of the requests besides the primary key and the unique response id: made by version 1 on the plain
     * table, and by version 8 again on the partitioned one (as partitioned indexes, so every partition has them).
     */
    private static final List<String> REQUEST_INDEXES = List.of(
            "CREATE INDEX spectra_requests_started_at_idx ON %1$s.spectra_requests (started_at)",
            """
            CREATE INDEX spectra_requests_provider_model_idx
                ON %1$s.spectra_requests (provider, model, started_at)""",
            "CREATE INDEX spectra_requests_trace_id_idx ON %1$s.spectra_requests (trace_id)",
            """
            CREATE INDEX spectra_requests_trackable_idx
                ON %1$s.spectra_requests (trackable_type, trackable_id, started_at)
                WHERE trackable_type IS NOT NULL""",
            // jsonb_path_ops: smaller and faster for @> (the only metadata operator the query API uses).
            "CREATE INDEX spectra_requests_metadata_idx ON %1$s.spectra_requests USING gin (metadata jsonb_path_ops)",
            // Default jsonb_ops: tags need ?| and ?& as well as @>.
            "CREATE INDEX spectra_requests_tags_idx ON %1$s.spectra_requests USING gin (tags)");

    /**
     * Migrations after the first, ascending. A column added to {@link RequestColumn} gets its own migration here,
     * {@code addColumns(2, "…", RequestColumn.NEW_COLUMN)}; version 1 creates every column no later migration adds,
     * so its DDL stays what was released.
     */
    private static final List<Migration> LATER = List.of(
            costProvenance(),
            addColumns(3, "parent_span_id: the span current where the call was made", RequestColumn.PARENT_SPAN_ID),
            budgetsAndDailySpend(),
            addColumns(5, "upstream_provider: the provider a router passed the call on to",
                    RequestColumn.UPSTREAM_PROVIDER),
            rollingBudgetBuckets(),
            metadataDimensions(),
            partitionedByMonth());

    /** The daily spend rollup, written in the statement that inserts each batch. */
    public static final String DAILY_SPEND_TABLE = "spectra_spend_daily";

    /** The metadata keys whose values the spend is rolled up by (one row per key). */
    public static final String METADATA_DIMENSIONS_TABLE = "spectra_metadata_dimensions";

    /** The daily spend rollup per value of each metadata dimension, written in the statement that inserts each batch. */
    public static final String DAILY_SPEND_METADATA_TABLE = "spectra_spend_daily_metadata";

    /** The spend and reservations of each budget period: one row per budget, subject and period. */
    public static final String BUDGET_SPEND_TABLE = "spectra_budget_spend";

    /** The reservations of calls in flight. */
    public static final String BUDGET_RESERVATIONS_TABLE = "spectra_budget_reservations";

    /** The spend of rolling budgets per bucket. */
    public static final String BUDGET_BUCKETS_TABLE = "spectra_budget_buckets";

    /**
     * Version 6: the spend of rolling budgets per time bucket. A rolling budget's subject has one running row in
     * {@code spectra_budget_spend} (its {@code window_start} is the epoch, its {@code window_end} the epoch plus one
     * bucket) whose spent is the sum of its buckets not yet rolled out of the window; a bucket is marked
     * {@code rolled_out} by the statement that subtracts it from that row, so it is subtracted once.
     */
    private static Migration rollingBudgetBuckets() {
        return new Migration(6, "spend of rolling budgets per time bucket", List.of(
                """
                CREATE TABLE %1$s.spectra_budget_buckets (
                    budget         text           NOT NULL,
                    subject        text           NOT NULL,
                    bucket_start   timestamptz    NOT NULL,
                    bucket_end     timestamptz    NOT NULL,
                    spent_usd      numeric(20,10) NOT NULL DEFAULT 0,
                    spent_tokens   bigint         NOT NULL DEFAULT 0,
                    spent_requests bigint         NOT NULL DEFAULT 0,
                    rolled_out     boolean        NOT NULL DEFAULT false,
                    CONSTRAINT spectra_budget_buckets_pkey PRIMARY KEY (budget, subject, bucket_start)
                )""",
                """
                CREATE INDEX spectra_budget_buckets_live_idx
                    ON %1$s.spectra_budget_buckets (budget, bucket_start) WHERE NOT rolled_out""",
                "COMMENT ON TABLE %1$s.spectra_budget_buckets IS 'Spend of rolling budgets (Spectra Reactive budgets) "
                        + "per subject and time bucket; rolled_out once subtracted from the running row of "
                        + "spectra_budget_spend whose window_start is the epoch'"),
                List.of());
    }

    /**
     * The budget store's tables and the daily spend rollup. The rollup's keys are never null (an empty text stands
     * for "no owner") because they form its primary key. Its sums are unbounded {@code numeric}: a sum can never
     * overflow, so the rollup can never make the insert of a batch fail.
     */
    private static Migration budgetsAndDailySpend() {
        return new Migration(4, "budget spend, budget reservations and the daily spend rollup", List.of(
                """
                CREATE TABLE %1$s.spectra_budget_spend (
                    budget            text           NOT NULL,
                    subject           text           NOT NULL,
                    window_start      timestamptz    NOT NULL,
                    window_end        timestamptz    NOT NULL,
                    spent_usd         numeric(20,10) NOT NULL DEFAULT 0,
                    spent_tokens      bigint         NOT NULL DEFAULT 0,
                    spent_requests    bigint         NOT NULL DEFAULT 0,
                    reserved_usd      numeric(20,10) NOT NULL DEFAULT 0,
                    reserved_tokens   bigint         NOT NULL DEFAULT 0,
                    reserved_requests bigint         NOT NULL DEFAULT 0,
                    CONSTRAINT spectra_budget_spend_pkey PRIMARY KEY (budget, subject, window_start)
                )""",
                "COMMENT ON TABLE %1$s.spectra_budget_spend IS 'Spend and reservations of each budget period "
                        + "(Spectra Reactive budgets); reserved counts unexpired rows of spectra_budget_reservations'",
                """
                CREATE TABLE %1$s.spectra_budget_reservations (
                    budget       text           NOT NULL,
                    subject      text           NOT NULL,
                    window_start timestamptz    NOT NULL,
                    id           uuid           NOT NULL,
                    usd          numeric(20,10) NOT NULL,
                    tokens       bigint         NOT NULL,
                    requests     bigint         NOT NULL,
                    expires_at   timestamptz    NOT NULL,
                    CONSTRAINT spectra_budget_reservations_pkey PRIMARY KEY (budget, subject, window_start, id)
                )""",
                """
                CREATE INDEX spectra_budget_reservations_expires_at_idx
                    ON %1$s.spectra_budget_reservations (budget, window_start, expires_at)""",
                """
                CREATE TABLE %1$s.spectra_spend_daily (
                    day               date           NOT NULL,
                    provider          text           NOT NULL,
                    model             text           NOT NULL,
                    trackable_type    text           NOT NULL,
                    trackable_id      text           NOT NULL,
                    requests          bigint         NOT NULL,
                    unpriced_requests bigint         NOT NULL,
                    cost              numeric        NOT NULL,
                    input_tokens      numeric        NOT NULL,
                    output_tokens     numeric        NOT NULL,
                    total_tokens      numeric        NOT NULL,
                    CONSTRAINT spectra_spend_daily_pkey PRIMARY KEY (day, provider, model, trackable_type, trackable_id)
                )""",
                "COMMENT ON TABLE %1$s.spectra_spend_daily IS 'Requests, cost and tokens per UTC day, provider, model "
                        + "and owner (empty text: none), updated by the statement that inserts each batch'"),
                List.of());
    }

    /**
     * Version 7: metadata dimensions. A key registered in {@code spectra_metadata_dimensions} (a tenant, a feature)
     * gets a daily spend rollup per value, keyed by the value as {@code jsonb} so that {@code 7} and {@code "7"} stay
     * apart exactly as a metadata filter tells them apart, and an expression index on the requests for filtered
     * lists. The tables start empty: registering a key fills its rollup from the stored requests.
     */
    private static Migration metadataDimensions() {
        return new Migration(7, "metadata dimensions and their daily spend rollup", List.of(
                """
                CREATE TABLE %1$s.spectra_metadata_dimensions (
                    key      text        NOT NULL,
                    added_at timestamptz NOT NULL DEFAULT now(),
                    CONSTRAINT spectra_metadata_dimensions_pkey PRIMARY KEY (key)
                )""",
                "COMMENT ON TABLE %1$s.spectra_metadata_dimensions IS 'Metadata keys whose values the spend is rolled "
                        + "up by (Spectra Reactive): spectra_spend_daily_metadata and an index on spectra_requests'",
                """
                CREATE TABLE %1$s.spectra_spend_daily_metadata (
                    key               text    NOT NULL,
                    value             jsonb   NOT NULL,
                    day               date    NOT NULL,
                    provider          text    NOT NULL,
                    model             text    NOT NULL,
                    requests          bigint  NOT NULL,
                    unpriced_requests bigint  NOT NULL,
                    cost              numeric NOT NULL,
                    input_tokens      numeric NOT NULL,
                    output_tokens     numeric NOT NULL,
                    total_tokens      numeric NOT NULL,
                    CONSTRAINT spectra_spend_daily_metadata_pkey PRIMARY KEY (key, value, day, provider, model)
                )""",
                "COMMENT ON TABLE %1$s.spectra_spend_daily_metadata IS 'Requests, cost and tokens per metadata "
                        + "dimension value, UTC day, provider and model, updated by the statement that inserts each "
                        + "batch'"),
                List.of());
    }

    /** The table that stores each (provider, response id) once, across the monthly partitions of the requests. */
    public static final String RESPONSE_IDS_TABLE = "spectra_response_ids";

    /** The partition of the requests that holds the rows of no month whose partition was created. */
    public static final String DEFAULT_PARTITION = "spectra_requests_default";

    /** The name of a month's partition is this prefix and the month as {@code YYYY_MM} (UTC months). */
    public static final String PARTITION_PREFIX = "spectra_requests_";

    /** The server function creating the current month's partition and the next N: {@code (months_ahead int)}. */
    public static final String CREATE_PARTITIONS_FUNCTION = "spectra_create_partitions";

    /** The server function creating one month's partition: {@code (month date)}. */
    public static final String CREATE_PARTITION_FUNCTION = "spectra_create_partition";

    /** The server function dropping one month's partition and its response ids: {@code (month date)}. */
    public static final String DROP_PARTITION_FUNCTION = "spectra_drop_partition";

    /** The server function making a metadata dimension's index on the requests: {@code (key text)}. */
    public static final String CREATE_DIMENSION_INDEX_FUNCTION = "spectra_create_dimension_index";

    /**
     * Taken first by every function that creates or drops a partition: they run one at a time per schema, so two
     * sinks crossing into a new month together create it once.
     */
    /**
     * The rights granted on the table before it was partitioned, granted again on the partitioned one, and the
     * rights the sink and pruning need on {@code spectra_response_ids} (INSERT, SELECT, DELETE) to whoever held them
     * on the requests: the body of a function run once by the migration, whose {@code search_path} names the schema.
     */
    private static final String GRANTS_CARRIED_OVER = """
            DECLARE
                r record;
            BEGIN
                FOR r IN SELECT a.privilege_type, a.is_grantable,
                        CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee
                    FROM pg_class AS c CROSS JOIN LATERAL aclexplode(c.relacl) AS a
                    WHERE c.oid = 'spectra_requests_unpartitioned'::regclass AND a.grantee <> c.relowner
                LOOP
                    EXECUTE format('GRANT %%s ON spectra_requests TO %%s%%s', r.privilege_type, r.grantee,
                        CASE WHEN r.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
                    IF r.privilege_type IN ('INSERT', 'SELECT', 'DELETE') THEN
                        EXECUTE format('GRANT %%s ON spectra_response_ids TO %%s', r.privilege_type, r.grantee);
                    END IF;
                END LOOP;
            END
            $$""";

    private static final String PARTITIONS_LOCK =
            "PERFORM pg_advisory_xact_lock(hashtextextended('dev.spectra.reactive:partitions:' || current_schema(), 0));";

    /**
     * Version 8: the requests partitioned by month of {@code started_at} (UTC), with a default partition for the rows
     * of months not created, and the response ids in a table of their own.
     *
     * <p>PostgreSQL requires the partition key in every unique index of a partitioned table, so the primary key
     * becomes {@code (id, started_at)} and the unique {@code (provider, response_id)} index cannot stay: the two
     * captures of one call (operator and WebClient filter) start microseconds apart, possibly in two months.
     * {@code spectra_response_ids} keeps each {@code (provider, response_id)} once instead; the batch insert writes it
     * first and inserts a request with a response id only when its id was new there.
     *
     * <p>The stored rows are moved: the table is renamed, the partitioned one made {@code LIKE} it (the same columns
     * in the same order, their defaults, comments and check constraints), the months of its rows and the current
     * month and the next two created, the rows copied, the old table dropped, and the primary key and the indexes
     * (those of version 1 and each metadata dimension's) made on the partitioned table, once the rows are in.
     *
     * <p>The functions run with {@code search_path} set to the schema (and {@code pg_temp} last), so nothing in their
     * bodies names it. {@code spectra_create_partition} and {@code spectra_create_partitions} are
     * {@code SECURITY DEFINER}, so that a writer that may not create tables still gets its months created; their
     * {@code EXECUTE} right is revoked from {@code PUBLIC} and granted by the administrator to the writer.
     */
    private static Migration partitionedByMonth() {
        String schemaPath = " SET search_path = %1$s, pg_temp AS $$\n";
        List<String> statements = new ArrayList<>(List.of(
                "ALTER TABLE %1$s.spectra_requests RENAME TO spectra_requests_unpartitioned",
                "ALTER TABLE %1$s.spectra_requests_unpartitioned RENAME CONSTRAINT spectra_requests_pkey"
                        + " TO spectra_requests_unpartitioned_pkey",
                """
                CREATE TABLE %1$s.spectra_requests (LIKE %1$s.spectra_requests_unpartitioned
                    INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)
                    PARTITION BY RANGE (started_at)""",
                REQUESTS_COMMENT,
                "CREATE TABLE %1$s.spectra_requests_default PARTITION OF %1$s.spectra_requests DEFAULT",
                "CREATE TABLE %1$s.spectra_response_ids (\n"
                        + "    provider    " + RequestColumn.PROVIDER.sqlType() + " NOT NULL,\n"
                        + "    response_id " + RequestColumn.RESPONSE_ID.sqlType() + " NOT NULL,\n"
                        + "    id          " + RequestColumn.ID.sqlType() + " NOT NULL,\n"
                        + "    started_at  " + RequestColumn.STARTED_AT.sqlType() + " NOT NULL,\n"
                        + "    CONSTRAINT spectra_response_ids_pkey PRIMARY KEY (provider, response_id)\n)",
                "CREATE INDEX spectra_response_ids_started_at_idx ON %1$s.spectra_response_ids (started_at)",
                "COMMENT ON TABLE %1$s.spectra_response_ids IS 'Each (provider, response_id) of spectra_requests once,"
                        + " with the id and started_at of the request stored for it (Spectra Reactive): one call captured"
                        + " twice is stored once, whichever months the captures fall in'",
                "CREATE FUNCTION %1$s.spectra_create_partition(month date) RETURNS boolean"
                        + " LANGUAGE plpgsql SECURITY DEFINER" + schemaPath + """
                DECLARE
                    lo timestamptz := date_trunc('month', month::timestamp) AT TIME ZONE 'UTC';
                    hi timestamptz := (date_trunc('month', month::timestamp) + interval '1 month') AT TIME ZONE 'UTC';
                    part text := 'spectra_requests_' || to_char(month, 'YYYY_MM');
                BEGIN
                    %2$s
                    IF to_regclass(quote_ident(part)) IS NOT NULL THEN
                        RETURN false;
                    END IF;
                    -- The rows of the month already in the default partition move into the new one, which is then
                    -- attached. Inserts wait meanwhile (an insert that had already routed a row of this month to the
                    -- default partition would otherwise fail its constraint once the partition is attached), and the
                    -- lock waits for the inserts under way to end; with an empty default partition it is brief.
                    LOCK TABLE ONLY spectra_requests IN SHARE ROW EXCLUSIVE MODE;
                    LOCK TABLE spectra_requests_default IN ACCESS EXCLUSIVE MODE;
                    EXECUTE format('CREATE TABLE %%I (LIKE spectra_requests'
                        || ' INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)', part);
                    EXECUTE format('WITH moved AS (DELETE FROM spectra_requests_default'
                        || ' WHERE started_at >= $1 AND started_at < $2 RETURNING *) INSERT INTO %%I SELECT * FROM moved',
                        part) USING lo, hi;
                    EXECUTE format('ALTER TABLE spectra_requests ATTACH PARTITION %%I FOR VALUES FROM (%%L) TO (%%L)',
                        part, lo, hi);
                    RETURN true;
                END
                $$""".replace("%2$s", PARTITIONS_LOCK),
                "COMMENT ON FUNCTION %1$s.spectra_create_partition(date) IS 'Creates the partition of spectra_requests"
                        + " for the UTC month of the date, moving its rows out of the default partition; false when it"
                        + " exists (Spectra Reactive)'",
                "CREATE FUNCTION %1$s.spectra_create_partitions(months_ahead integer) RETURNS date"
                        + " LANGUAGE plpgsql SECURITY DEFINER" + schemaPath + """
                DECLARE
                    first_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
                BEGIN
                    IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 120 THEN
                        RAISE EXCEPTION 'months_ahead must be between 0 and 120, was %%', months_ahead
                            USING ERRCODE = '22023';
                    END IF;
                    FOR i IN 0 .. months_ahead LOOP
                        PERFORM spectra_create_partition((first_month + make_interval(months => i))::date);
                    END LOOP;
                    RETURN (first_month + make_interval(months => months_ahead))::date;
                END
                $$""",
                "COMMENT ON FUNCTION %1$s.spectra_create_partitions(integer) IS 'Creates the partitions of"
                        + " spectra_requests for the current UTC month and the next months_ahead; returns the first day"
                        + " of the last (Spectra Reactive)'",
                "REVOKE EXECUTE ON FUNCTION %1$s.spectra_create_partition(date) FROM PUBLIC",
                "REVOKE EXECUTE ON FUNCTION %1$s.spectra_create_partitions(integer) FROM PUBLIC",
                "CREATE FUNCTION %1$s.spectra_drop_partition(month date) RETURNS boolean LANGUAGE plpgsql"
                        + schemaPath + """
                DECLARE
                    lo timestamptz := date_trunc('month', month::timestamp) AT TIME ZONE 'UTC';
                    hi timestamptz := (date_trunc('month', month::timestamp) + interval '1 month') AT TIME ZONE 'UTC';
                    part regclass := to_regclass(quote_ident('spectra_requests_' || to_char(month, 'YYYY_MM')));
                BEGIN
                    %2$s
                    -- DROP TABLE takes this lock anyway: taken first, no insert can claim a response id of the month
                    -- between the delete below and the drop, and none can deadlock with them.
                    LOCK TABLE spectra_requests IN ACCESS EXCLUSIVE MODE;
                    IF part IS NULL OR NOT EXISTS (SELECT 1 FROM pg_inherits
                            WHERE inhrelid = part AND inhparent = 'spectra_requests'::regclass) THEN
                        RETURN false;
                    END IF;
                    DELETE FROM spectra_response_ids WHERE started_at >= lo AND started_at < hi;
                    EXECUTE format('DROP TABLE %%s', part);
                    RETURN true;
                END
                $$""".replace("%2$s", PARTITIONS_LOCK),
                "COMMENT ON FUNCTION %1$s.spectra_drop_partition(date) IS 'Drops the partition of spectra_requests for"
                        + " the UTC month of the date and the response ids of that month; false when there is none"
                        + " (Spectra Reactive)'",
                "CREATE FUNCTION %1$s.spectra_create_dimension_index(key text) RETURNS text LANGUAGE plpgsql"
                        + schemaPath + """
                DECLARE
                    index_name text := 'spectra_requests_metadata_'
                        || left(encode(sha256(convert_to(key, 'UTF8')), 'hex'), 16);
                BEGIN
                    EXECUTE format('CREATE INDEX IF NOT EXISTS %%I ON spectra_requests'
                        || ' ((metadata -> %%L), started_at DESC NULLS LAST, id DESC)', index_name, key);
                    RETURN index_name;
                END
                $$""",
                "COMMENT ON FUNCTION %1$s.spectra_create_dimension_index(text) IS 'Creates the index of a metadata"
                        + " dimension on spectra_requests, named by the key''s SHA-256; returns its name"
                        + " (Spectra Reactive)'",
                """
                SELECT %1$s.spectra_create_partition(m) FROM (SELECT DISTINCT
                    date_trunc('month', started_at AT TIME ZONE 'UTC')::date AS m
                    FROM %1$s.spectra_requests_unpartitioned) AS months ORDER BY m""",
                "SELECT %1$s.spectra_create_partitions(2)",
                "INSERT INTO %1$s.spectra_requests SELECT * FROM %1$s.spectra_requests_unpartitioned",
                """
                INSERT INTO %1$s.spectra_response_ids (provider, response_id, id, started_at)
                    SELECT provider, response_id, id, started_at FROM %1$s.spectra_requests_unpartitioned
                    WHERE response_id IS NOT NULL""",
                "CREATE FUNCTION %1$s.spectra_carry_grants() RETURNS void LANGUAGE plpgsql" + schemaPath
                        + GRANTS_CARRIED_OVER,
                "SELECT %1$s.spectra_carry_grants()",
                "DROP FUNCTION %1$s.spectra_carry_grants()",
                "DROP TABLE %1$s.spectra_requests_unpartitioned",
                "ALTER TABLE %1$s.spectra_requests ADD CONSTRAINT spectra_requests_pkey PRIMARY KEY (id, started_at)"));
        statements.addAll(REQUEST_INDEXES);
        statements.add("SELECT %1$s.spectra_create_dimension_index(key) FROM %1$s.spectra_metadata_dimensions"
                + " ORDER BY key");
        return new Migration(8, "spectra_requests partitioned by month; response ids in spectra_response_ids",
                statements, List.of());
    }

    /**
     * Version 2: where a cost comes from ({@code cost_source}), the provider's own figure ({@code provider_cost}),
     * and the pricing status of cache reads priced at a provider's documented rate. Rows stored before keep
     * {@code cost_source} null, which reads as {@code catalog}: every cost stored then was the catalog's.
     */
    private static Migration costProvenance() {
        Migration columns = addColumns(2, "cost provenance: cost_source, provider_cost, priced_cache_rate_derived",
                RequestColumn.COST_SOURCE, RequestColumn.PROVIDER_COST);
        List<String> statements = new ArrayList<>(columns.statements());
        String table = "ALTER TABLE %1$s." + REQUESTS_TABLE;
        statements.add(table + " DROP CONSTRAINT spectra_requests_pricing_status_check");
        statements.add(table + " ADD CONSTRAINT spectra_requests_pricing_status_check CHECK (pricing_status IN "
                + "('priced', 'priced_cache_rate_derived', 'model_not_priced', 'usage_unknown'))");
        statements.add(table + " DROP CONSTRAINT spectra_requests_cost_check");
        statements.add(table + " ADD CONSTRAINT spectra_requests_cost_check CHECK ((total_cost IS NULL) = "
                + "(pricing_status NOT IN ('priced', 'priced_cache_rate_derived')))");
        statements.add(table + " ADD CONSTRAINT spectra_requests_cost_source_check CHECK (cost_source IN "
                + "('catalog', 'catalog_cache_rate_derived', 'provider'))");
        return new Migration(columns.version(), columns.description(), statements, columns.columns());
    }

    private static final Migration V1 = new Migration(1, "spectra_requests with its indexes", List.of(
            createTable(columnsOfVersion1()) + """
                CONSTRAINT spectra_requests_pkey PRIMARY KEY (id),
                CONSTRAINT spectra_requests_outcome_check
                    CHECK (outcome IN ('success', 'failure', 'cancelled')),
                CONSTRAINT spectra_requests_pricing_status_check
                    CHECK (pricing_status IN ('priced', 'model_not_priced', 'usage_unknown')),
                CONSTRAINT spectra_requests_cost_check
                    CHECK ((total_cost IS NULL) = (pricing_status <> 'priced')),
                CONSTRAINT spectra_requests_tags_check CHECK (jsonb_typeof(tags) = 'array'),
                CONSTRAINT spectra_requests_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
            )""",
            REQUESTS_COMMENT,
            "COMMENT ON COLUMN %1$s.spectra_requests.total_cost IS 'USD, exact; NULL when the call was not priced'",
            // One call captured twice (operator and WebClient filter) is stored once. Scoped by provider: response
            // ids are minted per provider, and OpenAI-compatible servers reuse the same id shapes.
            """
            CREATE UNIQUE INDEX spectra_requests_response_id_key
                ON %1$s.spectra_requests (provider, response_id) WHERE response_id IS NOT NULL""",
            REQUEST_INDEXES.get(0), REQUEST_INDEXES.get(1), REQUEST_INDEXES.get(2), REQUEST_INDEXES.get(3),
            REQUEST_INDEXES.get(4), REQUEST_INDEXES.get(5)),
            columnsOfVersion1());

    /** Every migration, ascending. */
    public static final List<Migration> MIGRATIONS = Stream.concat(Stream.of(V1), LATER.stream()).toList();

    /** The version this library writes and reads. */
    public static final int CURRENT_VERSION = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

    private SchemaDdl() {
    }

    /** The catalog's columns that no later migration adds, in catalog order. */
    static List<RequestColumn> columnsOfVersion1() {
        Set<RequestColumn> columns = EnumSet.allOf(RequestColumn.class);
        LATER.forEach(m -> m.columns().forEach(columns::remove));
        return List.copyOf(columns);
    }

    /**
     * The start of the {@code CREATE TABLE} statement: its first line and one line per column, each ending with a
     * comma (table constraints follow), names and types aligned in columns.
     *
     * @param columns the columns
     * @return the text
     */
    static String createTable(List<RequestColumn> columns) {
        int nameWidth = 1 + columns.stream().mapToInt(c -> c.columnName().length()).max().orElse(0);
        int typeWidth = 1 + columns.stream().mapToInt(c -> c.sqlType().length()).max().orElse(0);
        StringBuilder sql = new StringBuilder("CREATE TABLE %1$s.").append(REQUESTS_TABLE).append(" (\n");
        for (RequestColumn c : columns) {
            sql.append("    ").append(columnDefinition(c, nameWidth, typeWidth)).append(",\n");
        }
        return sql.toString();
    }

    /**
     * A migration that adds columns to {@code spectra_requests}, for a column added to the catalog after version 1.
     * A {@code NOT NULL} column other than {@code jsonb} has no default for the rows already stored: give it one
     * by hand in a migration of its own.
     *
     * @param version the migration's number
     * @param description what it does
     * @param columns the new columns
     * @return the migration
     */
    static Migration addColumns(int version, String description, RequestColumn... columns) {
        List<String> statements = new ArrayList<>();
        for (RequestColumn c : columns) {
            statements.add("ALTER TABLE %1$s." + REQUESTS_TABLE + " ADD COLUMN " + columnDefinition(c, 0, 0));
        }
        return new Migration(version, description, statements, List.of(columns));
    }

    /**
     * A column's definition: name, type, and for a {@code NOT NULL} column the constraint, with the empty JSON
     * value as the default of {@code jsonb} ones ({@code '{}'} or {@code '[]'}). Name and type are padded to the
     * widths given.
     */
    private static String columnDefinition(RequestColumn c, int nameWidth, int typeWidth) {
        StringBuilder d = new StringBuilder(c.columnName()).append(' ');
        pad(d, nameWidth).append(c.sqlType());
        if (c.nullable()) {
            return d.toString();
        }
        pad(d.append(' '), nameWidth + typeWidth).append("NOT NULL");
        if (c.sqlType().equals("jsonb")) {
            d.append(c.javaType() == List.class ? " DEFAULT '[]'" : " DEFAULT '{}'");
        }
        return d.toString();
    }

    private static StringBuilder pad(StringBuilder b, int width) {
        while (b.length() < width) {
            b.append(' ');
        }
        return b;
    }

    /**
     * The version table; created before any migration, in the same transaction.
     *
     * @param quotedSchema the quoted schema
     * @return the statement
     */
    public static String versionTable(String quotedSchema) {
        return """
               CREATE TABLE IF NOT EXISTS %1$s.spectra_schema_version (
                   version      integer     NOT NULL PRIMARY KEY,
                   description  text        NOT NULL,
                   installed_at timestamptz NOT NULL DEFAULT now()
               )""".formatted(quotedSchema);
    }
}
