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
            metadataDimensions());

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
            "COMMENT ON TABLE %1$s.spectra_requests IS 'One row per tracked LLM call (Spectra Reactive)'",
            "COMMENT ON COLUMN %1$s.spectra_requests.total_cost IS 'USD, exact; NULL when the call was not priced'",
            // One call captured twice (operator and WebClient filter) is stored once. Scoped by provider: response
            // ids are minted per provider, and OpenAI-compatible servers reuse the same id shapes.
            """
            CREATE UNIQUE INDEX spectra_requests_response_id_key
                ON %1$s.spectra_requests (provider, response_id) WHERE response_id IS NOT NULL""",
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
            "CREATE INDEX spectra_requests_tags_idx ON %1$s.spectra_requests USING gin (tags)"),
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
