package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.PricingTier;
import org.junit.jupiter.api.Test;

class ProviderRegistryUnitTests {

    private static final ProviderRegistry R = ProviderRegistry.builtIn();

    @Test
    void builtInProviders() {
        assertThat(R.providers()).extracting(Provider::id).containsExactly("openai", "azure", "anthropic", "gemini",
                "groq", "mistral", "deepseek", "xai", "openrouter", "together", "cohere", "vertex_ai", "huggingface",
                "bedrock", "ollama");
    }

    @Test
    void matchesHostsExactlyByPortAndByOneWildcardLabel() {
        assertThat(R.match("API.OpenAI.com", 443, "/v1/chat/completions").provider()).isEqualTo("openai");
        assertThat(R.match("codestral.mistral.ai", -1, "/v1/fim/completions").endpoint().operation()).isEqualTo("fim");
        assertThat(R.match("localhost", 11434, "/api/chat").provider()).isEqualTo("ollama");
        assertThat(R.match("localhost", 8080, "/api/chat").provider()).as("a local Ollama on any port")
                .isEqualTo("ollama");
        assertThat(R.match("127.0.0.1", 3000, "/api/generate").provider()).isEqualTo("ollama");
        assertThat(R.match("ollama.com", 443, "/api/chat").provider()).as("Ollama Cloud").isEqualTo("ollama");
        assertThat(R.match("::1", 11434, "/api/chat").provider()).as("IPv6 literal").isEqualTo("ollama");
        assertThat(R.match("my-res.openai.azure.com", -1, "/openai/deployments/d/chat/completions").provider())
                .isEqualTo("azure");
        assertThat(R.match("a.b.openai.azure.com", -1, "/openai/deployments/d/chat/completions"))
                .as("a wildcard is one label").isNull();
        assertThat(R.match("openai.azure.com", -1, "/openai/deployments/d/chat/completions")).isNull();
        assertThat(R.match("example.com", -1, "/v1/chat/completions")).isNull();
        assertThat(R.match("router.huggingface.co", 443, "/v1/chat/completions").provider()).isEqualTo("huggingface");
    }

    @Test
    void aHostGetsItsOwnProviderIdOnABuiltInProvidersApi() {
        ProviderRegistry r = R.toBuilder().provider(Provider.like("acme-gemini", "google", "llm.acme.internal"))
                .build();
        EndpointMatch m = r.match("llm.acme.internal", 443, "/v1beta/models/gemini-2.5-flash:generateContent");
        assertThat(m.provider()).isEqualTo("acme-gemini");
        assertThat(m.endpoint().format()).isEqualTo(WireFormat.GEMINI);
        assertThat(m.pathModel()).isEqualTo("gemini-2.5-flash");
        assertThatThrownBy(() -> Provider.like("x", "nope", "h"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("\"nope\" is no built-in provider");
    }

    @Test
    void vertexAiServesGeminisFormatAndClaudesUnderItsProjectPaths() {
        String gemini = "/v1/projects/p-1/locations/us-central1/publishers/google/models/gemini-2.5-pro";
        EndpointMatch m = R.match("us-central1-aiplatform.googleapis.com", 443, gemini + ":generateContent");
        assertThat(m.provider()).isEqualTo("vertex_ai");
        assertThat(m.endpoint().format()).isEqualTo(WireFormat.GEMINI);
        assertThat(m.pathModel()).isEqualTo("gemini-2.5-pro");
        assertThat(R.match("aiplatform.googleapis.com", 443, gemini + ":streamGenerateContent").endpoint()
                .streamsByDefault()).isTrue();
        assertThat(R.match("a.b-aiplatform.googleapis.com", 443, gemini + ":generateContent"))
                .as("the wildcard covers one label").isNull();
        EndpointMatch claude = R.match("europe-west1-aiplatform.googleapis.com", 443,
                "/v1/projects/p-1/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4-5@20250929"
                        + ":streamRawPredict");
        assertThat(claude.provider()).isEqualTo("vertex_ai");
        assertThat(claude.endpoint().format()).isEqualTo(WireFormat.ANTHROPIC_MESSAGES);
        assertThat(claude.pathModel()).isEqualTo("claude-sonnet-4-5@20250929");
    }

    @Test
    void nonTrackablePathsAreIgnored() {
        assertThat(R.match("api.openai.com", -1, "/v1/models")).isNull();
        assertThat(R.match("api.openai.com", -1, "/v1/files/abc")).isNull();
        assertThat(R.match("api.anthropic.com", -1, "/v1/messages/count_tokens")).isNull();
        assertThat(R.match("localhost", 11434, "/api/tags")).isNull();
    }

    @Test
    void pathsLoseQueryStringsAndTrailingSlashesAndCaptureParameters() {
        EndpointMatch g = R.match(URI.create(
                "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=SECRET"));
        assertThat(g.provider()).isEqualTo("gemini");
        assertThat(g.path()).isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent").doesNotContain("SECRET");
        assertThat(g.pathModel()).isEqualTo("gemini-2.5-flash");
        assertThat(g.endpoint().streamsByDefault()).isTrue();
        assertThat(g.endpoint().operation()).isEqualTo("generate_content");
        EndpointMatch encoded = R.match("generativelanguage.googleapis.com", -1,
                "/v1beta/models/gemini-2.5-flash%3AgenerateContent");
        assertThat(encoded.pathModel()).isEqualTo("gemini-2.5-flash");
        EndpointMatch a = R.match("res.openai.azure.com", -1,
                "/openai/deployments/prod-4o/chat/completions/?api-version=2024-10-21");
        assertThat(a.pathParameters()).isEqualTo(Map.of("deployment", "prod-4o"));
        assertThat(a.path()).isEqualTo("/openai/deployments/prod-4o/chat/completions");
        assertThat(R.match("generativelanguage.googleapis.com", -1, "/v1beta/models/text-embedding-004:embedContent")
                .endpoint().modelType()).isEqualTo(ModelType.EMBEDDING);
    }

    @Test
    void endpointsSayOperationModelTypeAndFormat() {
        EndpointMatch speech = R.match("api.openai.com", -1, "/v1/audio/speech");
        assertThat(speech.endpoint()).isEqualTo(Endpoint.of("/v1/audio/speech", "audio_speech", ModelType.TTS,
                WireFormat.OPENAI_AUDIO));
        assertThat(R.match("api.openai.com", -1, "/v1/responses").endpoint().format())
                .isEqualTo(WireFormat.OPENAI_RESPONSES);
        assertThat(R.match("api.groq.com", -1, "/openai/v1/audio/transcriptions").endpoint().modelType())
                .isEqualTo(ModelType.STT);
        assertThat(R.match("localhost", 11434, "/v1/chat/completions").endpoint().format())
                .isEqualTo(WireFormat.OPENAI_CHAT);
    }

    @Test
    void aGatewayHostServesTheProvidersEndpointsUnderAnyPrefix() {
        ProviderRegistry r = R.toBuilder().host("openai", "gw.internal").build();
        EndpointMatch m = r.match("gw.internal", -1, "/openai/v1/chat/completions");
        assertThat(m).isNotNull();
        assertThat(m.provider()).isEqualTo("openai");
        assertThat(m.endpoint().operation()).isEqualTo("chat");
        assertThat(m.path()).as("the path called is stored").isEqualTo("/openai/v1/chat/completions");
        // Cloudflare AI Gateway style: /v1/{account}/{gateway}/openai/...
        EndpointMatch cf = r.match("gw.internal", -1, "/v1/acct123/my-gw/openai/v1/embeddings");
        assertThat(cf).isNotNull();
        assertThat(cf.endpoint().operation()).isEqualTo("embeddings");
        assertThat(r.match("gw.internal", -1, "/v1/chat/completions").endpoint().operation()).isEqualTo("chat");
        assertThat(r.match("gw.internal", -1, "/openai/v1/models")).as("not trackable").isNull();
        // survives toBuilder
        assertThat(r.toBuilder().build().match("gw.internal", -1, "/x/v1/responses")).isNotNull();
    }

    @Test
    void aGatewayHostWithAPathPrefixServesOnlyUnderIt() {
        ProviderRegistry r = R.toBuilder().host("anthropic", "gw.internal:8080", "/v1/acct/gw/anthropic/").build();
        EndpointMatch m = r.match("gw.internal", 8080, "/v1/acct/gw/anthropic/v1/messages?beta=true");
        assertThat(m).isNotNull();
        assertThat(m.provider()).isEqualTo("anthropic");
        assertThat(m.path()).isEqualTo("/v1/acct/gw/anthropic/v1/messages");
        assertThat(r.match("gw.internal", 8080, "/v1/messages")).as("outside the prefix").isNull();
        assertThat(r.match("gw.internal", 8080, "/v1/acct/gw/anthropicx/v1/messages")).isNull();
        assertThat(r.match("gw.internal", 9999, "/v1/acct/gw/anthropic/v1/messages")).as("other port").isNull();
        assertThatThrownBy(() -> R.toBuilder().host("openai", "gw", "openai"))
                .hasMessageContaining("must start with /");
    }

    @Test
    void aHostNamedWithAPortIsFoundByHostAndPortAsWrittenBackAnIpv6LiteralToo() {
        ProviderRegistry r = R.toBuilder().host("openai", "gw.internal").host("anthropic", "gw.internal:8443")
                .host("mistral", "[::1]:8080").host("groq", "gw2.internal:08080").host("groq", "gw.internal:9000")
                .host("mistral", "gw.internal:9000").build();
        assertThat(r.match("gw.internal", 8443, "/v1/messages").provider()).isEqualTo("anthropic");
        assertThat(r.match("gw.internal", 443, "/v1/chat/completions").provider()).isEqualTo("openai");
        assertThat(r.match("gw.internal", -1, "/v1/chat/completions").provider()).isEqualTo("openai");
        assertThat(r.match("gw.internal", 9000, "/v1/chat/completions").provider()).as("registered later wins")
                .isEqualTo("mistral");
        assertThat(r.match("::1", 8080, "/v1/chat/completions").provider()).isEqualTo("mistral");
        assertThat(r.match("[::1]", 8080, "/v1/chat/completions").provider()).isEqualTo("mistral");
        assertThat(r.match("GW.internal.", 8443, "/v1/messages").provider()).isEqualTo("anthropic");
        assertThat(r.match("gw2.internal", 8080, "/openai/v1/chat/completions")).as("a port written as no URL has it")
                .isNull();
    }

    @Test
    void usersAddHostsAndProvidersThatWinOverBuiltIns() {
        ProviderRegistry r = R.toBuilder()
                .host("openai", "llm-gateway.internal:8080")
                .provider(Provider.openAiCompatible("vllm", "localhost:11434", "*.vllm.internal"))
                .build();
        assertThat(r.match("llm-gateway.internal", 8080, "/v1/chat/completions").provider()).isEqualTo("openai");
        assertThat(r.match("localhost", 11434, "/v1/chat/completions").provider()).as("registered later wins")
                .isEqualTo("vllm");
        assertThat(r.match("gpu1.vllm.internal", -1, "/serving/v1/chat/completions").endpoint().operation())
                .as("any prefix").isEqualTo("chat");
        assertThat(r.match("gpu1.vllm.internal", -1, "/v1/models")).isNull();
        assertThat(R.match("localhost", 11434, "/v1/chat/completions").provider()).as("built-in untouched")
                .isEqualTo("ollama");
        assertThatThrownBy(() -> R.toBuilder().host("nobody", "x.com")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"nobody\" is not registered");
        assertThatThrownBy(() -> Provider.openAiCompatible("Bad Id", "x.com"))
                .hasMessageContaining("provider id \"Bad Id\"");
        assertThatThrownBy(() -> Provider.openAiCompatible("ok", "*.*.x.com")).hasMessageContaining("host pattern");
        assertThatThrownBy(() -> Endpoint.of("v1/chat", "chat", ModelType.TEXT, WireFormat.OPENAI_CHAT))
                .hasMessageContaining("must start with /");
    }

    @Test
    void aliasesNameTheSameProvider() {
        assertThat(ProviderRegistry.canonicalId("Google")).isEqualTo("gemini");
        assertThat(ProviderRegistry.canonicalId("x_ai")).isEqualTo("xai");
        assertThat(R.provider("together_ai").id()).isEqualTo("together");
    }

    private static RequestDetails request(String host, int port, String path, String body) {
        return R.match(host, port, path).readRequest(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsTheRequestModelStreamFlagAndTier() {
        RequestDetails r = request("api.openai.com", -1, "/v1/chat/completions",
                "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"service_tier\":\"flex\",\"messages\":[]}");
        assertThat(r).isEqualTo(new RequestDetails("gpt-4o", true, true, PricingTier.FLEX, null));
        assertThat(request("api.openai.com", -1, "/v1/chat/completions", "{\"model\":\"gpt-4o\"}"))
                .isEqualTo(new RequestDetails("gpt-4o", false, null, null, null));
        assertThat(request("api.anthropic.com", -1, "/v1/messages",
                "{\"model\":\"claude-sonnet-4-5\",\"service_tier\":\"auto\",\"stream\":true}").pricingTier()).isNull();
    }

    @Test
    void ollamaStreamsUnlessToldNotToAndGeminiTakesTheModelFromThePath() {
        assertThat(request("localhost", 11434, "/api/chat", "{\"model\":\"llama3.2\"}").stream()).isTrue();
        assertThat(request("localhost", 11434, "/api/chat", "{\"model\":\"llama3.2\",\"stream\":false}").stream())
                .isFalse();
        RequestDetails g = request("generativelanguage.googleapis.com", -1,
                "/v1beta/models/gemini-2.5-pro:streamGenerateContent", "{\"contents\":[]}");
        assertThat(g.model()).isEqualTo("gemini-2.5-pro");
        assertThat(g.stream()).isTrue();
        assertThat(request("x.openai.azure.com", -1, "/openai/deployments/prod/chat/completions", "{}").model())
                .isEqualTo("prod");
    }

    @Test
    void speechRequestsCountTheirInputCharactersAsCodePoints() {
        RequestDetails r = request("api.openai.com", -1, "/v1/audio/speech",
                "{\"model\":\"tts-1\",\"input\":\"Hi 😀 ü\",\"voice\":\"alloy\"}");
        assertThat(r.model()).isEqualTo("tts-1");
        assertThat(r.usage().characters()).isEqualTo(6);
        assertThat(r.usage().inputTokens()).isZero();
    }

    @Test
    void multipartUploadsGiveTheirModelField() {
        String body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp3\"\r\n\r\n\u0001\u0002\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n--b--\r\n";
        assertThat(request("api.openai.com", -1, "/v1/audio/transcriptions", body).model()).isEqualTo("whisper-1");
        assertThat(request("api.openai.com", -1, "/v1/audio/transcriptions", "not json").model()).isNull();
    }

    @Test
    void theRegistryIsTheOperatorsReader() {
        ResponseReader reader = R;
        assertThat(reader.read("openai", null, new Object())).as("a value no reader understands says so")
                .isEqualTo(ResponseDetails.unreadable("a value of type java.lang.Object, which no reader understands "
                        + "(give a JSON String, byte[], ByteBuffer, Map, List or JsonNode, an AWS SDK model object, "
                        + "or a usage extractor)"));
        assertThat(reader.read("openai", null, List.of())).isEqualTo(ResponseDetails.EMPTY);
        assertThat(reader.read("unknown-provider", null,
                "{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}").usage().totalTokens()).isEqualTo(7);
        assertThat(reader.read("openai", "https://api.openai.com/v1/responses?x=1",
                "{\"object\":\"response\",\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}").usage().outputTokens())
                .isEqualTo(2);
    }
}
