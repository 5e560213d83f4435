package dev.spectra.reactive.r2dbc;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@ExtendWith(PostgresExtension.class)
class PruneIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void prunesOnlyRequestsStartedBeforeTheCutoffInChunks(TestDatabase db) {
        R2dbcSpectraSink sink = sink(db, "chunks");
        try {
            Instant cutoff = Instant.parse("2025-01-10T00:00:00Z");
            List<TrackedRequest> old = new ArrayList<>();
            List<TrackedRequest> kept = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                old.add(Records.minimal(cutoff.minus(i, ChronoUnit.HOURS)));
            }
            old.add(Records.minimal(cutoff.minusNanos(1_000)));                  // one microsecond before
            kept.add(Records.minimal(cutoff));                                   // exactly at the cutoff: kept
            for (int i = 1; i <= 4; i++) {
                kept.add(Records.minimal(cutoff.plus(i, ChronoUnit.DAYS)));
            }
            List<TrackedRequest> all = new ArrayList<>(old);
            all.addAll(kept);
            sink.write(all).block(TIMEOUT);

            sink.requests().pruneBefore(cutoff, 3).as(StepVerifier::create).expectNext(11L).verifyComplete();

            assertThat(R2dbcSpectraSinkIntegrationTests.countIn(db, sink.schema().name(), old)).isZero();
            assertThat(R2dbcSpectraSinkIntegrationTests.countIn(db, sink.schema().name(), kept)).isEqualTo(5);
            sink.requests().pruneBefore(cutoff, 3).as(StepVerifier::create).expectNext(0L).verifyComplete();
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void prunesExactlyAChunkMultiple(TestDatabase db) {
        R2dbcSpectraSink sink = sink(db, "multiple");
        try {
            List<TrackedRequest> old = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                old.add(Records.minimal(Records.T0.minusSeconds(i)));
            }
            sink.write(old).block(TIMEOUT);

            sink.requests().pruneBefore(Records.T0.plusSeconds(1), 3).as(StepVerifier::create).expectNext(6L)
                    .verifyComplete();
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void prunesRequestsOlderThanAnAge(TestDatabase db) {
        R2dbcSpectraSink sink = sink(db, "age");
        try {
            Instant now = Instant.now();
            List<TrackedRequest> old = List.of(Records.minimal(now.minus(Duration.ofDays(40))),
                    Records.minimal(now.minus(Duration.ofDays(31))));
            List<TrackedRequest> recent = List.of(Records.minimal(now.minus(Duration.ofDays(29))),
                    Records.minimal(now.minusSeconds(5)));
            List<TrackedRequest> all = new ArrayList<>(old);
            all.addAll(recent);
            sink.write(all).block(TIMEOUT);

            sink.requests().pruneOlderThan(Duration.ofDays(30)).as(StepVerifier::create).expectNext(2L)
                    .verifyComplete();

            assertThat(R2dbcSpectraSinkIntegrationTests.countIn(db, sink.schema().name(), recent)).isEqualTo(2);
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void validatesItsArguments(TestDatabase db) {
        SpectraRequests requests = SpectraRequests.create(db.connectionFactory(), SpectraSchema.of(db.schemaName()));

        assertThatIllegalArgumentException().isThrownBy(() -> requests.pruneOlderThan(Duration.ZERO))
                .withMessage("age must be positive, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> requests.pruneBefore(Instant.now(), 0))
                .withMessage("chunkSize must be between 1 and 100000, was 0");
    }

    private static R2dbcSpectraSink sink(TestDatabase db, String hint) {
        return R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(db.newSchemaName(hint)).build());
    }
}
