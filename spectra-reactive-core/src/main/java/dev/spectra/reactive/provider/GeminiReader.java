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
 * {@code thoughtsTokenCount}. Modalities priced apart are read from the token details: audio input
 * ({@code promptTokensDetails} and {@code toolUsePromptTokensDetails} entries of modality {@code AUDIO}), audio
 * and image output ({@code candidatesTokensDetails} {@code AUDIO} and {@code IMAGE}); image, video and document
 * input is billed as text input by Gemini and stays in the text count. Id from {@code responseId}, model from {@code modelVersion}, finish reason from the
 * first candidate, function calls ({@code functionCall} parts) count as {@code function}, code execution
 * ({@code executableCode} parts) as {@code code_execution}.
 *
 * <p>Streams: every chunk repeats {@code usageMetadata} and the counts may go down as well as up, so the last
 * one wins, never a sum. Parsing every chunk for that would be waste: the {@code usageMetadata} object of the
 * latest chunk that has one is kept (copied: a few hundred bytes, at most 16 KiB) and parsed only when a later
 * chunk must be parsed anyway or the details are asked for; a chunk without usage never replaces it. Chunks
 * with a finish reason, a tool call or an error are parsed at once.
 * A body that is a JSON array (the stream without {@code alt=sse}, read whole) is read as its elements in order.
 */
final class GeminiReader extends FormatReader {

    static final GeminiReader INSTANCE = new GeminiReader();

    /** Bits 0-2 must be parsed at once (tool calls are counted per chunk); a usage alone can wait (latest wins). */
    private static final KeyScan KEYS = new KeyScan("functionCall", "", "executableCode", "", "error", "",
            "usageMetadata", "{", "finishReason", "");
    private static final int MUST_PARSE = 0b111;
    private static final int USAGE = 0b1000;
    private static final int FINISH_REASON = 0b10000;

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
            out.toolCalls().putAll(d.toolCallCounts());
            out.error(d.errorType(), d.errorMessage());
            return;
        }
        readError(body, out);
        apply(body, out, true);
    }

    /** Reads one response or chunk into out; returns its usage or null. */
    static void apply(JsonNode body, DetailsBuilder out, boolean latestWins) {
        String model = JsonFields.text(body, "modelVersion");
        String id = JsonFields.text(body, "responseId");
        out.header(model, id);
        Usage u = usage(JsonFields.obj(body, "usageMetadata"));
        if (u != null) {
            out.usage = u;
        }
        JsonNode candidates = JsonFields.array(body, "candidates");
        if (candidates != null) {
            boolean first = true;
            for (JsonNode c : candidates.values()) {
                String fr = JsonFields.text(c, "finishReason");
                if (first && fr != null) {
                    out.finishReason = fr;
                }
                first = false;
                JsonNode parts = JsonFields.array(JsonFields.obj(c, "content"), "parts");
                if (parts != null) {
                    for (JsonNode part : parts.values()) {
                        if (JsonFields.obj(part, "functionCall") != null) {
                            out.countToolCall("function");
                        }
                        if (JsonFields.obj(part, "executableCode") != null) {
                            out.countToolCall("code_execution");
                        }
                    }
                }
            }
        }
    }

    /**
     * The usage of a {@code usageMetadata} object; null when it states no count, or when a count it reads (the
     * ones above, and {@code tokenCount} of the modality entries it sums) is present but not a count. Other
     * members, however named, are never read and never make it unknown.
     */
    static @Nullable Usage usage(@Nullable JsonNode m) {
        if (m == null) {
            return null;
        }
        try {
            return parts(m);
        } catch (JsonFields.MalformedCount e) {
            return null;
        }
    }

    private static @Nullable Usage parts(JsonNode m) {
        Long prompt = JsonFields.count(m, "promptTokenCount");
        Long candidates = JsonFields.count(m, "candidatesTokenCount");
        Long thoughts = JsonFields.count(m, "thoughtsTokenCount");
        Long total = JsonFields.count(m, "totalTokenCount");
        if (prompt == null && candidates == null && thoughts == null) {
            return null;
        }
        UsageParts p = new UsageParts();
        p.input = UsageParts.nz(prompt) + UsageParts.nz(JsonFields.count(m, "toolUsePromptTokenCount"));
        p.cached = JsonFields.count(m, "cachedContentTokenCount");
        p.reasoning = thoughts;
        p.output = UsageParts.nz(candidates) + UsageParts.nz(thoughts);
        p.total = total;
        p.audioIn = sum(modality(m, "promptTokensDetails", "AUDIO"), modality(m, "toolUsePromptTokensDetails", "AUDIO"));
        p.audioOut = modality(m, "candidatesTokensDetails", "AUDIO");
        p.imageOut = modality(m, "candidatesTokensDetails", "IMAGE");
        return p.toUsage();
    }

    /**
     * The token count of one modality in a {@code [{"modality": ..., "tokenCount": ...}]} list: null when the list
     * is absent (not stated), 0 when the list is there without that modality (the breakdown is stated and has none).
     * Only the entries of that modality are read.
     */
    private static @Nullable Long modality(JsonNode m, String field, String modality) {
        JsonNode list = JsonFields.array(m, field);
        if (list == null) {
            return null;
        }
        long n = 0;
        for (JsonNode e : list.values()) {
            if (modality.equals(JsonFields.text(e, "modality"))) {
                n += UsageParts.nz(JsonFields.count(e, "tokenCount"));
            }
        }
        return n;
    }

    private static @Nullable Long sum(@Nullable Long a, @Nullable Long b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a + b;
    }

    @Override
    FormatStream newStream() {
        return new Stream();
    }

    static final class Stream extends FormatStream {

        /** Largest usageMetadata object kept unparsed; a larger one (never seen) is parsed with its chunk. */
        private static final int MAX_PENDING = 16 * 1024;
        private static final byte[] USAGE_KEY = ByteScan.ascii("\"usageMetadata\"");

        Stream() {
            super(INSTANCE);
        }

        /** The latest usageMetadata object not parsed yet (only the object: a few hundred bytes). */
        private byte[] pending = new byte[0];
        private int pendingLen = -1;

        @Override
        boolean mayMatter(byte[] name, int nameLen, byte[] d, int off, int len) {
            int found = KEYS.scan(d, off, len, 0);
            if (needsHeader() || (found & MUST_PARSE) != 0 || (found & FINISH_REASON) != 0) {
                return true; // a finish reason comes once, in the last chunks: parse it with its usage
            }
            if ((found & USAGE) == 0) {
                return false;
            }
            // usage only: keep its object for later, the latest replaces the earlier one (never a chunk without
            // usage: it must not drop the usage kept)
            long r = ByteScan.objectValue(d, off, len, USAGE_KEY);
            if (r < 0) {
                return true;
            }
            int start = (int) (r >>> 32);
            int n = (int) r - start;
            if (n > MAX_PENDING) {
                return true;
            }
            if (pending.length < n) {
                pending = new byte[Math.max(n, 256)];
            }
            System.arraycopy(d, start, pending, 0, n);
            pendingLen = n;
            return false;
        }

        @Override
        void flushPending() {
            if (pendingLen < 0) {
                return;
            }
            int len = pendingLen;
            pendingLen = -1;
            JsonNode node = JsonFields.parse(pending, 0, len);
            if (node == null) {
                malformed++;
                return;
            }
            parsed++;
            Usage u = GeminiReader.usage(node);
            if (u != null) {
                out.usage = u;
            }
        }

        @Override
        void onJson(JsonNode chunk) {
            readError(chunk, out);
            apply(chunk, out, true);
        }

        @Override
        FormatStream copy() {
            Stream c = copyInto(new Stream());
            c.pending = pending.clone();
            c.pendingLen = pendingLen;
            return c;
        }

        @Override
        @Nullable Usage usage() {
            return out.usage;
        }
    }
}
