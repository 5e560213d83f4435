package dev.spectra.reactive.provider;

import org.jspecify.annotations.Nullable;

/**
 * Reads what a provider's responses say, for the operators and the manual flows: a whole response value
 * ({@code JsonNode}, JSON {@code String} or {@code byte[]}, {@code Map}) or the chunks of a stream.
 * Implementations must be thread-safe, fast, and must not keep or modify what they are given.
 *
 * <p>A reader that cannot make sense of a value returns {@link ResponseDetails#EMPTY} (usage unknown);
 * exceptions it throws are caught, counted and logged by the caller, never passed to the user's stream.
 *
 * @since 0.1
 */
public interface ResponseReader {

    /**
     * Reads a whole response.
     *
     * @param provider the provider id of the call
     * @param endpoint the URL path called, when known
     * @param response the response value
     * @return what it says; {@link ResponseDetails#EMPTY} when nothing
     */
    ResponseDetails read(String provider, @Nullable String endpoint, Object response);

    /**
     * A reader for the chunks of one stream; called once per stream, used from one thread at a time.
     *
     * @param provider the provider id of the call
     * @param endpoint the URL path called, when known
     * @return a fresh chunk reader
     */
    ChunkReader newChunkReader(String provider, @Nullable String endpoint);

    /**
     * A reader that reads nothing: every call's usage stays unknown unless given by hand or by an extractor.
     *
     * @return the empty reader
     */
    static ResponseReader none() {
        return NoResponseReader.INSTANCE;
    }

    /** Accumulates what the chunks of one stream say. Used by one thread at a time. */
    interface ChunkReader {

        /**
         * Reads one chunk (an SSE {@code data} payload, an NDJSON line, a decoded JSON node ...).
         *
         * @param chunk the chunk, not kept
         */
        void onChunk(Object chunk);

        /**
         * What the chunks seen so far say (the stream may have been cut short). A snapshot: reading may go on.
         *
         * @return the details so far
         */
        ResponseDetails details();

        /**
         * Ends the stream and gives the final details: a reader of raw bytes reads an event left open by the end of
         * the body. Call it once, when the stream has completed, failed or been cancelled. The default gives
         * {@link #details()}.
         *
         * @return the final details
         */
        default ResponseDetails finish() {
            return details();
        }
    }
}

/** The reader of {@link ResponseReader#none()}. */
enum NoResponseReader implements ResponseReader, ResponseReader.ChunkReader {
    INSTANCE;

    @Override
    public ResponseDetails read(String provider, @Nullable String endpoint, Object response) {
        return ResponseDetails.EMPTY;
    }

    @Override
    public ChunkReader newChunkReader(String provider, @Nullable String endpoint) {
        return this;
    }

    @Override
    public void onChunk(Object chunk) {
    }

    @Override
    public ResponseDetails details() {
        return ResponseDetails.EMPTY;
    }
}
