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

    /**
     * Whether an event can be skipped from the first bytes of its payload, before the rest is buffered. Asked at
     * most once per event, when its payload reaches the decoder's probe size; events smaller than that are
     * dispatched whole.
     *
     * @param name the event name so far
     * @param nameLen its length
     * @param prefix the first bytes of the payload
     * @param len their number
     * @return true to drop the event without buffering the rest of it
     */
    default boolean skip(byte[] name, int nameLen, byte[] prefix, int len) {
        return false;
    }
}
