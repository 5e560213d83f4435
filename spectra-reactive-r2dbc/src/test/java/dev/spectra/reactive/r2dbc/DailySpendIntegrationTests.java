package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.Recorder;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.sink.RecorderStats;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** The daily spend rollup, written by the statement that inserts each batch; expectations from {@link HandSet}. */
@ExtendWith(PostgresExtension.class)
class DailySpendIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** day, provider, model, owner type and id, requests, unpriced, cost, input, output and total tokens. */
    private static final String ROW = "SELECT day::text || '|' || provider || '|' || model || '|' || trackable_type"
            + " || '|' || trackable_id || '|' || requests || '|' || unpriced_requests || '|' || cost::text || '|'"
            + " || input_tokens || '|' || output_tokens || '|' || total_tokens FROM ";

    private static final List<String> HAND_SET_DAYS = List.of(
            "2025-03-10|openai|gpt-4o|user|u1|2|0|0.0030000000|300|150|450",
            "2025-03-10|openai|gpt-4o-mini|user|u2|1|1|0.0000000000|0|0|0",
            "2025-03-10|anthropic|claude-sonnet-4-5|team|x|1|0|0.0105000000|1000|500|1500",
            "2025-03-11|anthropic|claude-sonnet-4-5|||1|0|0.0009000000|300|0|300",
            "2025-03-11|gcp.gemini|gemini-2.5-flash|user|u1|1|1|0.0000000000|400|100|500",
            "2025-03-11|openai|gpt-4o|||1|1|0.0000000000|0|0|0",
            "2025-03-12|openai|gpt-4o|user|u3|1|0|0.0010000000|100|50|150",
            "2025-03-12|mistral_ai|mistral-large|||1|0|0.0001000000|50|25|75",
            "2025-03-12|openai|gpt-4o|user|" + HandSet.INJECTION_OWNER + "|1|0|0.0000300000|10|5|15");

    @Test
    void eachBatchAddsItsRowsToTheirDayProviderModelAndOwner(TestDatabase db) {
        String schema = db.newSchemaName("daily");
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema).build());
        try {
            // three batches, two of them concurrent: R1 and R2 land on the same row from two statements
            sink.write(HandSet.ALL.subList(0, 1)).block(TIMEOUT);
            Flux.merge(sink.write(HandSet.ALL.subList(1, 5)), sink.write(HandSet.ALL.subList(5, 10))).blockLast(TIMEOUT);

            assertThat(db.column(ROW + "\"" + schema + "\".spectra_spend_daily", String.class))
                    .containsExactlyInAnyOrderElementsOf(HAND_SET_DAYS);

            // a retried batch and a call captured twice are stored once, and counted once
            sink.write(HandSet.ALL).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
            assertThat(db.column(ROW + "\"" + schema + "\".spectra_spend_daily", String.class))
                    .containsExactlyInAnyOrderElementsOf(HAND_SET_DAYS);
            // the rollup agrees with the requests it summarizes
            assertThat(db.single("SELECT (SELECT sum(cost) FROM \"" + schema + "\".spectra_spend_daily)"
                    + " = (SELECT sum(total_cost) FROM \"" + schema + "\".spectra_requests)", Boolean.class)).isTrue();

            // the query API reads it back, a day range at a time
            sink.requests().dailySpend(LocalDate.parse("2025-03-11"), LocalDate.parse("2025-03-12"))
                    .as(StepVerifier::create)
                    .expectNext(new DailySpend(LocalDate.parse("2025-03-11"), "anthropic", "claude-sonnet-4-5", null,
                            1, 0, new BigDecimal("0.0009000000"), 300, 0, 300))
                    .expectNext(new DailySpend(LocalDate.parse("2025-03-11"), "gcp.gemini", "gemini-2.5-flash",
                            new Trackable("user", "u1"), 1, 1, BigDecimal.ZERO.setScale(10), 400, 100, 500))
                    .expectNext(new DailySpend(LocalDate.parse("2025-03-11"), "openai", "gpt-4o", null,
                            1, 1, BigDecimal.ZERO.setScale(10), 0, 0, 0))
                    .expectComplete().verify(TIMEOUT);
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void batchesWrittenFourAtATimeShareRollupRowsAndResponseIdsWithoutDeadlockOrDoubleCounting(TestDatabase db) {
        String schema = db.newSchemaName("concurrent");
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema)
                .writeConcurrency(4).build());
        assertThat(sink.maxConcurrentWrites()).isEqualTo(4);
        // 2,000 calls of one day, two models, three owners: every batch adds to the same rollup rows; 100 calls
        // are captured twice, the copies far apart in the queue, and each batch claims its ids in shuffled order,
        // so batches in flight together claim the same ids in opposite orders
        List<TrackedRequest> calls = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            TrackedRequest full = Records.full(Records.T0.plusMillis(i));
            calls.add(full.toBuilder().model(i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini")
                    .trackable(new Trackable("user", "u" + (i % 3))).build());
        }
        List<TrackedRequest> queued = new ArrayList<>(calls);
        for (int i = 0; i < 100; i++) {
            TrackedRequest original = calls.get(i * 20);
            // the same response captured again (another id: a second capture path)
            queued.add(original.toBuilder().id(Records.uuid7(original.startedAt())).build());
        }
        Random random = new Random(42);
        Collections.shuffle(queued, random);
        Recorder recorder = Recorder.create(sink, RecorderOptions.builder().batchSize(50)
                .maxDelay(Duration.ofHours(1)).queueCapacity(4_096).build());
        try {
            queued.forEach(recorder::deliver);
            recorder.flush().as(StepVerifier::create).expectComplete().verify(TIMEOUT);

            // every batch was written at its first attempt: no deadlock, no other transient error
            assertThat(recorder.stats()).isEqualTo(new RecorderStats(2_100, 2_100, 0, 0, 0, 0));
            String table = "\"" + schema + "\".";
            assertThat(db.single("SELECT count(*) FROM " + table + "spectra_requests", Long.class)).isEqualTo(2_000L);
            assertThat(db.single("SELECT count(*) FROM " + table + "spectra_response_ids", Long.class))
                    .isEqualTo(2_000L);
            assertThat(db.single("SELECT sum(requests) FROM " + table + "spectra_spend_daily", Long.class))
                    .isEqualTo(2_000L);
            assertThat(db.single("SELECT count(*) FROM " + table + "spectra_spend_daily", Long.class)).isEqualTo(6L);
            assertThat(db.single("SELECT (SELECT sum(cost) FROM " + table + "spectra_spend_daily)"
                    + " = (SELECT sum(total_cost) FROM " + table + "spectra_requests)"
                    + " AND (SELECT sum(input_tokens) FROM " + table + "spectra_spend_daily)"
                    + " = (SELECT sum(input_tokens) FROM " + table + "spectra_requests)", Boolean.class)).isTrue();
        } finally {
            recorder.close(TIMEOUT).block(TIMEOUT);
        }
    }

    @Test
    void aRecordTwiceInOneBatchIsStoredAndCountedOnce(TestDatabase db) {
        String schema = db.newSchemaName("twice");
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema).build());
        TrackedRequest call = Records.full(Records.T0);
        TrackedRequest other = Records.full(Records.T0.plusMillis(1));
        TrackedRequest withoutResponseId = Records.minimal(Records.T0.plusMillis(2));
        try {
            sink.write(List.of(call, other, withoutResponseId, call, withoutResponseId)).as(StepVerifier::create)
                    .expectComplete().verify(TIMEOUT);

            String table = "\"" + schema + "\".";
            assertThat(db.column("SELECT id FROM " + table + "spectra_requests ORDER BY started_at", UUID.class))
                    .containsExactly(call.id(), other.id(), withoutResponseId.id());
            assertThat(db.single("SELECT sum(requests) FROM " + table + "spectra_spend_daily", Long.class))
                    .isEqualTo(3L);
            assertThat(db.single("SELECT (SELECT sum(cost) FROM " + table + "spectra_spend_daily)"
                    + " = (SELECT sum(total_cost) FROM " + table + "spectra_requests)", Boolean.class)).isTrue();
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void sumsNeverOverflowSoTheRollupNeverFailsABatch(TestDatabase db) {
        String schema = db.newSchemaName("daily_big");
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema).build());
        try {
            // each record costs $1,234,567,890.99 (the most numeric(20,10) holds is under $10,000,000,000)
            List<dev.spectra.reactive.TrackedRequest> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                batch.add(Records.full(Records.T0.plusMillis(i)));
            }
            sink.write(batch).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

            assertThat(db.single("SELECT requests || ' ' || cost::text || ' ' || total_tokens FROM \"" + schema
                    + "\".spectra_spend_daily", String.class)).isEqualTo("20 24691357819.7777777940 30900");
        } finally {
            sink.close().block(TIMEOUT);
        }
    }
}
