package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.spectra.reactive.PricingTier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The streaming read of JSON answers gives exactly what the tree gives, or leaves the body to the tree: on every
 * fixture, read as each format it reads, and on bodies made to hit its edges (duplicates, wrong types, malformed
 * counts, order of tool calls, invalid JSON).
 */
class JsonAnswerUnitTests {

    private static final List<WireFormat> FORMATS = List.of(WireFormat.OPENAI_CHAT, WireFormat.ANTHROPIC_MESSAGES);

    /** What the tree path gives for the bytes, or null when they are not one JSON value. */
    private static @Nullable ResponseDetails tree(WireFormat format, byte[] b) {
        JsonNode node = JsonFields.parse(b, 0, b.length);
        if (node == null) {
            return null;
        }
        DetailsBuilder out = new DetailsBuilder();
        format.reader().read(node, out);
        return out.build();
    }

    private static @Nullable ResponseDetails streamed(WireFormat format, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return read(format, b);
    }

    /**
     * The streaming read, which gives the same from the strict reader and from Jackson's parser alone (the bytes
     * the strict reader gives up on are read again by the second).
     */
    private static @Nullable ResponseDetails read(WireFormat format, byte[] b) {
        ResponseDetails s = JsonAnswer.read(format, b, 0, b.length);
        ResponseDetails j;
        try (JacksonJsonTokens p = new JacksonJsonTokens(b, 0, b.length)) {
            j = JsonAnswer.read(format, p);
        } catch (RuntimeException e) {
            j = null;
        }
        assertThat(s).as("read with Jackson's parser alone").isEqualTo(j);
        return s;
    }

    /** The streamed read, which must be there and equal the tree's. */
    private static ResponseDetails same(WireFormat format, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ResponseDetails s = read(format, b);
        ResponseDetails t = tree(format, b);
        assertThat(s).as("streamed read of %s", body).isNotNull().isEqualTo(t);
        return s;
    }

    static Stream<FixtureCase> jsonFixtures() {
        return Stream.concat(FixtureCases.all().stream(), FixtureCases.sdkOnly().stream())
                .filter(c -> !c.streaming());
    }

    @ParameterizedTest
    @MethodSource("jsonFixtures")
    void everyJsonFixtureReadsAsTheTreeReadsItInEitherFormat(FixtureCase c) {
        byte[] b = c.bytes();
        int first = ByteScan.skipWs(b, 0, b.length);
        for (WireFormat f : FORMATS) {
            ResponseDetails s = read(f, b);
            if (b[first] == '{' && statesNoDuration(b)) {
                assertThat(s).as("%s as %s", c, f).isNotNull();
            }
            if (s != null) {
                ResponseDetails t = tree(f, b);
                assertThat(s).as("%s as %s", c, f).isEqualTo(t);
            }
        }
    }

    /** Bodies with an audio duration are left to the tree on purpose. */
    private static boolean statesNoDuration(byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8);
        return !s.contains("\"type\": \"duration\"") && !s.contains("\"type\":\"duration\"");
    }

    @ParameterizedTest
    @MethodSource("jsonFixtures")
    void theFixturesOfItsFormatsGiveTheirExpectedCounts(FixtureCase c) {
        EndpointMatch m = ProviderRegistry.builtIn().match(FixtureReadingUnitTests.hostOf(c),
                FixtureReadingUnitTests.portOf(c), c.path());
        if (m == null || !JsonAnswer.reads(m.endpoint().format())) {
            return;
        }
        byte[] b = c.bytes();
        ResponseDetails s = JsonAnswer.read(m.endpoint().format(), b, 0, b.length);
        if (statesNoDuration(b)) {
            assertThat(FixtureCase.countsOnly(s)).isEqualTo(FixtureCase.countsOnly(c.expected()));
        } else {
            assertThat(s).isNull();
        }
    }

    @Test
    void readsAnOpenAiAnswerExactly() {
        ResponseDetails d = same(WireFormat.OPENAI_CHAT, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
                + "\"model\":\"gpt-4o\",\"service_tier\":\"flex\",\"provider\":\"OpenAI\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"hi\",\"function_call\":{\"name\":\"f\"},"
                + "\"tool_calls\":[{\"type\":\"function\"},{\"type\":\"custom\"},\"odd\",{\"id\":\"x\"}]},"
                + "\"finish_reason\":\"tool_calls\"},{\"finish_reason\":\"stop\"},3],"
                + "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":20,\"total_tokens\":120,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":40,\"audio_tokens\":5},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":8,\"audio_tokens\":2}}}");
        assertThat(d.responseId()).isEqualTo("chatcmpl-1");
        assertThat(d.responseModel()).isEqualTo("gpt-4o");
        assertThat(d.finishReason()).isEqualTo("tool_calls");
        assertThat(d.pricingTier()).isEqualTo(PricingTier.FLEX);
        assertThat(d.upstreamProvider()).isEqualTo("OpenAI");
        assertThat(d.toolCallCounts()).isEqualTo(Map.of("function", 4, "custom", 1));
        assertThat(d.usage().inputTokens()).isEqualTo(100);
        assertThat(d.usage().cachedInputTokens()).isEqualTo(40);
        assertThat(d.usage().outputTokens()).isEqualTo(20);
        assertThat(d.usage().reasoningTokens()).isEqualTo(8);
        assertThat(d.usage().totalTokens()).isEqualTo(120);
    }

    @Test
    void readsTheUsageVariantsOfOpenAiCopies() {
        same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"input_tokens\":10,\"output_tokens\":5,"
                + "\"input_tokens_details\":{\"cached_tokens\":2,\"cache_write_tokens\":3},"
                + "\"output_tokens_details\":{\"reasoning_tokens\":1}}}");
        same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,"
                + "\"input_token_details\":{\"cache_creation_tokens\":3,\"audio_tokens\":4}}}");
        same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,"
                + "\"prompt_cache_hit_tokens\":6}}");
        same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"num_cached_tokens\":6}}");
        same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"cached_tokens\":6}}");
        same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":25,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":10}}}"); // xAI: reasoning outside
        same(WireFormat.OPENAI_CHAT, "{\"x_groq\":{\"id\":\"g\",\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}},"
                + "\"usage\":{\"prompt_tokens\":\"x\"}}");
        same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"prompt_tokens\":12.0,\"completion_tokens\":3,"
                + "\"prompt_tokens_details\":null,\"completion_tokens_details\":[1]}}");
        same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"foo\":1}}");
        same(WireFormat.OPENAI_CHAT, "{\"usage\":[],\"x_groq\":5,\"choices\":{},\"model\":\"\",\"id\":7}");
    }

    @Test
    void aMalformedCountItReadsMakesTheUsageUnknownAndOneItDoesNotReadDoesNot() {
        for (String bad : List.of("-1", "12.5", "\"12\"", "true", "{}", "[]", "1000000000001",
                "99999999999999999999999")) {
            ResponseDetails d = same(WireFormat.OPENAI_CHAT,
                    "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":" + bad + ",\"completion_tokens\":3}}");
            assertThat(d.usage()).as(bad).isNull();
            assertThat(d.responseModel()).isEqualTo("m");
            // prompt_tokens stated: input_tokens is never read
            assertThat(same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"prompt_tokens\":1,\"input_tokens\":" + bad
                    + ",\"completion_tokens\":3}}").usage()).isNotNull();
            assertThat(same(WireFormat.ANTHROPIC_MESSAGES, "{\"usage\":{\"input_tokens\":1,\"output_tokens\":" + bad
                    + ",\"service_tier\":\"batch\"},\"stop_reason\":\"end_turn\"}").usage()).isNull();
        }
    }

    @Test
    void readsErrorsAsTheTreeDoes() {
        same(WireFormat.OPENAI_CHAT, "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"code\":null}}");
        same(WireFormat.OPENAI_CHAT, "{\"error\":{\"message\":\"bad\",\"status\":\"INVALID\",\"code\":400}}");
        same(WireFormat.OPENAI_CHAT, "{\"error\":{\"code\":429,\"message\":\"slow\"}}");
        same(WireFormat.OPENAI_CHAT, "{\"error\":{\"code\":\"rate\"}}");
        same(WireFormat.OPENAI_CHAT, "{\"error\":\"model 'x' not found\"}");
        same(WireFormat.OPENAI_CHAT, "{\"error\":\"\",\"object\":\"error\",\"type\":\"t\",\"message\":\"m\"}");
        same(WireFormat.OPENAI_CHAT, "{\"message\":\"m\",\"type\":401,\"object\":\"error\"}");
        same(WireFormat.OPENAI_CHAT, "{\"error\":null,\"object\":\"error\"}");
        ResponseDetails d = same(WireFormat.ANTHROPIC_MESSAGES, "{\"type\":\"error\",\"error\":"
                + "{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
        assertThat(d.errorType()).isEqualTo("overloaded_error");
        assertThat(d.errorMessage()).isEqualTo("Overloaded");
    }

    @Test
    void readsAnAnthropicAnswerExactly() {
        ResponseDetails d = same(WireFormat.ANTHROPIC_MESSAGES, "{\"id\":\"msg_1\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"},"
                + "{\"type\":\"server_tool_use\",\"name\":\"web_search\",\"input\":{}},{\"type\":\"tool_use\","
                + "\"name\":\"f\",\"input\":{\"a\":[1,2.5]}},{\"name\":\"x\",\"type\":\"server_tool_use\",\"name2\":1},"
                + "{\"type\":\"mcp_tool_use\"},{\"type\":\"tool_use\"},7],\"stop_reason\":\"tool_use\","
                + "\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":100,\"cache_creation_input_tokens\":50,"
                + "\"cache_creation\":{\"ephemeral_1h_input_tokens\":20,\"ephemeral_5m_input_tokens\":30},"
                + "\"output_tokens\":7,\"service_tier\":\"priority\"}}");
        assertThat(d.toolCallCounts()).isEqualTo(Map.of("web_search", 1, "function", 2, "x", 1, "mcp", 1));
        assertThat(d.usage().inputTokens()).isEqualTo(160);
        assertThat(d.usage().cachedInputTokens()).isEqualTo(100);
        assertThat(d.usage().cacheWriteTokens()).isEqualTo(50);
        assertThat(d.usage().outputTokens()).isEqualTo(7);
        assertThat(d.pricingTier()).isEqualTo(PricingTier.PRIORITY);
        assertThat(d.finishReason()).isEqualTo("tool_use");
        same(WireFormat.ANTHROPIC_MESSAGES, "{\"usage\":{\"cache_creation\":{\"ephemeral_1h_input_tokens\":2}}}");
        same(WireFormat.ANTHROPIC_MESSAGES, "{\"usage\":{\"cache_creation\":5,\"output_tokens\":null}}");
    }

    @Test
    void leavesToTheTreeWhatItCannotBeSureOf() {
        for (WireFormat f : FORMATS) {
            // a member it reads, given twice: the tree keeps the last
            assertThat(streamed(f, "{\"model\":\"a\",\"model\":\"b\"}")).isNull();
            assertThat(streamed(f, "{\"usage\":{\"output_tokens\":1,\"output_tokens\":2}}")).isNull();
            assertThat(streamed(f, "{\"error\":{\"message\":\"a\",\"message\":\"b\"}}")).isNull();
            // not one JSON object: trailing tokens, truncated, invalid
            assertThat(streamed(f, "{\"model\":\"a\"} {}")).isNull();
            assertThat(streamed(f, "{\"model\":\"a\"")).isNull();
            assertThat(streamed(f, "{\"model\":\"a\",\"x\":[1,}")).isNull();
            assertThat(streamed(f, "[{\"model\":\"a\"}]")).isNull();
            assertThat(streamed(f, "{\"x\":\"\\ud800 bad\\q\"}")).isNull();
            assertThat(streamed(f, "{\"x\":1e999999999999}")).isNull();
            // a fraction where the tree writes a number as text
            assertThat(streamed(f, "{\"error\":{\"code\":1.5}}")).isNull();
            // a member the unknown members of which may hide a duplicate are still fine
            assertThat(streamed(f, "{\"x\":1,\"x\":2,\"model\":\"m\"}")).isNotNull();
        }
        // a stated cost, read as the tree holds it: scale kept, the same node types, only the top-level usage's
        assertThat(streamed(WireFormat.OPENAI_CHAT, "{\"usage\":{\"prompt_tokens\":1,\"cost\":0.000894000}}")
                .statedCost()).isEqualTo(tree(WireFormat.OPENAI_CHAT,
                        "{\"usage\":{\"prompt_tokens\":1,\"cost\":0.000894000}}".getBytes(StandardCharsets.UTF_8))
                        .statedCost()).isNotNull();
        for (String cost : List.of("0.5", "0", "-1", "1E-5", "2.50e2", "123456789012345678901234567890", "\"0.5\"",
                "null", "true", "[0.5]", "{\"total_cost\":0.0123}", "{\"total_cost\":-2}", "{\"total_cost\":\"1\"}",
                "{}")) {
            same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"prompt_tokens\":1,\"cost\":" + cost + "}}");
            same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"cost\":" + cost + "},\"x_groq\":{\"usage\":"
                    + "{\"prompt_tokens\":3,\"completion_tokens\":4}}}");
            same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"prompt_tokens\":1},\"x_groq\":{\"usage\":"
                    + "{\"prompt_tokens\":3,\"cost\":" + cost + "}}}");
        }
        assertThat(streamed(WireFormat.OPENAI_CHAT, "{\"usage\":{\"prompt_tokens\":1,\"cost\":0.5,\"cost\":1}}"))
                .isNull();
        // an audio duration
        assertThat(streamed(WireFormat.OPENAI_CHAT, "{\"usage\":{\"type\":\"duration\",\"seconds\":9}}")).isNull();
        same(WireFormat.OPENAI_CHAT, "{\"usage\":{\"type\":\"tokens\",\"input_tokens\":9,\"output_tokens\":1}}");
        assertThat(streamed(WireFormat.OPENAI_CHAT, "{\"choices\":[{\"message\":{\"tool_calls\":[],"
                + "\"tool_calls\":[]}}]}")).isNull();
    }

    @Test
    void theRegistryReadsTheSameWithTheStreamingReadAsWithTheTree() {
        ProviderRegistry r = ProviderRegistry.builtIn();
        for (String body : List.of("{\"model\":\"a\",\"model\":\"b\"}", "{\"usage\":{\"prompt_tokens\":1,\"cost\":0.5,"
                + "\"completion_tokens\":2}}", "{\"model\":\"a\"} {}", "{\"model\":\"a\"}\n{\"model\":\"b\"}\n")) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            for (WireFormat f : FORMATS) {
                ResponseDetails viaRegistry = r.readBytes(b, 0, b.length, f, null);
                JsonNode node = JsonFields.parse(b, 0, b.length);
                if (node != null) {
                    assertThat(viaRegistry).isEqualTo(tree(f, b));
                } else {
                    assertThat(viaRegistry.usage()).isNull();
                }
            }
        }
    }
}
