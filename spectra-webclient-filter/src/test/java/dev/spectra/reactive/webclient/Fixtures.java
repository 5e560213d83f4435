package dev.spectra.reactive.webclient;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.provider.ResponseDetails;
import org.jspecify.annotations.Nullable;

/**
 * Every fixture file of core's test resources (copied under {@code src/test/resources/fixtures}), the request that
 * gets it (real host, path, requested model), and what the record must say. The response readings are the ones
 * core's {@code FixtureCases} asserts for the same files (numbers are the payloads' own, normalised as DESIGN.md
 * section 5 says); {@code events} counts the SSE events with data, NDJSON lines or array elements of each stream,
 * counted by hand from the files.
 */
final class Fixtures {

    /** One fixture and its exchange. {@code requestModel} null: the body names none, the path does. */
    record Fixture(String file, String provider, String host, String path, @Nullable String requestModel,
                   String model, String operation, ModelType modelType, int status, boolean streaming, int events,
                   ResponseDetails expected) {

        boolean failure() {
            return expected.errorType() != null;
        }

        /** The request body a client of this API would send (without {@code stream_options}). */
        String requestBody() {
            StringBuilder b = new StringBuilder("{");
            if (requestModel != null) {
                b.append("\"model\":\"").append(requestModel).append("\",");
            }
            if (provider.equals("gemini")) {
                return b.append("\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello\"}]}]}").toString();
            }
            if (!path.contains(":") && (streaming || provider.equals("ollama"))) {
                b.append("\"stream\":").append(streaming).append(',');
            }
            if (streaming && (provider.equals("openai") || provider.equals("azure")) && operation.equals("chat")) {
                b.append("\"stream_options\":{\"include_usage\":true},");
            }
            return b.append("\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}").toString();
        }

        @Override
        public String toString() {
            return file;
        }
    }

    static final String OPENAI = "api.openai.com";
    static final String OLLAMA = "ollama.test"; // added with SpectraExchangeFilter.Builder#host
    static final String GEMINI = "generativelanguage.googleapis.com";
    static final String GEMINI_KEY = "AIzaSyD0ntL00kAtMeThisIsAFakeKey1234567";

    private Fixtures() {
    }

    static Usage usage(long in, long out, long cached, long write, long reasoning, long total) {
        return Usage.builder().inputTokens(in).outputTokens(out).cachedInputTokens(cached).cacheWriteTokens(write)
                .reasoningTokens(reasoning).totalTokens(total).build();
    }

    private static ResponseDetails ok(@Nullable String model, @Nullable String id, @Nullable Usage usage,
                                      @Nullable String finish, Map<String, Integer> tools) {
        return new ResponseDetails(model, id, usage, finish, tools, null, null, null);
    }

    /** Cohere bills its {@code billed_units}, not the processed tokens it also reports. */
    private static ResponseDetails billed(ResponseDetails d, long in, long out) {
        return new ResponseDetails(d.responseModel(), d.responseId(), d.usage(), d.finishReason(),
                d.toolCallCounts(), d.pricingTier(), d.errorType(), d.errorMessage(), Usage.of(in, out),
                d.imageQuality(), d.imageSize());
    }

    private static ResponseDetails withImage(ResponseDetails d, String quality, String size) {
        return new ResponseDetails(d.responseModel(), d.responseId(), d.usage(), d.finishReason(),
                d.toolCallCounts(), d.pricingTier(), d.errorType(), d.errorMessage(), d.billedUsage(), quality, size);
    }

    private static ResponseDetails error(String type, String message) {
        return new ResponseDetails(null, null, null, null, Map.of(), null, type, message);
    }

    private static Fixture json(String file, String provider, String host, String path, @Nullable String request,
                                String model, String op, ModelType type, ResponseDetails d) {
        return new Fixture(file, provider, host, path, request, model, op, type, 200, false, 0, d);
    }

    private static Fixture stream(String file, String provider, String host, String path, @Nullable String request,
                                  String model, String op, int events, ResponseDetails d) {
        return new Fixture(file, provider, host, path, request, model, op, ModelType.TEXT, 200, true, events, d);
    }

    private static Fixture failed(String file, String provider, String host, String path, @Nullable String request,
                                  String model, String op, ResponseDetails d) {
        return new Fixture(file, provider, host, path, request, model, op, ModelType.TEXT, 404, false, 0, d);
    }

    static List<Fixture> all() {
        ModelType text = ModelType.TEXT;
        return List.of(
                failed("anthropic__messages__error__1.json", "anthropic", "api.anthropic.com", "/v1/messages?beta=true",
                        "claude-sonet-4-5", "claude-sonet-4-5", "messages",
                        error("not_found_error", "model: claude-sonet-4-5")),
                json("anthropic__messages__json__1.json", "anthropic", "api.anthropic.com", "/v1/messages?beta=true",
                        "claude-sonnet-4-5", "claude-sonnet-4-5", "messages", text,
                        ok("claude-sonnet-4-5-20250929", "msg_01UUPT9QdZnZSRzcQJkjG25U", usage(1114, 406, 1111, 0, 0,
                                1520), "end_turn", Map.of())),
                stream("anthropic__messages__stream__1.sse", "anthropic", "api.anthropic.com", "/v1/messages",
                        "claude-sonnet-4-0", "claude-sonnet-4-0", "messages", 15,
                        ok("claude-sonnet-4-20250514", "msg_019Q1hrJbZG26Fb9BQhrkHEr", usage(377, 65, 0, 0, 0, 442),
                                "tool_use", Map.of("function", 1))),
                json("azure__chat__json__1.json", "azure", "pydanticai7521574644.openai.azure.com",
                        "/openai/deployments/gpt-4o/chat/completions?api-version=2024-12-01-preview", null, "gpt-4o",
                        "chat", text, ok("gpt-4o-2024-11-20", "chatcmpl-BAeyRj7gU6aCNSSAskAFbupBWYMIT",
                                usage(14, 9, 0, 0, 0, 23), "stop", Map.of())),
                json("cohere__chat__json__1.json", "cohere", "api.cohere.com", "/v2/chat", "command-a-03-2025",
                        "command-a-03-2025", "chat", text, billed(ok(null, "0bf8e1a5-2af6-4014-a539-c12363a043a3",
                                usage(2935, 4, 2928, 0, 0, 2939), "COMPLETE", Map.of()), 2406, 2)),
                json("deepseek__chat__json__1.json", "deepseek", "api.deepseek.com", "/chat/completions",
                        "deepseek-v4-flash", "deepseek-v4-flash", "chat", text, ok("deepseek-v4-flash",
                                "0841b0a3-0321-47fa-a8a5-f08e5a4b3cb3", usage(563, 116, 512, 0, 60, 679), "tool_calls",
                                Map.of("function", 1))),
                failed("gemini__generateContent__error__1.json", "gemini", GEMINI,
                        "/v1beta/models/gemini-3.6-flahs:generateContent?key=" + GEMINI_KEY, null, "gemini-3.6-flahs",
                        "generate_content", error("NOT_FOUND", "models/gemini-3.6-flahs is not found for API version "
                                + "v1beta, or is not supported for generateContent. Call ModelService.ListModels to "
                                + "see the list of available models and their supported methods.")),
                json("gemini__generateContent__json__1.json", "gemini", GEMINI,
                        "/v1beta/models/gemini-2.5-flash:generateContent?key=" + GEMINI_KEY, null, "gemini-2.5-flash",
                        "generate_content", text, ok("gemini-2.5-flash", "L-uTaaHQEdOLqtsP_efNqAg",
                                usage(373, 256, 204, 0, 167, 629), "STOP", Map.of())),
                stream("gemini__generateContent__stream__1.sse", "gemini", GEMINI,
                        "/v1beta/models/gemini-2.0-flash-exp:streamGenerateContent?alt=sse&key=" + GEMINI_KEY, null,
                        "gemini-2.0-flash-exp", "generate_content", 3, ok("gemini-2.0-flash-exp",
                                "w1peaMz6INOvnvgPgYfPiQY", usage(13, 8, 0, 0, 0, 21), "STOP", Map.of())),
                json("groq__chat__json__1.json", "groq", "api.groq.com", "/openai/v1/chat/completions",
                        "llama-3.3-70b-versatile", "llama-3.3-70b-versatile", "chat", text,
                        ok("llama-3.3-70b-versatile", "chatcmpl-7586b6a9-fb4b-4ec7-86a0-59f0a77844cf",
                                usage(48, 8, 0, 0, 0, 56), "stop", Map.of())),
                stream("groq__chat__stream__1.sse", "groq", "api.groq.com", "/openai/v1/chat/completions",
                        "openai/gpt-oss-120b", "openai/gpt-oss-120b", "chat", 26, ok("openai/gpt-oss-120b",
                                "chatcmpl-e35442a8-12c0-4fb4-8be4-0e51727ce7b7", usage(304, 49, 0, 0, 23, 353),
                                "tool_calls", Map.of("function", 1))),
                json("mistral__chat__json__1.json", "mistral", "api.mistral.ai", "/v1/chat/completions",
                        "mistral-large-latest", "mistral-large-latest", "chat", text, ok("mistral-large-latest",
                                "1ecfb2eb89144df48968ae279308e0ee", usage(77, 12, 76, 0, 0, 89), "tool_calls",
                                Map.of("function", 1))),
                json("ollama__chat__json__1.json", "ollama", OLLAMA, "/api/chat", "llama3.2", "llama3.2", "chat", text,
                        ok("llama3.2", null, usage(26, 298, 0, 0, 0, 324), null, Map.of())),
                stream("ollama__chat__stream__2.ndjson", "ollama", OLLAMA, "/api/chat", "llama3.2", "llama3.2", "chat",
                        2, ok("llama3.2", null, usage(26, 282, 0, 0, 0, 308), null, Map.of())),
                failed("openai__chat__error__1.json", "openai", OPENAI, "/v1/chat/completions", "gpt-5.2-proo",
                        "gpt-5.2-proo", "chat", error("invalid_request_error",
                                "The model `gpt-5.2-proo` does not exist or you do not have access to it.")),
                json("openai__chat__json__1.json", "openai", OPENAI, "/v1/chat/completions", "gpt-4o", "gpt-4o", "chat",
                        text, ok("gpt-4o-2024-08-06", "chatcmpl-ABfvaueLEMLNYbT8YzpJxsmiQ6HSY",
                                usage(14, 37, 0, 0, 0, 51), "stop", Map.of())),
                json("openai__chat__json__3.json", "openai", OPENAI, "/v1/chat/completions", "gpt-5.6-sol",
                        "gpt-5.6-sol", "chat", text, ok("gpt-5.6-sol", "chatcmpl-E1mBQt42vYTsKNd5wnyJlT0db7v9S",
                                usage(4020, 4, 4012, 0, 0, 4024), "stop", Map.of())),
                json("openai__chat__json__4.json", "openai", OPENAI, "/v1/chat/completions", "o3-mini", "o3-mini",
                        "chat", text, ok("o3-mini-2025-01-31", "chatcmpl-CENUmtwDD0HdvTUYL6lUeijDtxrZL",
                                usage(577, 2320, 0, 0, 1792, 2897), "stop", Map.of())),
                stream("openai__chat__stream__1.sse", "openai", OPENAI, "/v1/chat/completions", "gpt-4o", "gpt-4o",
                        "chat", 34, ok("gpt-4o-2024-08-06", "chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL",
                                usage(14, 30, 0, 0, 0, 44), "stop", Map.of())),
                json("openai__embeddings__json__1.json", "openai", OPENAI, "/v1/embeddings", "text-embedding-3-small",
                        "text-embedding-3-small", "embeddings", ModelType.EMBEDDING, ok("text-embedding-3-small", null,
                                usage(4, 0, 0, 0, 0, 4), null, Map.of())),
                json("openai__responses__json__2.json", "openai", OPENAI, "/v1/responses", "gpt-5", "gpt-5",
                        "responses", text, ok("gpt-5-2025-08-07", "resp_68cdba511c7081a389e67b16621029c609b7445677780c8f",
                                usage(1493, 125, 1280, 0, 64, 1618), "completed", Map.of("code_interpreter", 1))),
                stream("openai__responses__stream__1.sse", "openai", OPENAI, "/v1/responses", "gpt-5.5", "gpt-5.5",
                        "responses", 20, ok("gpt-5.5-2026-04-23",
                                "resp_0fabc13af1ee0049006a691dffc71481a18c5ea1841dec14ce", usage(147, 16, 0, 0, 0, 163),
                                "completed", Map.of())),
                json("openrouter__chat__json__1.json", "openrouter", "openrouter.ai", "/api/v1/chat/completions",
                        "anthropic/claude-sonnet-4.5", "anthropic/claude-sonnet-4.5", "chat", text,
                        ok("anthropic/claude-4.5-sonnet-20250929", "gen-1778777138-y0iwbTSBFZ0eELM0EhLt",
                                usage(43, 51, 0, 0, 47, 94), "stop", Map.of())),
                json("together__chat__json__1.json", "together", "api.together.xyz", "/v1/chat/completions",
                        "deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-R1", "chat", text,
                        ok("deepseek-ai/DeepSeek-R1", "oV1mmQk-28Eivz-9c4b14712ea45a45", usage(4, 197, 0, 0, 0, 201),
                                "stop", Map.of())),
                json("xai__chat__json__1.json", "xai", "api.x.ai", "/v1/chat/completions", "grok-3-mini", "grok-3-mini",
                        "chat", text, ok("grok-3-mini", "2af5c888-e886-6dcb-7844-95f8fe010b00",
                                usage(12, 229, 2, 0, 228, 241), "stop", Map.of())),

                // --- fixtures added by the provider-formats issue (fixtures/ADDED.md) ---
                stream("anthropic__messages__stream__cache.sse", "anthropic", "api.anthropic.com", "/v1/messages",
                        "claude-sonnet-4-5", "claude-sonnet-4-5", "messages", 11, ok("claude-sonnet-4-5-20250929",
                                "msg_01CacheStream7k", usage(4446, 512, 2048, 188, 0, 4958), "end_turn",
                                Map.of("web_search", 1))),
                stream("azure__chat__stream__1.sse", "azure", "myres.openai.azure.com",
                        "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", null, "gpt-4o", "chat", 6,
                        ok("gpt-4o-2024-11-20", "chatcmpl-BAz9Azure1stream", usage(1200, 3, 1024, 0, 0, 1203), "stop",
                                Map.of())),
                stream("openai__chat__stream__nousage.sse", "openai", OPENAI, "/v1/chat/completions", "gpt-4o",
                        "gpt-4o", "chat", 33, ok("gpt-4o-2024-08-06", "chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL", null,
                                "stop", Map.of())),
                stream("openai__responses__stream__tools.sse", "openai", OPENAI, "/v1/responses", "gpt-4.1", "gpt-4.1",
                        "responses", 6, new ResponseDetails("gpt-4.1-2025-04-14",
                                "resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41", usage(291, 23, 128, 0, 0, 314),
                                "max_output_tokens", Map.of("function", 1, "web_search", 1), PricingTier.FLEX, null,
                                null)),
                json("openai__images__json__1.json", "openai", OPENAI, "/v1/images/generations", "gpt-image-1",
                        "gpt-image-1", "images", ModelType.IMAGE, withImage(ok(null, null, Usage.builder()
                                .inputTokens(50).outputTokens(544).totalTokens(594).images(2).imageInputTokens(40)
                                .imageOutputTokens(544).build(), null, Map.of()), "low", "1024x1024")),
                json("openai__audio_transcription__json__1.json", "openai", OPENAI, "/v1/audio/transcriptions",
                        "gpt-4o-transcribe", "gpt-4o-transcribe", "audio_transcription", ModelType.STT,
                        ok(null, null, usage(14, 45, 0, 0, 0, 59).toBuilder().audioInputTokens(14).build(), null,
                                Map.of())),
                json("openai__audio_transcription__json__2.json", "openai", OPENAI, "/v1/audio/transcriptions",
                        "whisper-1", "whisper-1", "audio_transcription", ModelType.STT, ok(null, null,
                                Usage.builder().audioSeconds(new BigDecimal("9")).build(), null, Map.of())),
                stream("ollama__generate__stream__1.ndjson", "ollama", OLLAMA, "/api/generate", "llama3.2", "llama3.2",
                        "generate", 3, ok("llama3.2", null, usage(26, 259, 0, 0, 0, 285), "stop", Map.of())),
                json("ollama__embed__json__1.json", "ollama", OLLAMA, "/api/embed", "all-minilm", "all-minilm",
                        "embeddings", ModelType.EMBEDDING, ok("all-minilm", null, usage(8, 0, 0, 0, 0, 8), null,
                                Map.of())),
                json("gemini__embedContent__json__1.json", "gemini", GEMINI,
                        "/v1beta/models/gemini-embedding-001:embedContent", null, "gemini-embedding-001",
                        "embed_content", ModelType.EMBEDDING, ok(null, null, null, null, Map.of())),
                stream("gemini__streamGenerateContent__json__1.json", "gemini", GEMINI,
                        "/v1beta/models/gemini-2.5-pro:streamGenerateContent", null, "gemini-2.5-pro",
                        "generate_content", 2, ok("gemini-2.5-pro", "Zx3kaJ6kBu2Wz7IP-Arr4Qg",
                                usage(52, 55, 32, 0, 40, 107), "STOP", Map.of("function", 1))),
                stream("cohere__chat__stream__1.sse", "cohere", "api.cohere.com", "/v2/chat", "command-a-03-2025",
                        "command-a-03-2025", "chat", 7, billed(ok(null, "29f14a5a-11de-4cae-9800-25e4747408ea",
                                usage(1050, 66, 512, 0, 0, 1116), "TOOL_CALL", Map.of("function", 1)), 37, 28)),
                stream("groq__chat__stream__error.sse", "groq", "api.groq.com", "/openai/v1/chat/completions",
                        "llama-3.3-70b-versatile", "llama-3.3-70b-versatile", "chat", 2,
                        new ResponseDetails("llama-3.3-70b-versatile", "chatcmpl-2bd6c44f-groqerr", null, null,
                                Map.of(), null, "invalid_request_error", "Failed to call a function. Please adjust "
                                + "your prompt. See 'failed_generation' for more details.")),
                stream("openrouter__chat__stream__1.sse", "openrouter", "openrouter.ai", "/api/v1/chat/completions",
                        "openai/gpt-4o-mini", "openai/gpt-4o-mini", "chat", 4, ok("openai/gpt-4o-mini",
                                "gen-1771500000-OrStream", usage(9, 2, 0, 0, 0, 11), "stop", Map.of())),
                stream("deepseek__chat__stream__1.sse", "deepseek", "api.deepseek.com", "/chat/completions",
                        "deepseek-chat", "deepseek-chat", "chat", 4, ok("deepseek-chat", "5d1c2b7e-ds-stream",
                                usage(1100, 12, 1024, 0, 0, 1112), "stop", Map.of()))
        );
    }

    static Fixture named(String file) {
        return all().stream().filter(f -> f.file().equals(file)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no fixture case " + file));
    }
}
