package dev.spectra.reactive.r2dbc.internal;

import java.util.List;

/**
 * The schema's migrations, in order. A migration is never edited once released: changes go into a new version,
 * so a database at version n is upgraded by running n+1 .. current. Statements take the quoted schema name as
 * {@code %1$s}; nothing else is ever formatted into them.
 */
public final class SchemaDdl {

    /**
     * One step of the schema.
     * @param version its number
     * @param description what it does
     * @param statements DDL
     */
    public record Migration(int version, String description, List<String> statements) {
        /**
         * Copies the statements.
         *
         * @param version its number
         * @param description what it does
         * @param statements its DDL
         */
        public Migration {
            statements = List.copyOf(statements);
        }
    }

    /** The requests table; {@code %1$s} is the quoted schema. */
    public static final String REQUESTS_TABLE = "spectra_requests";

    /** The table recording which migrations ran. */
    public static final String VERSION_TABLE = "spectra_schema_version";

    private static final Migration V1 = new Migration(1, "spectra_requests with its indexes", List.of(
            """
            CREATE TABLE %1$s.spectra_requests (
                id                     uuid             NOT NULL,
                trace_id               text             NOT NULL,
                response_id            text,
                provider               text             NOT NULL,
                model                  text             NOT NULL,
                response_model         text,
                model_type             text,
                endpoint               text,
                operation              text,
                http_status            integer,
                outcome                text             NOT NULL,
                error_type             text,
                error_message          text,
                finish_reason          text,
                tool_call_counts       jsonb            NOT NULL DEFAULT '{}',
                streaming              boolean          NOT NULL,
                input_tokens           bigint,
                output_tokens          bigint,
                cached_input_tokens    bigint,
                cache_write_tokens     bigint,
                reasoning_tokens       bigint,
                total_tokens           bigint,
                images                 bigint,
                audio_seconds          numeric,
                characters             bigint,
                cache_write_1h_tokens  bigint,
                audio_input_tokens     bigint,
                audio_output_tokens    bigint,
                image_input_tokens     bigint,
                image_output_tokens    bigint,
                input_cost             numeric(20,10),
                output_cost            numeric(20,10),
                total_cost             numeric(20,10),
                pricing_tier           text             NOT NULL,
                pricing_status         text             NOT NULL,
                latency_ms             bigint           NOT NULL,
                time_to_first_token_ms bigint,
                tokens_per_second      double precision,
                chunk_count            integer,
                trackable_type         text,
                trackable_id           text,
                conversation_id        text,
                tags                   jsonb            NOT NULL DEFAULT '[]',
                metadata               jsonb            NOT NULL DEFAULT '{}',
                started_at             timestamptz      NOT NULL,
                completed_at           timestamptz      NOT NULL,
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
            "CREATE INDEX spectra_requests_tags_idx ON %1$s.spectra_requests USING gin (tags)"));

    /** Every migration, ascending. */
    public static final List<Migration> MIGRATIONS = List.of(V1);

    /** The version this library writes and reads. */
    public static final int CURRENT_VERSION = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

    private SchemaDdl() {
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
