package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.PricingStatus;
import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.internal.JsonValues;
import dev.spectra.reactive.sink.RejectedRecordsException;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(PostgresExtension.class)
class R2dbcSpectraSinkIntegrationTests {

    private static R2dbcSpectraSink sink;
    private static SpectraRequests requests;

    @BeforeAll
    static void createSink(TestDatabase db) {
        sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(db.schemaName()).build());
        requests = sink.requests();
    }

    @AfterAll
    static void closeSink() {
        sink.close().as(StepVerifier::create).verifyComplete();
    }

    @Test
    void roundTripsEveryFieldExactly() {
        TrackedRequest full = Records.full(Records.T0).toBuilder().outcome(Outcome.FAILURE).errorType("overloaded")
                .errorMessage("upstream \"overloaded\", retry {later}").build();
        TrackedRequest minimal = Records.minimal(Records.T0.plusSeconds(1));
        for (RequestColumn c : RequestColumn.values()) {
            assertThat(c.value(full)).as("the full record sets column %s", c.columnName()).isNotNull();
        }

        sink.write(List.of(full, minimal)).as(StepVerifier::create).verifyComplete();

        requests.findById(full.id()).as(StepVerifier::create)
                .assertNext(read -> assertSameRecord(read, full))
                .verifyComplete();
        requests.findById(minimal.id()).as(StepVerifier::create)
                .assertNext(read -> {
                    assertSameRecord(read, minimal);
                    assertThat(read.usage()).isNull();
                    assertThat(read.cost()).isNull();
                    assertThat(read.pricingStatus()).isEqualTo(PricingStatus.USAGE_UNKNOWN);
                    assertThat(read.metadata()).isEmpty();
                    assertThat(read.tags()).isEmpty();
                    assertThat(read.toolCallCounts()).isEmpty();
                })
                .verifyComplete();
    }

    @Test
    void keepsMoneyToTheLastDigitAndTimestampsToTheMicrosecond() {
        Instant leapDayEnd = Instant.parse("2024-02-29T23:59:59.999999Z");
        TrackedRequest r = Records.full(leapDayEnd).toBuilder()
                .cost(Cost.of("9999999998.9999999999", "0.0000000001"))   // the largest numeric(20,10) total
                .completedAt(leapDayEnd.plusNanos(1_000))
                .build();

        sink.write(List.of(r)).as(StepVerifier::create).verifyComplete();

        requests.findById(r.id()).as(StepVerifier::create)
                .assertNext(read -> {
                    assertThat(read.cost().input().toPlainString()).isEqualTo("9999999998.9999999999");
                    assertThat(read.cost().output().toPlainString()).isEqualTo("0.0000000001");
                    assertThat(read.cost().total().toPlainString()).isEqualTo("9999999999.0000000000");
                    assertThat(read.startedAt()).isEqualTo(leapDayEnd);
                    assertThat(read.completedAt()).isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
                    assertSameRecord(read, r);
                })
                .verifyComplete();
    }

    @Test
    void truncatesNanosecondsToMicrosecondsInsteadOfRounding() {
        Instant nanos = Instant.parse("2025-06-30T23:59:59.999999999Z");
        TrackedRequest r = Records.minimal(nanos).toBuilder().completedAt(nanos).build();

        sink.write(List.of(r)).as(StepVerifier::create).verifyComplete();

        requests.findById(r.id()).as(StepVerifier::create)
                .assertNext(read -> {
                    assertThat(read.startedAt()).isEqualTo(Instant.parse("2025-06-30T23:59:59.999999Z"));
                    assertThat(read.completedAt()).isEqualTo(Instant.parse("2025-06-30T23:59:59.999999Z"));
                })
                .verifyComplete();
    }

    @Test
    void storesEveryOutcomeAndPricingStatus() {
        List<TrackedRequest> batch = new ArrayList<>();
        for (Outcome outcome : Outcome.values()) {
            batch.add(Records.minimal(Records.T0).toBuilder().outcome(outcome).errorType("E-" + outcome)
                    .errorMessage(outcome == Outcome.SUCCESS ? null : "went " + outcome).build());
        }
        // pricingStatus(null): derive it again from usage and cost (toBuilder keeps the minimal record's status)
        batch.add(Records.minimal(Records.T0).toBuilder().usage(Usage.of(10, 5)).pricingStatus(null).build());
        batch.add(Records.minimal(Records.T0).toBuilder().usage(Usage.of(10, 5)).cost(Cost.of("0", "0"))
                .pricingStatus(null).build());

        sink.write(batch).as(StepVerifier::create).verifyComplete();

        for (TrackedRequest r : batch) {
            requests.findById(r.id()).as(StepVerifier::create)
                    .assertNext(read -> assertSameRecord(read, r))
                    .verifyComplete();
        }
        assertThat(batch.get(3).pricingStatus()).isEqualTo(PricingStatus.MODEL_NOT_PRICED);
        assertThat(batch.get(4).cost().total()).isEqualByComparingTo("0");
    }

    @Test
    void roundTripsLargeMetadata() {
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (int i = 0; i < 2_000; i++) {
            metadata.put("key_" + i, Map.of("index", i, "text", "värde ".repeat(50) + i, "list", List.of(i, i + 0.5)));
        }
        TrackedRequest r = Records.minimal(Records.T0).toBuilder().metadata(metadata).build();

        sink.write(List.of(r)).as(StepVerifier::create).verifyComplete();

        requests.findById(r.id()).as(StepVerifier::create)
                .assertNext(read -> {
                    assertThat(JsonValues.jsonEquals(read.metadata(), r.metadata())).isTrue();
                    assertThat(read.metadata()).hasSize(2_000);
                })
                .verifyComplete();
    }

    @Test
    void writesABatchInOneStatementWithoutStatementAdd(TestDatabase db) {
        CountingConnectionFactory counting = new CountingConnectionFactory(db.connectionFactory());
        R2dbcSpectraSink observed = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().connectionFactory(counting)
                .schema(db.schemaName()).createSchema(false).build());
        List<TrackedRequest> batch = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            batch.add(Records.full(Records.T0.plusMillis(i)));
        }
        try {
            observed.write(batch).as(StepVerifier::create).verifyComplete();
        } finally {
            observed.close().block(Duration.ofSeconds(10));
        }

        assertThat(counting.executedContaining("INSERT INTO")).isEqualTo(1);
        assertThat(counting.adds).hasValue(0);
        assertThat(counting.binds).hasValue(RequestColumn.values().length);
        assertThat(countIn(db, batch)).isEqualTo(1_000);
    }

    @Test
    void aRetriedBatchStoresEachRecordOnce(TestDatabase db) {
        List<TrackedRequest> batch = List.of(Records.full(Records.T0), Records.minimal(Records.T0),
                Records.minimal(Records.T0));

        sink.write(batch).as(StepVerifier::create).verifyComplete();
        sink.write(batch).as(StepVerifier::create).verifyComplete();
        sink.write(batch.subList(1, 3)).as(StepVerifier::create).verifyComplete();

        assertThat(countIn(db, batch)).isEqualTo(3);
    }

    @Test
    void aResponseIdAlreadyStoredForTheProviderIsNotStoredAgain(TestDatabase db) {
        String responseId = "msg_" + UUID.randomUUID();
        TrackedRequest first = Records.full(Records.T0).toBuilder().provider("anthropic").responseId(responseId).build();
        TrackedRequest sameCallCapturedTwice = Records.minimal(Records.T0).toBuilder().provider("anthropic")
                .responseId(responseId).build();
        TrackedRequest sameIdOtherProvider = Records.minimal(Records.T0).toBuilder().provider("openrouter")
                .responseId(responseId).build();
        TrackedRequest inTheSameBatch = Records.minimal(Records.T0).toBuilder().provider("openrouter")
                .responseId(responseId).build();

        sink.write(List.of(first)).as(StepVerifier::create).verifyComplete();
        sink.write(List.of(sameCallCapturedTwice, sameIdOtherProvider, inTheSameBatch)).as(StepVerifier::create)
                .verifyComplete();

        assertThat(db.column("SELECT id FROM \"" + db.schemaName() + "\".spectra_requests WHERE response_id = $1"
                + " ORDER BY provider", UUID.class, responseId))
                .containsExactly(first.id(), sameIdOtherProvider.id());
        requests.findById(first.id()).as(StepVerifier::create)
                .assertNext(read -> assertSameRecord(read, first)).verifyComplete();
    }

    @Test
    void recordsWithoutResponseIdAreNeverDeduplicated(TestDatabase db) {
        List<TrackedRequest> batch = List.of(Records.minimal(Records.T0), Records.minimal(Records.T0));

        sink.write(batch).as(StepVerifier::create).verifyComplete();

        assertThat(countIn(db, batch)).isEqualTo(2);
    }

    @Test
    void isolatesRecordsTheDatabaseRefusesAndStoresTheRest(TestDatabase db) {
        List<TrackedRequest> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(Records.full(Records.T0.plusMillis(i)));
        }
        TrackedRequest tooLong = batch.get(3).toBuilder()
                .cost(Cost.of("0", "20000000000")).build();
        TrackedRequest costTooLarge = batch.get(8).toBuilder()
                .cost(Cost.of("10000000000", "0")).build();   // numeric(20,10) holds 10 integer digits
        batch.set(3, tooLong);
        batch.set(8, costTooLarge);

        sink.write(batch).as(StepVerifier::create)
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(RejectedRecordsException.class);
                    assertThat(sink.isTransient(e)).isFalse();
                    List<RejectedRecordsException.Rejection> rejections = ((RejectedRecordsException) e).rejections();
                    assertThat(rejections).extracting(RejectedRecordsException.Rejection::record)
                            .containsExactly(tooLong, costTooLarge);
                    assertThat(rejections.get(0).reason()).startsWith("22003: ");
                    assertThat(rejections.get(1).reason()).startsWith("22003: ");
                })
                .verify(Duration.ofSeconds(30));

        List<TrackedRequest> good = new ArrayList<>(batch);
        good.remove(costTooLarge);
        good.remove(tooLong);
        assertThat(countIn(db, good)).isEqualTo(8);
        assertThat(countIn(db, List.of(tooLong, costTooLarge))).isZero();
    }

    @Test
    void storesRecordsInASessionThatIsNotInUtc(TestDatabase db) {
        ConnectionFactoryOptions url = ConnectionFactoryOptions.parse(db.url());
        PostgresqlConnectionFactory tokyo = new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
                .host((String) url.getRequiredValue(ConnectionFactoryOptions.HOST))
                .port((Integer) url.getRequiredValue(ConnectionFactoryOptions.PORT))
                .username((String) url.getRequiredValue(ConnectionFactoryOptions.USER))
                .password((CharSequence) url.getValue(ConnectionFactoryOptions.PASSWORD))
                .database((String) url.getValue(ConnectionFactoryOptions.DATABASE))
                .options(Map.of("TimeZone", "Asia/Kathmandu"))
                .build());
        R2dbcSpectraSink kathmandu = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().connectionFactory(tokyo)
                .schema(db.schemaName()).build());
        TrackedRequest r = Records.full(Records.T0);
        try {
            kathmandu.write(List.of(r)).as(StepVerifier::create).verifyComplete();
            kathmandu.requests().findById(r.id()).as(StepVerifier::create)
                    .assertNext(read -> assertSameRecord(read, r)).verifyComplete();
        } finally {
            kathmandu.close().block(Duration.ofSeconds(10));
        }
        requests.findById(r.id()).as(StepVerifier::create)
                .assertNext(read -> assertThat(read.startedAt()).isEqualTo(Records.T0)).verifyComplete();
    }

    @Test
    void storesStringsThatLookLikeArraySyntaxExactly() {
        List<String> tricky = List.of("NULL", "", "null", "a\"b", "back\\slash\\", "{,}", "line\nbreak\ttab\r",
                " padded ", "'single'", "\\\"", "🚀 東京", "$1::text");
        List<TrackedRequest> batch = new ArrayList<>();
        for (String s : tricky) {
            batch.add(Records.full(Records.T0).toBuilder().responseId(s.isEmpty() ? "empty" : s).errorMessage(s)
                    .endpoint(s).conversationId(s).traceId(s.isEmpty() ? "t" : s).tags(List.of(s, s + "x"))
                    .metadata(Map.of(s.isEmpty() ? "k" : s, s)).build());
        }

        sink.write(batch).as(StepVerifier::create).verifyComplete();

        for (TrackedRequest r : batch) {
            requests.findById(r.id()).as(StepVerifier::create)
                    .assertNext(read -> {
                        assertSameRecord(read, r);
                        assertThat(read.errorMessage()).isNotNull().isEqualTo(r.errorMessage());
                    })
                    .verifyComplete();
        }
    }

    @Test
    void aNulCharacterInAValueIsStoredAsTheReplacementCharacterInsteadOfFailingTheRecord() {
        // PostgreSQL's text and jsonb refuse U+0000; the record is stored with U+FFFD in its place (a metadata key
        // holding NUL is refused when it is given, so that two keys can never become one)
        String nul = "a\u0000b";
        TrackedRequest r = Records.full(Records.T0).toBuilder().errorMessage(nul).endpoint(nul).tags(List.of(nul))
                .metadata(Map.of("k", nul)).build();

        sink.write(List.of(r)).as(StepVerifier::create).verifyComplete();

        requests.findById(r.id()).as(StepVerifier::create)
                .assertNext(read -> {
                    assertThat(read.errorMessage()).isEqualTo("a\uFFFDb");
                    assertThat(read.endpoint()).isEqualTo("a\uFFFDb");
                    assertThat(read.tags()).containsExactly("a\uFFFDb");
                    assertThat(read.metadata()).containsEntry("k", "a\uFFFDb");
                })
                .verifyComplete();
    }

    @Test
    void aCallWithoutTraceIdIsItsOwnTraceAndReadsBackEqual() {
        TrackedRequest untraced = Records.minimal(Records.T0).toBuilder().traceId(null).build();
        assertThat(untraced.traceId()).isEqualTo(untraced.id().toString());

        sink.write(List.of(untraced)).as(StepVerifier::create).verifyComplete();

        requests.findById(untraced.id()).as(StepVerifier::create)
                .assertNext(read -> assertSameRecord(read, untraced)).verifyComplete();
        requests.search(RequestQuery.of(RequestFilter.builder().traceId(untraced.id().toString()).build()))
                .map(page -> page.items().stream().map(TrackedRequest::id).toList())
                .as(StepVerifier::create).expectNext(List.of(untraced.id())).verifyComplete();
    }

    @Test
    void anEmptyBatchDoesNothing() {
        sink.write(List.of()).as(StepVerifier::create).verifyComplete();
    }

    @Test
    void concurrentWritesAllLand(TestDatabase db) {
        List<List<TrackedRequest>> batches = new ArrayList<>();
        List<TrackedRequest> all = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            List<TrackedRequest> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                batch.add(Records.full(Records.T0.plusSeconds(b).plusMillis(i)));
            }
            batches.add(batch);
            all.addAll(batch);
        }

        Flux.fromIterable(batches).flatMap(sink::write, 8).then().as(StepVerifier::create)
                .verifyComplete();

        assertThat(countIn(db, all)).isEqualTo(800);
    }

    static long countIn(TestDatabase db, List<TrackedRequest> records) {
        return countIn(db, db.schemaName(), records);
    }

    static long countIn(TestDatabase db, String schema, List<TrackedRequest> records) {
        UUID[] ids = records.stream().map(TrackedRequest::id).toArray(UUID[]::new);
        return db.single("SELECT count(*) FROM \"" + schema + "\".spectra_requests WHERE id = ANY($1)",
                Long.class, (Object) ids);
    }

    /** Equal field by field; metadata as JSON (2, 2L and 2.0 alike: jsonb keeps values, not Java types). */
    static void assertSameRecord(TrackedRequest read, TrackedRequest written) {
        assertThat(JsonValues.jsonEquals(read.metadata(), written.metadata()))
                .as("metadata %s equals %s as JSON", read.metadata(), written.metadata()).isTrue();
        TrackedRequest sameMetadata = read.toBuilder().metadata(written.metadata()).build();
        assertThat(sameMetadata).usingRecursiveComparison().isEqualTo(written);
        assertThat(sameMetadata).isEqualTo(written);
    }
}
