package dev.spectra.reactive.internal.http;

import java.nio.ByteBuffer;

import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.ResponseDetails;
import org.jspecify.annotations.Nullable;

/**
 * A response body read whole when it ends (a JSON answer or error, not a stream), in bounded memory: its first
 * {@value #COPY_BYTES} bytes are copied as they are (a chat answer, an error: read exactly as Spectra's operators
 * read the same bytes); a longer body, or one announced longer by its Content-Length, is never copied but pruned as
 * it passes ({@link JsonPruner}: long strings cut, vectors emptied), and read from the pruned copy. Both copies
 * grow as bytes arrive, within the response bound and with the memory granted by the budget. Used by one thread at
 * a time.
 */
final class WholeBody {

    /** Bodies up to this size are copied as they are; longer ones are pruned. */
    static final int COPY_BYTES = 64 * 1024;

    private final int maxBytes;
    private final ByteBudget budget;
    private @Nullable BoundedBytes copy;
    private @Nullable JsonPruner pruner;
    private long seen;

    /**
     * @param maxBytes the most bytes held for the body (the copy, or the pruned copy)
     * @param contentLength the announced length, or -1
     * @param budget grants the memory
     */
    WholeBody(int maxBytes, long contentLength, ByteBudget budget) {
        this.maxBytes = maxBytes;
        this.budget = budget;
        int copyBytes = Math.min(COPY_BYTES, maxBytes);
        if (contentLength > copyBytes) {
            pruner = new JsonPruner(maxBytes, budget::reserve);
        } else {
            copy = new BoundedBytes(copyBytes, contentLength, budget);
        }
    }

    /** Reads the next bytes; the buffer's position, limit and content are left alone. */
    void feed(ByteBuffer piece) {
        seen += piece.remaining();
        BoundedBytes c = copy;
        if (c == null) {
            JsonPruner p = pruner;
            if (p != null) {
                p.feed(piece);
            }
            return;
        }
        int before = c.length();
        c.copy(piece);
        if (!c.complete()) { // past the copy's bound (or refused): pruned from here
            JsonPruner p = new JsonPruner(maxBytes, budget::reserve);
            p.feed(c.array(), 0, c.length());
            int copied = c.length() - before;
            p.feed(piece.slice(piece.position() + copied, piece.remaining() - copied));
            c.release();
            copy = null;
            pruner = p;
        }
    }

    /** @return the bytes seen */
    long seen() {
        return seen;
    }

    /**
     * What the body says, read from its copy or its pruned copy; null when it could not be read in the bounds
     * (see {@link #unreadReason()}).
     *
     * @param match the endpoint, whose format reads it
     * @return the details, or null
     */
    @Nullable ResponseDetails read(EndpointMatch match) {
        BoundedBytes c = copy;
        if (c != null) {
            return match.readResponse(c.array(), 0, c.length());
        }
        JsonPruner p = pruner;
        if (p == null || p.stopped()) {
            return null;
        }
        return match.readResponse(p.bytes(), 0, p.length());
    }

    /** @return why {@link #read} gives null, for the log */
    String unreadReason() {
        JsonPruner p = pruner;
        JsonPruner.Stop stop = p == null ? JsonPruner.Stop.NONE : p.stopReason();
        switch (stop) {
            case MEMORY:
                return "the bytes Spectra holds across calls reached their bound (raise maxHeldBytes)";
            case STRING_LENGTH:
                return "it holds a string longer than the JSON parser accepts";
            default:
                return "its usage could not be read within " + maxBytes + " bytes (raise maxResponseBytes)";
        }
    }

    /** Gives the memory back; the body is not read after this. */
    void release() {
        BoundedBytes c = copy;
        if (c != null) {
            c.release();
        }
        JsonPruner p = pruner;
        if (p != null) {
            budget.release(p.reservedBytes());
            pruner = null;
        }
        copy = null;
    }
}
