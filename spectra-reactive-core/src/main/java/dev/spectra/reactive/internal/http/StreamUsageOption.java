package dev.spectra.reactive.internal.http;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * The include-usage option an integration may add to an OpenAI chat stream request (without it the stream ends
 * without usage): <code>"stream_options":{"include_usage":true}</code>, inserted right after the body's opening
 * brace, every other byte as written.
 */
final class StreamUsageOption {

    private static final byte[] STREAM_OPTIONS = "\"stream_options\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INCLUDE_USAGE = "\"stream_options\":{\"include_usage\":true}"
            .getBytes(StandardCharsets.US_ASCII);

    private StreamUsageOption() {
    }

    /**
     * The body with the option added; null when it already names {@code stream_options} or is not a JSON object.
     *
     * @param body the request body as written
     * @return a new body, or null
     */
    static byte @Nullable [] insert(byte[] body) {
        return indexOf(body, STREAM_OPTIONS) >= 0 ? null : insertAfterBrace(body);
    }

    /** {@code {...}} becomes <code>{"stream_options":{"include_usage":true},...}</code>; null when no object. */
    static byte @Nullable [] insertAfterBrace(byte[] body) {
        int open = skipWs(body, 0);
        if (open >= body.length || body[open] != '{') {
            return null;
        }
        int next = skipWs(body, open + 1);
        boolean empty = next < body.length && body[next] == '}';
        int extra = INCLUDE_USAGE.length + (empty ? 0 : 1);
        byte[] out = new byte[body.length + extra];
        System.arraycopy(body, 0, out, 0, open + 1);
        System.arraycopy(INCLUDE_USAGE, 0, out, open + 1, INCLUDE_USAGE.length);
        int at = open + 1 + INCLUDE_USAGE.length;
        if (!empty) {
            out[at++] = ',';
        }
        System.arraycopy(body, open + 1, out, at, body.length - open - 1);
        return out;
    }

    private static int skipWs(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] b, byte[] what) {
        outer:
        for (int i = 0; i <= b.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
