package dev.spectra.reactive.provider;

import java.util.Objects;

import dev.spectra.reactive.ModelType;

/**
 * A trackable endpoint of a provider: a path pattern, what the call does, the kind of model it serves and the
 * wire format of its answers.
 *
 * <p>Pattern syntax: segments separated by {@code /}; {@code {name}} matches one segment (or a part of one, as in
 * Gemini's {@code {model}:generateContent}) and is captured; a leading {@code **} matches any number of leading
 * segments (for gateways that mount an API under a prefix). Matching ignores the query string and a trailing
 * slash. The captured {@code model} parameter (Gemini) and {@code deployment} parameter (Azure) name the model
 * when the request body does not.
 *
 * @param pattern the path pattern, e.g. {@code /v1/chat/completions} or {@code /{version}/models/{model}:generateContent}
 * @param operation what the call does, as stored: {@code chat}, {@code responses}, {@code messages},
 *        {@code generate_content}, {@code embeddings}, {@code images}, {@code audio_transcription} ...
 * @param modelType the kind of model the endpoint serves
 * @param format the wire format of its answers
 * @param streamsByDefault whether a request that does not say {@code "stream"} streams anyway (Ollama's native
 *        API; Gemini's {@code streamGenerateContent})
 * @since 0.1
 */
public record Endpoint(String pattern, String operation, ModelType modelType, WireFormat format,
                       boolean streamsByDefault) {

    /**
     * Checks the pattern.
     *
     * @param pattern the path pattern, e.g. {@code /v1/chat/completions} or {@code /{version}/models/{model}:generateContent}
     * @param operation what the call does, as stored: {@code chat}, {@code responses}, {@code messages}, {@code generate_content}, {@code embeddings}, {@code images}, {@code audio_transcription} ...
     * @param modelType the kind of model the endpoint serves
     * @param format the wire format of its answers
     * @param streamsByDefault whether a request that does not say {@code "stream"} streams anyway (Ollama's native API; Gemini's {@code streamGenerateContent})
     * @throws IllegalArgumentException when the pattern does not start with {@code /} or {@code **}/, or has an
     * unclosed brace
     */
    public Endpoint {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(format, "format");
        if (!pattern.startsWith("/") && !pattern.startsWith("**/")) {
            throw new IllegalArgumentException("endpoint pattern \"" + pattern + "\" must start with / or **/");
        }
        int open = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '{') {
                open++;
            } else if (c == '}') {
                open--;
            }
            if (open < 0 || open > 1) {
                break;
            }
        }
        if (open != 0) {
            throw new IllegalArgumentException("endpoint pattern \"" + pattern + "\" has unbalanced braces");
        }
    }

    /**
     * An endpoint whose requests stream only when their body says {@code "stream": true}.
     *
     * @param pattern the path pattern
     * @param operation the operation name
     * @param modelType the kind of model
     * @param format the wire format
     * @return the endpoint
     */
    public static Endpoint of(String pattern, String operation, ModelType modelType, WireFormat format) {
        return new Endpoint(pattern, operation, modelType, format, false);
    }

    /**
     * This endpoint, streaming unless the request says {@code "stream": false}.
     *
     * @return a copy that streams by default
     */
    public Endpoint streamingByDefault() {
        return new Endpoint(pattern, operation, modelType, format, true);
    }
}
