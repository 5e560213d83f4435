package dev.spectra.reactive.r2dbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.internal.SchemaDdl;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The requests partitioned by UTC month of {@code started_at}: a fresh schema and one migrated from version 7 with
 * rows, the default partition and the move out of it, one call captured twice in two months stored and counted
 * once, retention by dropping whole months, and the sink creating the months it is about to need.
 */
@ExtendWith(PostgresExtension.class)
class PartitioningIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The indexes every partition of the requests has: the primary key and the six of version 1. */
    private static final List<String> REQUEST_INDEXES = List.of("spectra_requests_metadata_idx",
            "spectra_requests_pkey", "spectra_requests_provider_model_idx", "spectra_requests_started_at_idx",
            "spectra_requests_tags_idx", "spectra_requests_trace_id_idx", "spectra_requests_trackable_idx");

    @Test
    void aFreshSchemaIsPartitionedWithTheDefaultAndTheCurrentMonthAndTheNextTwo(TestDatabase db) {
        SpectraSchema schema = SpectraSchema.of(db.newSchemaName("fresh"));
        schema.createOrUpgrade(db.connectionFactory()).block(TIMEOUT);

        YearMonth now = serverMonth(db);
        assertThat(partitions(db, schema.name())).containsExactly(partition(now), partition(now.plusMonths(1)),
                partition(now.plusMonths(2)), SchemaDdl.DEFAULT_PARTITION);
        assertThat(indexesOf(db, schema.name(), SchemaDdl.REQUESTS_TABLE)).containsExactlyElementsOf(REQUEST_INDEXES);
        for (String partition : partitions(db, schema.name())) {
            assertThat(indexCount(db, schema.name(), partition)).as(partition).isEqualTo(REQUEST_INDEXES.size());
        }
        assertThat(db.single("SELECT count(*) FROM \"" + schema.name() + "\".spectra_response_ids", Long.class))
                .isZero();
    }

    @Test
    void aVersion7TableIsMigratedKeepingEveryRowAndEveryIndex(TestDatabase db) throws Exception {
        String name = db.newSchemaName("v7");
        String q = "\"" + name + "\"";
        db.update("CREATE SCHEMA " + q);
        db.update(SchemaDdl.versionTable(q));
        for (SchemaDdl.Migration m : SchemaDdl.MIGRATIONS) {
            if (m.version() <= 7) {
                for (String statement : m.statements()) {
                    db.update(statement.formatted(q));
                }
                db.update("INSERT INTO " + q + ".spectra_schema_version (version, description) VALUES ($1, $2)",
                        m.version(), m.description());
            }
        }
        // 45 rows over January to March 2025, every other one with a response id, a tenant on each
        db.update("INSERT INTO " + q + ".spectra_requests (id, trace_id, response_id, provider, model, outcome,"
                + " streaming, input_tokens, output_tokens, total_tokens, input_cost, output_cost, total_cost,"
                + " cost_source, pricing_tier, pricing_status, latency_ms, tags, metadata, started_at, completed_at)"
                + " SELECT gen_random_uuid(), 'trace-' || g, CASE WHEN g % 2 = 0 THEN 'resp_' || g END, 'openai',"
                + " 'gpt-4o', 'success', g % 3 = 0, 10 * g, g, 11 * g, 0.25 * g, 0.5 * g, 0.75 * g, 'catalog',"
                + " 'standard', 'priced', g, jsonb_build_array('t' || g % 2),"
                + " jsonb_build_object('tenant_id', 't' || g % 3), timestamptz '2025-01-01 00:00:00.000001+00'"
                + " + make_interval(days => 2 * g), timestamptz '2025-01-01 00:00:01+00' + make_interval(days => 2 * g)"
                + " FROM generate_series(0, 44) AS g");
        // a metadata dimension registered at version 7: its key, and its index as version 7 built it
        db.update("INSERT INTO " + q + ".spectra_metadata_dimensions (key) VALUES ('tenant_id')");
        db.update("CREATE INDEX " + dimensionIndexName("tenant_id") + " ON " + q + ".spectra_requests"
                + " ((metadata -> 'tenant_id'), started_at DESC NULLS LAST, id DESC)");
        String rowsBefore = db.single("SELECT md5(string_agg(r::text, '|' ORDER BY id)) FROM " + q
                + ".spectra_requests AS r", String.class);
        String dimensionIndexBefore = indexDef(db, name, dimensionIndexName("tenant_id"));
        // a writer and a reader with their version 7 rights
        String writer = name + "_writer";
        String reader = name + "_reader";
        db.update("CREATE ROLE \"" + writer + "\"");
        db.update("CREATE ROLE \"" + reader + "\"");
        db.update("GRANT INSERT, SELECT, DELETE ON " + q + ".spectra_requests TO \"" + writer + "\"");
        db.update("GRANT SELECT ON " + q + ".spectra_requests TO \"" + reader + "\"");

        SpectraSchema.of(name).createOrUpgrade(db.connectionFactory()).as(StepVerifier::create)
                .expectNext(SpectraSchema.CURRENT_VERSION).verifyComplete();

        // every row, column for column, in the same column order
        assertThat(db.single("SELECT count(*) FROM " + q + ".spectra_requests", Long.class)).isEqualTo(45L);
        assertThat(db.single("SELECT md5(string_agg(r::text, '|' ORDER BY id)) FROM " + q + ".spectra_requests AS r",
                String.class)).isEqualTo(rowsBefore);
        YearMonth now = serverMonth(db);
        assertThat(partitions(db, name)).startsWith("spectra_requests_2025_01", "spectra_requests_2025_02",
                        "spectra_requests_2025_03")
                .contains(partition(now), partition(now.plusMonths(2)), SchemaDdl.DEFAULT_PARTITION);
        assertThat(db.single("SELECT count(*) FROM " + q + ".spectra_requests_2025_01", Long.class)).isEqualTo(16L);
        assertThat(db.single("SELECT count(*) FROM " + q + ".spectra_requests_2025_03", Long.class)).isEqualTo(15L);
        assertThat(db.single("SELECT count(*) FROM " + q + ".spectra_requests_default", Long.class)).isZero();
        // every index, on the partitioned table and on each partition; the dimension's as it was
        List<String> expected = new java.util.ArrayList<>(REQUEST_INDEXES);
        expected.add(dimensionIndexName("tenant_id"));
        assertThat(indexesOf(db, name, SchemaDdl.REQUESTS_TABLE)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(indexDef(db, name, dimensionIndexName("tenant_id")))
                .isEqualTo(dimensionIndexBefore.replace(" ON ", " ON ONLY "));
        for (String partition : partitions(db, name)) {
            assertThat(indexCount(db, name, partition)).as(partition).isEqualTo(expected.size());
        }
        assertThat(db.single("SELECT bool_and(x.indisvalid) FROM pg_index AS x JOIN pg_class AS c"
                + " ON c.oid = x.indrelid WHERE c.relnamespace = $1::regnamespace", Boolean.class, q)).isTrue();
        assertThat(db.single("SELECT count(*) FROM pg_class WHERE relnamespace = $1::regnamespace"
                + " AND relname = 'spectra_requests_unpartitioned'", Long.class, q)).isZero();
        // the rights came along, and the writer's extend to the response ids
        for (String right : List.of("INSERT", "SELECT", "DELETE")) {
            assertThat(db.single("SELECT has_table_privilege($1, $2, $3)", Boolean.class, writer,
                    q + ".spectra_requests", right)).as("writer " + right).isTrue();
            assertThat(db.single("SELECT has_table_privilege($1, $2, $3)", Boolean.class, writer,
                    q + ".spectra_response_ids", right)).as("writer " + right + " on response ids").isTrue();
        }
        assertThat(db.single("SELECT has_table_privilege($1, $2, 'SELECT')", Boolean.class, reader,
                q + ".spectra_requests")).isTrue();
        assertThat(db.single("SELECT has_table_privilege($1, $2, 'INSERT')", Boolean.class, reader,
                q + ".spectra_requests")).isFalse();
        // the response ids came along: a second capture of a stored call, months later, is not stored
        assertThat(db.single("SELECT count(*) FROM " + q + ".spectra_response_ids", Long.class)).isEqualTo(23L);
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(name).build());
        try {
            TrackedRequest again = Records.minimal(Instant.parse("2025-06-01T00:00:00Z")).toBuilder()
                    .responseId("resp_2").build();
            sink.write(List.of(again)).as(StepVerifier::create).verifyComplete();
            assertThat(db.single("SELECT count(*) FROM " + q + ".spectra_requests", Long.class)).isEqualTo(45L);
            // the dimension's rollup is as version 7 kept it, and lists by tenant read the migrated rows
            sink.requests().search(RequestQuery.builder().filter(RequestFilter.builder()
                            .metadataContains(java.util.Map.of("tenant_id", "t1")).build()).limit(100).build())
                    .map(page -> page.items().size()).as(StepVerifier::create).expectNext(15).verifyComplete();
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void rowsOfAMonthWithoutPartitionGoToTheDefaultAndMoveWhenItIsCreated(TestDatabase db) {
        R2dbcSpectraSink sink = sink(db, "default");
        try {
            Instant may = Instant.parse("2031-05-31T23:59:59.999999Z");
            List<TrackedRequest> future = List.of(Records.full(Instant.parse("2031-05-01T00:00:00Z")),
                    Records.minimal(may));
            TrackedRequest june = Records.minimal(Instant.parse("2031-06-01T00:00:00Z"));
            sink.write(List.of(future.get(0), future.get(1), june)).as(StepVerifier::create).verifyComplete();
            String schema = sink.schema().name();
            assertThat(partitionOf(db, schema, future.get(0).id())).isEqualTo(SchemaDdl.DEFAULT_PARTITION);
            assertThat(partitionOf(db, schema, june.id())).isEqualTo(SchemaDdl.DEFAULT_PARTITION);

            assertThat(db.single("SELECT \"" + schema + "\".spectra_create_partition($1)", Boolean.class,
                    LocalDate.parse("2031-05-17"))).isTrue();

            assertThat(partitionOf(db, schema, future.get(0).id())).isEqualTo("spectra_requests_2031_05");
            assertThat(partitionOf(db, schema, future.get(1).id())).isEqualTo("spectra_requests_2031_05");
            assertThat(partitionOf(db, schema, june.id())).isEqualTo(SchemaDdl.DEFAULT_PARTITION);
            assertThat(indexCount(db, schema, "spectra_requests_2031_05")).isEqualTo(REQUEST_INDEXES.size());
            assertThat(db.single("SELECT \"" + schema + "\".spectra_create_partition($1)", Boolean.class,
                    LocalDate.parse("2031-05-01"))).isFalse();
            sink.requests().findById(future.get(0).id()).as(StepVerifier::create)
                    .assertNext(read -> R2dbcSpectraSinkIntegrationTests.assertSameRecord(read, future.get(0)))
                    .verifyComplete();
            // written after the move, a row of the month goes to its partition
            TrackedRequest later = Records.minimal(Instant.parse("2031-05-10T00:00:00Z"));
            sink.write(List.of(later)).as(StepVerifier::create).verifyComplete();
            assertThat(partitionOf(db, schema, later.id())).isEqualTo("spectra_requests_2031_05");
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void oneCallCapturedTwiceInTwoMonthsIsStoredAndCountedOnce(TestDatabase db) {
        R2dbcSpectraSink sink = sink(db, "twice");
        try {
            String schema = sink.schema().name();
            String responseId = "chatcmpl-" + UUID.randomUUID();
            TrackedRequest january = Records.full(Instant.parse("2025-01-31T23:59:59.999999Z")).toBuilder()
                    .responseId(responseId).build();
            TrackedRequest february = Records.full(Instant.parse("2025-02-01T00:00:00.000001Z")).toBuilder()
                    .responseId(responseId).build();
            TrackedRequest otherProvider = Records.full(Instant.parse("2025-02-01T00:00:00.000002Z")).toBuilder()
                    .provider("azure").responseId(responseId).build();
            TrackedRequest noResponseId = Records.minimal(Instant.parse("2025-02-02T00:00:00Z"));
            sink.write(List.of(Records.minimal(Instant.parse("2025-01-15T00:00:00Z")))).block(TIMEOUT);
            db.update("SELECT \"" + schema + "\".spectra_create_partition($1)", LocalDate.parse("2025-01-01"));
            db.update("SELECT \"" + schema + "\".spectra_create_partition($1)", LocalDate.parse("2025-02-01"));

            sink.write(List.of(january)).as(StepVerifier::create).verifyComplete();
            sink.write(List.of(february, otherProvider, noResponseId)).as(StepVerifier::create).verifyComplete();
            // the same batches again, as a retry after a lost answer
            sink.write(List.of(january)).as(StepVerifier::create).verifyComplete();
            sink.write(List.of(february, otherProvider, noResponseId)).as(StepVerifier::create).verifyComplete();

            assertThat(db.column("SELECT id FROM \"" + schema + "\".spectra_requests WHERE response_id = $1"
                    + " ORDER BY provider", UUID.class, responseId)).containsExactly(otherProvider.id(), january.id());
            assertThat(partitionOf(db, schema, january.id())).isEqualTo("spectra_requests_2025_01");
            assertThat(R2dbcSpectraSinkIntegrationTests.countIn(db, schema, List.of(noResponseId))).isEqualTo(1);
            assertThat(db.column("SELECT provider || ' ' || id FROM \"" + schema + "\".spectra_response_ids"
                    + " ORDER BY provider", String.class)).containsExactly("azure " + otherProvider.id(),
                    "openai " + january.id());
            // the daily rollup counted each stored row once: January's capture, not February's
            assertThat(db.column("SELECT day || ' ' || provider || ' ' || requests FROM \"" + schema
                    + "\".spectra_spend_daily ORDER BY day, provider", String.class)).containsExactly(
                    "2025-01-15 openai 1", "2025-01-31 openai 1", "2025-02-01 azure 1", "2025-02-02 openai 1");
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void dropPartitionsBeforeDropsTheWholeMonthsBeforeTheInstantAndTheirResponseIds(TestDatabase db) {
        R2dbcSpectraSink sink = sink(db, "drop");
        try {
            String schema = sink.schema().name();
            sink.write(List.of(Records.minimal(Instant.parse("2025-01-01T00:00:00Z")))).block(TIMEOUT);
            for (String month : List.of("2025-01-01", "2025-02-01", "2025-03-01")) {
                db.update("SELECT \"" + schema + "\".spectra_create_partition($1)", LocalDate.parse(month));
            }
            TrackedRequest december = Records.full(Instant.parse("2024-12-31T23:59:59.999999Z"));   // default
            TrackedRequest january = Records.full(Instant.parse("2025-01-20T00:00:00Z"));
            TrackedRequest february = Records.full(Instant.parse("2025-02-28T23:59:59.999999Z"));
            TrackedRequest march = Records.full(Instant.parse("2025-03-01T00:00:00Z"));
            sink.write(List.of(december, january, february, march)).as(StepVerifier::create).verifyComplete();

            // March ends after the instant: kept whole, though its first row is older
            sink.requests().dropPartitionsBefore(Instant.parse("2025-03-01T00:00:00.000001Z"))
                    .as(StepVerifier::create)
                    .expectNext(YearMonth.of(2025, 1), YearMonth.of(2025, 2))
                    .verifyComplete();

            assertThat(partitions(db, schema)).doesNotContain("spectra_requests_2025_01", "spectra_requests_2025_02")
                    .contains("spectra_requests_2025_03", SchemaDdl.DEFAULT_PARTITION);
            assertThat(db.column("SELECT id FROM \"" + schema + "\".spectra_requests ORDER BY started_at",
                    UUID.class)).containsExactly(december.id(), march.id());
            assertThat(db.column("SELECT id FROM \"" + schema + "\".spectra_response_ids ORDER BY started_at",
                    UUID.class)).containsExactly(december.id(), march.id());
            sink.requests().dropPartitionsBefore(Instant.parse("2025-03-01T00:00:00.000001Z"))
                    .as(StepVerifier::create).verifyComplete();

            // pruning removes the response ids of the rows it deletes: a later capture of the call is stored again
            sink.requests().pruneBefore(Instant.parse("2025-01-01T00:00:00Z"), 10).as(StepVerifier::create)
                    .expectNext(1L).verifyComplete();
            assertThat(db.column("SELECT id FROM \"" + schema + "\".spectra_response_ids", UUID.class))
                    .containsExactly(march.id());
            TrackedRequest recaptured = Records.minimal(Instant.parse("2025-03-05T00:00:00Z")).toBuilder()
                    .responseId(december.responseId()).build();
            sink.write(List.of(recaptured)).as(StepVerifier::create).verifyComplete();
            assertThat(R2dbcSpectraSinkIntegrationTests.countIn(db, schema, List.of(recaptured))).isEqualTo(1);
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void theSinkCreatesTheMonthsAtItsFirstWriteAndWhenItsClockEntersTheLastOne(TestDatabase db) {
        String schema = db.newSchemaName("sink");
        SpectraSchema.of(schema).createOrUpgrade(db.connectionFactory()).block(TIMEOUT);
        YearMonth now = serverMonth(db);
        YearMonth last = now.plusMonths(2);
        dropPartition(db, schema, last);
        assertThat(partitions(db, schema)).doesNotContain(partition(last));
        HandClock clock = new HandClock(now.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema)
                .build(), clock);
        try {
            sink.write(List.of(Records.minimal(Records.T0))).as(StepVerifier::create).verifyComplete();
            assertThat(partitions(db, schema)).contains(partition(last));

            // due again only when the clock enters the last month created: before that, no call
            dropPartition(db, schema, last);
            clock.set(last.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusNanos(1_000));
            sink.write(List.of(Records.minimal(Records.T0))).as(StepVerifier::create).verifyComplete();
            assertThat(partitions(db, schema)).doesNotContain(partition(last));

            clock.set(last.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
            sink.write(List.of(Records.minimal(Records.T0))).as(StepVerifier::create).verifyComplete();
            assertThat(partitions(db, schema)).contains(partition(last));
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    private static R2dbcSpectraSink sink(TestDatabase db, String hint) {
        return R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(db.newSchemaName(hint)).build());
    }

    private static void dropPartition(TestDatabase db, String schema, YearMonth month) {
        assertThat(db.single("SELECT \"" + schema + "\".spectra_drop_partition($1)", Boolean.class, month.atDay(1)))
                .isTrue();
    }

    /** The server's current UTC month: the one {@code spectra_create_partitions} starts from. */
    private static YearMonth serverMonth(TestDatabase db) {
        return YearMonth.parse(db.single("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')", String.class));
    }

    private static String partition(YearMonth month) {
        return String.format("spectra_requests_%04d_%02d", month.getYear(), month.getMonthValue());
    }

    /** The partitions of the requests, by name. */
    private static List<String> partitions(TestDatabase db, String schema) {
        return db.column("SELECT c.relname::text FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = to_regclass(quote_ident($1) || '.spectra_requests') ORDER BY 1",
                String.class, schema);
    }

    private static String partitionOf(TestDatabase db, String schema, UUID id) {
        return db.single("SELECT c.relname::text FROM \"" + schema + "\".spectra_requests AS r JOIN pg_class AS c"
                + " ON c.oid = r.tableoid WHERE r.id = $1", String.class, id);
    }

    private static List<String> indexesOf(TestDatabase db, String schema, String table) {
        return db.column("SELECT indexname::text FROM pg_indexes WHERE schemaname = $1 AND tablename = $2"
                + " ORDER BY indexname", String.class, schema, table);
    }

    private static long indexCount(TestDatabase db, String schema, String table) {
        return db.single("SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND tablename = $2", Long.class,
                schema, table);
    }

    private static String indexDef(TestDatabase db, String schema, String index) {
        return db.single("SELECT replace(indexdef, quote_ident($1), 'S') FROM pg_indexes WHERE schemaname = $1"
                + " AND indexname = $2", String.class, schema, index);
    }

    /** The name of a dimension's index: a fixed prefix and 16 hex digits of the key's SHA-256 (UTF-8). */
    private static String dimensionIndexName(String key) throws NoSuchAlgorithmException {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        return "spectra_requests_metadata_" + HexFormat.of().formatHex(digest, 0, 8);
    }

    /** A clock the test sets by hand. */
    private static final class HandClock extends Clock {

        private volatile Instant now;

        HandClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
