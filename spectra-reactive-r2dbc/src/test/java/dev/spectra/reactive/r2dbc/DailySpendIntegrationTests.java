package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

import dev.spectra.reactive.Trackable;
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
