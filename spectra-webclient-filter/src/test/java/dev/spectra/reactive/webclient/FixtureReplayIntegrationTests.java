package dev.spectra.reactive.webclient;

import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every fixture replayed by a local server, in pieces cut at arbitrary bytes with delays between them, to a
 * WebClient that resolves the providers' real host names to it: each exchange gives one exact record, and the
 * caller reads exactly the bytes the server sent.
 */
class FixtureReplayIntegrationTests {

    static FixtureServer server;
    static WebClient client;

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        client = TestClients.client(SpectraExchangeFilter.builder().host("ollama", Fixtures.OLLAMA).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<Fixtures.Fixture> fixtures() {
        return Fixtures.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void eachFixtureGivesOneExactRecordAndTheCallerReadsTheSameBytes(Fixtures.Fixture f) {
        SpectraFake fake = SpectraFake.create();
        Mono<String> sha = client.post()
                .uri("http://" + f.host() + ":" + server.port() + f.path())
                .header("x-fixture", f.file())
                .header("x-status", Integer.toString(f.status()))
                .header("x-chunks", f.streaming() ? "7" : "3")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(f.requestBody())
                .exchangeToFlux(r -> r.bodyToFlux(DataBuffer.class))
                .as(Records::sha256)
                .contextWrite(Spectra.metadata("fixture", f.file()))
                .contextWrite(fake.bind());

        StepVerifier.create(sha).expectNext(Records.sha256(FixtureServer.fixture(f.file()))).verifyComplete();

        assertThat(fake.recorded()).hasSize(1);
        Outcome outcome = f.failure() ? Outcome.FAILURE : Outcome.SUCCESS;
        Records.assertRecord(fake.last(),
                Records.expected(f, outcome, Map.of("fixture", f.file()), fake.tracker().pricing()));
    }

    @Test
    void everyFixtureOfTheSharedTableIsReplayed() {
        assertThat(fixtures()).extracting(Fixtures.Fixture::file)
                .containsExactlyElementsOf(ProviderFixtures.all().stream().map(ProviderFixture::file).toList());
    }
}
