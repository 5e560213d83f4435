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

    final DetailsBuilder out = new DetailsBuilder();
    long parsed;
    long skipped;
    long malformed;

    /** One payload as bytes; {@code name} is the SSE event name (length 0 when none). */
    final void onPayload(byte[] name, int nameLen, byte[] data, int off, int len) {
        if (len == 0 || ByteScan.trimmedEquals(data, off, len, DONE)) {
            return;
        }
        if (!mayMatter(name, nameLen, data, off, len)) {
            skipped++;
            return;
        }
        JsonNode node = Json.parse(data, off, len);
        if (node == null) {
            malformed++;
            return;
        }
        beforeParsed();
        onJson(node);
    }

    /** One payload already parsed (a {@code JsonNode} or a {@code Map} the caller handed over). */
    final void onParsed(JsonNode node) {
        beforeParsed();
        onJson(node);
    }

    private void beforeParsed() {
        parsed++;
        flushPending();
    }

    /** Cheap test: could this payload change what the stream says? False only when surely not. */
    abstract boolean mayMatter(byte[] name, int nameLen, byte[] data, int off, int len);

    /** Applies a parsed payload. */
    abstract void onJson(JsonNode node);

    /** Applies a payload whose parse was deferred (Gemini), before a later one or the final details. */
    void flushPending() {
    }

    /** What the stream said so far. */
    ResponseDetails details() {
        flushPending();
        Usage u = usage();
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
