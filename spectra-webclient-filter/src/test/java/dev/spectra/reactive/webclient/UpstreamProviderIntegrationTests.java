package dev.spectra.reactive.webclient;

import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The provider the Hugging Face router passed a call on to, through the filter: its {@code x-inference-provider}
 * header when the answer has one (the only word on a routing policy such as {@code :fastest}), else the
 * {@code :provider} of the requested model.
 */
class UpstreamProviderIntegrationTests {

    static FixtureServer server;
    static WebClient filtered;

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        filtered = TestClients.client(SpectraExchangeFilter.builder().build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theRoutersHeaderNamesTheProviderItChoseAndWinsOverTheModelsSuffix() {
        assertThat(upstream("openai/gpt-oss-120b:fastest", "x-inference-provider: cerebras")).isEqualTo("cerebras");
        assertThat(upstream("openai/gpt-oss-120b:novita", "X-Inference-Provider: together")).isEqualTo("together");
    }

    @Test
    void withoutTheHeaderTheModelsSuffixNamesItUnlessItIsAPolicy() {
        assertThat(upstream("openai/gpt-oss-120b:novita", null)).isEqualTo("novita");
        assertThat(upstream("openai/gpt-oss-120b:fastest", null)).isNull();
    }

    private static @Nullable String upstream(String model, @Nullable String replyHeader) {
        SpectraFake fake = SpectraFake.create();
        WebClient.RequestHeadersSpec<?> request = filtered.post()
                .uri("http://router.huggingface.co:" + server.port() + "/v1/chat/completions")
                .header("x-fixture", "huggingface__chat__json__1.json")
                .headers(h -> {
                    if (replyHeader != null) {
                        h.add("x-reply-header", replyHeader);
                    }
                })
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        StepVerifier.create(request.exchangeToMono(r -> r.releaseBody()).contextWrite(fake.bind())).verifyComplete();
        assertThat(fake.recorded()).hasSize(1);
        assertThat(fake.last().provider()).isEqualTo("huggingface");
        assertThat(fake.last().model()).isEqualTo(model);
        assertThat(fake.last().usage().totalTokens()).isEqualTo(119);
        return fake.last().upstreamProvider();
    }
}
