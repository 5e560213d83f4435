package dev.spectra.reactive.provider;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;

/**
 * The top-level members of a JSON request body that say what is asked (model, stream flag, include-usage option,
 * tier, image quality and size, speech input), read token by token ({@link JsonTokens}: the strict reader, else
 * Jackson's parser): no tree is built of the messages, whatever their size. Reads exactly what
 * {@link JsonFields#parse} and the tree accessors would: the same bytes are rejected (invalid JSON or UTF-8, a
 * number the tree could not hold, trailing tokens, the parser's limits), a member of the wrong type reads as absent,
 * and of a member given twice the last one counts.
 */
final class RequestJson {

    /** A non-empty string {@code model}, or null. */
    @Nullable String model;
    /** A boolean {@code stream}, or null. */
    @Nullable Boolean stream;
    /** A boolean {@code stream_options.include_usage}, or null. */
    @Nullable Boolean includeUsage;
    /** A non-empty string {@code service_tier}, or null. */
    @Nullable String serviceTier;
    /** A non-empty string {@code quality}, or null. */
    @Nullable String quality;
    /** A non-empty string {@code size}, or null. */
    @Nullable String size;
    /** A string {@code input} (empty included), or null. */
    @Nullable String input;

    private RequestJson() {
    }

    /**
     * Reads a body whose first non-blank byte is <code>{</code>.
     *
     * @return the members, or null when the bytes are not one JSON object
     */
    static @Nullable RequestJson read(byte[] body, int off, int len) {
        try {
            return read(new StrictJsonTokens(body, off, len));
        } catch (StrictJsonTokens.GaveUp e) {
            // Jackson's parser decides
        }
        try (JacksonJsonTokens p = new JacksonJsonTokens(body, off, len)) {
            return read(p);
        } catch (JacksonException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Reads the members from the tokens; null when they are not one JSON object. */
    static @Nullable RequestJson read(JsonTokens p) {
        RequestJson r = new RequestJson();
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "model":
                    r.model = text(p, v);
                    break;
                case "stream":
                    r.stream = bool(v);
                    break;
                case "stream_options":
                    if (v == JsonToken.START_OBJECT) {
                        r.includeUsage = includeUsage(p);
                    } else {
                        r.includeUsage = null;
                        skipIfContainer(p, v);
                    }
                    break;
                case "service_tier":
                    r.serviceTier = text(p, v);
                    break;
                case "quality":
                    r.quality = text(p, v);
                    break;
                case "size":
                    r.size = text(p, v);
                    break;
                case "input":
                    r.input = v == JsonToken.VALUE_STRING ? p.getString() : null;
                    skipIfContainer(p, v);
                    break;
                default:
                    skipIfContainer(p, v);
            }
        }
        if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
            return null; // trailing tokens after the object
        }
        return r;
    }

    /** The value as a non-empty string, or null; a container is read through. */
    private static @Nullable String text(JsonTokens p, JsonToken v) {
        if (v == JsonToken.VALUE_STRING) {
            String s = p.getSharedString(); // a model, a tier, a quality, a size: values that recur
            return s == null || s.isEmpty() ? null : s;
        }
        skipIfContainer(p, v);
        return null;
    }

    private static @Nullable Boolean bool(JsonToken v) {
        return v == JsonToken.VALUE_TRUE ? Boolean.TRUE : v == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
    }

    /** Reads the object just opened to its end: its last boolean {@code include_usage}, or null. */
    private static @Nullable Boolean includeUsage(JsonTokens p) {
        Boolean last = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            boolean member = "include_usage".equals(p.currentName());
            JsonToken v = p.nextToken();
            if (member) {
                last = bool(v);
            }
            skipIfContainer(p, v);
        }
        return last;
    }

    /** Reads through the value just read: a container to its end, a scalar checked as a tree would check it. */
    static void skipIfContainer(JsonTokens p, JsonToken v) {
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
            skip(p);
        } else {
            check(p, v);
        }
    }

    /**
     * Reads the container just opened to its end, checking every value as building a tree of it would: strings
     * decoded (their UTF-8 and length checked, without making Strings of them), decimals converted.
     */
    private static void skip(JsonTokens p) {
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IllegalArgumentException("the JSON ends inside a value");
            }
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else {
                check(p, t);
            }
        }
    }

    /** Checks a scalar value as building a tree of it would. */
    private static void check(JsonTokens p, @Nullable JsonToken t) {
        if (t != null) {
            p.checkValue();
        }
    }
}
