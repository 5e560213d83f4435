package dev.spectra.reactive.webclient;

import java.math.BigDecimal;
import java.util.List;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same bytes give the same record whichever way a user captures them. Each fixture is served by a local server
 * twice: once to a WebClient with {@link SpectraExchangeFilter}, once to a plain WebClient whose answer goes through
 * the operators as a user would write it: {@code Spectra.tracked} around {@code bodyToMono(String.class)} for whole
 * bodies, {@code Spectra.stream} around {@code bodyToFlux(String.class)} for streams (raw {@code byte[]} for a JSON
 * array stream), and for an error status the {@link WebClientResponseException} that {@code retrieve()} raises. The
 * two records must be equal field by field, save what only one path can know: ids and times, time to first token,
 * tokens per second, chunk count (the filter counts events, the operators count what the decoder hands over), and
 * the HTTP status of an answer that did not fail (the operators see only the body then).
 */
class CapturePathAgreementIntegrationTests {

    static FixtureServer server;
    static WebClient filtered;
    static WebClient plain;

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        filtered = TestClients.client(SpectraExchangeFilter.builder().host("ollama", Fixtures.OLLAMA).build());
        plain = TestClients.client((request, next) -> next.exchange(request));
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
    void theFilterAndTheOperatorsRecordTheSameCall(Fixtures.Fixture f) {
        SpectraFake fake = SpectraFake.create();
        StepVerifier.create(request(filtered, f).exchangeToMono(r -> r.releaseBody()).contextWrite(fake.bind()))
                .verifyComplete();
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest byFilter = fake.last();

        fake.reset();
        String path = f.path().contains("?") ? f.path().substring(0, f.path().indexOf('?')) : f.path();
        TrackOptions options = TrackOptions.builder().endpoint(path).operation(f.operation())
                .modelType(f.modelType()).build();
        WebClient.ResponseSpec answer = request(plain, f).retrieve();
        Flux<?> captured;
        if (!f.streaming()) {
            captured = answer.bodyToMono(String.class).transform(Spectra.tracked(f.provider(), f.model(), options))
                    .flux();
        } else if (f.file().endsWith(".json")) {
            captured = answer.bodyToFlux(byte[].class).transform(Spectra.stream(f.provider(), f.model(), options));
        } else {
            captured = answer.bodyToFlux(String.class).transform(Spectra.stream(f.provider(), f.model(), options));
        }
        Mono<Void> run = captured.then()
                .onErrorResume(WebClientResponseException.class, e -> Mono.empty())
                .contextWrite(fake.bind());
        StepVerifier.create(run).verifyComplete();
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest byOperators = fake.last();

        boolean errorStatus = f.status() >= 400;
        String[] onlyOnePathKnows = errorStatus
                ? new String[] {"id", "traceId", "latencyMs", "timeToFirstTokenMs", "tokensPerSecond", "chunkCount",
                        "startedAt", "completedAt"}
                : new String[] {"id", "traceId", "latencyMs", "timeToFirstTokenMs", "tokensPerSecond", "chunkCount",
                        "startedAt", "completedAt", "httpStatus"};
        assertThat(byOperators).usingRecursiveComparison().ignoringFields(onlyOnePathKnows)
                .withComparatorForType(BigDecimal::compareTo, BigDecimal.class)
                .isEqualTo(byFilter);
        assertThat(byOperators.usage()).as("usage, stated details included").isEqualTo(byFilter.usage());
        if (errorStatus) {
            assertThat(byOperators.httpStatus()).isEqualTo(f.status());
        }
        // and both are the right record, not merely the same one
        assertThat(byFilter.outcome()).isEqualTo(f.failure() ? Outcome.FAILURE : Outcome.SUCCESS);
        assertThat(byFilter.errorType()).isEqualTo(f.expected().errorType());
    }

    private static WebClient.RequestHeadersSpec<?> request(WebClient client, Fixtures.Fixture f) {
        return client.post()
                .uri("http://" + f.host() + ":" + server.port() + f.path())
                .header("x-fixture", f.file())
                .header("x-status", Integer.toString(f.status()))
                .header("x-chunks", f.streaming() ? "7" : "3")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(f.requestBody());
    }
}
