package dev.spectra.reactive.provider;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Set;

import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI Chat Completions and every API that copies it (completions, embeddings, Azure OpenAI, Groq, Mistral,
 * DeepSeek, xAI, OpenRouter, Together, Ollama's {@code /v1}, vLLM ...).
 *
 * <p>Streams: usage comes from the chunk that carries a {@code usage} object: OpenAI's final chunk with empty
 * {@code choices} (only when the request set {@code stream_options.include_usage}), Groq's last content chunk
 * ({@code x_groq.usage} and/or {@code usage}), OpenRouter's error chunks. The latest one wins. Without one, usage
 * stays unknown. Model and id come from the first chunk that has them (Azure's first chunk has neither); a tool
 * call is counted once per choice and tool-call {@code index} (the chunks after the first only append its
 * arguments; a repeated id is not a second call).
 */
final class OpenAiChatReader extends FormatReader {

    static final OpenAiChatReader INSTANCE = new OpenAiChatReader();

    /** What makes a chunk worth parsing: a usage object, a finish reason, a tool call, an error. */
    private static final KeyScan KEYS = new KeyScan("usage", "{", "finish_reason", "\"", "tool_calls", "[",
            "function_call", "{", "error", "");

    @Override
    void read(JsonNode body, DetailsBuilder out) {
        readError(body, out);
        out.header(JsonFields.text(body, "model"), JsonFields.text(body, "id"));
        upstream(body, out);
        UsageParts p = usageOf(body);
        if (p != null) {
            out.usage = p.toUsage();
            out.statedCost = statedCost(JsonFields.obj(body, "usage"));
        }
        JsonNode choices = JsonFields.array(body, "choices");
        if (choices != null) {
            for (JsonNode c : choices.values()) {
                String fr = JsonFields.text(c, "finish_reason");
                if (fr != null && out.finishReason == null) {
                    out.finishReason = fr;
                }
                JsonNode msg = JsonFields.obj(c, "message");
                JsonNode calls = JsonFields.array(msg, "tool_calls");
                if (calls != null) {
                    for (JsonNode call : calls.values()) {
                        out.countToolCall(toolType(call));
                    }
                }
                if (JsonFields.obj(msg, "function_call") != null) {
                    out.countToolCall("function");
                }
            }
        }
        tier(body, out);
    }

    static @Nullable UsageParts usageOf(JsonNode body) {
        UsageParts p = OpenAiUsage.read(JsonFields.obj(body, "usage"));
        if (p == null) {
            p = OpenAiUsage.read(JsonFields.obj(JsonFields.obj(body, "x_groq"), "usage"));
        }
        return p;
    }

    /**
     * The provider a router passed the call on to, as the router's answer names it: OpenRouter's top-level
     * {@code provider} ({@code "Amazon Bedrock"}, {@code "OpenAI"}), in the body and in every chunk of a stream.
     */
    private static void upstream(JsonNode body, DetailsBuilder out) {
        String provider = JsonFields.text(body, "provider");
        if (provider != null && !provider.isBlank()) {
            out.upstreamProvider = provider;
        }
    }

    /**
     * The call's cost as the provider states it in its usage object, in USD: OpenRouter's {@code usage.cost} (its
     * credits are US dollars), or a {@code cost} object's {@code total_cost} (Perplexity). Null when none, or when
     * it is not a non-negative number: a malformed cost never makes the usage unknown.
     */
    static @Nullable BigDecimal statedCost(@Nullable JsonNode usage) {
        return statedCostOf(usage == null ? null : usage.get("cost"));
    }

    /** {@link #statedCost} of the usage's {@code cost} member, or null when it has none. */
    static @Nullable BigDecimal statedCostOf(@Nullable JsonNode cost) {
        if (cost != null && cost.isObject()) {
            cost = cost.get("total_cost");
        }
        if (cost == null || !cost.isNumber()) {
            return null;
        }
        BigDecimal v = cost.decimalValue();
        return v.signum() < 0 ? null : v;
    }

    static void tier(JsonNode body, DetailsBuilder out) {
        String t = JsonFields.text(body, "service_tier");
        if (t != null) {
            out.pricingTier = DetailsBuilder.servedTier(t);
        }
    }

    static String toolType(JsonNode call) {
        String type = JsonFields.text(call, "type");
        return type == null ? "function" : type;
    }

    @Override
    FormatStream newStream() {
        return new Stream();
    }

    static final class Stream extends FormatStream {

        /** Whether chunks are read token by token ({@link JsonAnswer#openAiChunk}) before their tree is. */
        private final boolean readsTokens;

        Stream() {
            this(true);
        }

        /**
         * @param readsTokens false to read every chunk into a tree: the reference the token read is tested against
         */
        Stream(boolean readsTokens) {
            super(INSTANCE);
            this.readsTokens = readsTokens;
        }
        private @Nullable Usage usage;
        /** Tool calls already counted, as choice index &lt;&lt; 32 | tool-call index. */
        private final Set<Long> seenCalls = new HashSet<>();
        private final SameShapeScan keys = new SameShapeScan(KEYS);

        @Override
        boolean mayMatter(byte[] name, int nameLen, byte[] d, int off, int len) {
            return needsHeader() || keys.scan(d, off, len) != 0;
        }

        @Override
        FormatStream copy() {
            Stream c = copyInto(new Stream(readsTokens));
            c.usage = usage;
            c.seenCalls.addAll(seenCalls);
            return c;
        }

        @Override
        boolean isWholeBody(JsonNode node) {
            String object = JsonFields.text(node, "object");
            return "chat.completion".equals(object) || "text_completion".equals(object) || "list".equals(object);
        }

        @Override
        boolean readAtOnce(byte[] d, int off, int len) {
            JsonAnswer.OpenAiChunk chunk = readsTokens ? JsonAnswer.openAiChunk(d, off, len) : null;
            if (chunk == null) {
                return false;
            }
            beforeParsed();
            Usage u = chunk.apply(out, seenCalls);
            if (u != null) {
                usage = u;
            }
            return true;
        }

        @Override
        void onJson(JsonNode chunk) {
            readError(chunk, out);
            out.header(JsonFields.text(chunk, "model"), JsonFields.text(chunk, "id"));
            upstream(chunk, out);
            UsageParts p = usageOf(chunk);
            if (p != null) {
                usage = p.toUsage();
                out.statedCost = statedCost(JsonFields.obj(chunk, "usage"));
                tier(chunk, out);
            }
            JsonNode choices = JsonFields.array(chunk, "choices");
            if (choices == null) {
                return;
            }
            int position = 0;
            for (JsonNode c : choices.values()) {
                String fr = JsonFields.text(c, "finish_reason");
                if (fr != null) {
                    out.finishReason = fr;
                }
                Long choice = JsonFields.lenientCount(c, "index");
                long choiceIndex = choice != null ? choice : position;
                position++;
                JsonNode delta = JsonFields.obj(c, "delta");
                JsonNode calls = JsonFields.array(delta, "tool_calls");
                if (calls != null) {
                    int k = 0;
                    for (JsonNode call : calls.values()) {
                        Long idx = JsonFields.lenientCount(call, "index");
                        long callIndex = idx != null ? idx : k;
                        k++;
                        boolean opens = idx != null || JsonFields.text(call, "id") != null;
                        if (opens && seenCalls.add((choiceIndex << 32) | (callIndex & 0xffffffffL))) {
                            out.countToolCall(toolType(call));
                        }
                    }
                }
                JsonNode fc = JsonFields.obj(delta, "function_call");
                if (fc != null && JsonFields.text(fc, "name") != null) {
                    out.countToolCall("function");
                }
            }
        }

        @Override
        @Nullable Usage usage() {
            return usage;
        }
    }
}
