package dev.spectra.reactive.webclient;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.PricingStatus;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How an exchange ends decides its single record: body complete, body error, body cancelled, body discarded,
 * HTTP error, connection failure, cancellation before the response; with each way WebClient reads a body.
 */
class CaptureLifecycleIntegrationTests {

    static FixtureServer server;
    static WebClient client;
    SpectraFake fake;

    static final Fixtures.Fixture CHAT = Fixtures.named("openai__chat__json__1.json");
    static final Fixtures.Fixture STREAM = Fixtures.named("openai__chat__stream__1.sse");
    static final Fixtures.Fixture ERROR = Fixtures.named("openai__chat__error__1.json");

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        client = TestClients.client(SpectraExchangeFilter.create());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void fake() {
        fake = SpectraFake.create();
    }

    private WebClient.RequestHeadersSpec<?> call(Fixtures.Fixture f) {
        return client.post().uri("http://" + f.host() + ":" + server.port() + f.path())
                .header("x-fixture", f.file())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(f.requestBody());
    }

    private TrackedRequest onlyRecord() {
        assertThat(fake.recorded()).as("records").hasSize(1);
        return fake.last();
    }

    private TrackedRequest expected(Fixtures.Fixture f, Outcome outcome) {
        return Records.expected(f, outcome, Map.of(), fake.tracker().pricing());
    }

    // ------------------------------------------------------------------ complete, with each way of reading

    @Test
    void retrieveBodyToMonoOfJsonNode() {
        StepVerifier.create(call(CHAT).retrieve().bodyToMono(JsonNode.class).contextWrite(fake.bind()))
                .assertNext(json -> assertThat(json.get("id").asString()).isEqualTo("chatcmpl-ABfvaueLEMLNYbT8YzpJxsmiQ6HSY"))
                .verifyComplete();
        Records.assertRecord(onlyRecord(), expected(CHAT, Outcome.SUCCESS));
        // gpt-4o-2024-08-06: 14 input x $2.50/M + 37 output x $10/M
        assertThat(fake.last().cost().total()).isEqualByComparingTo("0.000405");
        assertThat(fake.last().pricingStatus()).isEqualTo(PricingStatus.PRICED);
    }

    @Test
    void retrieveBodyToMonoOfAMap() {
        StepVerifier.create(call(CHAT).retrieve().bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
                }).contextWrite(fake.bind()))
                .assertNext(map -> assertThat(map).containsEntry("object", "chat.completion"))
                .verifyComplete();
        Records.assertRecord(onlyRecord(), expected(CHAT, Outcome.SUCCESS));
    }

    @Test
    void retrieveBodyToFluxOfStrings() {
        StepVerifier.create(call(STREAM).retrieve().bodyToFlux(String.class).contextWrite(fake.bind()))
                .expectNextCount(34)
                .verifyComplete();
        Records.assertRecord(onlyRecord(), expected(STREAM, Outcome.SUCCESS));
        // 14 x $2.50/M + 30 x $10/M
        assertThat(fake.last().cost().total()).isEqualByComparingTo("0.000335");
    }

    @Test
    void retrieveBodyToFluxOfServerSentEvents() {
        StepVerifier.create(call(STREAM).retrieve()
                        .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {
                        })
                        .map(ServerSentEvent::data)
                        .contextWrite(fake.bind()))
                .expectNextCount(33)
                .expectNext("[DONE]")
                .verifyComplete();
        Records.assertRecord(onlyRecord(), expected(STREAM, Outcome.SUCCESS));
    }

    @Test
    void exchangeToMonoReadingTheBody() {
        StepVerifier.create(call(CHAT).exchangeToMono(r -> r.bodyToMono(String.class)).contextWrite(fake.bind()))
                .assertNext(body -> assertThat(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo(FixtureServer.fixture(CHAT.file())))
                .verifyComplete();
        Records.assertRecord(onlyRecord(), expected(CHAT, Outcome.SUCCESS));
    }

    @Test
    void exchangeToFluxOfAStream() {
        StepVerifier.create(call(STREAM).exchangeToFlux(r -> r.bodyToFlux(DataBuffer.class)).as(Records::sha256)
                        .contextWrite(fake.bind()))
                .expectNext(Records.sha256(FixtureServer.fixture(STREAM.file())))
                .verifyComplete();
        Records.assertRecord(onlyRecord(), expected(STREAM, Outcome.SUCCESS));
    }

    // ------------------------------------------------------------------ the caller discards the body

    @Test
    void toBodilessEntityDrainsTheBodyWhichIsStillRead() {
        StepVerifier.create(call(CHAT).retrieve().toBodilessEntity().contextWrite(fake.bind()))
                .assertNext(entity -> assertThat(entity.getStatusCode().value()).isEqualTo(200))
                .verifyComplete();
        Records.assertRecord(onlyRecord(), expected(CHAT, Outcome.SUCCESS));
    }

    @Test
    void releaseBodyOfAStreamRecordsItOnce() {
        StepVerifier.create(call(STREAM).exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value()))
                        .contextWrite(fake.bind()))
                .expectNext(200)
                .verifyComplete();
        Records.assertRecord(onlyRecord(), expected(STREAM, Outcome.SUCCESS));
    }

    @Test
    void exchangeToMonoIgnoringTheBodyStillRecordsOnce() {
        StepVerifier.create(call(CHAT).exchangeToMono(r -> Mono.just(r.statusCode().value())).contextWrite(fake.bind()))
                .expectNext(200)
                .verifyComplete();
        Records.assertRecord(onlyRecord(), expected(CHAT, Outcome.SUCCESS));
    }

    // ------------------------------------------------------------------ cancel and errors

    @Test
    void cancellingAStreamAfterThreeChunksRecordsItCancelledWithWhatArrived() {
        StepVerifier.create(call(STREAM).header("x-chunks", "34").header("x-delay-ms", "20")
                        .retrieve().bodyToFlux(String.class).take(3).contextWrite(fake.bind()))
                .expectNextCount(3)
                .verifyComplete();
        TrackedRequest r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.streaming()).isTrue();
        assertThat(r.responseId()).isEqualTo("chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL");
        assertThat(r.responseModel()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(r.usage()).as("the usage chunk never came").isNull();
        assertThat(r.pricingStatus()).isEqualTo(PricingStatus.USAGE_UNKNOWN);
        assertThat(r.chunkCount()).isBetween(3, 33);
        assertThat(r.timeToFirstTokenMs()).isNotNull();
        assertThat(r.errorType()).isNull();
    }

    @Test
    void aConnectionDroppedMidStreamIsAFailureWithWhatArrived() {
        StepVerifier.create(call(STREAM).header("x-chunks", "8").header("x-drop-after", "3")
                        .retrieve().bodyToFlux(String.class).contextWrite(fake.bind()))
                .thenConsumeWhile(s -> true)
                .verifyError();
        TrackedRequest r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.errorType()).isEqualTo("reactor.netty.http.client.PrematureCloseException");
        assertThat(r.streaming()).isTrue();
        assertThat(r.usage()).isNull();
        assertThat(r.responseId()).isEqualTo("chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL");
        assertThat(r.chunkCount()).isBetween(1, 33);
    }

    @Test
    void http404ThroughRetrieveIsAFailureWithTheProvidersError() {
        StepVerifier.create(call(ERROR).header("x-status", "404").retrieve().bodyToMono(String.class)
                        .contextWrite(fake.bind()))
                .expectError(WebClientResponseException.NotFound.class)
                .verify();
        Records.assertRecord(onlyRecord(), expected(ERROR, Outcome.FAILURE));
    }

    @Test
    void http500IsAFailureWithTheProvidersErrorAndItsStatus() {
        StepVerifier.create(call(ERROR).header("x-status", "500").retrieve().bodyToMono(String.class)
                        .contextWrite(fake.bind()))
                .expectError(WebClientResponseException.InternalServerError.class)
                .verify();
        TrackedRequest r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.httpStatus()).isEqualTo(500);
        assertThat(r.errorType()).isEqualTo("invalid_request_error");
        assertThat(r.errorMessage()).isEqualTo(ERROR.expected().errorMessage());
    }

    @Test
    void anOnStatusHandlerThatIgnoresTheBodyStillGetsTheProvidersErrorRecorded() {
        IllegalStateException mine = new IllegalStateException("mine");
        StepVerifier.create(call(ERROR).header("x-status", "404").retrieve()
                        .onStatus(HttpStatusCode::is4xxClientError, response -> Mono.just(mine))
                        .bodyToMono(String.class).contextWrite(fake.bind()))
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(mine))
                .verify();
        Records.assertRecord(onlyRecord(), expected(ERROR, Outcome.FAILURE));
    }

    @Test
    void anOnStatusHandlerThatReadsTheBody() {
        StepVerifier.create(call(ERROR).header("x-status", "404").retrieve()
                        .onStatus(HttpStatusCode::isError,
                                response -> response.bodyToMono(String.class).map(IllegalStateException::new))
                        .bodyToMono(String.class).contextWrite(fake.bind()))
                .expectErrorSatisfies(e -> assertThat(e.getMessage()).contains("gpt-5.2-proo"))
                .verify();
        Records.assertRecord(onlyRecord(), expected(ERROR, Outcome.FAILURE));
    }

    @Test
    void connectionRefusedIsAFailureWithoutStatus() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StepVerifier.create(client.post().uri("http://api.openai.com:" + port + "/v1/chat/completions")
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(CHAT.requestBody())
                        .retrieve().bodyToMono(String.class).contextWrite(fake.bind()))
                .expectError(WebClientRequestException.class)
                .verify();
        TrackedRequest r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.httpStatus()).isNull();
        assertThat(r.errorType()).isEqualTo(WebClientRequestException.class.getName());
        assertThat(r.errorMessage()).contains("Connection refused");
        // no connection, so the body was never written: nothing named the model
        assertThat(r.model()).isEqualTo(HttpCallObserver.UNKNOWN_MODEL);
        assertThat(r.endpoint()).isEqualTo("/v1/chat/completions");
        assertThat(r.operation()).isEqualTo("chat");
        assertThat(r.usage()).isNull();
        assertThat(r.streaming()).isFalse();
    }

    /**
     * Cancelled once the server holds the whole request (so the body, and the model in it, has passed the filter)
     * and 250 ms more, long before the server's answer, which waits 10 s.
     */
    @Test
    void cancelledBeforeTheResponseIsRecordedCancelledWithoutStatus() {
        String marker = UUID.randomUUID().toString();
        Mono<Long> heldAndMore = Flux.interval(Duration.ofMillis(5))
                .filter(i -> server.received().stream().anyMatch(q -> marker.equals(q.headers().get("x-marker"))))
                .next()
                .delayElement(Duration.ofMillis(250));
        StepVerifier.create(call(CHAT).header("x-marker", marker).header("x-header-delay-ms", "10000")
                        .retrieve().bodyToMono(String.class)
                        .timeout(heldAndMore).contextWrite(fake.bind()))
                .expectError(TimeoutException.class)
                .verify(Duration.ofSeconds(30));
        TrackedRequest r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.httpStatus()).isNull();
        assertThat(r.model()).isEqualTo("gpt-4o");
        // from the call to the cancel: at least the 250 ms, less than the answer's wait
        assertThat(r.latencyMs()).isBetween(250L, 9_999L);
    }

    @Test
    void retryRecordsEachAttempt() {
        StepVerifier.create(call(ERROR).header("x-status", "503").retrieve().bodyToMono(String.class).retry(2)
                        .contextWrite(fake.bind()))
                .expectError(WebClientResponseException.ServiceUnavailable.class)
                .verify();
        assertThat(fake.recorded()).hasSize(3).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(r.httpStatus()).isEqualTo(503);
        });
        assertThat(fake.recorded().stream().map(TrackedRequest::id).distinct()).hasSize(3);
    }

    @Test
    void aNextFilterThatAnswersNothingStillGivesOneRecord() {
        WebClient empty = TestClients.client(SpectraExchangeFilter.create()).mutate()
                .filter((request, next) -> Mono.empty()).build();
        StepVerifier.create(empty.post().uri("http://api.openai.com:" + server.port() + CHAT.path())
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(CHAT.requestBody())
                        .exchangeToMono(r -> Mono.just(1)).contextWrite(fake.bind()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("without emitting a response")) // WebClient's own error, untouched
                .verify();
        TrackedRequest r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.errorMessage()).isEqualTo("the exchange completed without a response");
        assertThat(r.httpStatus()).isNull();
    }

    @Test
    void aNextFilterThatThrowsFailsTheExchangeWithItsErrorAndGivesOneFailedRecord() {
        IllegalArgumentException thrown = new IllegalArgumentException("a filter that throws");
        WebClient throwing = TestClients.client(SpectraExchangeFilter.create()).mutate()
                .filter((request, next) -> {
                    throw thrown;
                }).build();
        StepVerifier.create(throwing.post().uri("http://api.openai.com:" + server.port() + CHAT.path())
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(CHAT.requestBody())
                        .exchangeToMono(r -> Mono.just(1)).contextWrite(fake.bind()))
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(thrown))
                .verify();
        TrackedRequest r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.errorMessage()).isEqualTo("a filter that throws");
        assertThat(r.httpStatus()).isNull();
    }

    @Test
    void aJsonAnswerLargerThanTheBoundPassesWholeWithItsUsageUnknown() {
        WebClient small = TestClients.client(SpectraExchangeFilter.builder().maxResponseBytes(1024).build());
        Fixtures.Fixture big = Fixtures.named("openai__chat__json__4.json"); // 3382 bytes
        StepVerifier.create(small.post().uri("http://api.openai.com:" + server.port() + big.path())
                        .header("x-fixture", big.file()).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(big.requestBody()).exchangeToFlux(r -> r.bodyToFlux(DataBuffer.class))
                        .as(Records::sha256).contextWrite(fake.bind()))
                .expectNext(Records.sha256(FixtureServer.fixture(big.file())))
                .verifyComplete();
        TrackedRequest r = onlyRecord();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.usage()).isNull();
        assertThat(r.responseId()).isNull();
        assertThat(r.pricingStatus()).isEqualTo(PricingStatus.USAGE_UNKNOWN);
        assertThat(r.model()).isEqualTo("o3-mini");
    }

    // ------------------------------------------------------------------ not tracked

    @Test
    void otherHostsAndNonTrackablePathsPassThroughUntracked() {
        StepVerifier.create(client.get().uri("http://example.test:" + server.port() + "/v1/chat/completions")
                        .retrieve().bodyToMono(String.class).contextWrite(fake.bind()))
                .expectNext("{\"object\":\"list\",\"data\":[]}")
                .verifyComplete();
        StepVerifier.create(client.get().uri("http://api.openai.com:" + server.port() + "/v1/models")
                        .retrieve().bodyToMono(String.class).contextWrite(fake.bind()))
                .expectNext("{\"object\":\"list\",\"data\":[]}")
                .verifyComplete();
        fake.assertNothingTracked();
    }

    @Test
    void aDisabledTrackerLetsTheCallPassUntracked() {
        fake.disable();
        StepVerifier.create(call(CHAT).retrieve().bodyToMono(String.class).contextWrite(fake.bind()))
                .expectNext(new String(FixtureServer.fixture(CHAT.file()), java.nio.charset.StandardCharsets.UTF_8))
                .verifyComplete();
        fake.enable().assertNothingTracked();
    }
}
