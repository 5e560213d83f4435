package dev.spectra.reactive.provider;

import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The per-stream state of a wire format: takes payloads (raw bytes from a decoder, or JSON already parsed by
 * the caller), skips those that cannot matter with a cheap byte test, parses the rest and keeps what they say.
 * Used by one thread at a time.
 */
abstract class FormatStream {

    private static final byte[] DONE = ByteScan.ascii("[DONE]");

    DetailsBuilder out = new DetailsBuilder();
    private final FormatReader reader;
    private @Nullable Usage wholeUsage;
    long parsed;
    long skipped;
    long malformed;
    /** The format's own end of stream was read ({@code [DONE]}, a terminal event): nothing more is to come. */
    boolean ended;

    FormatStream(FormatReader reader) {
        this.reader = reader;
    }

    /** One payload as bytes; {@code name} is the SSE event name (length 0 when none). */
    final void onPayload(byte[] name, int nameLen, byte[] data, int off, int len) {
        if (len == 0) {
            return;
        }
        if (ByteScan.trimmedEquals(data, off, len, DONE)) {
            ended = true;
            return;
        }
        if (isEnd(data, off, len)) {
            ended = true;
        }
        if (!mayMatter(name, nameLen, data, off, len)) {
            skipped++;
            return;
        }
        if (readAtOnce(data, off, len)) {
            return;
        }
        JsonNode node = JsonFields.parse(data, off, len);
        if (node == null) {
            malformed++;
            return;
        }
        beforeParsed();
        apply(node);
    }

    /** One payload already parsed (a {@code JsonNode} or a {@code Map} the caller handed over). */
    final void onParsed(JsonNode node) {
        beforeParsed();
        apply(node);
    }

    /**
     * Reads a payload straight from its bytes, without a tree, when the format can and is sure to read it as its
     * tree would be read ({@link #beforeParsed()} first, then what it says applied).
     *
     * @return false when the tree must read it (nothing changed)
     */
    boolean readAtOnce(byte[] data, int off, int len) {
        return false;
    }

    /** Counts a payload parsed, and applies one whose parse was deferred. */
    final void beforeParsed() {
        parsed++;
        flushPending();
    }

    private void apply(JsonNode node) {
        if (!isWholeBody(node)) {
            onJson(node);
            return;
        }
        // a whole (non-streamed) answer handed to a stream reader: read it as the format reads bodies
        DetailsBuilder whole = new DetailsBuilder();
        reader.read(node, whole);
        out.header(whole.responseModel, whole.responseId);
        if (whole.usage != null) {
            wholeUsage = whole.usage;
        }
        if (whole.finishReason != null) {
            out.finishReason = whole.finishReason;
        }
        whole.countedToolCalls().forEach((k, v) -> out.toolCalls().merge(k, v, Integer::sum));
        if (whole.pricingTier != null) {
            out.pricingTier = whole.pricingTier;
        }
        out.error(whole.errorType, whole.errorMessage);
        if (whole.billedUsage != null) {
            out.billedUsage = whole.billedUsage;
        }
        if (whole.imageQuality != null) {
            out.imageQuality = whole.imageQuality;
        }
        if (whole.imageSize != null) {
            out.imageSize = whole.imageSize;
        }
        if (whole.statedCost != null) {
            out.statedCost = whole.statedCost;
        }
        if (whole.upstreamProvider != null) {
            out.upstreamProvider = whole.upstreamProvider;
        }
    }

    /** Whether a payload is a whole answer rather than a stream event (e.g. a body fed through a stream). */
    boolean isWholeBody(JsonNode node) {
        return false;
    }

    /** Cheap test: is this payload the format's terminal event, after which the stream has nothing more to say? */
    boolean isEnd(byte[] data, int off, int len) {
        return false;
    }

    /** Cheap test: could this payload change what the stream says? False only when surely not. */
    abstract boolean mayMatter(byte[] name, int nameLen, byte[] data, int off, int len);

    /**
     * Whether an event can be skipped from the first bytes of its payload alone, so that a large event (a
     * streamed image, base64 audio) is never buffered. Only for events that {@link #mayMatter} would surely
     * reject; false when unsure. Typed formats decide from the leading {@code "type"}.
     */
    boolean skippable(byte[] name, int nameLen, byte[] prefix, int len) {
        return false;
    }

    /** A copy of this state, for a snapshot that reads one more payload without changing this one. */
    abstract FormatStream copy();

    /** Copies the base state into a fresh copy made by a subclass; returns it. */
    final <T extends FormatStream> T copyInto(T c) {
        c.out = out.copy();
        FormatStream b = c;
        b.wholeUsage = wholeUsage;
        b.parsed = parsed;
        b.skipped = skipped;
        b.malformed = malformed;
        b.ended = ended;
        b.headerTries = headerTries;
        return c;
    }

    /** Applies a parsed payload. */
    abstract void onJson(JsonNode node);

    /** Applies a payload whose parse was deferred (Gemini), before a later one or the final details. */
    void flushPending() {
    }

    /** What the stream said so far. */
    ResponseDetails details() {
        flushPending();
        Usage u = usage();
        if (u == null) {
            u = wholeUsage;
        }
        if (u != null) {
            out.usage = u;
        }
        return out.build();
    }

    /** The usage accumulated, or null when the stream has reported none. */
    abstract @Nullable Usage usage();

    private int headerTries;

    /**
     * Whether the header (model and id) is still missing, so the next chunk is worth parsing for it. Gives up
     * after a few chunks, so a server that never sends an id does not get every chunk parsed.
     */
    final boolean needsHeader() {
        if (out.responseModel != null && out.responseId != null) {
            return false;
        }
        return headerTries++ < 4;
    }
}
