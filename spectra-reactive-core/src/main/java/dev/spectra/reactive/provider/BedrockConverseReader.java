package dev.spectra.reactive.provider;

import dev.spectra.reactive.Usage;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * AWS Bedrock Runtime's Converse API ({@code /model/{modelId}/converse}) and ConverseStream
 * ({@code /model/{modelId}/converse-stream}), as JSON or as the AWS SDK's model objects (turned into the same JSON
 * by {@link AwsSdkValues}).
 *
 * <p>Usage from {@code usage}: Bedrock's {@code inputTokens} leaves out the tokens read from and written to the
 * prompt cache ({@code cacheReadInputTokens}, {@code cacheWriteInputTokens}), as Anthropic's {@code input_tokens}
 * does, so the input recorded is their sum; output is {@code outputTokens}; the total is Bedrock's
 * {@code totalTokens}. Finish reason from {@code stopReason}; {@code toolUse} content blocks count as
 * {@code function}. The answer names no model and has no id: the model is the one the call was made for.
 *
 * <p>Streams are AWS event-stream messages whose type is a header; as JSON each event is an object keyed by its type
 * ({@code {"metadata": {...}}}, as the SDKs and the API reference write them), and an event's bare payload is read
 * too. {@code messageStop} gives the stop reason, {@code contentBlockStart} with a {@code toolUse} start a tool call,
 * {@code metadata} the usage (once, at the end of the stream). Errors: an exception event
 * ({@code {"throttlingException": {"message": ...}}}) and an error body ({@code {"message": ...}}, its type from
 * {@code __type} when the SDK's error details give one) give the exception's name as the error type, with its first
 * letter upper case as the SDK's exception classes and error codes spell it ({@code ThrottlingException}).
 */
final class BedrockConverseReader extends FormatReader {

    static final BedrockConverseReader INSTANCE = new BedrockConverseReader();

    /** The event types of a ConverseStream, as keys of its JSON events. */
    static final String METADATA = "metadata";
    static final String MESSAGE_STOP = "messageStop";
    static final String CONTENT_BLOCK_START = "contentBlockStart";
    private static final String EXCEPTION_SUFFIX = "Exception";

    /** Events that never say anything read here: text and tool-input deltas, block ends, the message start. */
    private static final byte[][] SILENT_EVENTS = {ByteScan.ascii("\"contentBlockDelta\""),
        ByteScan.ascii("\"contentBlockStop\""), ByteScan.ascii("\"messageStart\"")};
    private static final byte[] EXCEPTION = ByteScan.ascii(EXCEPTION_SUFFIX);

    @Override
    void read(JsonNode body, DetailsBuilder out) {
        apply(body, out);
        JsonNode content = JsonFields.array(JsonFields.obj(JsonFields.obj(body, "output"), "message"), "content");
        if (content != null) {
            for (JsonNode block : content.values()) {
                if (JsonFields.obj(block, "toolUse") != null) {
                    out.countToolCall("function");
                }
            }
        }
    }

    /** Reads one answer or one stream event (keyed by its type, or its bare payload) into out. */
    static void apply(JsonNode node, DetailsBuilder out) {
        if (!node.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (!value.isObject()) {
                continue;
            }
            if (key.equals(METADATA) || key.equals(MESSAGE_STOP)) {
                apply(value, out);
            } else if (key.equals(CONTENT_BLOCK_START)) {
                if (JsonFields.obj(JsonFields.obj(value, "start"), "toolUse") != null) {
                    out.countToolCall("function");
                }
            } else if (key.endsWith(EXCEPTION_SUFFIX)) {
                out.error(errorType(key), JsonFields.text(value, "message"));
            }
        }
        Usage u = usage(JsonFields.obj(node, "usage"));
        if (u != null) {
            out.usage = u;
        }
        String stop = JsonFields.text(node, "stopReason");
        if (stop != null) {
            out.finishReason = stop;
        }
        readErrorBody(node, out);
    }

    /**
     * An error body: {@code {"message": "..."}} (Bedrock names the type in a header, which the SDK's error details
     * carry as {@code __type}), never an answer (which has {@code output} or {@code usage}).
     */
    private static void readErrorBody(JsonNode node, DetailsBuilder out) {
        if (node.has("output") || node.has("usage") || node.has("stopReason")) {
            return;
        }
        String message = JsonFields.text(node, "message");
        if (message == null) {
            message = JsonFields.text(node, "Message");
        }
        String type = JsonFields.text(node, "__type");
        if (type != null) {
            int hash = type.lastIndexOf('#');
            type = type.substring(hash + 1);
            int colon = type.indexOf(':');
            type = errorType(colon < 0 ? type : type.substring(0, colon));
        }
        if (type != null || message != null) {
            out.error(type, message);
        }
    }

    /** An exception's name as the SDK spells its error code: {@code throttlingException} is {@code ThrottlingException}. */
    static @Nullable String errorType(@Nullable String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        return name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
    }

    /**
     * The usage of a {@code usage} object; null when it states neither input nor output, or when a count it reads is
     * present but not a count.
     */
    static @Nullable Usage usage(@Nullable JsonNode u) {
        if (u == null) {
            return null;
        }
        try {
            Long in = JsonFields.count(u, "inputTokens");
            Long out = JsonFields.count(u, "outputTokens");
            if (in == null && out == null) {
                return null;
            }
            Long read = JsonFields.count(u, "cacheReadInputTokens");
            Long write = JsonFields.count(u, "cacheWriteInputTokens");
            UsageParts p = new UsageParts();
            p.input = UsageParts.nz(in) + UsageParts.nz(read) + UsageParts.nz(write);
            p.output = UsageParts.nz(out);
            p.cached = read;
            p.cacheWrite = write;
            p.total = JsonFields.count(u, "totalTokens");
            return p.toUsage();
        } catch (JsonFields.MalformedCount e) {
            return null;
        }
    }

    /** Whether a JSON value looks like a Converse answer, a ConverseStream event or a Bedrock error body. */
    static boolean looksLike(JsonNode n) {
        if (n.has(METADATA) || n.has(MESSAGE_STOP) || n.has(CONTENT_BLOCK_START) || n.has("messageStart")
                || n.has("contentBlockDelta") || n.has("contentBlockStop")) {
            return true;
        }
        JsonNode usage = JsonFields.obj(n, "usage");
        return n.has("stopReason") || usage != null && (usage.has("inputTokens") || usage.has("outputTokens"));
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
            // deltas are most of a stream and say nothing read here; an exception may come anywhere
            for (byte[] silent : SILENT_EVENTS) {
                if (ByteScan.indexOf(d, off, off + len, silent) >= 0) {
                    return ByteScan.indexOf(d, off, off + len, EXCEPTION) >= 0;
                }
            }
            return true;
        }

        @Override
        boolean isWholeBody(JsonNode node) {
            return node.has("output");
        }

        @Override
        FormatStream copy() {
            return copyInto(new Stream());
        }

        @Override
        void onJson(JsonNode event) {
            apply(event, out);
        }

        @Override
        @Nullable Usage usage() {
            return out.usage;
        }
    }
}
