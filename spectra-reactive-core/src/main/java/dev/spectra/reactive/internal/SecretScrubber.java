package dev.spectra.reactive.internal;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Scrubs credentials out of free text (error messages, URLs) before it is recorded: API keys in query strings,
 * bearer tokens, provider key shapes and auth header values.
 */
public final class SecretScrubber {

    /** Longest error message kept, in characters. */
    public static final int MAX_MESSAGE_LENGTH = 2000;

    private static final String R = "[REDACTED]";
    private static final Pattern QUERY_SECRET = Pattern.compile(
            "(?i)([?&;](?:key|api[_-]?key|apikey|access[_-]?token|token|sig|signature|client[_-]?secret|password)=)[^&\\s\"'#]+");
    private static final Pattern BEARER = Pattern.compile("(?i)(\\b(?:bearer|basic)\\s+)[A-Za-z0-9._~+/=-]{6,}");
    private static final Pattern HEADER = Pattern.compile(
            "(?i)((?:authorization|x-api-key|api-key|x-goog-api-key|proxy-authorization|cookie)\"?\\s*[:=]\\s*\"?)"
                    + "(?:(?:bearer|basic)\\s+)?[^\\s\",;}]+");
    private static final Pattern KEY_SHAPES = Pattern.compile(
            "\\b(?:sk-(?:ant-|proj-|svcacct-)?[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,}|gsk_[A-Za-z0-9]{20,}|xai-[A-Za-z0-9]{20,})");

    private SecretScrubber() {
    }

    /**
     * The text with credentials replaced by {@code [REDACTED]}, cut to {@value #MAX_MESSAGE_LENGTH} characters.
     *
     * @param text free text, may be null
     * @return the scrubbed text, null for null
     */
    public static @Nullable String scrub(@Nullable String text) {
        return scrub(text, MAX_MESSAGE_LENGTH);
    }

    /**
     * The text with credentials replaced by {@code [REDACTED]}, cut to {@code maxLength} characters (the last one
     * an ellipsis when cut): for longer free text than error messages, such as captured payloads.
     *
     * @param text free text, may be null
     * @param maxLength the longest result, at least 1
     * @return the scrubbed text, null for null
     * @throws IllegalArgumentException when maxLength is less than 1
     */
    public static @Nullable String scrub(@Nullable String text, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be at least 1, was " + maxLength);
        }
        if (text == null) {
            return null;
        }
        long window = Math.min(Integer.MAX_VALUE, (long) maxLength * 2);
        String s = text.length() > window ? text.substring(0, (int) window) : text;
        s = QUERY_SECRET.matcher(s).replaceAll("$1" + R);
        s = HEADER.matcher(s).replaceAll("$1" + R);
        s = BEARER.matcher(s).replaceAll("$1" + R);
        s = KEY_SHAPES.matcher(s).replaceAll(R);
        return s.length() > maxLength ? s.substring(0, maxLength - 1) + "…" : s;
    }

    /**
     * A URL's path without query string or fragment (Gemini sends the API key as {@code ?key=}).
     *
     * @param pathAndQuery a path, possibly with {@code ?query} or {@code #fragment}
     * @return the path alone
     */
    public static String pathOnly(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        int h = pathAndQuery.indexOf('#');
        int end = q < 0 ? h : h < 0 ? q : Math.min(q, h);
        return end < 0 ? pathAndQuery : pathAndQuery.substring(0, end);
    }
}
