package dev.spectra.reactive.provider;

/**
 * Incremental splitter of a stream of JSON objects over byte chunks: newline-delimited JSON (Ollama's
 * {@code application/x-ndjson}), a streamed JSON array (Gemini's {@code streamGenerateContent} without
 * {@code alt=sse}: {@code [{...},\r\n{...}]}), or objects simply concatenated.
 *
 * <p>Outside an object, whitespace, {@code [}, {@code ]}, {@code ,} and stray bytes are skipped. Inside one, the
 * decoder tracks strings, escapes and nesting to find its end, so pretty-printed objects spanning lines work. A
 * raw line break inside a string is never valid JSON: the object is dropped there (counted as malformed) so a
 * truncated NDJSON line does not swallow the next one. Memory is bounded as in {@link SseDecoder}: an object
 * larger than {@code maxEventBytes} is skipped and counted, and the buffer it filled dropped at once. Never writes
 * or keeps the caller's arrays.
 */
final class JsonSeqDecoder {

    private static final byte[] NO_NAME = new byte[0];
    private static final int INITIAL = 512;
    private static final int SHRINK_ABOVE = 64 * 1024;

    private final EventSink sink;
    private final int maxEventBytes;

    private byte[] data = new byte[0];
    private int dataLen;
    private int depth;
    private boolean inString;
    private boolean escape;
    private boolean overflow;

    private long events;
    private long oversized;
    private long broken;

    JsonSeqDecoder(EventSink sink, int maxEventBytes) {
        this.sink = sink;
        this.maxEventBytes = maxEventBytes;
    }

    long events() {
        return events;
    }

    long oversized() {
        return oversized;
    }

    /** Objects dropped because a line break cut them inside a string. */
    long broken() {
        return broken;
    }

    void feed(byte[] b, int off, int len) {
        int i = off;
        final int end = off + len;
        while (i < end) {
            if (depth == 0) {
                // between values: find the next object start
                while (i < end && b[i] != '{') {
                    i++;
                }
                if (i == end) {
                    return;
                }
                depth = 1;
                inString = false;
                escape = false;
                overflow = false;
                dataLen = 0;
                append(b, i, 1);
                i++;
                continue;
            }
            int run = i;
            boolean done = false;
            boolean cut = false;
            while (i < end) {
                byte c = b[i];
                if (inString) {
                    if (escape) {
                        escape = false;
                    } else if (c == '\\') {
                        escape = true;
                    } else if (c == '"') {
                        inString = false;
                    } else if (c == '\n' || c == '\r') {
                        cut = true;
                        break;
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0) {
                        i++;
                        done = true;
                        break;
                    }
                }
                i++;
            }
            if (cut) {
                broken++;
                depth = 0;
                inString = false;
                escape = false;
                dataLen = 0;
                overflow = false;
                i++;
                continue;
            }
            append(b, run, i - run);
            if (done) {
                if (!overflow) {
                    events++;
                    sink.onEvent(NO_NAME, 0, data, dataLen);
                }
                dataLen = 0;
                overflow = false;
                if (data.length > SHRINK_ABOVE) {
                    data = new byte[INITIAL];
                }
            }
        }
    }

    /** The object buffer's size now, for tests. */
    int bufferCapacity() {
        return data.length;
    }

    /** Ends the input; an unfinished object is dropped (it cannot be valid JSON). */
    void finish() {
        depth = 0;
        inString = false;
        escape = false;
        dataLen = 0;
        overflow = false;
    }

    private void append(byte[] b, int off, int len) {
        if (overflow || len == 0) {
            return;
        }
        if ((long) dataLen + len > maxEventBytes) {
            overflow = true;
            oversized++;
            dataLen = 0;
            if (data.length > SHRINK_ABOVE) {
                data = new byte[INITIAL]; // the rest of an oversized object is not kept: neither is its memory
            }
            return;
        }
        if (dataLen + len > data.length) {
            int cap = Math.max(INITIAL, data.length);
            while (cap < dataLen + len) {
                cap = cap > (Integer.MAX_VALUE >> 1) ? Integer.MAX_VALUE : cap << 1;
            }
            byte[] grown = new byte[Math.min(cap, Math.max(maxEventBytes, dataLen + len))];
            System.arraycopy(data, 0, grown, 0, dataLen);
            data = grown;
        }
        System.arraycopy(b, off, data, dataLen, len);
        dataLen += len;
    }
}
