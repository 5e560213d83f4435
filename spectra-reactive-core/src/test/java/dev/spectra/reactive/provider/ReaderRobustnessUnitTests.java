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
        assertThat(R.read("openai", null, bad)).isEqualTo(ResponseDetails.EMPTY);
        StreamReader s = R.newChunkReader("openai", "/v1/chat/completions");
        byte[] sse = new byte[bad.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, sse, 0, 6);
        System.arraycopy(bad, 0, sse, 6, bad.length);
        sse[sse.length - 2] = '\n';
        sse[sse.length - 1] = '\n';
        s.feed(sse, 0, sse.length);
        assertThat(s.details()).isEqualTo(ResponseDetails.EMPTY);
        assertThat(s.malformedEvents()).isEqualTo(1);
    }

    @Test
    void inconsistentCountsAreClampedNotRejected() {
        // cached beyond input, reasoning beyond output with a total that says it is inside: clamp, keep the call
        Usage u = R.read("openai", null, "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":50,\"cache_write_tokens\":7}}}").usage();
        assertThat(u).isEqualTo(Usage.builder().inputTokens(10).cachedInputTokens(10).outputTokens(5).build());
    }

    /**
     * Found by issue 7's fuzz corpus: audio seconds were read as any non-negative number, so a body saying
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
        s.onChunk(new FixtureReadingUnitTests.ServerSentEvent<>("message_start", Json.MAPPER.readTree(
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
