package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import dev.spectra.reactive.Usage;
import org.junit.jupiter.api.Test;

/** Edge cases of stream reading, each with the input that shows it: line ends, snapshots, typed events, providers' quirks. */
class StreamReaderEdgeCaseUnitTests {

    private static final ProviderRegistry R = ProviderRegistry.builtIn();

    @Test
    void rawSseLinesWithoutTheirLineEndsKeepTheUsage() {
        // what BufferedReader.lines(), HttpClient ofLines() and Spring's StringDecoder hand over
        String text = new String(FixtureCase.load("openai__chat__stream__1.sse"), StandardCharsets.UTF_8);
        StreamReader r = R.newChunkReader("openai", "/v1/chat/completions");
        for (String line : text.split("\r?\n", -1)) {
            r.onChunk(line);
        }
        assertThat(FixtureCase.countsOnly(r.finish().usage())).isEqualTo(FixtureCase.usage(14, 30, 0, 0, 0, 44));
        assertThat(r.malformedEvents()).isZero();
    }

    @Test
    void aGeminiChunkWithoutUsageNeverDropsTheUsageKept() {
        String sse = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]}}],\"modelVersion\":\"g\","
                + "\"responseId\":\"r\"}\r\n\r\n"
                + "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"b\"}]}}],"
                + "\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":5,\"totalTokenCount\":15}}\r\n\r\n"
                + "data: {\"candidates\":[{\"finishReason\":\"STOP\"}]}\r\n\r\n";
        StreamReader r = R.newChunkReader("gemini", "/v1beta/models/g:streamGenerateContent");
        byte[] b = sse.getBytes(StandardCharsets.UTF_8);
        r.feed(b, 0, b.length);
        ResponseDetails d = r.finish();
        assertThat(d.usage()).isEqualTo(Usage.of(10, 5));
        assertThat(d.finishReason()).isEqualTo("STOP");
    }

    @Test
    void detailsIsASnapshotAndFinishEndsTheInput() {
        byte[] all = FixtureCase.load("openai__chat__stream__1.sse");
        String text = new String(all, StandardCharsets.UTF_8).stripTrailing(); // the last event unterminated
        int usageAt = text.indexOf("data: {", text.indexOf("\"usage\":{") - 200);
        StreamReader r = R.newChunkReader("openai", "/v1/chat/completions");
        byte[] head = text.substring(0, usageAt).getBytes(StandardCharsets.UTF_8);
        r.feed(head, 0, head.length);
        assertThat(r.details().usage()).as("mid-stream: no usage yet").isNull();
        byte[] tail = text.substring(usageAt).getBytes(StandardCharsets.UTF_8);
        r.feed(tail, 0, tail.length);
        // the usage chunk and [DONE] have no closing blank line: details() still sees them, twice alike
        assertThat(FixtureCase.countsOnly(r.details().usage())).isEqualTo(FixtureCase.usage(14, 30, 0, 0, 0, 44));
        assertThat(r.details()).isEqualTo(r.details());
        assertThat(FixtureCase.countsOnly(r.finish().usage())).isEqualTo(FixtureCase.usage(14, 30, 0, 0, 0, 44));
        assertThat(r.finish()).isEqualTo(r.details());
    }

    @Test
    void largeTypedEventsAreRuledOutWithoutBeingBuffered() {
        StringBuilder sse = new StringBuilder();
        sse.append("data: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"model\":\"gpt-image-1\"}}\n\n");
        String big = "A".repeat(3 * 1024 * 1024);
        for (int i = 0; i < 3; i++) {
            sse.append("data: {\"type\":\"response.image_generation_call.partial_image\",\"partial_image_b64\":\"")
                    .append(big).append("\"}\n\n");
        }
        sse.append("data: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"model\":\"gpt-image-1\","
                + "\"usage\":{\"input_tokens\":5,\"output_tokens\":7,\"total_tokens\":12}}}\n\n");
        StreamReader r = ProviderRegistry.builtIn().toBuilder().maxEventBytes(1024 * 1024).build()
                .newChunkReader("openai", "/v1/responses");
        byte[] b = sse.toString().getBytes(StandardCharsets.UTF_8);
        r.feed(b, 0, b.length);
        assertThat(r.finish().usage()).isEqualTo(Usage.of(5, 7));
        assertThat(r.oversizedEvents()).as("skipped from their start, never buffered to the bound").isZero();
        assertThat(r.events()).isEqualTo(5);
    }

    /**
     * The Anthropic and media stream pre-checks scan keys with {@link KeyScan} like the other
     * readers. They parse exactly the events that can matter (usage, header, finish reason, an error, a tool-use
     * block, a completed image) and skip the rest, as the substring tests they replace did.
     */
    @Test
    void anthropicAndMediaStreamPreChecksParseExactlyTheEventsThatCanMatter() {
        StreamReader a = R.newChunkReader("anthropic", "/v1/messages");
        feed(a, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\","
                + "\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
                + sse("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
                        + "\"text\":\"\"}}")
                + sse("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                        + "\"text\":\"hi\"}}")
                + sse("{\"type\":\"content_block_stop\",\"index\":0}")
                + sse("{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\","
                        + "\"id\":\"t\",\"name\":\"f\",\"input\":{}}}")
                + sse("{\"type\":\"content_block_start\",\"index\":2,\"content_block\": {\"type\" : "
                        + "\"server_tool_use\",\"name\":\"web_search\"}}")
                + sse("{\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"mcp_tool_use\"}}")
                + sse("{\"type\":\"content_block_start\",\"index\":4,\"content_block\":"
                        + "{\"type\":\"web_search_tool_result\",\"content\":[]}}")
                + sse("{\"type\":\"ping\"}")
                + sse("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                        + "\"usage\":{\"output_tokens\":7}}")
                + sse("{\"type\":\"message_stop\"}"));
        ResponseDetails d = a.finish();
        assertThat(d.usage()).isEqualTo(Usage.of(10, 7));
        assertThat(d.finishReason()).isEqualTo("tool_use");
        assertThat(d.toolCallCounts()).containsOnly(java.util.Map.entry("function", 1),
                java.util.Map.entry("web_search", 1), java.util.Map.entry("mcp", 1));
        assertThat(a.parsedEvents()).as("message_start, three tool-use blocks, message_delta").isEqualTo(5);

        StreamReader audio = R.newChunkReader("openai", "/v1/audio/transcriptions");
        feed(audio, sse("{\"type\":\"transcript.text.delta\",\"delta\":\"hi\"}")
                + sse("{\"type\":\"transcript.text.segment\",\"text\":\"hi\",\"usage\":null}")
                + sse("{\"type\":\"transcript.text.done\",\"text\":\"hi\",\"usage\" : {\"type\":\"tokens\","
                        + "\"input_tokens\":10,\"output_tokens\":2}}")
                + sse("{\"type\":\"transcript.text.other\",\"duration\":3}")
                + sse("{\"type\":\"error\",\"error\":{\"type\":\"server_error\",\"message\":\"boom\"}}"));
        ResponseDetails ad = audio.finish();
        assertThat(ad.usage()).isEqualTo(Usage.of(10, 2));
        assertThat(ad.errorMessage()).isEqualTo("boom");
        assertThat(audio.parsedEvents()).as("the usage, the duration and the error").isEqualTo(3);

        StreamReader images = R.newChunkReader("openai", "/v1/images/generations");
        feed(images, sse("{\"type\":\"image_generation.partial_image\",\"b64_json\":\"AAAA\","
                + "\"partial_image_index\":0}")
                + sse("{\"type\":\"image_generation.in_progress\",\"usage\":{\"input_tokens\":1}}")
                + sse("{\"type\":\"image_generation.completed\",\"b64_json\":\"AAAA\",\"quality\":\"high\","
                        + "\"size\":\"1024x1024\",\"usage\":{\"input_tokens\":10,\"output_tokens\":100}}")
                + sse("{\"type\":\"image_generation.failed\",\"error\":{\"type\":\"image_generation_user_error\","
                        + "\"message\":\"no\"}}"));
        ResponseDetails id = images.finish();
        assertThat(id.usage()).isEqualTo(Usage.builder().inputTokens(10).outputTokens(100).imageOutputTokens(100)
                .images(1).build());
        assertThat(id.imageQuality()).isEqualTo("high");
        assertThat(id.errorMessage()).isEqualTo("no");
        assertThat(images.parsedEvents()).as("the completion and the error").isEqualTo(2);
    }

    private static String sse(String data) {
        return "data: " + data + "\n\n";
    }

    private static void feed(StreamReader r, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        r.feed(b, 0, b.length);
    }

    @Test
    void aToolCallRepeatingItsIdIsCountedOnce() {
        String sse = "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}}]}\n\n"
                + "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"call_1\",\"function\":{\"arguments\":\"{}\"}}]}}]}\n\n"
                + "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
                + "\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"\"}}]}}]}\n\n";
        StreamReader r = R.newChunkReader("openai", "/v1/chat/completions");
        byte[] b = sse.getBytes(StandardCharsets.UTF_8);
        r.feed(b, 0, b.length);
        assertThat(r.finish().toolCallCounts()).containsExactlyEntriesOf(java.util.Map.of("function", 2));
    }

    @Test
    void anthropicOneHourWritesAreReadAsTheirOwnSubset() {
        String body = "{\"id\":\"msg_1\",\"type\":\"message\",\"model\":\"claude-opus-4-1\",\"content\":[],"
                + "\"usage\":{\"input_tokens\":10,\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":0,"
                + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":600,\"ephemeral_1h_input_tokens\":400},"
                + "\"output_tokens\":5}}";
        Usage u = R.read("anthropic", "/v1/messages", body).usage();
        assertThat(u.cacheWriteTokens()).isEqualTo(1000);
        assertThat(u.cacheWrite1hTokens()).isEqualTo(400);
        assertThat(u.inputTokens()).isEqualTo(1010);
    }

    @Test
    void groqUsageOnlyInXGroqIsRead() {
        String chunk = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"llama\",\"choices\":[{\"index\":0,"
                + "\"delta\":{},\"finish_reason\":\"stop\"}],\"x_groq\":{\"id\":\"r\",\"usage\":{\"prompt_tokens\":7,"
                + "\"completion_tokens\":3,\"total_tokens\":10}}}";
        StreamReader r = R.newChunkReader("groq", "/openai/v1/chat/completions");
        r.onChunk(chunk);
        assertThat(r.finish().usage()).isEqualTo(Usage.of(7, 3));
    }

    @Test
    void geminiToolUsePromptTokensAndAudioModalitiesAreRead() {
        String body = "{\"candidates\":[],\"usageMetadata\":{\"promptTokenCount\":100,\"toolUsePromptTokenCount\":20,"
                + "\"candidatesTokenCount\":30,\"totalTokenCount\":150,\"promptTokensDetails\":[{\"modality\":\"TEXT\","
                + "\"tokenCount\":60},{\"modality\":\"AUDIO\",\"tokenCount\":40}],\"candidatesTokensDetails\":"
                + "[{\"modality\":\"AUDIO\",\"tokenCount\":30}]},\"modelVersion\":\"g\"}";
        Usage u = R.read("gemini", null, body).usage();
        assertThat(u.inputTokens()).isEqualTo(120);
        assertThat(u.audioInputTokens()).isEqualTo(40);
        assertThat(u.audioOutputTokens()).isEqualTo(30);
    }
}
