package dev.spectra.reactive.provider;

import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Ollama's native API ({@code /api/chat}, {@code /api/generate}, {@code /api/embed}, {@code /api/embeddings}).
 * Usage: input = {@code prompt_eval_count}, output = {@code eval_count} (no cache or reasoning counts). Finish
 * reason from {@code done_reason}. No response id. Streams are NDJSON; usage is only on the final
 * {@code "done": true} line. Tool calls ({@code message.tool_calls}) count as {@code function}.
 */
final class OllamaReader extends FormatReader {

    static final OllamaReader INSTANCE = new OllamaReader();

    /** The final line ({@code "done": true}), a tool call, an error, an embed answer. */
    private static final KeyScan KEYS = new KeyScan("done", "t", "tool_calls", "[", "error", "",
            "prompt_eval_count", "");

    @Override
    void read(JsonNode body, DetailsBuilder out) {
        readError(body, out);
        out.header(JsonFields.text(body, "model"), null);
        Usage u = usage(body);
        if (u != null) {
            out.usage = u;
        }
        String reason = JsonFields.text(body, "done_reason");
        if (reason != null) {
            out.finishReason = reason;
        }
        countTools(body, out);
    }

    /** The usage; null when neither count is stated, or when one is present but not a count. */
    static @Nullable Usage usage(JsonNode body) {
        Long in;
        Long out;
        try {
            in = JsonFields.count(body, "prompt_eval_count");
            out = JsonFields.count(body, "eval_count");
        } catch (JsonFields.MalformedCount e) {
            return null;
        }
        if (in == null && out == null) {
            return null;
        }
        UsageParts p = new UsageParts();
        p.input = UsageParts.nz(in);
        p.output = UsageParts.nz(out);
        return p.toUsage();
    }

    static void countTools(JsonNode body, DetailsBuilder out) {
        JsonNode calls = JsonFields.array(JsonFields.obj(body, "message"), "tool_calls");
        if (calls != null) {
            for (JsonNode call : calls.values()) {
                out.countToolCall(OpenAiChatReader.toolType(call));
            }
        }
    }

    @Override
    FormatStream newStream() {
        return new Stream();
    }

    static final class Stream extends FormatStream {

        Stream() {
            super(INSTANCE);
        }
        private int headerTries;
        private final SameShapeScan keys = new SameShapeScan(KEYS);

        @Override
        boolean mayMatter(byte[] name, int nameLen, byte[] d, int off, int len) {
            return (out.responseModel == null && headerTries++ < 4)
                    || keys.scan(d, off, len) != 0;
        }

        @Override
        FormatStream copy() {
            Stream c = copyInto(new Stream());
            c.headerTries = headerTries;
            return c;
        }

        @Override
        void onJson(JsonNode line) {
            readError(line, out);
            out.header(JsonFields.text(line, "model"), null);
            countTools(line, out);
            if (!Boolean.FALSE.equals(JsonFields.bool(line, "done"))) { // the final line, or an /api/embed answer
                Usage u = OllamaReader.usage(line);
                if (u != null) {
                    out.usage = u;
                }
                String reason = JsonFields.text(line, "done_reason");
                if (reason != null) {
                    out.finishReason = reason;
                }
            }
        }

        @Override
        @Nullable Usage usage() {
            return out.usage;
        }
    }
}
