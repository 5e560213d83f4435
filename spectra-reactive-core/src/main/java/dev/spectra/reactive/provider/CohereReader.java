package dev.spectra.reactive.provider;

import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Cohere v2 chat ({@code /v2/chat}) and embed ({@code /v2/embed}).
 *
 * <p>Cohere states two usages: {@code usage.tokens} (tokens the model actually processed, its prompt template
 * included) and {@code usage.billed_units} (what Cohere bills, which can be fewer). The usage recorded is the
 * processed tokens, like every other provider's; the billed units become {@link ResponseDetails#billedUsage()},
 * which is what is priced: they are what Cohere bills at its listed input and output rates, so they carry no
 * cache split ({@code cached_tokens} counts processed tokens and can exceed the billed input). When {@code tokens} is absent (embed answers carry only {@code meta.billed_units}),
 * the billed units are the usage. {@code usage.cached_tokens} is the cache read, part of the
 * input. Streams (SSE, typed events): id from {@code message-start}, tool calls from {@code tool-call-start},
 * usage and finish reason from {@code message-end}.
 */
final class CohereReader extends FormatReader {

    static final CohereReader INSTANCE = new CohereReader();

    private static final byte[] TYPE = ByteScan.ascii("\"type\"");
    private static final byte[] MESSAGE_START = ByteScan.ascii("message-start");
    private static final byte[] MESSAGE_END = ByteScan.ascii("message-end");
    private static final byte[] TOOL_CALL_START = ByteScan.ascii("tool-call-start");

    @Override
    void read(JsonNode body, DetailsBuilder out) {
        readError(body, out);
        JsonNode msg = body.get("message");
        if (msg != null && msg.isString() && JsonFields.obj(body, "usage") == null) {
            out.error(null, msg.stringValue()); // Cohere error bodies: {"id": ..., "message": "..."}
        }
        out.header(JsonFields.text(body, "model"), JsonFields.text(body, "id"));
        readUsage(JsonFields.obj(body, "usage"), out);
        if (out.usage == null) {
            readUsage(JsonFields.obj(body, "meta"), out);
        }
        String fr = JsonFields.text(body, "finish_reason");
        if (fr != null) {
            out.finishReason = fr;
        }
        JsonNode calls = JsonFields.array(JsonFields.obj(body, "message"), "tool_calls");
        if (calls != null) {
            for (JsonNode call : calls.values()) {
                out.countToolCall(OpenAiChatReader.toolType(call));
            }
        }
    }

    /**
     * Sets usage (processed tokens, else billed units) and the billed usage when both are stated. A count it
     * reads ({@code input_tokens} and {@code output_tokens} of either, {@code cached_tokens}) that is present but
     * not a count leaves both unset: the usage is unknown. Other members (e.g. {@code billed_units.search_tokens})
     * are never read and never make it so.
     */
    static void readUsage(@Nullable JsonNode u, DetailsBuilder out) {
        if (u == null) {
            return;
        }
        Usage processed;
        Usage billed;
        try {
            processed = counts(JsonFields.obj(u, "tokens"), u, true);
            billed = counts(JsonFields.obj(u, "billed_units"), u, processed == null);
        } catch (JsonFields.MalformedCount e) {
            return;
        }
        if (processed != null) {
            out.usage = processed;
            out.billedUsage = billed != null && !billed.equals(processed) ? billed : null;
        } else if (billed != null) {
            out.usage = billed;
            out.billedUsage = null;
        }
    }

    /** Throws {@link JsonFields.MalformedCount} for a malformed count it reads. */
    private static @Nullable Usage counts(@Nullable JsonNode counts, JsonNode u, boolean withCache) {
        if (counts == null) {
            return null;
        }
        Long in = JsonFields.count(counts, "input_tokens");
        Long out = JsonFields.count(counts, "output_tokens");
        if (in == null && out == null) {
            return null;
        }
        UsageParts p = new UsageParts();
        p.input = UsageParts.nz(in);
        p.output = UsageParts.nz(out);
        if (withCache) {
            p.cached = JsonFields.count(u, "cached_tokens");
        }
        return p.toUsage();
    }

    @Override
    FormatStream newStream() {
        return new Stream();
    }

    static final class Stream extends FormatStream {

        Stream() {
            super(INSTANCE);
        }

        @Override
        boolean mayMatter(byte[] name, int nameLen, byte[] d, int off, int len) {
            long t = ByteScan.stringValue(d, off, len, TYPE);
            if (!ByteScan.rangeContains(d, t, (byte) '-')) {
                return true; // no stream event type: a whole answer or an error
            }
            return ByteScan.rangeEquals(d, t, MESSAGE_START) || ByteScan.rangeEquals(d, t, MESSAGE_END)
                    || ByteScan.rangeEquals(d, t, TOOL_CALL_START);
        }

        @Override
        boolean skippable(byte[] name, int nameLen, byte[] d, int len) {
            long t = ByteScan.stringValue(d, 0, len, TYPE);
            return ByteScan.rangeContains(d, t, (byte) '-') && !ByteScan.rangeEquals(d, t, MESSAGE_START)
                    && !ByteScan.rangeEquals(d, t, MESSAGE_END) && !ByteScan.rangeEquals(d, t, TOOL_CALL_START);
        }

        @Override
        FormatStream copy() {
            return copyInto(new Stream());
        }

        @Override
        boolean isWholeBody(JsonNode node) {
            String type = JsonFields.text(node, "type");
            return type == null || type.indexOf('-') < 0;
        }

        @Override
        void onJson(JsonNode event) {
            String type = JsonFields.text(event, "type");
            if (type == null) {
                readError(event, out);
                return;
            }
            JsonNode delta = JsonFields.obj(event, "delta");
            switch (type) {
                case "message-start":
                    out.header(null, JsonFields.text(event, "id"));
                    break;
                case "tool-call-start": {
                    JsonNode call = JsonFields.obj(JsonFields.obj(delta, "message"), "tool_calls");
                    out.countToolCall(call == null ? "function" : OpenAiChatReader.toolType(call));
                    break;
                }
                case "message-end": {
                    readUsage(JsonFields.obj(delta, "usage"), out);
                    String fr = JsonFields.text(delta, "finish_reason");
                    if (fr != null) {
                        out.finishReason = fr;
                    }
                    String err = JsonFields.text(delta, "error");
                    if (err != null) {
                        out.error("error", err);
                    }
                    break;
                }
                default:
                    break;
            }
        }

        @Override
        @Nullable Usage usage() {
            return out.usage;
        }
    }
}
