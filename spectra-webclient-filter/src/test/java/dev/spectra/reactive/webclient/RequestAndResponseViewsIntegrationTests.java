package dev.spectra.reactive.webclient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter hands on views of the request and the response, not copies: everything a caller or a downstream
 * filter can ask of them (method, URL, headers, cookies, attributes, the {@code httpRequest} consumer, status,
 * entities, the released body, the exception of a failed call, a mutated response) answers as it does with
 * Spring's copies {@code ClientRequest.from(..).body(..).build()} and {@code ClientResponse.mutate().body(..)
 * .build()}, the server receives the same bytes, and every call is recorded once. Netty's paranoid leak detector
 * checks every test, cancelled bodies included.
 */
class RequestAndResponseViewsIntegrationTests {

    static FixtureServer server;
    static final String JSON = "openai__chat__json__1.json";
    static final String ERROR = "openai__chat__error__1.json";
    static final String STREAM = "openai__chat__stream__1.sse";

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What the request the filters hand on looks like to the next filter and to the connector. */
    static final class Probe implements ExchangeFilterFunction {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
            Map<String, Object> attributes = new TreeMap<>(request.attributes());
            attributes.remove(ClientRequest.LOG_ID_ATTRIBUTE); // one per request
            String headers = request.headers().toString().replaceAll("x-marker:\"[^\"]*\"", "x-marker");
            seen.add(request.method() + " " + request.url() + " " + headers + " " + request.cookies()
                    + " " + attributes + " " + request.attribute("k") + " "
                    + request.logPrefix().equals("[" + request.attribute(ClientRequest.LOG_ID_ATTRIBUTE).orElseThrow()
                    + "] "));
            return next.exchange(request);
        }
    }

    /** The copies the filter made before it handed on views, with the body as it is. */
    static final ExchangeFilterFunction COPIES = (request, next) -> next.exchange(ClientRequest.from(request)
                    .body((message, context) -> request.body().insert(message, context)).build())
            .map(response -> response.mutate().body(flux -> flux).build());

    private static String call(WebClient client, String fixture, int status, String marker,
                               Function<ClientResponse, Mono<String>> read, SpectraFake fake) {
        return client.post().uri("http://api.openai.com:" + server.port() + "/v1/chat/completions")
                .header("x-fixture", fixture).header("x-status", Integer.toString(status))
                .header("x-marker", marker).cookie("session", "s1").cookie("session", "s2").attribute("k", "v")
                .httpRequest(r -> assertThat(r.getClass().getSimpleName()).isEqualTo("ReactorClientHttpRequest"))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .exchangeToMono(read).contextWrite(fake.bind()).block(Duration.ofSeconds(20));
    }

    private static String entity(ResponseEntity<?> e) {
        return e.getStatusCode() + " " + withoutDate(e.getHeaders().toString()) + " " + e.getBody();
    }

    private static String withoutDate(String headers) {
        return headers.replaceAll("(?i)date:\"[^\"]*\",? ?", "");
    }

    private static String metadata(ClientResponse r) {
        return r.statusCode() + " " + withoutDate(r.headers().asHttpHeaders().toString()) + " "
                + r.headers().contentType() + " " + r.headers().contentLength() + " " + r.headers().header("x-none")
                + " " + r.cookies() + " " + r.request().getMethod() + " " + r.request().getURI() + " "
                + r.logPrefix().matches("\\[[0-9a-f]+] \\[[0-9a-f-]+] ") + " " + r.strategies().messageReaders().size();
    }

    private static Mono<String> joined(ClientResponse r) {
        return DataBufferUtils.join(r.bodyToFlux(DataBuffer.class)).map(b -> {
            String s = b.toString(StandardCharsets.UTF_8);
            DataBufferUtils.release(b);
            return s;
        });
    }

    @Test
    void everyMethodOfTheRequestAndTheResponseAnswersAsSpringsCopiesDo() {
        Map<String, Function<ClientResponse, Mono<String>>> reads = new TreeMap<>(Map.of(
                "metadata", r -> Mono.just(metadata(r)).flatMap(m -> r.releaseBody().thenReturn(m)),
                "bodyToMono", r -> r.bodyToMono(String.class),
                "bodyToFlux", RequestAndResponseViewsIntegrationTests::joined,
                "toEntity", r -> r.toEntity(String.class).map(RequestAndResponseViewsIntegrationTests::entity),
                "toEntityList", r -> r.toEntityList(String.class).map(RequestAndResponseViewsIntegrationTests::entity),
                "toBodilessEntity", r -> r.toBodilessEntity().map(RequestAndResponseViewsIntegrationTests::entity),
                "releaseBody", r -> r.releaseBody().thenReturn("released"),
                "createException", r -> r.createException().map(e -> e.getClass().getName() + " " + e.getMessage()
                        + " " + e.getStatusCode() + " " + e.getResponseBodyAsString() + " "
                        + withoutDate(e.getHeaders().toString()) + " " + e.getRequest().getMethod() + " "
                        + e.getRequest().getURI()),
                "createError", r -> r.<String>createError().onErrorResume(e -> Mono.just(e.getMessage())),
                "mutate", r -> r.mutate().header("x-added", "1").build().toEntity(String.class)
                        .map(e -> entity(e) + " " + metadata(r))));
        int n = 0;
        for (Map.Entry<String, Function<ClientResponse, Mono<String>>> read : reads.entrySet()) {
            for (String fixture : List.of(JSON, ERROR)) {
                int status = fixture.equals(ERROR) ? 400 : 200;
                SpectraFake fake = SpectraFake.create();
                Probe viewedProbe = new Probe();
                Probe copiedProbe = new Probe();
                WebClient viewed = TestClients.client(SpectraExchangeFilter.builder().tracker(fake.tracker()).build()
                        .andThen(viewedProbe));
                WebClient copied = TestClients.client(COPIES.andThen(copiedProbe));
                String viewedMarker = "v" + n;
                String copiedMarker = "c" + n++;
                String expected = call(copied, fixture, status, copiedMarker, read.getValue(), fake);
                String actual = call(viewed, fixture, status, viewedMarker, read.getValue(), fake);
                assertThat(actual).as(read.getKey() + " of " + fixture).isEqualTo(expected);
                assertThat(viewedProbe.seen).as(read.getKey()).isEqualTo(copiedProbe.seen);
                assertThat(received(viewedMarker)).as("sent").isEqualTo(received(copiedMarker));
                assertThat(fake.recorded()).as("one record for " + read.getKey() + " of " + fixture).hasSize(1);
            }
        }
    }

    private static String received(String marker) {
        FixtureServer.Received r = server.received().stream().filter(x -> marker.equals(x.headers().get("x-marker")))
                .findFirst().orElseThrow();
        Map<String, String> headers = new TreeMap<>(r.headers());
        headers.remove("x-marker");
        return r.method() + " " + r.uri() + " " + headers + " " + new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aBodyCancelledAfterItsFirstEventIsReleasedAndRecordedAsCancelled() {
        SpectraFake fake = SpectraFake.create();
        WebClient viewed = TestClients.client(SpectraExchangeFilter.builder().tracker(fake.tracker()).build());
        StepVerifier.create(viewed.post().uri("http://api.openai.com:" + server.port() + "/v1/chat/completions")
                        .header("x-fixture", STREAM).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}")
                        .exchangeToFlux(r -> r.bodyToFlux(DataBuffer.class))
                        .map(b -> {
                            DataBufferUtils.release(b);
                            return 1;
                        })
                        .take(1).contextWrite(fake.bind()))
                .expectNext(1)
                .verifyComplete();
        assertThat(fake.cancelled()).hasSize(1);
    }
}
