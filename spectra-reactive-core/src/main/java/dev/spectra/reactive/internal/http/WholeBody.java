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
 * grow as bytes arrive, within the response bound and with the memory granted by the budget. A body that arrives
 * whole in its first piece, as long as its Content-Length announced and at most {@value LentBuffers#SIZE} bytes
 * (most answers), is read as it passes, where it is or from a lent buffer ({@link LentBuffers}), and not copied
 * ({@link #readAtOnce}); no {@code WholeBody} is made for it unless more bytes follow. Used by one thread at a
 * time.
 */
final class WholeBody {

    /** Bodies up to this size are copied as they are; longer ones are pruned. */
    static final int COPY_BYTES = 64 * 1024;

    private static final byte[] NOTHING = new byte[0];

    private final int maxBytes;
    private final int copyBytes;
    private final long contentLength;
    private final ByteBudget budget;
    private @Nullable BoundedBytes copy;
    private @Nullable JsonPruner pruner;
    private long seen;
    /** What the body says, when it was read as it passed: it came whole in its first piece. */
    private @Nullable ResponseDetails details;
    /** More bytes came after a body read at once: its Content-Length was wrong, and what was read is not used. */
    private boolean overran;

    /**
     * @param maxBytes the most bytes held for the body (the copy, or the pruned copy)
     * @param contentLength the announced length, or -1
     * @param budget grants the memory
     * @param readAtOnce what the first piece said when it was read at once ({@link #readAtOnce}) and more bytes
     *        follow it; null for a body of which nothing has been seen
     */
    WholeBody(int maxBytes, long contentLength, ByteBudget budget, @Nullable ResponseDetails readAtOnce) {
        this.maxBytes = maxBytes;
        this.budget = budget;
        this.contentLength = contentLength;
        this.copyBytes = Math.min(COPY_BYTES, maxBytes);
        this.details = readAtOnce;
        if (readAtOnce != null) {
            seen = contentLength;
        } else if (contentLength > copyBytes) {
            pruner = new JsonPruner(maxBytes, budget::reserve);
        }
    }

    /**
     * Reads a body that came whole in its first piece, as long as its Content-Length announced and small enough
     * to be copied ({@value #COPY_BYTES} bytes and {@code maxBytes}) and to fit a lent buffer: where it is, or
     * from a lent buffer. The buffer's position, limit and content are left alone.
     *
     * @param piece the first piece, between position and limit
     * @param contentLength the announced length, or -1
     * @param maxBytes the most bytes held for a body
     * @param match the endpoint, whose format reads it
     * @return what the body says; null when it is not such a body, or it was not read (a {@code WholeBody} then
     *         takes it)
     */
    static @Nullable ResponseDetails readAtOnce(ByteBuffer piece, long contentLength, int maxBytes,
                                                EndpointMatch match) {
        int n = piece.remaining();
        if (n > 0 && n == contentLength && n <= Math.min(Math.min(COPY_BYTES, maxBytes), LentBuffers.SIZE)) {
            return readWhole(piece, n, match);
        }
        return null;
    }

    /**
     * What a body of which no byte arrived says.
     *
     * @param match the endpoint, whose format reads it
     * @return the details, or null
     */
    static @Nullable ResponseDetails readNothing(EndpointMatch match) {
        return match.readResponse(NOTHING, 0, 0);
    }

    /**
     * Reads the next bytes; the buffer's position, limit and content are left alone.
     *
     * @param piece the bytes between position and limit
     */
    void feed(ByteBuffer piece) {
        int n = piece.remaining();
        seen += n;
        if (details != null) {
            overran |= n > 0;
            return;
        }
        if (pruner == null && copy == null) {
            copy = new BoundedBytes(copyBytes, contentLength, budget);
        }
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

    /** Reads a whole body where it is, or from a lent buffer; null when it has no array and none is free. */
    private static @Nullable ResponseDetails readWhole(ByteBuffer piece, int n, EndpointMatch match) {
        if (piece.hasArray()) {
            return match.readResponse(piece.array(), piece.arrayOffset() + piece.position(), n);
        }
        ByteBuffer lent = LentBuffers.borrow();
        if (lent == null) {
            return null;
        }
        try {
            piece.get(piece.position(), lent.array(), 0, n);
            return match.readResponse(lent.array(), 0, n);
        } finally {
            LentBuffers.giveBack(lent);
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
        if (details != null) {
            return overran ? null : details;
        }
        JsonPruner p = pruner;
        if (p != null) {
            return p.stopped() ? null : match.readResponse(p.bytes(), 0, p.length());
        }
        BoundedBytes c = copy;
        return c == null ? readNothing(match) : match.readResponse(c.array(), 0, c.length());
    }

    /** @return why {@link #read} gives null, for the log */
    String unreadReason() {
        if (overran) {
            return "more bytes came than its Content-Length (" + contentLength + ") announced";
        }
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
