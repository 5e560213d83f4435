package dev.spectra.reactive.r2dbc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.SecretScan;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** The credential scan that runs after every integration test class: it finds what it must, and only that. */
@ExtendWith(PostgresExtension.class)
class SecretScanIntegrationTests {

    @Test
    void findsCredentialsWrittenPastCoreAndIgnoresRedactedOnes(TestDatabase db) {
        String schema = db.newSchemaName("leaky");
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema).build());
        try {
            Instant t = Instant.parse("2026-11-24T00:00:00Z");
            // written straight to the sink: core would have scrubbed these
            TrackedRequest leaky = Records.full(t).toBuilder().outcome(Outcome.FAILURE)
                    .endpoint("/v1beta/models/gemini-2.5-flash:generateContent"
                            + "?key=AIzaSyA1234567890abcdefghijklmnopqrs")
                    .errorMessage("Incorrect API key provided: sk-proj-abcdefghijklmnop1234")
                    .metadata(Map.of("note", "Authorization: Bearer abcdef123456")).build();
            TrackedRequest clean = Records.full(t.plusSeconds(1)).toBuilder().outcome(Outcome.FAILURE)
                    .endpoint("/v1beta/models/gemini-2.5-flash:generateContent")
                    .errorMessage("GET https://x/y?alt=sse&key=[REDACTED] with Authorization: [REDACTED]")
                    .metadata(Map.of("api_key", "[REDACTED]", "max_tokens", 512)).build();
            sink.write(List.of(leaky, clean)).block(Duration.ofSeconds(30));

            List<String> found = SecretScan.findings(db.connectionFactory(), schema);

            String id = leaky.id().toString();
            // the note is both a bearer token and an auth header value
            assertThat(found).containsExactlyInAnyOrder(id + ": sk-proj-abcdefghijklmnop1234",
                    id + ": AIzaSyA1234567890abcdefghijklmnopqrs", id + ": Bearer abcdef123456",
                    id + ": ?key=AIzaSyA1234567890abcdefghijklmnopqrs", id + ": Authorization: B");
            // leave nothing behind for the scan of this class's teardown
            db.update("DELETE FROM \"" + schema + "\".spectra_requests WHERE id = $1", leaky.id());
            assertThat(SecretScan.findings(db.connectionFactory(), schema)).isEmpty();
        } finally {
            sink.close().block(Duration.ofSeconds(10));
        }
    }
}
