package dev.spectra.reactive.budget;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/** The default estimate of the output tokens of a stream chunk: its text, one token per four characters. */
final class ChunkTokens {

    /**
     * The fields that carry generated text in the streamed events of the built-in providers: OpenAI
     * {@code choices[].delta.content}, Anthropic {@code delta.text} and {@code delta.partial_json}, Gemini
     * {@code parts[].text}, Ollama {@code message.content} and {@code response}, Responses API {@code delta}.
     */
    private static final Set<String> TEXT_FIELDS = Set.of("content", "text", "partial_json", "response", "delta",
            "thinking", "reasoning_content", "arguments");

    private ChunkTokens() {
    }

    static long estimate(Object chunk) {
        if (chunk instanceof CharSequence s) {
            return BudgetEstimate.tokensOf(s.length());
        }
        if (chunk instanceof byte[] b) {
            return BudgetEstimate.tokensOf(b.length);
        }
        if (chunk instanceof ByteBuffer b) {
            return BudgetEstimate.tokensOf(b.remaining());
        }
        if (chunk instanceof JsonNode node) {
            return BudgetEstimate.tokensOf(textLength(node, 0));
        }
        return 1;
    }

    private static long textLength(JsonNode node, int depth) {
        if (depth > 32) {
            return 0;
        }
        long n = 0;
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                JsonNode v = e.getValue();
                if (v.isString()) {
                    if (TEXT_FIELDS.contains(e.getKey())) {
                        n += v.stringValue().length();
                    }
                } else {
                    n += textLength(v, depth + 1);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode v : node.values()) {
                n += textLength(v, depth + 1);
            }
        }
        return n;
    }
}
