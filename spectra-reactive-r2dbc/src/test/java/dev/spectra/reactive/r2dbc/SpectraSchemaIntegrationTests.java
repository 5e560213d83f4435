package dev.spectra.reactive.r2dbc;

import java.time.Duration;
import java.util.List;

import dev.spectra.reactive.r2dbc.internal.SchemaDdl;
import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.internal.SchemaDdl;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(PostgresExtension.class)
class SpectraSchemaIntegrationTests {

    @Test
    void createsTheTableItsIndexesAndTheVersionTable(TestDatabase db) {
        SpectraSchema schema = SpectraSchema.of(db.newSchemaName("create"));

        schema.installedVersion(db.connectionFactory()).as(StepVerifier::create).expectNext(0).verifyComplete();
        schema.createOrUpgrade(db.connectionFactory()).as(StepVerifier::create)
                .expectNext(SpectraSchema.CURRENT_VERSION)
                .verifyComplete();

        assertThat(db.column("SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'spectra_requests'"
                + " ORDER BY indexname", String.class, schema.name())).containsExactly(
                "spectra_requests_metadata_idx",
                "spectra_requests_pkey",
                "spectra_requests_provider_model_idx",
                "spectra_requests_started_at_idx",
                "spectra_requests_tags_idx",
                "spectra_requests_trace_id_idx",
                "spectra_requests_trackable_idx");
        assertThat(db.single("SELECT indexdef FROM pg_indexes WHERE schemaname = $1"
                + " AND indexname = 'spectra_requests_metadata_idx'", String.class, schema.name()))
                .endsWith("USING gin (metadata jsonb_path_ops)");
        // the partition key is part of the primary key; the response id is unique in a table of its own
        assertThat(db.single("SELECT indexdef FROM pg_indexes WHERE schemaname = $1"
                + " AND indexname = 'spectra_requests_pkey'", String.class, schema.name()))
                .contains("UNIQUE INDEX").endsWith("(id, started_at)");
        assertThat(db.single("SELECT indexdef FROM pg_indexes WHERE schemaname = $1"
                + " AND indexname = 'spectra_response_ids_pkey'", String.class, schema.name()))
                .contains("UNIQUE INDEX").endsWith("(provider, response_id)");
        assertThat(db.single("SELECT pg_get_partkeydef(to_regclass(quote_ident($1) || '.spectra_requests'))",
                String.class, schema.name())).isEqualTo("RANGE (started_at)");
        assertThat(db.single("SELECT indexdef FROM pg_indexes WHERE schemaname = $1"
                + " AND indexname = 'spectra_requests_trackable_idx'", String.class, schema.name()))
                .endsWith("(trackable_type, trackable_id, started_at) WHERE (trackable_type IS NOT NULL)");
        assertThat(db.column("SELECT column_name || ' ' || data_type || coalesce('(' || numeric_precision || ','"
                + " || numeric_scale || ')', '') FROM information_schema.columns WHERE table_schema = $1"
                + " AND table_name = 'spectra_requests' AND column_name IN ('input_cost', 'output_cost', 'total_cost',"
                + " 'tags', 'metadata', 'tool_call_counts', 'started_at', 'completed_at', 'id') ORDER BY column_name",
                String.class, schema.name())).containsExactly(
                "completed_at timestamp with time zone",
                "id uuid",
                "input_cost numeric(20,10)",
                "metadata jsonb",
                "output_cost numeric(20,10)",
                "started_at timestamp with time zone",
                "tags jsonb",
                "tool_call_counts jsonb",
                "total_cost numeric(20,10)");
        assertThat(db.single("SELECT count(*) FROM information_schema.columns WHERE table_schema = $1"
                + " AND table_name = 'spectra_requests'", Long.class, schema.name()))
                .isEqualTo(RequestColumn.values().length);
        assertThat(db.column("SELECT version || ':' || description FROM \"" + schema.name()
                + "\".spectra_schema_version", String.class)).containsExactlyElementsOf(SchemaDdl.MIGRATIONS.stream()
                .map(m -> m.version() + ":" + m.description())
                .toList());
        assertThat(SchemaDdl.MIGRATIONS).extracting(SchemaDdl.Migration::description)
                .contains("parent_span_id: the span current where the call was made");
    }

    @Test
    void isIdempotent(TestDatabase db) {
        SpectraSchema schema = SpectraSchema.of(db.newSchemaName("again"));

        for (int i = 0; i < 3; i++) {
            schema.createOrUpgrade(db.connectionFactory()).as(StepVerifier::create)
                    .expectNext(SpectraSchema.CURRENT_VERSION).verifyComplete();
        }

        assertThat(db.single("SELECT count(*) FROM \"" + schema.name() + "\".spectra_schema_version", Long.class))
                .isEqualTo((long) SchemaDdl.MIGRATIONS.size());
        schema.installedVersion(db.connectionFactory()).as(StepVerifier::create)
                .expectNext(SpectraSchema.CURRENT_VERSION).verifyComplete();
    }

    @Test
    void instancesStartingTogetherMigrateOnce(TestDatabase db) {
        SpectraSchema schema = SpectraSchema.of(db.newSchemaName("race"));

        Flux.range(0, 8)
                .flatMap(i -> schema.createOrUpgrade(db.connectionFactory()).subscribeOn(Schedulers.parallel()), 8)
                .collectList()
                .as(StepVerifier::create)
                .assertNext(versions -> assertThat(versions).hasSize(8).containsOnly(SpectraSchema.CURRENT_VERSION))
                .expectComplete()
                .verify(Duration.ofSeconds(60));

        assertThat(db.single("SELECT count(*) FROM \"" + schema.name() + "\".spectra_schema_version", Long.class))
                .isEqualTo((long) SchemaDdl.MIGRATIONS.size());
    }

    @Test
    void usesTheSchemaNameExactlyAsGiven(TestDatabase db) {
        String name = db.registerSchema("Spectra \"Quoted\"; DROP SCHEMA public; --");
        SpectraSchema schema = SpectraSchema.of(name);
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(name).build());
        try {
            sink.write(List.of(Records.full(Records.T0))).as(StepVerifier::create).verifyComplete();
            sink.requests().totals(RequestFilter.all()).map(UsageTotals::requests).as(StepVerifier::create)
                    .expectNext(1L).verifyComplete();
        } finally {
            sink.close().block(Duration.ofSeconds(10));
        }

        assertThat(db.single("SELECT count(*) FROM pg_namespace WHERE nspname = $1", Long.class, name)).isEqualTo(1L);
        assertThat(db.single("SELECT count(*) FROM pg_namespace WHERE nspname = 'public'", Long.class)).isEqualTo(1L);
        assertThat(schema.toString()).isEqualTo("\"Spectra \"\"Quoted\"\"; DROP SCHEMA public; --\"");
    }

    @Test
    void refusesADatabaseAtANewerVersion(TestDatabase db) {
        SpectraSchema schema = SpectraSchema.of(db.newSchemaName("newer"));
        schema.createOrUpgrade(db.connectionFactory()).block(Duration.ofSeconds(30));
        db.update("INSERT INTO \"" + schema.name() + "\".spectra_schema_version (version, description)"
                + " VALUES (99, 'from the future')");

        schema.createOrUpgrade(db.connectionFactory()).as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("version 99").hasMessageContaining("newer than this library's "
                                + SpectraSchema.CURRENT_VERSION))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void upgradesFromAnEmptyExistingSchema(TestDatabase db) {
        String name = db.newSchemaName("existing");
        db.update("CREATE SCHEMA \"" + name + "\"");

        SpectraSchema.of(name).createOrUpgrade(db.connectionFactory()).as(StepVerifier::create)
                .expectNext(SpectraSchema.CURRENT_VERSION)
                .verifyComplete();
    }

    @Test
    void upgradesATableOfVersion1KeepingItsRowsAndAddingTheParentSpanId(TestDatabase db) {
        String name = db.newSchemaName("v1");
        String q = "\"" + name + "\"";
        db.update("CREATE SCHEMA " + q);
        db.update(SchemaDdl.versionTable(q));
        for (String statement : SchemaDdl.MIGRATIONS.get(0).statements()) {
            db.update(statement.formatted(q));
        }
        db.update("INSERT INTO " + q + ".spectra_schema_version (version, description) VALUES (1, 'v1')");
        db.update("INSERT INTO " + q + ".spectra_requests (id, trace_id, provider, model, outcome, streaming,"
                + " pricing_tier, pricing_status, latency_ms, started_at, completed_at) VALUES"
                + " ('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'old-trace', 'openai', 'gpt-4o', 'success', false,"
                + " 'standard', 'usage_unknown', 12, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00.012Z')");

        SpectraSchema.of(name).createOrUpgrade(db.connectionFactory()).as(StepVerifier::create)
                .expectNext(SpectraSchema.CURRENT_VERSION).verifyComplete();

        assertThat(db.single("SELECT count(*) FROM information_schema.columns WHERE table_schema = $1"
                + " AND table_name = 'spectra_requests'", Long.class, name)).isEqualTo(RequestColumn.values().length);
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(name).build());
        try {
            TrackedRequest traced = Records.full(Records.T0).toBuilder()
                    .traceId("4bf92f3577b34da6a3ce929d0e0e4736").parentSpanId("00f067aa0ba902b7").build();
            sink.write(List.of(traced)).as(StepVerifier::create).verifyComplete();
            sink.requests().findById(traced.id()).map(TrackedRequest::parentSpanId).as(StepVerifier::create)
                    .expectNext("00f067aa0ba902b7").verifyComplete();
            sink.requests().findById(java.util.UUID.fromString("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"))
                    .as(StepVerifier::create)
                    .assertNext(old -> {
                        assertThat(old.parentSpanId()).isNull();
                        assertThat(old.traceId()).isEqualTo("old-trace");
                    })
                    .verifyComplete();
        } finally {
            sink.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void listsItsDdlForReview() {
        List<String> ddl = SpectraSchema.of("spectra").ddl();

        assertThat(ddl.get(0)).isEqualTo("CREATE SCHEMA IF NOT EXISTS \"spectra\"");
        assertThat(ddl).anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE \"spectra\".spectra_requests ("));
        // seven by version 1 on the plain table; the six that are not unique again on the partitioned one
        assertThat(ddl).filteredOn(s -> (s.contains("CREATE INDEX") || s.contains("CREATE UNIQUE INDEX"))
                && s.contains(".spectra_requests ")).hasSize(13);
        assertThat(ddl).anySatisfy(s -> assertThat(s).endsWith("PARTITION BY RANGE (started_at)"));
        assertThat(ddl).anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE \"spectra\".spectra_budget_spend ("));
        assertThat(ddl).anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE \"spectra\".spectra_spend_daily ("));
        assertThat(String.join("\n", ddl)).doesNotContain("%1$s");
    }
}
