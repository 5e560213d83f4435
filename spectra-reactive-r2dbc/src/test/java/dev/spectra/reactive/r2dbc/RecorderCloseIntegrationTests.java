package dev.spectra.reactive.r2dbc;

import java.time.Duration;
import java.time.Instant;

import dev.spectra.reactive.sink.Recorder;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.sink.RecorderStats;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** Fault proof: shutting down with records still queued writes every one of them to PostgreSQL. */
@ExtendWith(PostgresExtension.class)
class RecorderCloseIntegrationTests {

    @Test
    void closePersistsEveryQueuedRecord(TestDatabase db) {
        String schema = db.newSchemaName("close");
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema).build());
        // a long delay and a large batch: nothing is written until close() flushes
        Recorder recorder = Recorder.create(sink, RecorderOptions.builder().queueCapacity(20_000).batchSize(1_000)
                .maxDelay(Duration.ofHours(1)).build());
        Instant t = Instant.parse("2026-11-24T12:00:00Z");
        for (int i = 0; i < 10_500; i++) {
            assertThat(recorder.deliver(Records.full(t.plusMillis(i)))).isTrue();
        }

        recorder.close(Duration.ofSeconds(60)).block(Duration.ofSeconds(90));

        RecorderStats s = recorder.stats();
        assertThat(s).isEqualTo(new RecorderStats(10_500, 10_500, 0, 0, 0, 0));
        assertThat(db.single("SELECT count(*) FROM \"" + schema + "\".spectra_requests", Long.class)).isEqualTo(10_500L);
        assertThat(recorder.deliver(Records.full(t))).as("closed: refused and counted").isFalse();
        assertThat(recorder.stats().dropped()).isEqualTo(1);
    }
}
