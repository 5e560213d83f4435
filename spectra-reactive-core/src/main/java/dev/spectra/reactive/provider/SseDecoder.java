package dev.spectra.reactive.provider;

/**
 * Incremental decoder of a {@code text/event-stream} (the WHATWG Server-Sent Events format) over byte chunks.
 *
 * <ul>
 *   <li>Lines may end with CR, LF or CRLF, and a CRLF may be split across chunks.</li>
 *   <li>{@code data:} lines of one event are joined with LF; one space after the colon is dropped.</li>
 *   <li>{@code event:} sets the event name; {@code id:}, {@code retry:} and unknown fields are ignored;
 *       lines starting with {@code :} are comments (OpenRouter's {@code : OPENROUTER PROCESSING}).</li>
 *   <li>A blank line dispatches the event when it has data. A UTF-8 byte order mark at the start is skipped.</li>
 *   <li>Bytes are never decoded to characters here, so a multi-byte character split across chunks needs no
 *       care; the JSON parser decodes a whole payload once.</li>
 *   <li>Events that cannot matter are not buffered: once an event's payload reaches {@value #PROBE} bytes, the
 *       sink is asked ({@link EventSink#skip}) whether its first bytes already rule it out (a typed event such as
 *       a streamed partial image or an audio delta); if so the rest of it is not copied, and it is counted as an
 *       event but not dispatched.</li>
 *   <li>Memory is bounded: an event whose payload exceeds {@code maxEventBytes} is skipped (counted in
 *       {@link #oversized()}) while the decoder keeps reading up to its end, and the buffer it filled is dropped
 *       at once. The buffer grows on demand, to at most {@code maxEventBytes} while an event that cannot be ruled
 *       out from its start is buffered whole, and
 *       shrinks back to {@value #INITIAL} bytes only after {@value #SHRINK_AFTER} events in a row have fitted in
 *       {@value #SHRINK_ABOVE} bytes (no reallocation per event on a stream of large events).</li>
 * </ul>
 * The decoder reads the caller's arrays and never writes or keeps them. Not thread-safe.
 */
final class SseDecoder {

    static final int INITIAL = 512;
    static final int SHRINK_ABOVE = 64 * 1024;
    static final int SHRINK_AFTER = 32;
    static final int PROBE = 256;
    private static final int MAX_NAME = 128;
    /** The length of {@code data:}, the field name and colon most lines start with. */
    private static final int DATA_FIELD = 5;

    private static final int LINE_START = 0;
    private static final int FIELD = 1;
    private static final int VALUE_START = 2;
    private static final int VALUE = 3;
    private static final int IGNORE = 4;

    private static final int T_NONE = 0;
    private static final int T_DATA = 1;
    private static final int T_EVENT = 2;

    private final EventSink sink;
    private final int maxEventBytes;

    private byte[] data = new byte[0];
    private int dataLen;
    private boolean hasData;
    private boolean overflow;
    private boolean skipping;
    private boolean probed;
    private int smallEvents;
    private final byte[] name = new byte[MAX_NAME];
    private int nameLen;
    private final byte[] field = new byte[5];
    private int fieldLen;
    private boolean fieldTooLong;
    private int state = LINE_START;
    private int target = T_NONE;
    private boolean afterCr;
    private int bomSeen;
    private boolean started;

    private long events;
    private long oversized;

    SseDecoder(EventSink sink, int maxEventBytes) {
        this.sink = sink;
        this.maxEventBytes = maxEventBytes;
    }

    /** Events dispatched so far. */
    long events() {
        return events;
    }

    /** Events skipped because they exceeded the size bound. */
    long oversized() {
        return oversized;
    }

    /**
     * Decodes more bytes.
     *
     * @param b the bytes, read only
     * @param off first byte
     * @param len number of bytes
     */
    void feed(byte[] b, int off, int len) {
        int i = off;
        final int end = off + len;
        if (!started) {
            i = skipBom(b, i, end);
        }
        while (i < end) {
            byte c = b[i];
            if (c == '\n' || c == '\r') {
                if (c == '\n' && afterCr) {
                    afterCr = false;
                    i++;
                    continue;
                }
                endOfLine();
                afterCr = c == '\r';
                i++;
                continue;
            }
            afterCr = false;
            switch (state) {
                case LINE_START:
                    if (c == ':') {
                        state = IGNORE;
                    } else if (c == 'd' && i + DATA_FIELD <= end && b[i + 1] == 'a' && b[i + 2] == 't'
                            && b[i + 3] == 'a' && b[i + 4] == ':') { // the usual line, its field name read at once
                        beginData();
                        state = VALUE_START;
                        i += DATA_FIELD;
                        break;
                    } else {
                        fieldLen = 0;
                        fieldTooLong = false;
                        addFieldByte(c);
                        state = FIELD;
                    }
                    i++;
                    break;
                case FIELD:
                    if (c == ':') {
                        beginValue();
                        state = VALUE_START;
                    } else {
                        addFieldByte(c);
                    }
                    i++;
                    break;
                case VALUE_START:
                    state = VALUE;
                    if (c == ' ') {
                        i++;
                    }
                    break;
                default: { // VALUE or IGNORE: copy or skip the run up to the end of the line
                    int j = ByteScan.nextLineEnd(b, i, end);
                    if (state == VALUE) {
                        if (target == T_DATA) {
                            appendData(b, i, j - i);
                        } else if (target == T_EVENT) {
                            appendName(b, i, j - i);
                        }
                    }
                    i = j;
                }
            }
        }
    }

    /**
     * Hands the event still open (its blank line has not come yet) to {@code peek} as it is so far, without
     * changing the decoder: the stream goes on as if nothing was asked.
     *
     * @param peek receives the open event, if there is one with data
     * @return whether there was one
     */
    boolean peek(EventSink peek) {
        if (!hasData || overflow || skipping) {
            return false;
        }
        peek.onEvent(name, nameLen, data, dataLen);
        return true;
    }

    /**
     * Ends the input: an event still open (its blank line never came) is dispatched as it is. The JSON parser
     * decides whether it was complete. The decoder is reset and can take a new stream.
     */
    void finish() {
        if (state == FIELD) {
            beginValue();
        }
        dispatch();
        state = LINE_START;
        target = T_NONE;
        afterCr = false;
    }

    private int skipBom(byte[] b, int i, int end) {
        while (i < end && !started) {
            byte expected = bomSeen == 0 ? (byte) 0xEF : bomSeen == 1 ? (byte) 0xBB : (byte) 0xBF;
            if (b[i] == expected) {
                bomSeen++;
                i++;
                if (bomSeen == 3) {
                    started = true;
                }
            } else {
                started = true;
            }
        }
        return i;
    }

    private void endOfLine() {
        switch (state) {
            case LINE_START:
                dispatch();
                break;
            case FIELD:
                beginValue(); // a field name alone: its value is empty
                break;
            default:
                break;
        }
        state = LINE_START;
        target = T_NONE;
    }

    private void addFieldByte(byte c) {
        if (fieldLen < field.length) {
            field[fieldLen++] = c;
        } else {
            fieldTooLong = true;
        }
    }

    private void beginValue() {
        target = T_NONE;
        if (fieldTooLong) {
            return;
        }
        if (fieldLen == 4 && field[0] == 'd' && field[1] == 'a' && field[2] == 't' && field[3] == 'a') {
            beginData();
        } else if (fieldLen == 5 && field[0] == 'e' && field[1] == 'v' && field[2] == 'e' && field[3] == 'n'
                && field[4] == 't') {
            target = T_EVENT;
            nameLen = 0;
        }
    }

    /** A {@code data:} field starts: its value is appended to the event's data, after a LF when it has some. */
    private void beginData() {
        target = T_DATA;
        if (hasData) {
            appendByte((byte) '\n');
        }
        hasData = true;
    }

    private void appendName(byte[] b, int off, int len) {
        int n = Math.min(len, MAX_NAME - nameLen);
        System.arraycopy(b, off, name, nameLen, n);
        nameLen += n;
    }

    private void appendByte(byte c) {
        if (overflow || skipping) {
            return;
        }
        if (dataLen + 1 > maxEventBytes) {
            overflow();
            return;
        }
        ensure(dataLen + 1);
        data[dataLen++] = c;
    }

    private void appendData(byte[] b, int off, int len) {
        if (overflow || skipping || len == 0) {
            return;
        }
        if (!probed && dataLen + len >= PROBE) {
            int head = PROBE - dataLen; // buffer only up to the probe size, then ask
            copy(b, off, head);
            probed = true;
            if (sink.skip(name, nameLen, data, dataLen)) {
                skipping = true;
                dataLen = 0;
                return;
            }
            off += head;
            len -= head;
            if (len == 0) {
                return;
            }
        }
        if ((long) dataLen + len > maxEventBytes) {
            overflow();
            return;
        }
        copy(b, off, len);
    }

    private void copy(byte[] b, int off, int len) {
        ensure(dataLen + len);
        System.arraycopy(b, off, data, dataLen, len);
        dataLen += len;
    }

    private void overflow() {
        overflow = true;
        oversized++;
        dataLen = 0;
        if (data.length > SHRINK_ABOVE) {
            data = new byte[INITIAL]; // the rest of an oversized event is not kept: neither is its memory
        }
    }

    /** The event buffer's size now, for tests. */
    int bufferCapacity() {
        return data.length;
    }

    private void ensure(int needed) {
        if (needed > data.length) {
            int cap = Math.max(INITIAL, data.length);
            while (cap < needed) {
                cap = cap > (Integer.MAX_VALUE >> 1) ? Integer.MAX_VALUE : cap << 1;
            }
            byte[] grown = new byte[Math.min(cap, Math.max(maxEventBytes, needed))];
            System.arraycopy(data, 0, grown, 0, dataLen);
            data = grown;
        }
    }

    private void dispatch() {
        if (hasData && skipping) {
            events++; // an event, ruled out from its start
        } else if (hasData && !overflow) {
            events++;
            sink.onEvent(name, nameLen, data, dataLen);
        }
        boolean small = dataLen <= SHRINK_ABOVE;
        hasData = false;
        overflow = false;
        skipping = false;
        probed = false;
        dataLen = 0;
        nameLen = 0;
        if (data.length > SHRINK_ABOVE) {
            smallEvents = small ? smallEvents + 1 : 0;
            if (smallEvents >= SHRINK_AFTER) {
                data = new byte[INITIAL];
                smallEvents = 0;
            }
        }
    }
}
