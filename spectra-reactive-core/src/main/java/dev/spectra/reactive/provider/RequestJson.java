package dev.spectra.reactive.provider;

import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonToken;

/**
 * What a JSON request body asks (model, stream flag, include-usage option, tier, image quality and size, speech
 * input), read from its top-level members token by token ({@link JsonTokens}: the strict reader, else Jackson's
 * parser): no tree is built of the messages, whatever their size. Reads exactly what {@link JsonFields#parse} and
 * the tree accessors would: the same bytes are rejected (invalid JSON or UTF-8, a number the tree could not hold,
 * trailing tokens, the parser's limits), a member of the wrong type reads as absent, and of a member given twice
 * the last one counts.
 */
final class RequestJson {

    private RequestJson() {
    }

    /**
     * Reads a body whose first non-blank byte is <code>{</code>.
     *
     * @param endpoint the endpoint: the path's model and its streaming default stand for what the body does not
     *        say, and its model type decides which members count (an image request's quality and size, a speech
     *        request's input)
     * @return what the request says, or null when the bytes are not one JSON object (or cannot be read)
     */
    static @Nullable RequestDetails read(byte[] body, int off, int len, EndpointMatch endpoint) {
        return JsonTokens.read(body, off, len, endpoint, RequestJson::read);
    }

    /** Reads the members from the tokens; null when they are not one JSON object. */
    static @Nullable RequestDetails read(JsonTokens p, EndpointMatch endpoint) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String model = null;
        Boolean stream = null;
        Boolean includeUsage = null;
        String serviceTier = null;
        String quality = null;
        String size = null;
        String input = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "model":
                    model = text(p, v);
                    break;
                case "stream":
                    stream = bool(v);
                    break;
                case "stream_options":
                    if (v == JsonToken.START_OBJECT) {
                        includeUsage = includeUsage(p);
                    } else {
                        includeUsage = null;
                        skipIfContainer(p, v);
                    }
                    break;
                case "service_tier":
                    serviceTier = text(p, v);
                    break;
                case "quality":
                    quality = text(p, v);
                    break;
                case "size":
                    size = text(p, v);
                    break;
                case "input":
                    input = v == JsonToken.VALUE_STRING ? p.getString() : null;
                    skipIfContainer(p, v);
                    break;
                default:
                    skipIfContainer(p, v);
            }
        }
        if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
            return null; // trailing tokens after the object
        }
        ModelType type = endpoint.endpoint().modelType();
        boolean image = type == ModelType.IMAGE;
        Usage usage = type == ModelType.TTS && input != null
                ? Usage.builder().characters(input.codePointCount(0, input.length())).build() : null;
        return new RequestDetails(model != null ? model : endpoint.pathModel(),
                stream != null ? stream : endpoint.endpoint().streamsByDefault(), includeUsage,
                DetailsBuilder.servedTier(serviceTier), usage, image ? quality : null, image ? size : null);
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
