package dev.spectra.reactive.provider;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI Responses API ({@code /v1/responses}). Whole body: the response object. Streams: typed events; usage
 * only in the terminal event ({@code response.completed}, {@code response.incomplete} or
 * {@code response.failed}), model and id from {@code response.created}, tool calls from
 * {@code response.output_item.done} until a terminal event states the whole output.
 *
 * <p>Tool calls are counted by output item type without its {@code _call} suffix: {@code function},
 * {@code web_search}, {@code file_search}, {@code code_interpreter}, {@code computer}, {@code image_generation},
 * {@code mcp}, {@code local_shell}, {@code custom_tool}.
 */
final class OpenAiResponsesReader extends FormatReader {

    static final OpenAiResponsesReader INSTANCE = new OpenAiResponsesReader();

    private static final byte[] TYPE = ByteScan.ascii("\"type\"");
    private static final byte[] RESPONSE_DOT = ByteScan.ascii("response.");
    private static final byte[] CREATED = ByteScan.ascii("response.created");
    private static final byte[] IN_PROGRESS = ByteScan.ascii("response.in_progress");
    private static final byte[] COMPLETED = ByteScan.ascii("response.completed");
    private static final byte[] INCOMPLETE = ByteScan.ascii("response.incomplete");
    private static final byte[] FAILED = ByteScan.ascii("response.failed");
    private static final byte[] ITEM_DONE = ByteScan.ascii("response.output_item.done");

    @Override
    void read(JsonNode body, DetailsBuilder out) {
        JsonNode inner = JsonFields.obj(body, "response");
        String type = JsonFields.text(body, "type");
        if (inner != null && type != null && type.startsWith("response.")) {
            body = inner; // a single streamed event handed over as the whole response
        } else if ("error".equals(type)) {
            out.error(JsonFields.textOrNumber(body, "code"), JsonFields.text(body, "message"));
            return;
        }
        readResponse(body, out, true);
    }

    static void readResponse(JsonNode r, DetailsBuilder out, boolean countTools) {
        readError(r, out);
        out.header(JsonFields.text(r, "model"), JsonFields.text(r, "id"));
        UsageParts p = OpenAiUsage.read(JsonFields.obj(r, "usage"));
        if (p != null) {
            out.usage = p.toUsage();
        }
        String status = JsonFields.text(r, "status");
        String reason = JsonFields.text(JsonFields.obj(r, "incomplete_details"), "reason");
        if (reason != null) {
            out.finishReason = reason;
        } else if (status != null) {
            out.finishReason = status;
        }
        OpenAiChatReader.tier(r, out);
        if (countTools) {
            JsonNode output = JsonFields.array(r, "output");
            if (output != null) {
                for (JsonNode item : output.values()) {
                    String key = toolKey(JsonFields.text(item, "type"));
                    if (key != null) {
                        out.countToolCall(key);
                    }
                }
            }
        }
    }

    static @Nullable String toolKey(@Nullable String itemType) {
        if (itemType == null) {
            return null;
        }
        if (itemType.endsWith("_call")) {
            return itemType.substring(0, itemType.length() - 5);
        }
        return null;
    }

    @Override
    FormatStream newStream() {
        return new Stream();
    }

    static final class Stream extends FormatStream {

        Stream() {
            super(INSTANCE);
        }
        private @Nullable Usage usage;
        private final Map<String, Integer> streamedTools = new LinkedHashMap<>();

        @Override
        boolean isEnd(byte[] d, int off, int len) {
            long t = ByteScan.stringValue(d, off, len, TYPE);
            return ByteScan.rangeEquals(d, t, COMPLETED) || ByteScan.rangeEquals(d, t, INCOMPLETE)
                    || ByteScan.rangeEquals(d, t, FAILED);
        }

        @Override
        boolean mayMatter(byte[] name, int nameLen, byte[] d, int off, int len) {
            long t = ByteScan.stringValue(d, off, len, TYPE);
            if (!ByteScan.rangeStartsWith(d, t, RESPONSE_DOT)) {
                return true; // "error", or a shape this reader does not know: let the parse decide
            }
            return ByteScan.rangeEquals(d, t, COMPLETED) || ByteScan.rangeEquals(d, t, INCOMPLETE)
                    || ByteScan.rangeEquals(d, t, FAILED) || ByteScan.rangeEquals(d, t, ITEM_DONE)
                    || ((ByteScan.rangeEquals(d, t, CREATED) || ByteScan.rangeEquals(d, t, IN_PROGRESS))
                        && needsHeader());
        }

        @Override
        boolean skippable(byte[] name, int nameLen, byte[] d, int len) {
            long t = ByteScan.stringValue(d, 0, len, TYPE);
            return t >= 0 && ByteScan.rangeStartsWith(d, t, RESPONSE_DOT) && !ByteScan.rangeEquals(d, t, COMPLETED)
                    && !ByteScan.rangeEquals(d, t, INCOMPLETE) && !ByteScan.rangeEquals(d, t, FAILED)
                    && !ByteScan.rangeEquals(d, t, ITEM_DONE) && !ByteScan.rangeEquals(d, t, CREATED)
                    && !ByteScan.rangeEquals(d, t, IN_PROGRESS);
        }

        @Override
        FormatStream copy() {
            Stream c = copyInto(new Stream());
            c.usage = usage;
            c.streamedTools.putAll(streamedTools);
            return c;
        }

        @Override
        void onJson(JsonNode event) {
            String type = JsonFields.text(event, "type");
            if (type == null) {
                if ("response".equals(JsonFields.text(event, "object"))) {
                    terminal(event); // a whole answer fed through a stream reader
                } else {
                    readError(event, out);
                }
                return;
            }
            switch (type) {
                case "response.created":
                case "response.in_progress": {
                    JsonNode r = JsonFields.obj(event, "response");
                    out.header(JsonFields.text(r, "model"), JsonFields.text(r, "id"));
                    break;
                }
                case "response.output_item.done": {
                    String key = toolKey(JsonFields.text(JsonFields.obj(event, "item"), "type"));
                    if (key != null) {
                        JsonFields.increment(streamedTools, key);
                    }
                    break;
                }
                case "response.completed":
                case "response.incomplete":
                case "response.failed": {
                    JsonNode r = JsonFields.obj(event, "response");
                    if (r != null) {
                        terminal(r);
                    }
                    break;
                }
                case "error":
                    out.error(JsonFields.textOrNumber(event, "code"), JsonFields.text(event, "message"));
                    readError(event, out);
                    break;
                default:
                    break;
            }
        }

        private void terminal(JsonNode r) {
            DetailsBuilder full = new DetailsBuilder();
            readResponse(r, full, true);
            out.header(full.responseModel, full.responseId);
            if (full.usage != null) {
                usage = full.usage;
            }
            if (full.finishReason != null) {
                out.finishReason = full.finishReason;
            }
            if (full.pricingTier != null) {
                out.pricingTier = full.pricingTier;
            }
            out.error(full.errorType, full.errorMessage);
            if (JsonFields.array(r, "output") != null) { // the terminal event states the whole output
                streamedTools.clear();
                streamedTools.putAll(full.countedToolCalls());
                    }
        }

        @Override
        ResponseDetails details() {
            out.toolCalls().clear();
            out.toolCalls().putAll(streamedTools);
            return super.details();
        }

        @Override
        @Nullable Usage usage() {
            return usage;
        }
    }
}
