package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An OpenAI chat stream read chunk by chunk from the bytes gives exactly what reading every chunk into a tree
 * gives, after every chunk: on every stream fixture, on chunks mutated byte by byte, and on chunks made to hit the
 * edges (tool calls in any member order, duplicates, indexes that are not counts, a whole answer sent as a chunk).
 */
class OpenAiChunkUnitTests {

    /** The two readers of one stream, fed the same payloads. */
    private static final class Pair {
        final OpenAiChatReader.Stream tokens = new OpenAiChatReader.Stream();
        final OpenAiChatReader.Stream tree = new OpenAiChatReader.Stream(false);

        void feed(String payload, String what) {
            byte[] b = payload.getBytes(StandardCharsets.UTF_8);
            feed(b, what);
        }

        void feed(byte[] b, String what) {
            byte[] none = new byte[0];
            tokens.onPayload(none, 0, b, 0, b.length);
            tree.onPayload(none, 0, b, 0, b.length);
            assertSame(what);
        }

        void assertSame(String what) {
            ResponseDetails t = tokens.details();
            ResponseDetails r = tree.details();
            assertThat(t).as(what).isEqualTo(r);
            // the order the tool calls were first counted in is kept too
            assertThat(new ArrayList<>(t.toolCallCounts().entrySet())).as(what)
                    .isEqualTo(new ArrayList<>(r.toolCallCounts().entrySet()));
            assertThat(List.of(tokens.parsed, tokens.skipped, tokens.malformed, tokens.ended)).as(what)
                    .isEqualTo(List.of(tree.parsed, tree.skipped, tree.malformed, tree.ended));
        }
    }

    static Stream<FixtureCase> streams() {
        return FixtureCases.all().stream().filter(FixtureCase::streaming);
    }

    @ParameterizedTest
    @MethodSource("streams")
    void everyStreamFixtureReadsAsItsTreesReadItAfterEveryChunk(FixtureCase c) {
        Pair p = new Pair();
        int i = 0;
        for (String[] event : SimpleSse.events(c.bytes())) {
            p.feed(event[1], c + " chunk " + i++);
        }
    }

    @Test
    void theOpenAiStreamsAreReadWithoutTrees() {
        List<FixtureCase> openAi = streams().filter(c -> c.provider().equals("openai")
                && c.path().endsWith("/chat/completions")).toList();
        assertThat(openAi).isNotEmpty();
        for (FixtureCase c : openAi) {
            List<String[]> events = SimpleSse.events(c.bytes());
            for (String[] event : events) {
                byte[] b = event[1].getBytes(StandardCharsets.UTF_8);
                if (ByteScan.skipWs(b, 0, b.length) < b.length && b[ByteScan.skipWs(b, 0, b.length)] == '{') {
                    assertThat(JsonAnswer.openAiChunk(b, 0, b.length)).as("%s: %s", c, event[1]).isNotNull();
                }
            }
        }
    }

    @Test
    void chunksMutatedByteByByteReadAsTheirTreesRead() {
        byte[] interesting = "\"{}[]:,0123456789.-+eE \\ntfnulsr_aix".getBytes(StandardCharsets.US_ASCII);
        SplittableRandom r = new SplittableRandom(3);
        List<FixtureCase> fixtures = streams().filter(c -> c.path().endsWith("/chat/completions")).toList();
        int mutants = 0;
        for (FixtureCase c : fixtures) {
            List<String[]> events = SimpleSse.events(c.bytes());
            if (events.isEmpty()) {
                continue;
            }
            for (String[] event : events) {
                byte[] chunk = event[1].getBytes(StandardCharsets.UTF_8);
                if (chunk.length == 0 || chunk.length > 4096) {
                    continue;
                }
                for (int m = 0; m < 40; m++) {
                    byte[] mutant = chunk.clone();
                    int edits = 1 + r.nextInt(3);
                    for (int e = 0; e < edits; e++) {
                        int at = r.nextInt(mutant.length);
                        mutant[at] = r.nextInt(4) == 0 ? (byte) r.nextInt(256)
                                : interesting[r.nextInt(interesting.length)];
                    }
                    Pair p = new Pair();
                    p.feed(events.get(0)[1], c + " first chunk");
                    p.feed(mutant, c + " mutant " + new String(mutant, StandardCharsets.UTF_8));
                    mutants++;
                }
            }
        }
        assertThat(mutants).isGreaterThan(1_000);
    }

    /** The chunks read alike from the strict reader and from Jackson's parser alone. */
    private static @Nullable ResponseDetails applied(String chunk, boolean strict) {
        byte[] b = chunk.getBytes(StandardCharsets.UTF_8);
        JsonAnswer.OpenAiChunk c;
        if (strict) {
            c = JsonAnswer.openAiChunk(b, 0, b.length);
        } else {
            try (JacksonJsonTokens p = new JacksonJsonTokens(b, 0, b.length)) {
                c = JsonAnswer.openAiChunk(p);
            } catch (RuntimeException e) {
                c = null;
            }
        }
        if (c == null) {
            return null;
        }
        DetailsBuilder out = new DetailsBuilder();
        Set<Long> seen = new HashSet<>();
        out.usage = c.apply(out, seen); // a stream keeps the usage apart; here it goes with the rest
        return out.build();
    }

    @Test
    void edgesOfAChunkReadAsTheTreeReadsThemOrAreLeftToIt() {
        List<String> chunks = List.of(
                // tool calls: index, id and type in any order, function_call before tool_calls, odd elements
                "{\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[{\"delta\":{\"function_call\":{\"name\":\"f\"},"
                        + "\"tool_calls\":[{\"type\":\"function\",\"index\":0,\"id\":\"call_1\"},\"odd\","
                        + "{\"id\":\"call_2\"},{\"function\":{\"arguments\":\"{}\"}},{\"index\":1.0,\"type\":\"custom\"}]},"
                        + "\"index\":0}]}",
                // the same calls again, and the choice's index after its delta: counted once
                "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\"},{\"index\":1}]},\"index\":0},"
                        + "{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_9\",\"type\":\"web\"}]}},7,"
                        + "{\"index\":-1,\"delta\":{\"tool_calls\":[{\"index\":2.5,\"id\":\"x\"}]}}]}",
                "{\"choices\":[{\"finish_reason\":\"tool_calls\"},{\"finish_reason\":null},{\"finish_reason\":\"\"}]}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":30,\"total_tokens\":150,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":100},\"cost\":0.0042},\"service_tier\":\"flex\","
                        + "\"provider\":\"OpenAI\"}",
                "{\"usage\":{\"prompt_tokens\":\"x\"},\"x_groq\":{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}},"
                        + "\"service_tier\":\"default\"}",
                "{\"usage\":null,\"service_tier\":\"priority\",\"choices\":{\"not\":\"an array\"}}",
                "{\"error\":{\"type\":\"server_error\",\"message\":\"boom\",\"code\":500}}",
                "{\"object\":\"error\",\"type\":\"invalid_request\",\"message\":\"bad\"}",
                "{\"error\":\"plain\"}",
                // left to the tree: duplicates, a whole answer, not one object, a float index code
                "{\"model\":\"a\",\"model\":\"b\"}",
                "{\"choices\":[{\"finish_reason\":\"stop\",\"finish_reason\":\"length\"}]}",
                "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"index\":1}]}}]}",
                "{\"object\":\"chat.completion\",\"choices\":[{\"message\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}",
                "[{\"choices\":[]}]",
                "{\"choices\":[]} {\"choices\":[]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\u00e9\\ud83c\\udf0d\"},\"finish_reason\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"logprobs\":{\"content\":[{\"token\":\"x\","
                        + "\"logprob\":-0.25e-3,\"bytes\":[120]}]},\"finish_reason\":\"stop\"}]}",
                // choice 0 again, third in its array: its call 0 was counted by the first chunk
                "{\"choices\":[5,6,{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\"}]}}]}");
        for (boolean split : List.of(false, true)) {
            Pair p = new Pair();
            for (String chunk : chunks) {
                if (split) { // each chunk on a fresh stream too
                    p = new Pair();
                }
                p.feed(chunk, chunk);
                assertThat(applied(chunk, true)).as("strict reader and Jackson's parser: %s", chunk)
                        .isEqualTo(applied(chunk, false));
            }
        }
        assertThat(applied(chunks.get(9), true)).as("duplicates are left to the tree").isNull();
        assertThat(applied(chunks.get(12), true)).as("a whole answer is left to the tree").isNull();
        ResponseDetails first = applied(chunks.get(0), true);
        assertThat(first.toolCallCounts()).isEqualTo(Map.of("function", 3, "custom", 1));
        ResponseDetails usage = applied(chunks.get(3), true);
        assertThat(usage.usage().inputTokens()).isEqualTo(120);
        assertThat(usage.usage().cachedInputTokens()).isEqualTo(100);
        assertThat(usage.statedCost()).isEqualByComparingTo("0.0042");
        assertThat(usage.upstreamProvider()).isEqualTo("OpenAI");
    }
}
