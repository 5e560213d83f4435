package dev.spectra.reactive.r2dbc;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.internal.SecretScrubber;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.SecretScan;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import dev.spectra.reactive.testsupport.secrets.CredentialCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials of every shape, tracked into PostgreSQL in error messages, metadata, tags and ids: no stored row holds
 * any of them, not even 8 characters of one.
 */
@ExtendWith(PostgresExtension.class)
class CredentialCorpusIntegrationTests {

    private final CredentialCorpus corpus = CredentialCorpus.standard();

    @Test
    void noStoredRowHoldsAnyCredentialOfTheCorpus(TestDatabase db) {
        String schema = db.newSchemaName("credentials");
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema).build());
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).build();
        int calls = 0;
        try {
            for (CredentialCorpus.Placement p : corpus.errorTexts()) {
                StepVerifier.create(tracker.track("openai", "gpt-4o",
                        call -> Mono.error(new IllegalStateException(p.text())))).expectError().verify();
                calls++;
            }
            List<CredentialCorpus.Secret> secrets = corpus.secrets();
            List<Map<String, Object>> metadata = corpus.metadata();
            for (int i = 0; i < secrets.size(); i++) {
                String v = secrets.get(i).value();
                Map<String, Object> m = metadata.get(i);
                StepVerifier.create(tracker.track("openai", "gpt-4o", call -> {
                            call.addMetadata(m).addTag("api_key=" + v).conversationId("conversation password=" + v)
                                    .trackable("user", "token=" + v);
                            return Mono.just("ok");
                        }, TrackOptions.builder().tags("x-api-key: " + v).build()))
                        .expectNext("ok").verifyComplete();
                calls++;
            }
            StepVerifier.create(tracker.flush()).expectComplete().verify(Duration.ofSeconds(60));
        } finally {
            tracker.close(Duration.ofSeconds(30)).block(Duration.ofSeconds(60));
        }

        List<String> rows = SecretScan.rows(db.connectionFactory(), schema);
        assertThat(rows).hasSize(calls);
        assertThat(corpus.leaks(rows, i -> "row " + i)).isEmpty();
        assertThat(SecretScan.findings(db.connectionFactory(), schema)).isEmpty();
    }

    @Test
    void anOwnerIdThatIsACredentialIsStoredAsItsDigestAndFoundByItOrByTheKey(TestDatabase db) {
        String key = "sk-proj-Zx8Kq2Lm9Np4Rs7Tv1Wy3Ab5";
        String schema = db.newSchemaName("owners");
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(
                R2dbcSinkOptions.builder().url(db.url()).schema(schema).build());
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).build();
        try {
            StepVerifier.create(tracker.track("openai", "gpt-4o", call -> {
                call.trackable("api_key", key);
                return Mono.just("ok");
            })).expectNext("ok").verifyComplete();
            StepVerifier.create(tracker.flush()).expectComplete().verify(Duration.ofSeconds(60));
        } finally {
            tracker.close(Duration.ofSeconds(30)).block(Duration.ofSeconds(60));
        }
        String digest = SecretScrubber.identifying("api_key", key);
        assertThat(digest).matches("sha256:[0-9a-f]{32}");

        SpectraRequests requests = SpectraRequests.create(db.connectionFactory(), SpectraSchema.of(schema));
        for (String asked : List.of(key, digest)) {
            RequestFilter f = RequestFilter.builder().trackable(new Trackable("api_key", asked)).build();
            StepVerifier.create(requests.search(RequestQuery.builder().filter(f).build()))
                    .assertNext(page -> assertThat(page.items()).singleElement()
                            .satisfies(r -> assertThat(r.trackable()).isEqualTo(new Trackable("api_key", digest))))
                    .verifyComplete();
        }
        assertThat(SecretScan.rows(db.connectionFactory(), schema)).singleElement().asString().doesNotContain(key);
    }
}
