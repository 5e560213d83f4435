package dev.spectra.reactive.provider;

/** Receives the events a decoder cuts out of a byte stream. The arrays are the decoder's own and reused. */
interface EventSink {

    /**
     * One complete event.
     *
     * @param name the SSE {@code event:} name bytes (ASCII), valid up to {@code nameLen}; length 0 when none
     * @param nameLen length of the name
     * @param data the payload bytes (UTF-8), valid up to {@code dataLen}; only valid during this call
     * @param dataLen length of the payload
     */
    void onEvent(byte[] name, int nameLen, byte[] data, int dataLen);
}
