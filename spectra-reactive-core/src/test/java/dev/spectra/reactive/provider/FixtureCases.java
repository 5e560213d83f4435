package dev.spectra.reactive.provider;

import static dev.spectra.reactive.provider.FixtureCase.error;
import static dev.spectra.reactive.provider.FixtureCase.ok;
import static dev.spectra.reactive.provider.FixtureCase.usage;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;

/** Every fixture file and its exact expected reading. A fixture without an entry fails the suite. */
final class FixtureCases {

    private FixtureCases() {
    }

    static final String OPENAI = "api.openai.com";

    static List<FixtureCase> all() {
        return List.of(
                // --- shared fixtures (../shared/fixtures, copied) ---
                error("anthropic__messages__error__1.json", "anthropic", "api.anthropic.com", "/v1/messages?beta=true",
                        "not_found_error", "model: claude-sonet-4-5"),
                // input 3 uncached + 1111 cache reads + 0 writes = 1114; total 1114 + 406
                ok("anthropic__messages__json__1.json", "anthropic", "api.anthropic.com", "/v1/messages?beta=true",
                        false, "claude-sonnet-4-5-20250929", "msg_01UUPT9QdZnZSRzcQJkjG25U",
                        usage(1114, 406, 1111, 0, 0, 1520), "end_turn", Map.of()),
                // message_start output_tokens=1 is a placeholder; message_delta's 65 replaces it
                ok("anthropic__messages__stream__1.sse", "anthropic", "api.anthropic.com", "/v1/messages", true,
                        "claude-sonnet-4-20250514", "msg_019Q1hrJbZG26Fb9BQhrkHEr", usage(377, 65, 0, 0, 0, 442),
                        "tool_use", Map.of("function", 1)),
                ok("azure__chat__json__1.json", "azure", "pydanticai7521574644.openai.azure.com",
                        "/openai/deployments/gpt-4o/chat/completions?api-version=2024-12-01-preview", false,
                        "gpt-4o-2024-11-20", "chatcmpl-BAeyRj7gU6aCNSSAskAFbupBWYMIT", usage(14, 9, 0, 0, 0, 23),
                        "stop", Map.of()),
                // usage.tokens (processed) is the usage; billed_units (2406/2, no cache split) is what is priced
                ok("cohere__chat__json__1.json", "cohere", "api.cohere.com", "/v2/chat", false, null,
                        "0bf8e1a5-2af6-4014-a539-c12363a043a3", usage(2935, 4, 2928, 0, 0, 2939), "COMPLETE",
                        Map.of()).billed(usage(2406, 2, 0, 0, 0, 2408)),
                ok("deepseek__chat__json__1.json", "deepseek", "api.deepseek.com", "/chat/completions", false,
                        "deepseek-v4-flash", "0841b0a3-0321-47fa-a8a5-f08e5a4b3cb3", usage(563, 116, 512, 0, 60, 679),
                        "tool_calls", Map.of("function", 1)),
                error("gemini__generateContent__error__1.json", "gemini", "generativelanguage.googleapis.com",
                        "/v1beta/models/gemini-3.6-flahs:generateContent", "NOT_FOUND",
                        "models/gemini-3.6-flahs is not found for API version v1beta, or is not supported for "
                                + "generateContent. Call ModelService.ListModels to see the list of available models "
                                + "and their supported methods."),
                // thoughts (167) are outside candidates (89): output 256, reasoning 167; cached 204 inside prompt 373
                ok("gemini__generateContent__json__1.json", "gemini", "generativelanguage.googleapis.com",
                        "/v1beta/models/gemini-2.5-flash:generateContent", false, "gemini-2.5-flash",
                        "L-uTaaHQEdOLqtsP_efNqAg", usage(373, 256, 204, 0, 167, 629), "STOP", Map.of()),
                // last usageMetadata wins: prompt 15 -> 13
                ok("gemini__generateContent__stream__1.sse", "gemini", "generativelanguage.googleapis.com",
                        "/v1beta/models/gemini-2.0-flash-exp:streamGenerateContent?alt=sse", true,
                        "gemini-2.0-flash-exp", "w1peaMz6INOvnvgPgYfPiQY", usage(13, 8, 0, 0, 0, 21), "STOP",
                        Map.of()),
                ok("groq__chat__json__1.json", "groq", "api.groq.com", "/openai/v1/chat/completions", false,
                        "llama-3.3-70b-versatile", "chatcmpl-7586b6a9-fb4b-4ec7-86a0-59f0a77844cf",
                        usage(48, 8, 0, 0, 0, 56), "stop", Map.of()),
                // Groq counts reasoning inside completion: 304 + 49 = 353
                ok("groq__chat__stream__1.sse", "groq", "api.groq.com", "/openai/v1/chat/completions", true,
                        "openai/gpt-oss-120b", "chatcmpl-e35442a8-12c0-4fb4-8be4-0e51727ce7b7",
                        usage(304, 49, 0, 0, 23, 353), "tool_calls", Map.of("function", 1)),
                ok("mistral__chat__json__1.json", "mistral", "api.mistral.ai", "/v1/chat/completions", false,
                        "mistral-large-latest", "1ecfb2eb89144df48968ae279308e0ee", usage(77, 12, 76, 0, 0, 89),
                        "tool_calls", Map.of("function", 1)),
                ok("ollama__chat__json__1.json", "ollama", "localhost:11434", "/api/chat", false, "llama3.2", null,
                        usage(26, 298, 0, 0, 0, 324), null, Map.of()),
                ok("ollama__chat__stream__2.ndjson", "ollama", "localhost:11434", "/api/chat", true, "llama3.2", null,
                        usage(26, 282, 0, 0, 0, 308), null, Map.of()),
                error("openai__chat__error__1.json", "openai", OPENAI, "/v1/chat/completions", "invalid_request_error",
                        "The model `gpt-5.2-proo` does not exist or you do not have access to it."),
                ok("openai__chat__json__1.json", "openai", OPENAI, "/v1/chat/completions", false, "gpt-4o-2024-08-06",
                        "chatcmpl-ABfvaueLEMLNYbT8YzpJxsmiQ6HSY", usage(14, 37, 0, 0, 0, 51), "stop", Map.of()),
                ok("openai__chat__json__3.json", "openai", OPENAI, "/v1/chat/completions", false, "gpt-5.6-sol",
                        "chatcmpl-E1mBQt42vYTsKNd5wnyJlT0db7v9S", usage(4020, 4, 4012, 0, 0, 4024), "stop", Map.of()),
                ok("openai__chat__json__4.json", "openai", OPENAI, "/v1/chat/completions", false,
                        "o3-mini-2025-01-31", "chatcmpl-CENUmtwDD0HdvTUYL6lUeijDtxrZL",
                        usage(577, 2320, 0, 0, 1792, 2897), "stop", Map.of()),
                ok("openai__chat__stream__1.sse", "openai", OPENAI, "/v1/chat/completions", true, "gpt-4o-2024-08-06",
                        "chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL", usage(14, 30, 0, 0, 0, 44), "stop", Map.of()),
                ok("openai__embeddings__json__1.json", "openai", OPENAI, "/v1/embeddings", false,
                        "text-embedding-3-small", null, usage(4, 0, 0, 0, 0, 4), null, Map.of()),
                ok("openai__responses__json__2.json", "openai", OPENAI, "/v1/responses", false, "gpt-5-2025-08-07",
                        "resp_68cdba511c7081a389e67b16621029c609b7445677780c8f", usage(1493, 125, 1280, 0, 64, 1618),
                        "completed", Map.of("code_interpreter", 1)),
                ok("openai__responses__stream__1.sse", "openai", OPENAI, "/v1/responses", true, "gpt-5.5-2026-04-23",
                        "resp_0fabc13af1ee0049006a691dffc71481a18c5ea1841dec14ce", usage(147, 16, 0, 0, 0, 163),
                        "completed", Map.of()),
                ok("openrouter__chat__json__1.json", "openrouter", "openrouter.ai", "/api/v1/chat/completions", false,
                        "anthropic/claude-4.5-sonnet-20250929", "gen-1778777138-y0iwbTSBFZ0eELM0EhLt",
                        usage(43, 51, 0, 0, 47, 94), "stop", Map.of()),
                ok("together__chat__json__1.json", "together", "api.together.xyz", "/v1/chat/completions", false,
                        "deepseek-ai/DeepSeek-R1", "oV1mmQk-28Eivz-9c4b14712ea45a45", usage(4, 197, 0, 0, 0, 201),
                        "stop", Map.of()),
                // xAI counts reasoning outside completion: total 241 = 12 + 1 + 228, so output = 1 + 228
                ok("xai__chat__json__1.json", "xai", "api.x.ai", "/v1/chat/completions", false, "grok-3-mini",
                        "2af5c888-e886-6dcb-7844-95f8fe010b00", usage(12, 229, 2, 0, 228, 241), "stop", Map.of()),

                // --- added fixtures (see fixtures/ADDED.md) ---
                // latest cumulative message_delta: 2210 + 2048 reads + 188 writes = 4446 input; never a sum
                ok("anthropic__messages__stream__cache.sse", "anthropic", "api.anthropic.com", "/v1/messages", true,
                        "claude-sonnet-4-5-20250929", "msg_01CacheStream7k", usage(4446, 512, 2048, 188, 0, 4958),
                        "end_turn", Map.of("web_search", 1)),
                ok("azure__chat__stream__1.sse", "azure", "myres.openai.azure.com",
                        "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", true,
                        "gpt-4o-2024-11-20", "chatcmpl-BAz9Azure1stream", usage(1200, 3, 1024, 0, 0, 1203), "stop",
                        Map.of()),
                ok("openai__chat__stream__nousage.sse", "openai", OPENAI, "/v1/chat/completions", true,
                        "gpt-4o-2024-08-06", "chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL", null, "stop", Map.of()),
                ok("openai__responses__stream__tools.sse", "openai", OPENAI, "/v1/responses", true,
                        "gpt-4.1-2025-04-14", "resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41",
                        usage(291, 23, 128, 0, 0, 314), "max_output_tokens",
                        Map.of("function", 1, "web_search", 1)).withTier(PricingTier.FLEX),
                ok("openai__images__json__1.json", "openai", OPENAI, "/v1/images/generations", false, null, null,
                        // 40 of the 50 input tokens are image tokens; all output tokens are image tokens
                        Usage.builder().inputTokens(50).outputTokens(544).totalTokens(594).images(2)
                                .imageInputTokens(40).imageOutputTokens(544).build(), null,
                        Map.of()).image("low", "1024x1024"),
                // input_token_details.audio_tokens: the 14 input tokens are audio
                ok("openai__audio_transcription__json__1.json", "openai", OPENAI, "/v1/audio/transcriptions", false,
                        null, null, usage(14, 45, 0, 0, 0, 59).toBuilder().audioInputTokens(14).build(), null,
                        Map.of()),
                ok("openai__audio_transcription__json__2.json", "openai", OPENAI, "/v1/audio/transcriptions", false,
                        null, null, Usage.builder().audioSeconds(new BigDecimal("9")).build(), null, Map.of()),
                ok("ollama__generate__stream__1.ndjson", "ollama", "localhost:11434", "/api/generate", true,
                        "llama3.2", null, usage(26, 259, 0, 0, 0, 285), "stop", Map.of()),
                ok("ollama__embed__json__1.json", "ollama", "localhost:11434", "/api/embed", false, "all-minilm", null,
                        usage(8, 0, 0, 0, 0, 8), null, Map.of()),
                ok("gemini__embedContent__json__1.json", "gemini", "generativelanguage.googleapis.com",
                        "/v1beta/models/gemini-embedding-001:embedContent", false, null, null, null, null, Map.of()),
                // last element's usage: prompt 52 (32 cached), output 15 + 40 thoughts
                ok("gemini__streamGenerateContent__json__1.json", "gemini", "generativelanguage.googleapis.com",
                        "/v1beta/models/gemini-2.5-pro:streamGenerateContent", true, "gemini-2.5-pro",
                        "Zx3kaJ6kBu2Wz7IP-Arr4Qg", usage(52, 55, 32, 0, 40, 107), "STOP", Map.of("function", 1)),
                ok("cohere__chat__stream__1.sse", "cohere", "api.cohere.com", "/v2/chat", true, null,
                        "29f14a5a-11de-4cae-9800-25e4747408ea", usage(1050, 66, 512, 0, 0, 1116), "TOOL_CALL",
                        Map.of("function", 1)).billed(usage(37, 28, 0, 0, 0, 65)),
                new FixtureCase("groq__chat__stream__error.sse", "groq", "api.groq.com", "/openai/v1/chat/completions",
                        true, "llama-3.3-70b-versatile", "chatcmpl-2bd6c44f-groqerr", null, null, Map.of(), null,
                        "invalid_request_error", "Failed to call a function. Please adjust your prompt. See "
                        + "'failed_generation' for more details."),
                ok("openrouter__chat__stream__1.sse", "openrouter", "openrouter.ai", "/api/v1/chat/completions", true,
                        "openai/gpt-4o-mini", "gen-1771500000-OrStream", usage(9, 2, 0, 0, 0, 11), "stop", Map.of()),
                ok("deepseek__chat__stream__1.sse", "deepseek", "api.deepseek.com", "/chat/completions", true,
                        "deepseek-chat", "5d1c2b7e-ds-stream", usage(1100, 12, 1024, 0, 0, 1112), "stop", Map.of()),

                // --- added from recorded public traffic (see fixtures/ADDED.md, second table) ---
                // xAI counts reasoning outside completion_tokens: 291 + 26 + 189 = 506, so output = 26 + 189
                ok("xai__chat__json__tools.json", "xai", "api.x.ai", "/v1/chat/completions", false, "grok-3-mini",
                        "61c0468b-2a98-413e-f654-dbffcdbb62c1", usage(291, 215, 244, 0, 189, 506), "tool_calls",
                        Map.of("function", 1)),
                // 12 + 1 + 290 = 303: output 1 + 290; 11 of the 12 prompt tokens cached
                ok("xai__chat__stream__1.sse", "xai", "api.x.ai", "/v1/chat/completions", true, "grok-3-mini",
                        "7327b9f5-1c2f-0a15-3fef-c14a71c460d3", usage(12, 291, 11, 0, 290, 303), "stop", Map.of()),
                // 291 + 26 + 196 = 513: output 26 + 196
                ok("xai__chat__stream__tools.sse", "xai", "api.x.ai", "/v1/chat/completions", true, "grok-3-mini",
                        "de9d896d-e946-b3a7-bb14-75ab33326930", usage(291, 222, 290, 0, 196, 513), "tool_calls",
                        Map.of("function", 1)),
                // usage on the finish_reason chunk; the "p" padding member is ignored
                ok("mistral__chat__stream__1.sse", "mistral", "api.mistral.ai", "/v1/chat/completions", true,
                        "mistral-small-latest", "b5810ef13dbb4811a20d34e1393d8431", usage(19, 2, 0, 0, 0, 21), "stop",
                        Map.of()),
                // Mistral's streamed tool call has an id but neither index nor type: one function call
                ok("mistral__chat__stream__tools.sse", "mistral", "api.mistral.ai", "/v1/chat/completions", true,
                        "mistral-small-latest", "b3999b8c93e04e11bcbff7bcab829667", usage(124, 22, 0, 0, 0, 146),
                        "tool_calls", Map.of("function", 1)),
                ok("together__chat__json__tools.json", "together", "api.together.xyz", "/v1/chat/completions", false,
                        "meta-llama/Llama-4-Scout-17B-16E-Instruct", "oS9Xt2L-3pDw3Z-9b97ab8bcfbbe5fe",
                        usage(616, 7, 0, 0, 0, 623), "tool_calls", Map.of("function", 1)),
                // an HTTP 500 body: the error and its id, no usage
                new FixtureCase("together__chat__error__1.json", "together", "api.together.xyz", "/v1/chat/completions",
                        false, null, "oS9XtEv-3pDw3Z-9b97ab906d73553b", null, null, Map.of(), null, "server_error",
                        "Internal server error"),
                // usage (with cached_tokens 0) only on the finish_reason chunk; a 4-byte UTF-8 character before it
                ok("together__chat__stream__1.sse", "together", "api.together.xyz", "/v1/chat/completions", true,
                        "deepseek-ai/DeepSeek-R1", "oV1nHvx-28Eivz-9c4b16f37c27e605", usage(10, 955, 0, 0, 0, 965),
                        "stop", Map.of()),
                // a request without stream_options.include_usage: usage unknown, never zeros; the first chunk
                // (empty choices, id and model, prompt_filter_results) is not a usage chunk
                ok("azure__chat__stream__nousage.sse", "azure", "example-resource.openai.azure.com",
                        "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", true,
                        "gpt-4o-2024-08-06", "chatcmpl-BleatwEUn3D8iXsgXpDqeOPEMuW3j", null, "stop", Map.of()),
                // Azure Responses API stream: usage only in response.completed, which also has content_filters;
                // service_tier "auto", then "default": no tier of its own
                ok("azure__responses__stream__1.sse", "azure", "example-resource.openai.azure.com",
                        "/openai/v1/responses", true, "gpt-5.1",
                        "resp_02ce8deeb6197db200698c5196e9588197a572bbea62d38cd1", usage(11, 11, 0, 0, 0, 22),
                        "completed", Map.of()),
                // two parallel tool calls; processed tokens 1549/95 (1504 cached), billed 119/44
                ok("cohere__chat__stream__tools.sse", "cohere", "api.cohere.com", "/v2/chat", true, null,
                        "2941521a-b87a-45f6-9b0d-235fd66c3025", usage(1549, 95, 1504, 0, 0, 1644), "TOOL_CALL",
                        Map.of("function", 2)).billed(usage(119, 44, 0, 0, 0, 163)),
                // reasoning 17 inside completion 61 (374 + 61 = 435); 256 cache hits
                ok("deepseek__chat__stream__tools.sse", "deepseek", "api.deepseek.com", "/chat/completions", true,
                        "deepseek-v4-flash", "6e77be01-935b-42f6-8b05-d6c763528589", usage(374, 61, 256, 0, 17, 435),
                        "tool_calls", Map.of("function", 1)),
                // ": OPENROUTER PROCESSING" comments; the error chunk carries the usage. total 53 = 43 + 10 says
                // the reasoning count (11, over the completion count 10) is inside the completion: clamped to 10
                new FixtureCase("openrouter__chat__stream__error.sse", "openrouter", "openrouter.ai",
                        "/api/v1/chat/completions", true, "minimax/minimax-m2:free",
                        "gen-1762179802-UN8pkJI4AGZvryk0kFnb", usage(43, 10, 0, 0, 10, 53), "length", Map.of(), null,
                        "400", "Token limit reached"),
                ok("ollama__chat__stream__3.ndjson", "ollama", "localhost:11434", "/api/chat", true, "tinydolphin",
                        null, usage(36, 8, 0, 0, 0, 44), "stop", Map.of()),
                // cut off before the final done:true line: usage unknown, never zeros
                ok("ollama__chat__stream__cut.ndjson", "ollama", "localhost:11434", "/api/chat", true, "tinydolphin",
                        null, null, null, Map.of()),
                // cut off before message_delta: message_start's usage stays (input exact, output its count then)
                ok("anthropic__messages__stream__cut.sse", "anthropic", "api.anthropic.com", "/v1/messages", true,
                        "claude-sonnet-4-20250514", "msg_019Q1hrJbZG26Fb9BQhrkHEr", usage(377, 1, 0, 0, 0, 378), null,
                        Map.of("function", 1)),
                // cut off after two of three events: the latest usageMetadata seen (prompt 15, no candidates yet)
                ok("gemini__generateContent__stream__cut.sse", "gemini", "generativelanguage.googleapis.com",
                        "/v1beta/models/gemini-2.0-flash-exp:streamGenerateContent?alt=sse", true,
                        "gemini-2.0-flash-exp", "w1peaMz6INOvnvgPgYfPiQY", usage(15, 0, 0, 0, 0, 15), null, Map.of())
        );
    }
}
