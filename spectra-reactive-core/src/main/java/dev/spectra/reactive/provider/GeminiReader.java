package dev.spectra.reactive.provider;

import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Google Gemini API ({@code generateContent}, {@code streamGenerateContent}, {@code embedContent},
 * {@code batchEmbedContents}).
 *
 * <p>Usage from {@code usageMetadata}: input = {@code promptTokenCount + toolUsePromptTokenCount} (cached
 * content, {@code cachedContentTokenCount}, is part of the prompt count); Gemini counts thinking outside the
 * candidates, so output = {@code candidatesTokenCount + thoughtsTokenCount} and reasoning =
 * {@code thoughtsTokenCount}. Id from {@code responseId}, model from {@code modelVersion}, finish reason from the
 * first candidate, function calls ({@code functionCall} parts) count as {@code function}, code execution
 * ({@code executableCode} parts) as {@code code_execution}.
 *
 * <p>Streams: every chunk repeats {@code usageMetadata} and the counts may go down as well as up, so the last
 * one wins, never a sum. Parsing every chunk for that would be waste: the latest usage-bearing chunk is kept
 * (copied, bounded) and parsed only when a later chunk must be parsed anyway or the details are asked for.
 * A body that is a JSON array (the stream without {@code alt=sse}, read whole) is read as its elements in order.
 */
final class GeminiReader extends FormatReader {

    static final GeminiReader INSTANCE = new GeminiReader();

    /** Bits 0-2 must be parsed at once (tool calls are counted per chunk); bits 3-4 can wait (latest wins). */
    private static final KeyScan KEYS = new KeyScan("functionCall", "", "executableCode", "", "error", "",
            "usageMetadata", "", "finishReason", "");
    private static final int MUST_PARSE = 0b111;

    @Override
    void read(JsonNode body, DetailsBuilder out) {
        if (body.isArray()) {
            FormatStream s = newStream();
            for (JsonNode element : body.values()) {
                if (element.isObject()) {
                    s.onParsed(element);
                }
            }
            ResponseDetails d = s.details();
            out.header(d.responseModel(), d.responseId());
            out.usage = d.usage();
            out.finishReason = d.finishReason();
            out.toolCalls.putAll(d.toolCallCounts());
            out.error(d.errorType(), d.errorMessage());
            return;
        }
        readError(body, out);
        apply(body, out, true);
    }

    /** Reads one response or chunk into out; returns its usage or null. */
    static void apply(JsonNode body, DetailsBuilder out, boolean latestWins) {
        String model = Json.text(body, "modelVersion");
        String id = Json.text(body, "responseId");
        out.header(model, id);
        Usage u = usage(Json.obj(body, "usageMetadata"));
        if (u != null) {
            out.usage = u;
        }
        JsonNode candidates = Json.array(body, "candidates");
        if (candidates != null) {
            boolean first = true;
            for (JsonNode c : candidates.values()) {
                String fr = Json.text(c, "finishReason");
                if (first && fr != null) {
                    out.finishReason = fr;
                }
                first = false;
                JsonNode parts = Json.array(Json.obj(c, "content"), "parts");
                if (parts != null) {
                    for (JsonNode part : parts.values()) {
                        if (Json.obj(part, "functionCall") != null) {
                            Json.increment(out.toolCalls, "function");
                        }
                        if (Json.obj(part, "executableCode") != null) {
                            Json.increment(out.toolCalls, "code_execution");
                        }
                    }
                }
            }
        }
    }

    static @Nullable Usage usage(@Nullable JsonNode m) {
        if (m == null) {
            return null;
        }
        Long prompt = Json.count(m, "promptTokenCount");
        Long candidates = Json.count(m, "candidatesTokenCount");
        Long thoughts = Json.count(m, "thoughtsTokenCount");
        Long total = Json.count(m, "totalTokenCount");
        if (prompt == null && candidates == null && thoughts == null) {
            return null;
        }
        UsageParts p = new UsageParts();
        p.input = UsageParts.nz(prompt) + UsageParts.nz(Json.count(m, "toolUsePromptTokenCount"));
        p.cached = UsageParts.nz(Json.count(m, "cachedContentTokenCount"));
        p.reasoning = UsageParts.nz(thoughts);
        p.output = UsageParts.nz(candidates) + p.reasoning;
        p.total = total;
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
        private byte[] pending = new byte[0];
        private int pendingLen = -1;

        @Override
        boolean mayMatter(byte[] name, int nameLen, byte[] d, int off, int len) {
            int found = KEYS.scan(d, off, len, 0);
            if (needsHeader() || (found & MUST_PARSE) != 0) {
                return true;
            }
            if (found != 0) {
                // keep the latest for later: its usage, finish reason, model and id replace what came before
                if (pending.length < len) {
                    pending = new byte[Math.max(len, 256)];
                }
                System.arraycopy(d, off, pending, 0, len);
                pendingLen = len;
                return false;
            }
            return false;
        }

        @Override
        void flushPending() {
            if (pendingLen < 0) {
                return;
            }
            int len = pendingLen;
            pendingLen = -1;
            JsonNode node = Json.parse(pending, 0, len);
            if (pending.length > 64 * 1024) {
                pending = new byte[0];
            }
            if (node == null) {
                malformed++;
                return;
            }
            parsed++;
            onJson(node);
        }

        @Override
        void onJson(JsonNode chunk) {
            readError(chunk, out);
            apply(chunk, out, true);
        }

        @Override
        @Nullable Usage usage() {
            return out.usage;
        }
    }
}
