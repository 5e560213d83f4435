package dev.spectra.reactive.provider;

import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Anthropic Messages ({@code /v1/messages}).
 *
 * <p>Anthropic's {@code input_tokens} excludes cache reads and writes; here input =
 * {@code input_tokens + cache_read_input_tokens + cache_creation_input_tokens}, cached input = cache reads,
 * cache writes = {@code cache_creation_input_tokens}, of which {@code cache_creation.ephemeral_1h_input_tokens}
 * are one-hour writes (billed at their own, higher rate; the rest are five-minute writes). Thinking tokens are
 * not reported apart, so reasoning is 0.
 *
 * <p>Streams: {@code message_start} carries id, model and the first usage (its {@code output_tokens} is the count
 * at that moment, typically 1); each {@code message_delta} carries <em>cumulative</em> usage: every field it
 * states replaces the earlier value, never adds to it. A stream cancelled before its first
 * {@code message_delta} keeps {@code message_start}'s output count: a lower bound of what was generated (the
 * input, which is billed in full, is exact). Tool calls: {@code tool_use} blocks count as {@code function}; server tools
 * ({@code server_tool_use}) count by their name, e.g. {@code web_search}; {@code mcp_tool_use} as {@code mcp}.
 *
 * <p>A count this reader reads ({@code input_tokens}, the three cache counts, {@code output_tokens}) that is
 * present but not a count makes the usage unknown, in a stream for good, whichever event states it; model, id,
 * finish reason and tool calls are still read. Members it does not read never make it so.
 */
final class AnthropicReader extends FormatReader {

    static final AnthropicReader INSTANCE = new AnthropicReader();

    private static final byte[] TYPE = ByteScan.ascii("\"type\"");
    private static final byte[] MESSAGE_STOP = ByteScan.ascii("message_stop");
    private static final byte[] BLOCK_START = ByteScan.ascii("content_block_start");
    private static final byte[] BLOCK_DELTA = ByteScan.ascii("content_block_delta");
    private static final byte[] BLOCK_STOP = ByteScan.ascii("content_block_stop");
    private static final byte[] PING = ByteScan.ascii("ping");
    /** The block types {@link #toolKey} counts, found as quoted strings (values of {@code "type"}). */
    private static final KeyScan TOOL_USE = new KeyScan("tool_use", "", "server_tool_use", "", "mcp_tool_use", "");

    @Override
    void read(JsonNode body, DetailsBuilder out) {
        readError(body, out);
        out.header(JsonFields.text(body, "model"), JsonFields.text(body, "id"));
        Cumulative c = new Cumulative();
        JsonNode usage = JsonFields.obj(body, "usage");
        if (c.apply(usage)) {
            out.usage = c.toUsage();
        }
        tier(usage, out);
        String stop = JsonFields.text(body, "stop_reason");
        if (stop != null) {
            out.finishReason = stop;
        }
        JsonNode content = JsonFields.array(body, "content");
        if (content != null) {
            for (JsonNode block : content.values()) {
                String key = toolKey(block);
                if (key != null) {
                    out.countToolCall(key);
                }
            }
        }
    }

    static void tier(@Nullable JsonNode usage, DetailsBuilder out) {
        String t = JsonFields.text(usage, "service_tier");
        if (t != null) {
            out.pricingTier = DetailsBuilder.servedTier(t);
        }
    }

    static @Nullable String toolKey(JsonNode block) {
        String type = JsonFields.text(block, "type");
        if (type == null) {
            return null;
        }
        switch (type) {
            case "tool_use":
                return "function";
            case "server_tool_use": {
                String name = JsonFields.text(block, "name");
                return name == null ? "server_tool" : name;
            }
            case "mcp_tool_use":
                return "mcp";
            default:
                return null;
        }
    }

    @Override
    FormatStream newStream() {
        return new Stream();
    }

    /** Usage fields as last stated; a field a later event states replaces the earlier value. */
    static final class Cumulative {
        @Nullable Long input;
        @Nullable Long cacheRead;
        @Nullable Long cacheWrite;
        @Nullable Long cacheWrite1h;
        @Nullable Long output;
        /**
         * A usage object stated a count this reader reads that is not one: the whole usage is unknown, for good
         * (a later event's counts would replace only the members they state).
         */
        boolean malformed;

        /**
         * Applies a usage object; true when it stated any token count. A malformed count among those read marks
         * the usage unknown and applies nothing; members not read are ignored.
         */
        boolean apply(@Nullable JsonNode u) {
            if (u == null) {
                return false;
            }
            Long in;
            Long read;
            Long write;
            Long write1h;
            Long out;
            try {
                in = JsonFields.count(u, "input_tokens");
                read = JsonFields.count(u, "cache_read_input_tokens");
                write = JsonFields.count(u, "cache_creation_input_tokens");
                write1h = JsonFields.count(JsonFields.obj(u, "cache_creation"), "ephemeral_1h_input_tokens");
                out = JsonFields.count(u, "output_tokens");
            } catch (JsonFields.MalformedCount e) {
                malformed = true;
                return false;
            }
            return apply(in, read, write, write1h, out);
        }

        /**
         * Applies the counts a usage object stated (null: not stated, the earlier value kept); true when it stated
         * any token count.
         */
        boolean apply(@Nullable Long in, @Nullable Long read, @Nullable Long write, @Nullable Long write1h,
                      @Nullable Long out) {
            if (in != null) {
                input = in;
            }
            if (read != null) {
                cacheRead = read;
            }
            if (write != null) {
                cacheWrite = write;
            }
            if (write1h != null) {
                cacheWrite1h = write1h;
            }
            if (out != null) {
                output = out;
            }
            return in != null || read != null || write != null || out != null;
        }

        Usage toUsage() {
            UsageParts p = new UsageParts();
            p.cached = cacheRead;
            p.cacheWrite = cacheWrite;
            p.cacheWrite1h = cacheWrite1h;
            p.input = UsageParts.nz(input) + UsageParts.nz(cacheRead) + UsageParts.nz(cacheWrite);
            p.output = UsageParts.nz(output);
            return p.toUsage();
        }
    }

    static final class Stream extends FormatStream {

        Stream() {
            super(INSTANCE);
        }
        private final Cumulative cumulative = new Cumulative();
        private boolean sawUsage;

        @Override
        boolean isEnd(byte[] d, int off, int len) {
            return ByteScan.rangeEquals(d, ByteScan.stringValue(d, off, len, TYPE), MESSAGE_STOP);
        }

        @Override
        boolean mayMatter(byte[] name, int nameLen, byte[] d, int off, int len) {
            // skip only the events known to say nothing: text deltas, block stops, pings, message_stop
            long t = ByteScan.stringValue(d, off, len, TYPE);
            if (ByteScan.rangeEquals(d, t, BLOCK_DELTA) || ByteScan.rangeEquals(d, t, BLOCK_STOP)
                    || ByteScan.rangeEquals(d, t, PING) || ByteScan.rangeEquals(d, t, MESSAGE_STOP)) {
                return false;
            }
            return !ByteScan.rangeEquals(d, t, BLOCK_START) || TOOL_USE.scan(d, off, len, 0) != 0;
        }

        @Override
        boolean isWholeBody(JsonNode node) {
            return "message".equals(JsonFields.text(node, "type"));
        }

        @Override
        boolean skippable(byte[] name, int nameLen, byte[] d, int len) {
            long t = ByteScan.stringValue(d, 0, len, TYPE);
            return ByteScan.rangeEquals(d, t, BLOCK_DELTA) || ByteScan.rangeEquals(d, t, BLOCK_STOP)
                    || ByteScan.rangeEquals(d, t, PING) || ByteScan.rangeEquals(d, t, MESSAGE_STOP);
        }

        @Override
        FormatStream copy() {
            Stream c = copyInto(new Stream());
            Cumulative k = c.cumulative;
            k.input = cumulative.input;
            k.cacheRead = cumulative.cacheRead;
            k.cacheWrite = cumulative.cacheWrite;
            k.cacheWrite1h = cumulative.cacheWrite1h;
            k.output = cumulative.output;
            k.malformed = cumulative.malformed;
            c.sawUsage = sawUsage;
            return c;
        }

        @Override
        void onJson(JsonNode event) {
            String type = JsonFields.text(event, "type");
            if (type == null) {
                readError(event, out);
                return;
            }
            switch (type) {
                case "message_start": {
                    JsonNode m = JsonFields.obj(event, "message");
                    out.header(JsonFields.text(m, "model"), JsonFields.text(m, "id"));
                    JsonNode u = JsonFields.obj(m, "usage");
                    sawUsage |= cumulative.apply(u);
                    tier(u, out);
                    break;
                }
                case "message_delta": {
                    JsonNode u = JsonFields.obj(event, "usage");
                    sawUsage |= cumulative.apply(u);
                    String stop = JsonFields.text(JsonFields.obj(event, "delta"), "stop_reason");
                    if (stop != null) {
                        out.finishReason = stop;
                    }
                    break;
                }
                case "content_block_start": {
                    JsonNode block = JsonFields.obj(event, "content_block");
                    String key = block == null ? null : toolKey(block);
                    if (key != null) {
                        out.countToolCall(key);
                    }
                    break;
                }
                case "error":
                    readError(event, out);
                    break;
                default:
                    break;
            }
        }

        @Override
        @Nullable Usage usage() {
            return sawUsage && !cumulative.malformed ? cumulative.toUsage() : null;
        }
    }
}
