package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.spectra.reactive.Usage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed and hostile input never throws out of a reader: usage stays unknown, and it is counted. */
class ReaderRobustnessUnitTests {

    private static final ProviderRegistry R = ProviderRegistry.builtIn();

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":",              // truncated
        "{\"usage\":{\"prompt_tokens\":\"12\",\"completion_tokens\":true}}",     // wrong types
        "{\"usage\":{\"prompt_tokens\":1e400,\"completion_tokens\":-5}}",        // huge and negative
        "{\"usage\":{\"prompt_tokens\":99999999999999999999999,\"completion_tokens\":12.5}}",
        "{\"usage\":[1,2,3],\"choices\":\"none\",\"model\":7,\"id\":{}}",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "null", "42", "\"text\"", "", "   ", "garbage", "data: {\"broken\n\n"
    })
    void oddBodiesGiveNoUsageAndNeverThrow(String body) {
        for (String provider : new String[] {"openai", "anthropic", "gemini", "ollama", "cohere", "nobody"}) {
            ResponseDetails d = R.read(provider, null, body);
            assertThat(d.usage()).as(provider).isNull();
            StreamReader s = R.newChunkReader(provider, null);
            s.onChunk(body);
            s.onChunk(body.getBytes(StandardCharsets.UTF_8));
            assertThat(s.details().usage()).isNull();
        }
    }

    @Test
    void invalidUtf8IsMalformedNotAnException() {
        byte[] bad = {'{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThat(R.read("openai", null, bad))
                .isEqualTo(ResponseDetails.unreadable("not JSON (cut short, or not the provider's answer)"));
        StreamReader s = R.newChunkReader("openai", "/v1/chat/completions");
        byte[] sse = new byte[bad.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, sse, 0, 6);
        System.arraycopy(bad, 0, sse, 6, bad.length);
        sse[sse.length - 2] = '\n';
        sse[sse.length - 1] = '\n';
        s.feed(sse, 0, sse.length);
        assertThat(s.details()).isEqualTo(ResponseDetails.unreadable("1 malformed event"));
        assertThat(s.malformedEvents()).isEqualTo(1);
    }

    @Test
    void inconsistentCountsAreClampedNotRejected() {
        // cached beyond input, reasoning beyond output with a total that says it is inside: clamp, keep the call
        Usage u = R.read("openai", null, "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":50,\"cache_write_tokens\":7}}}").usage();
        // the write was stated (7) and clamped to what the input leaves: a stated 0, not an unstated one
        assertThat(u).isEqualTo(Usage.builder().inputTokens(10).cachedInputTokens(10).cacheWriteTokens(0)
                .outputTokens(5).build());
    }

    /**
     * Found by the fuzz corpus: audio seconds were read as any non-negative number, so a body saying
     * {@code 1e400} seconds was recorded with that usage and a 400-digit cost (no database column holds it), and
     * {@code 1e999999999} made pricing fail. A duration is now a number within a count's range, else unknown.
     */
    @ParameterizedTest
    @ValueSource(strings = {"1e400", "1E+400", "99999999999999999999999", "9223372036854775808", "1e999999999",
        "1e-999999999", "-1", "-0.5"})
    void aDurationOutOfRangeIsUnknownNotAUsage(String seconds) {
        String tokens = "{\"text\":\"x\",\"usage\":{\"type\":\"duration\",\"seconds\":" + seconds + "}}";
        String verbose = "{\"text\":\"x\",\"duration\":" + seconds + "}";
        for (String body : new String[] {tokens, verbose}) {
            assertThat(R.read("openai", "/v1/audio/transcriptions", body).usage()).as(body).isNull();
            assertThat(R.read("openai", null, body).usage()).as(body).isNull();
            StreamReader s = R.newChunkReader("openai", "/v1/audio/transcriptions");
            s.onChunk(body);
            assertThat(s.finish().usage()).as(body).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "9", "9.5", "0.000001", "1e-400", "1000000000"})
    void aDurationWithinRangeIsRead(String seconds) {
        String body = "{\"text\":\"x\",\"usage\":{\"type\":\"duration\",\"seconds\":" + seconds + "}}";
        Usage u = R.read("openai", "/v1/audio/transcriptions", body).usage();
        assertThat(u).isNotNull();
        assertThat(u.audioSeconds()).isEqualByComparingTo(new java.math.BigDecimal(seconds));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1000000000001", "10000000000000000", "9223372036854775807"})
    void aCountBeyondAnyRealCallIsUnknownNotAUsage(String count) {
        // within a long, but 10^16 tokens of gpt-4o would cost $2.5 x 10^10: more than a numeric(20,10) holds
        String body = "{\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + count
                + ",\"completion_tokens\":1,\"total_tokens\":" + count + "}}";
        assertThat(R.read("openai", "/v1/chat/completions", body).usage()).isNull();
        String atBound = body.replace(count, "1000000000000");
        assertThat(R.read("openai", "/v1/chat/completions", atBound).usage().inputTokens()).isEqualTo(1_000_000_000_000L);
    }

    @Test
    void oneMalformedCountMakesTheWholeUsageUnknownRatherThanAZero() {
        // each body states a valid count next to one that is not a count: never read the rest with a 0
        assertThat(R.read("openai", "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":14,"
                + "\"completion_tokens\":\"37\",\"total_tokens\":51}}").usage()).isNull();
        assertThat(R.read("openai", "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":14,"
                + "\"completion_tokens\":37,\"prompt_tokens_details\":{\"cached_tokens\":-2}}}").usage()).isNull();
        assertThat(R.read("gemini", null, "{\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":2.5}}")
                .usage()).isNull();
        assertThat(R.read("ollama", "/api/chat", "{\"model\":\"llama3.2\",\"done\":true,\"prompt_eval_count\":26,"
                + "\"eval_count\":\"x\"}").usage()).isNull();
        assertThat(R.read("cohere", "/v2/chat", "{\"id\":\"c\",\"usage\":{\"billed_units\":{\"input_tokens\":12,"
                + "\"output_tokens\":[2]},\"tokens\":{\"input_tokens\":12,\"output_tokens\":2}}}").usage()).isNull();
        StreamReader anthropic = R.newChunkReader("anthropic", "/v1/messages");
        anthropic.onChunk("{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"claude-sonnet-4-5\","
                + "\"usage\":{\"input_tokens\":377,\"output_tokens\":1}}}");
        anthropic.onChunk("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                + "\"usage\":{\"output_tokens\":-65}}");
        assertThat(anthropic.finish().usage()).isNull();
        // absent members are not malformed: an embedding states no completion
        assertThat(R.read("openai", "/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"usage\":"
                + "{\"prompt_tokens\":8,\"total_tokens\":8}}").usage()).isEqualTo(Usage.of(8, 0));
    }

    /**
     * A malformed-count rule must not guess counts from member names: then a member a provider adds that merely
     * looks like a count ({@code foo_tokens}, {@code *TokenCount}) and is not one would make a good usage unknown. Only the members a reader reads as counts can poison its usage; JSON null is absent, not malformed.
     */
    @Test
    void aMemberNamedLikeACountThatTheReaderDoesNotReadNeverPoisonsTheUsage() {
        assertThat(R.read("openai", "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":3,"
                + "\"completion_tokens\":2,\"foo_tokens\":\"x\"}}").usage()).isEqualTo(Usage.of(3, 2));
        assertThat(R.read("openai", "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":3,"
                + "\"completion_tokens\":2,\"prompt_tokens_details\":{\"text_tokens\":{\"n\":3}}}}").usage())
                .isEqualTo(Usage.of(3, 2));
        assertThat(R.read("gemini", null, "{\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":2,"
                + "\"trafficTokenCount\":{\"type\":\"ON_DEMAND\"},\"promptTokensDetails\":[{\"modality\":\"TEXT\","
                + "\"tokenCount\":\"ten\"}]}}").usage())
                .as("a breakdown by modality without audio states 0 audio tokens")
                .isEqualTo(Usage.builder().inputTokens(10).outputTokens(2).audioInputTokens(0).build());
        assertThat(R.read("cohere", "/v2/chat", "{\"id\":\"c\",\"usage\":{\"billed_units\":{\"input_tokens\":12,"
                + "\"output_tokens\":2,\"search_tokens\":-1},\"tokens\":{\"input_tokens\":12,\"output_tokens\":2}}}")
                .usage()).isEqualTo(Usage.of(12, 2));
        StreamReader anthropic = R.newChunkReader("anthropic", "/v1/messages");
        anthropic.onChunk("{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"claude-sonnet-4-5\","
                + "\"usage\":{\"input_tokens\":377,\"output_tokens\":1,\"future_tokens\":\"n/a\"}}}");
        anthropic.onChunk("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                + "\"usage\":{\"output_tokens\":65}}");
        assertThat(anthropic.finish().usage()).isEqualTo(Usage.of(377, 65));
        // JSON null is an absent member, not a malformed one
        assertThat(R.read("openai", "/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"usage\":"
                + "{\"prompt_tokens\":8,\"completion_tokens\":null,\"total_tokens\":8}}").usage())
                .isEqualTo(Usage.of(8, 0));
    }

    /** A member a reader does read, however deep, still poisons the usage when it is not a count. */
    @Test
    void aMalformedCountTheReaderReadsPoisonsTheUsageAtAnyDepth() {
        assertThat(R.read("gemini", null, "{\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":2,"
                + "\"promptTokensDetails\":[{\"modality\":\"AUDIO\",\"tokenCount\":\"ten\"}]}}").usage()).isNull();
        assertThat(R.read("anthropic", "/v1/messages", "{\"id\":\"m\",\"model\":\"claude-sonnet-4-5\",\"usage\":"
                + "{\"input_tokens\":5,\"output_tokens\":3,\"cache_creation\":{\"ephemeral_1h_input_tokens\":\"2\"}}}")
                .usage()).isNull();
    }

    /**
     * Per reader family: a malformed count the reader reads makes the usage unknown (as the
     * name-based rule did) and nothing else: model, id, finish reason and tool calls are still recorded, and the
     * malformed count never escapes as an exception (which would lose the whole record).
     */
    @Test
    void aMalformedCountTheOpenAiChatReaderReadsLeavesTheRestOfTheRecord() {
        ResponseDetails d = R.read("openai", "/v1/chat/completions", "{\"id\":\"c1\",\"model\":\"gpt-4o\","
                + "\"choices\":[{\"index\":0,\"finish_reason\":\"tool_calls\",\"message\":{\"tool_calls\":"
                + "[{\"type\":\"function\"}]}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":\"1\"}}}");
        assertUnknownUsage(d, "gpt-4o", "c1");
        assertThat(d.finishReason()).isEqualTo("tool_calls");
        assertThat(d.toolCallCounts()).containsExactly(Map.entry("function", 1));
        // image tokens are read only for the images API: in a chat usage they are never read
        assertThat(R.read("openai", "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":3,"
                + "\"completion_tokens\":2,\"prompt_tokens_details\":{\"image_tokens\":\"x\"}}}").usage())
                .isEqualTo(Usage.of(3, 2));

        StreamReader s = R.newChunkReader("openai", "/v1/chat/completions");
        // a malformed index is no count of a usage: it is absent (the call is placed by its position, opened by
        // its id), never an exception
        s.onChunk("{\"id\":\"c2\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":-1,\"delta\":{\"tool_calls\":"
                + "[{\"index\":\"0\",\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}}]}");
        s.onChunk("{\"id\":\"c2\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},"
                + "\"finish_reason\":\"tool_calls\"}]}");
        s.onChunk("{\"id\":\"c2\",\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":-1,"
                + "\"completion_tokens\":2}}");
        s.onChunk("[DONE]");
        ResponseDetails sd = s.finish();
        assertUnknownUsage(sd, "gpt-4o", "c2");
        assertThat(sd.finishReason()).isEqualTo("tool_calls");
        assertThat(sd.toolCallCounts()).containsExactly(Map.entry("function", 1));
        assertThat(s.malformedEvents()).isZero();
    }

    @Test
    void aMalformedCountTheOpenAiResponsesAndEmbeddingsReadersReadLeavesTheRestOfTheRecord() {
        String response = "{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"gpt-4.1\",\"status\":\"completed\","
                + "\"output\":[{\"type\":\"function_call\"}],\"usage\":{\"input_tokens\":10,\"output_tokens\":4,"
                + "\"input_tokens_details\":{\"cached_tokens\":1.5}}}";
        ResponseDetails d = R.read("openai", "/v1/responses", response);
        assertUnknownUsage(d, "gpt-4.1", "resp_1");
        assertThat(d.finishReason()).isEqualTo("completed");
        assertThat(d.toolCallCounts()).containsExactly(Map.entry("function", 1));

        StreamReader s = R.newChunkReader("openai", "/v1/responses");
        s.onChunk("{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"model\":\"gpt-4.1\","
                + "\"status\":\"in_progress\"}}");
        s.onChunk("{\"type\":\"response.completed\",\"response\":" + response + "}");
        ResponseDetails sd = s.finish();
        assertUnknownUsage(sd, "gpt-4.1", "resp_1");
        assertThat(sd.finishReason()).isEqualTo("completed");
        assertThat(sd.toolCallCounts()).containsExactly(Map.entry("function", 1));

        ResponseDetails e = R.read("openai", "/v1/embeddings", "{\"object\":\"list\",\"model\":"
                + "\"text-embedding-3-small\",\"data\":[],\"usage\":{\"prompt_tokens\":\"8\",\"total_tokens\":8}}");
        assertUnknownUsage(e, "text-embedding-3-small", null);
    }

    @Test
    void aMalformedCountTheAnthropicReaderReadsLeavesTheRestOfTheRecord() {
        ResponseDetails d = R.read("anthropic", "/v1/messages", "{\"id\":\"msg_1\",\"type\":\"message\","
                + "\"model\":\"claude-sonnet-4-5\",\"stop_reason\":\"tool_use\",\"content\":[{\"type\":\"tool_use\"}],"
                + "\"usage\":{\"input_tokens\":5,\"output_tokens\":true,\"service_tier\":\"priority\"}}");
        assertUnknownUsage(d, "claude-sonnet-4-5", "msg_1");
        assertThat(d.finishReason()).isEqualTo("tool_use");
        assertThat(d.toolCallCounts()).containsExactly(Map.entry("function", 1));
        assertThat(d.pricingTier()).isEqualTo(dev.spectra.reactive.PricingTier.PRIORITY);

        // malformed in message_start: a valid cumulative message_delta later does not bring the usage back
        StreamReader s = R.newChunkReader("anthropic", "/v1/messages");
        s.onChunk("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"model\":\"claude-sonnet-4-5\","
                + "\"usage\":{\"input_tokens\":377,\"cache_read_input_tokens\":\"x\",\"output_tokens\":1}}}");
        s.onChunk("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"server_tool_use\","
                + "\"name\":\"web_search\"}}");
        s.onChunk("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                + "\"usage\":{\"output_tokens\":65}}");
        ResponseDetails sd = s.finish();
        assertUnknownUsage(sd, "claude-sonnet-4-5", "msg_2");
        assertThat(sd.finishReason()).isEqualTo("end_turn");
        assertThat(sd.toolCallCounts()).containsExactly(Map.entry("web_search", 1));
    }

    @Test
    void aMalformedCountTheGeminiReaderReadsLeavesTheRestOfTheRecord() {
        ResponseDetails d = R.read("gemini", null, "{\"responseId\":\"r1\",\"modelVersion\":\"gemini-2.5-flash\","
                + "\"candidates\":[{\"finishReason\":\"STOP\",\"content\":{\"parts\":[{\"functionCall\":"
                + "{\"name\":\"f\"}}]}}],\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":2,"
                + "\"thoughtsTokenCount\":-3}}");
        assertUnknownUsage(d, "gemini-2.5-flash", "r1");
        assertThat(d.finishReason()).isEqualTo("STOP");
        assertThat(d.toolCallCounts()).containsExactly(Map.entry("function", 1));

        // a usage-only chunk is kept unparsed and read later: its malformed count is caught there too
        StreamReader s = R.newChunkReader("gemini", null);
        s.onChunk("{\"responseId\":\"r2\",\"modelVersion\":\"gemini-2.5-flash\",\"candidates\":[{\"content\":"
                + "{\"parts\":[{\"text\":\"hi\"}]}}]}");
        s.onChunk("{\"responseId\":\"r2\",\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" there\"}]}}],"
                + "\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":\"2\"}}");
        ResponseDetails sd = s.finish();
        assertUnknownUsage(sd, "gemini-2.5-flash", "r2");
        assertThat(s.malformedEvents()).isZero();
    }

    @Test
    void aMalformedCountTheOllamaReaderReadsLeavesTheRestOfTheRecord() {
        ResponseDetails d = R.read("ollama", "/api/chat", "{\"model\":\"llama3.2\",\"done\":true,"
                + "\"done_reason\":\"stop\",\"message\":{\"tool_calls\":[{\"function\":{\"name\":\"f\"}}]},"
                + "\"prompt_eval_count\":26,\"eval_count\":-1}");
        assertUnknownUsage(d, "llama3.2", null);
        assertThat(d.finishReason()).isEqualTo("stop");
        assertThat(d.toolCallCounts()).containsExactly(Map.entry("function", 1));

        StreamReader s = R.newChunkReader("ollama", "/api/chat");
        s.onChunk("{\"model\":\"llama3.2\",\"message\":{\"content\":\"hi\"},\"done\":false}\n");
        s.onChunk("{\"model\":\"llama3.2\",\"message\":{\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\","
                + "\"prompt_eval_count\":\"26\",\"eval_count\":5}\n");
        ResponseDetails sd = s.finish();
        assertUnknownUsage(sd, "llama3.2", null);
        assertThat(sd.finishReason()).isEqualTo("stop");
    }

    @Test
    void aMalformedCountTheCohereReaderReadsLeavesTheRestOfTheRecord() {
        ResponseDetails d = R.read("cohere", "/v2/chat", "{\"id\":\"c1\",\"finish_reason\":\"TOOL_CALL\","
                + "\"message\":{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\"}]},\"usage\":"
                + "{\"billed_units\":{\"input_tokens\":12,\"output_tokens\":2},\"tokens\":{\"input_tokens\":20,"
                + "\"output_tokens\":2},\"cached_tokens\":\"4\"}}");
        assertUnknownUsage(d, null, "c1");
        assertThat(d.billedUsage()).isNull();
        assertThat(d.finishReason()).isEqualTo("TOOL_CALL");
        assertThat(d.toolCallCounts()).containsExactly(Map.entry("function", 1));
        assertThat(d.errorMessage()).isNull();

        StreamReader s = R.newChunkReader("cohere", "/v2/chat");
        s.onChunk("{\"type\":\"message-start\",\"id\":\"c2\",\"delta\":{\"message\":{\"role\":\"assistant\"}}}");
        s.onChunk("{\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",\"usage\":{\"billed_units\":"
                + "{\"input_tokens\":12,\"output_tokens\":1e400},\"tokens\":{\"input_tokens\":20,"
                + "\"output_tokens\":2}}}}");
        ResponseDetails sd = s.finish();
        assertUnknownUsage(sd, null, "c2");
        assertThat(sd.finishReason()).isEqualTo("COMPLETE");
    }

    @Test
    void aMalformedCountOrDurationTheOpenAiMediaReaderReadsLeavesTheRestOfTheRecord() {
        ResponseDetails d = R.read("openai", "/v1/audio/transcriptions", "{\"id\":\"t1\",\"model\":\"whisper-1\","
                + "\"text\":\"x\",\"usage\":{\"type\":\"duration\",\"seconds\":\"9\"}}");
        assertUnknownUsage(d, "whisper-1", "t1");
        // a usage object of type duration reads only its seconds
        assertThat(R.read("openai", "/v1/audio/transcriptions", "{\"text\":\"x\",\"usage\":{\"type\":\"duration\","
                + "\"seconds\":9,\"input_tokens\":\"n/a\"}}").usage().audioSeconds()).isEqualByComparingTo("9");
        // the verbose duration is read into a token usage without seconds: a malformed one makes it unknown
        String verbose = "{\"text\":\"x\",\"duration\":%s,\"usage\":{\"type\":\"tokens\",\"input_tokens\":10,"
                + "\"output_tokens\":5}}";
        assertThat(R.read("openai", "/v1/audio/transcriptions", verbose.formatted("\"9.5\"")).usage()).isNull();
        assertThat(R.read("openai", "/v1/audio/transcriptions", verbose.formatted("9.5")).usage())
                .isEqualTo(Usage.builder().inputTokens(10).outputTokens(5).audioSeconds(new java.math.BigDecimal("9.5"))
                        .build());

        StreamReader s = R.newChunkReader("openai", "/v1/audio/transcriptions");
        s.onChunk("{\"type\":\"transcript.text.delta\",\"delta\":\"x\"}");
        s.onChunk("{\"type\":\"transcript.text.done\",\"text\":\"x\",\"usage\":{\"type\":\"tokens\","
                + "\"input_tokens\":\"10\",\"output_tokens\":5}}");
        assertThat(s.finish().usage()).isNull();
        assertThat(s.malformedEvents()).isZero();

        // images: a usage object with a malformed image count is unknown as a whole, as if absent; the images
        // are still counted from the answer's data, as for a model that states no usage
        ResponseDetails img = R.read("openai", "/v1/images/generations", "{\"created\":1,\"data\":[{\"b64_json\":"
                + "\"AA==\"}],\"quality\":\"high\",\"size\":\"1024x1024\",\"usage\":{\"input_tokens\":10,"
                + "\"output_tokens\":100,\"input_tokens_details\":{\"image_tokens\":\"x\"}}}");
        assertThat(img.usage()).isEqualTo(Usage.builder().images(1).build());
        assertThat(img.imageQuality()).isEqualTo("high");
        assertThat(img.imageSize()).isEqualTo("1024x1024");
    }

    private static void assertUnknownUsage(ResponseDetails d, String model, String id) {
        assertThat(d.usage()).as("usage").isNull();
        assertThat(d.responseModel()).as("model").isEqualTo(model);
        assertThat(d.responseId()).as("id").isEqualTo(id);
    }

    @Test
    void aStreamWithoutUsageIsUnknownNeverZero() {
        StreamReader s = R.newChunkReader("openai", "/v1/chat/completions");
        s.onChunk("{\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}");
        s.onChunk("[DONE]");
        ResponseDetails d = s.details();
        assertThat(d.usage()).isNull();
        assertThat(d.responseModel()).isEqualTo("gpt-4o");
    }

    @Test
    void anOversizedStreamEventIsCountedAndSkipped() {
        ProviderRegistry small = R.toBuilder().maxEventBytes(1024).build();
        StreamReader s = small.newChunkReader("openai", "/v1/chat/completions");
        String big = "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(4000)
                + "\"}}]}\n\n";
        String usage = "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,"
                + "\"completion_tokens\":2,\"total_tokens\":3}}\n\n";
        s.feed((big + usage).getBytes(StandardCharsets.US_ASCII), 0, big.length() + usage.length());
        assertThat(s.details().usage()).isEqualTo(Usage.of(1, 2));
        assertThat(s.oversizedEvents()).isEqualTo(1);
    }

    @Test
    void serverSentEventLookAlikesWithTreeDataAndUnknownObjectsAreHandled() {
        StreamReader s = R.newChunkReader("anthropic", null);
        s.onChunk(new FixtureReadingUnitTests.ServerSentEvent<>("message_start", JsonFields.MAPPER.readTree(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"m1\",\"model\":\"claude\",\"usage\":"
                        + "{\"input_tokens\":5,\"cache_read_input_tokens\":10,\"output_tokens\":1}}}")));
        s.onChunk(new FixtureReadingUnitTests.ServerSentEvent<>("message_delta", Map.of("type", "message_delta",
                "usage", Map.of("output_tokens", 9))));
        s.onChunk(new Object());
        s.onChunk(null);
        assertThat(s.details().usage()).isEqualTo(Usage.builder().inputTokens(15).cachedInputTokens(10)
                .outputTokens(9).build());
    }

    @Test
    void anthropicDeltasAreCumulativeNeverSummed() {
        StreamReader s = R.newChunkReader("anthropic", "/v1/messages");
        s.onChunk("{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"usage\":{\"input_tokens\":100,"
                + "\"output_tokens\":1}}}");
        s.onChunk("{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":10}}");
        s.onChunk("{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":25}}");
        assertThat(s.details().usage()).isEqualTo(Usage.of(100, 25));
    }
}
