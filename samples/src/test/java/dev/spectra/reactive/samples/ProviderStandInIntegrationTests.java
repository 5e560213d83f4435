package dev.spectra.reactive.samples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.spectra.reactive.Usage;
import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.ResponseDetails;
import dev.spectra.reactive.provider.StreamReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** The stand-in answers in the providers' real formats: Spectra's own readers find the usage it generated. */
class ProviderStandInIntegrationTests {

    private static ProviderStandIn standIn;
    private static final ProviderRegistry REGISTRY = ProviderRegistry.builtIn();

    @BeforeAll
    static void start() {
        standIn = ProviderStandIn.start(0.02);
    }

    @AfterAll
    static void stop() {
        standIn.close();
    }

    private static Mono<byte[]> post(String url, String body) {
        return HttpClient.create().post().uri(url)
                .send(ByteBufFlux.fromString(Mono.just(body)))
                .responseSingle((res, content) -> content.asByteArray());
    }

    private static ResponseDetails read(String host, String path, byte[] body, boolean stream) {
        EndpointMatch m = REGISTRY.match(host, 443, path);
        assertThat(m).as("match for %s%s", host, path).isNotNull();
        if (!stream) {
            return m.readResponse(ByteBuffer.wrap(body));
        }
        StreamReader r = m.newStreamReader();
        r.feed(ByteBuffer.wrap(body));
        return r.details();
    }

    @Test
    void openAiChatJsonAndBothStreamsCarryTheSameUsage() {
        String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Summarise invoice 42\"}]}";
        String streamBody = body.replace("{\"model\"", "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"model\"");
        String noUsage = body.replace("{\"model\"", "{\"stream\":true,\"model\"");

        StepVerifier.create(post(standIn.openAiBaseUrl() + "/v1/chat/completions", body))
                .assertNext(b -> {
                    ResponseDetails d = read("api.openai.com", "/v1/chat/completions", b, false);
                    assertThat(d.responseModel()).isEqualTo("gpt-4o-2024-08-06");
                    assertThat(d.usage().inputTokens()).isEqualTo(12 + body.length() / 4);
                    assertThat(d.finishReason()).isEqualTo("stop");
                }).verifyComplete();
        StepVerifier.create(post(standIn.openAiBaseUrl() + "/v1/chat/completions", streamBody))
                .assertNext(b -> {
                    ResponseDetails d = read("api.openai.com", "/v1/chat/completions", b, true);
                    assertThat(d.usage()).isNotNull();
                    assertThat(d.usage().inputTokens()).isEqualTo(12 + streamBody.length() / 4);
                    assertThat(new String(b, StandardCharsets.UTF_8)).endsWith("data: [DONE]\n\n");
                }).verifyComplete();
        StepVerifier.create(post(standIn.openAiBaseUrl() + "/v1/chat/completions", noUsage))
                .assertNext(b -> assertThat(read("api.openai.com", "/v1/chat/completions", b, true).usage()).isNull())
                .verifyComplete();
    }

    @Test
    void aRepeatedPromptIsANewCallWithItsOwnIdAndTheSameUsage() {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"same\"}]}";
        ResponseDetails a = post(standIn.openAiBaseUrl() + "/v1/chat/completions", body)
                .map(b -> read("api.openai.com", "/v1/chat/completions", b, false)).block(Duration.ofSeconds(10));
        ResponseDetails b = post(standIn.openAiBaseUrl() + "/v1/chat/completions", body)
                .map(x -> read("api.openai.com", "/v1/chat/completions", x, false)).block(Duration.ofSeconds(10));

        assertThat(a.responseId()).isNotEqualTo(b.responseId());
        if (a.usage() != null && b.usage() != null) {
            assertThat(a.usage()).isEqualTo(b.usage());
        }
    }

    @Test
    void responsesAnthropicAndGeminiStreamsMatchTheirJson() {
        String prompt = "x".repeat(6000);
        for (String[] c : new String[][] {
                {standIn.openAiBaseUrl(), "api.openai.com", "/v1/responses", "{\"model\":\"o4-mini\",\"input\":\"" + prompt + "\"}"},
                {standIn.anthropicBaseUrl(), "api.anthropic.com", "/v1/messages",
                        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":512,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}"},
                {standIn.geminiBaseUrl(), "generativelanguage.googleapis.com", "/v1beta/models/gemini-2.5-flash:generateContent",
                        "{\"contents\":[{\"parts\":[{\"text\":\"" + prompt + "\"}]}]}"}}) {
            String streamPath = c[2].replace(":generateContent", ":streamGenerateContent");
            String streamBody = c[2].contains("generateContent") ? c[3] : c[3].replaceFirst("\\{", "{\"stream\":true,");
            Usage json = post(c[0] + c[2], c[3]).map(b -> read(c[1], c[2], b, false).usage()).block(Duration.ofSeconds(10));
            Usage streamed = post(c[0] + streamPath + (c[2].contains("generateContent") ? "?alt=sse" : ""), streamBody)
                    .map(b -> read(c[1], streamPath, b, true).usage()).block(Duration.ofSeconds(10));
            assertThat(json).as(c[2]).isNotNull();
            assertThat(streamed).as(c[2] + " stream").isNotNull();
            assertThat(json.cachedInputTokens()).as(c[2] + " cache read of a long prompt").isPositive();
            assertThat(streamed.outputTokens()).as(c[2]).isPositive();
        }
    }
}
