package dev.spectra.reactive.webclient;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request body is read as it is written and reaches the server byte for byte; only the opt-in
 * include-usage rewrite changes it, and only where it applies.
 */
class RequestObservationIntegrationTests {

    static FixtureServer server;
    static final Fixtures.Fixture STREAM = Fixtures.named("openai__chat__stream__nousage.sse");

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static byte[] sent(WebClient client, String host, String path, String fixture, Object body,
                               SpectraFake fake) {
        String marker = Long.toHexString(System.nanoTime());
        WebClient.RequestBodySpec spec = client.post().uri("http://" + host + ":" + server.port() + path)
                .header("x-fixture", fixture).header("x-marker", marker).contentType(MediaType.APPLICATION_JSON);
        WebClient.RequestHeadersSpec<?> withBody = body instanceof Flux<?> flux
                ? spec.body(flux, DataBuffer.class) : spec.bodyValue(body);
        StepVerifier.create(withBody.exchangeToFlux(r -> r.bodyToFlux(DataBuffer.class)).as(Records::sha256)
                        .contextWrite(fake.bind()))
                .expectNext(Records.sha256(FixtureServer.fixture(fixture)))
                .verifyComplete();
        return server.received().stream().filter(r -> marker.equals(r.headers().get("x-marker"))).findFirst()
                .orElseThrow().body();
    }

    @Test
    void aLargeBodyIsReadPastItsCopyWithTheModelAtTheEnd() {
        // 300 KiB of messages before the model, in 40 buffers: past the 64 KiB copy, the scanner finds it
        String messages = "{\"messages\":[" + "{\"role\":\"user\",\"content\":\"" + "x".repeat(300 * 1024)
                + " with a \\\"model\\\": \\\"not-this\\\" inside\"}],";
        String tail = "\"stream\":true,\"service_tier\":\"flex\",\"stream_options\":{\"include_usage\":true},"
                + "\"model\":\"gpt-4o-mini\"}";
        byte[] whole = (messages + tail).getBytes(StandardCharsets.UTF_8);
        List<DataBuffer> pieces = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int from = whole.length * i / 40;
            int to = whole.length * (i + 1) / 40;
            pieces.add(DefaultDataBufferFactory.sharedInstance.wrap(java.util.Arrays.copyOfRange(whole, from, to)));
        }
        SpectraFake fake = SpectraFake.create();
        byte[] received = sent(TestClients.client(SpectraExchangeFilter.create()), "api.openai.com", STREAM.path(),
                STREAM.file(), Flux.fromIterable(pieces), fake);

        assertThat(received).isEqualTo(whole);
        TrackedRequest r = fake.last();
        assertThat(r.model()).isEqualTo("gpt-4o-mini");
        assertThat(r.pricingTier()).isEqualTo(PricingTier.FLEX);
        assertThat(r.streaming()).isTrue();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void withoutTheOptInTheRequestIsSentAsWritten() {
        SpectraFake fake = SpectraFake.create();
        String body = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        byte[] received = sent(TestClients.client(SpectraExchangeFilter.create()), "api.openai.com", STREAM.path(),
                STREAM.file(), body, fake);
        assertThat(received).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
        assertThat(fake.last().usage()).as("no usage chunk without include_usage").isNull();
    }

    @Test
    void includeStreamUsageAddsTheOptionToAnOpenAiChatStreamThatLacksIt() {
        SpectraFake fake = SpectraFake.create();
        WebClient client = TestClients.client(SpectraExchangeFilter.builder().includeStreamUsage(true).build());
        String body = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        // the server answers with the stream that has a usage chunk, as OpenAI does when asked
        byte[] received = sent(client, "api.openai.com", STREAM.path(), "openai__chat__stream__1.sse", body, fake);
        String expected = "{\"stream_options\":{\"include_usage\":true},\"model\":\"gpt-4o\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        assertThat(new String(received, StandardCharsets.UTF_8)).isEqualTo(expected);
        FixtureServer.Received req = server.received().stream().filter(r -> java.util.Arrays.equals(r.body(),
                received)).findFirst().orElseThrow();
        assertThat(req.headers()).containsEntry("content-length", Integer.toString(expected.length()));
        assertThat(fake.last().usage().totalTokens()).isEqualTo(44);
        assertThat(fake.last().model()).isEqualTo("gpt-4o");
    }

    @Test
    void includeStreamUsageLeavesEveryOtherRequestAsWritten() {
        WebClient client = TestClients.client(SpectraExchangeFilter.builder().includeStreamUsage(true).build());
        SpectraFake fake = SpectraFake.create();
        String notStreaming = "{\"model\":\"gpt-4o\",\"messages\":[]}";
        String saysItself = "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":false}}";
        String groq = "{\"model\":\"llama-3.3-70b-versatile\",\"stream\":true,\"messages\":[]}";
        String anthropic = "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"messages\":[]}";
        assertThat(sent(client, "api.openai.com", "/v1/chat/completions", "openai__chat__json__1.json", notStreaming,
                fake)).isEqualTo(notStreaming.getBytes(StandardCharsets.UTF_8));
        assertThat(sent(client, "api.openai.com", "/v1/chat/completions", STREAM.file(), saysItself, fake))
                .isEqualTo(saysItself.getBytes(StandardCharsets.UTF_8));
        assertThat(sent(client, "api.groq.com", "/openai/v1/chat/completions", "groq__chat__stream__1.sse", groq,
                fake)).isEqualTo(groq.getBytes(StandardCharsets.UTF_8));
        assertThat(sent(client, "api.anthropic.com", "/v1/messages", "anthropic__messages__stream__1.sse", anthropic,
                fake)).isEqualTo(anthropic.getBytes(StandardCharsets.UTF_8));
        assertThat(fake.recorded()).extracting(TrackedRequest::model)
                .containsExactly("gpt-4o", "gpt-4o", "llama-3.3-70b-versatile", "claude-sonnet-4-5");
    }
}
