package dev.spectra.reactive.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * Finds, in a JSON request body of any size fed in pieces, the few top-level values tracking needs:
 * {@code model}, {@code stream}, {@code service_tier} and {@code stream_options.include_usage}. Constant memory
 * (a key and a value of at most {@value #MAX_VALUE} bytes), no parse tree, nothing kept of the input: the fallback
 * of {@link HttpCallObserver} for bodies larger than the copy it reads whole.
 *
 * <p>A tokenizer only: it tracks strings, escapes and nesting, and is not a validator. A body that is not a JSON
 * object gives nothing. Used by one thread at a time.
 */
final class RequestScanner {

    static final int MAX_VALUE = 256;
    private static final int MAX_KEY = 32;
    private static final int MAX_DEPTH = 62;

    private static final int START = 0;
    private static final int SCANNING = 1;
    private static final int NOT_JSON = 2;

    private int state = START;
    private int depth;
    private long objects; // bit d set: the container at depth d is an object (depth <= MAX_DEPTH)
    private boolean expectKey;
    private boolean inString;
    private boolean escape;
    private boolean stringIsKey;

    private final byte[] key = new byte[MAX_KEY];
    private int keyLen;
    private boolean keyOverflow;
    private int key1 = -1; // the top-level key whose value comes next (an index into KEYS), or -1
    private boolean inStreamOptions; // depth 2 is the object of stream_options
    private int key2 = -1;

    private final byte[] value = new byte[MAX_VALUE];
    private int valueLen;
    private int capturing = -1; // KEYS index of the value being captured, or -1
    private boolean capturingString;

    private static final byte[][] KEYS = {ascii("model"), ascii("stream"), ascii("service_tier"),
            ascii("stream_options"), ascii("include_usage")};
    private static final int MODEL = 0;
    private static final int STREAM = 1;
    private static final int TIER = 2;
    private static final int STREAM_OPTIONS = 3;
    private static final int INCLUDE_USAGE = 4;

    private final @Nullable String[] found = new String[KEYS.length];

    void feed(byte[] b, int off, int len) {
        for (int i = off, end = off + len; i < end && state != NOT_JSON; i++) {
            step(b[i]);
        }
    }

    /** Reads {@code b[from..to)} with absolute gets; the buffer's position and limit are left alone. */
    void feed(ByteBuffer b, int from, int to) {
        for (int i = from; i < to && state != NOT_JSON; i++) {
            step(b.get(i));
        }
    }

    private void step(byte c) {
        if (state == START) {
            if (isWs(c)) {
                return;
            }
            if (c != '{') {
                state = NOT_JSON;
                return;
            }
            state = SCANNING;
        }
        if (inString) {
            inString(c);
            return;
        }
        if (capturing >= 0 && !capturingString) {
            if (c == ',' || c == '}' || c == ']' || isWs(c)) {
                endValue();
            } else {
                append(c);
                return;
            }
        }
        switch (c) {
            case '"':
                inString = true;
                stringIsKey = expectKey && isObject(depth);
                if (stringIsKey) {
                    keyLen = 0;
                    keyOverflow = false;
                } else if (pendingKey() >= 0) {
                    startValue(true);
                }
                break;
            case '{':
            case '[':
                if (depth == 1 && key1 == STREAM_OPTIONS && c == '{') {
                    inStreamOptions = true;
                }
                depth++;
                if (depth <= MAX_DEPTH) {
                    objects = c == '{' ? objects | (1L << depth) : objects & ~(1L << depth);
                }
                expectKey = c == '{';
                clearPending();
                break;
            case '}':
            case ']':
                if (depth == 2) {
                    inStreamOptions = false;
                }
                depth--;
                expectKey = false;
                clearPending();
                break;
            case ',':
                expectKey = isObject(depth);
                clearPending();
                break;
            case ':':
                expectKey = false;
                break;
            default:
                if (!isWs(c) && pendingKey() >= 0) {
                    startValue(false);
                    append(c);
                }
        }
    }

    private void inString(byte c) {
        if (escape) {
            escape = false;
            record(c);
            return;
        }
        if (c == '\\') {
            escape = true;
            record(c);
            return;
        }
        if (c != '"') {
            record(c);
            return;
        }
        inString = false;
        if (stringIsKey) {
            int k = keyOverflow ? -1 : keyIndex();
            if (depth == 1) {
                key1 = k;
            } else if (depth == 2 && inStreamOptions) {
                key2 = k == INCLUDE_USAGE ? k : -1;
            }
        } else if (capturing >= 0) {
            append(c);
            endValue();
        }
    }

    private void record(byte c) {
        if (stringIsKey) {
            if (keyLen < MAX_KEY) {
                key[keyLen++] = c;
            } else {
                keyOverflow = true;
            }
        } else if (capturing >= 0) {
            append(c);
        }
    }

    /** The key whose value comes next, when it is one we want at this depth. */
    private int pendingKey() {
        if (depth == 1 && key1 >= 0 && key1 != STREAM_OPTIONS && key1 != INCLUDE_USAGE) {
            return key1;
        }
        if (depth == 2 && inStreamOptions && key2 == INCLUDE_USAGE) {
            return key2;
        }
        return -1;
    }

    private void startValue(boolean string) {
        capturing = pendingKey();
        capturingString = string;
        valueLen = 0;
        if (string) {
            append((byte) '"');
        }
    }

    private void append(byte c) {
        if (valueLen < MAX_VALUE) {
            value[valueLen++] = c;
        } else {
            capturing = -1; // too long to be a model name or a flag: not kept
        }
    }

    private void endValue() {
        if (capturing >= 0 && found[capturing] == null) {
            found[capturing] = new String(value, 0, valueLen, StandardCharsets.UTF_8);
        }
        capturing = -1;
        clearPending();
    }

    private void clearPending() {
        if (depth <= 1) {
            key1 = -1;
        }
        key2 = -1;
    }

    private boolean isObject(int d) {
        return d > 0 && d <= MAX_DEPTH && (objects & (1L << d)) != 0;
    }

    private int keyIndex() {
        outer:
        for (int k = 0; k < KEYS.length; k++) {
            byte[] want = KEYS[k];
            if (want.length != keyLen) {
                continue;
            }
            for (int i = 0; i < keyLen; i++) {
                if (want[i] != key[i]) {
                    continue outer;
                }
            }
            return k;
        }
        return -1;
    }

    /**
     * A small JSON object with what was found, each value as it was written (strings with their quotes), for
     * {@code EndpointMatch.readRequest} to read as it reads any request; null when the body was no JSON object.
     */
    byte @Nullable [] summary() {
        if (state != SCANNING) {
            return null;
        }
        if (capturing >= 0 && !capturingString) {
            endValue(); // a literal at the very end of a truncated body
        }
        StringBuilder json = new StringBuilder("{");
        add(json, "model", found[MODEL]);
        add(json, "stream", found[STREAM]);
        add(json, "service_tier", found[TIER]);
        if (found[INCLUDE_USAGE] != null) {
            add(json, "stream_options", "{\"include_usage\":" + found[INCLUDE_USAGE] + "}");
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void add(StringBuilder json, String name, @Nullable String raw) {
        if (raw == null) {
            return;
        }
        if (json.length() > 1) {
            json.append(',');
        }
        json.append('"').append(name).append("\":").append(raw);
    }

    private static boolean isWs(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
