package dev.spectra.reactive.provider;

import java.math.BigDecimal;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAI-style {@code usage} object and its relatives, normalised: Chat Completions
 * ({@code prompt_tokens}/{@code completion_tokens}), Responses and images ({@code input_tokens}/{@code output_tokens}),
 * DeepSeek ({@code prompt_cache_hit_tokens}), Mistral ({@code num_cached_tokens}), Together and Cohere
 * ({@code cached_tokens}), OpenAI's {@code cache_write_tokens}, xAI's reasoning outside the completion count,
 * transcription's {@code seconds}, and audio tokens ({@code prompt_tokens_details.audio_tokens},
 * {@code completion_tokens_details.audio_tokens}, transcription's {@code input_token_details.audio_tokens}),
 * which are priced apart from text. Image tokens are read only for the images API
 * ({@link #readImages}): chat APIs bill image inputs as input tokens.
 */
final class OpenAiUsage {

    private OpenAiUsage() {
    }

    /**
     * The parts, or null when the object states neither input nor output, or when a member it reads as a count
     * is present but not a count: the whole usage is then unknown. Members it does not read never make it so.
     */
    static @Nullable UsageParts read(@Nullable JsonNode u) {
        return read(u, false);
    }

    /** {@link #read}, with the image tokens of an images API answer ({@link #imageTokens}) read as well. */
    static @Nullable UsageParts readImages(@Nullable JsonNode u) {
        return read(u, true);
    }

    private static @Nullable UsageParts read(@Nullable JsonNode u, boolean images) {
        if (u == null || !u.isObject()) {
            return null;
        }
        try {
            UsageParts p = parts(u);
            if (p != null && images) {
                imageTokens(u, p);
            }
            return p;
        } catch (JsonFields.MalformedCount e) {
            return null;
        }
    }

    /** The parts of a usage object; throws {@link JsonFields.MalformedCount} for a malformed count it reads. */
    private static @Nullable UsageParts parts(JsonNode u) {
        UsageParts p = new UsageParts();
        if ("duration".equals(JsonFields.text(u, "type"))) { // whisper-1: {"type":"duration","seconds":9}
            BigDecimal s = JsonFields.decimal(u, "seconds");
            if (s == null) {
                return null;
            }
            p.audioSeconds = s;
            return p;
        }
        Long input = JsonFields.count(u, "prompt_tokens");
        if (input == null) {
            input = JsonFields.count(u, "input_tokens");
        }
        Long completion = JsonFields.count(u, "completion_tokens");
        if (completion == null) {
            completion = JsonFields.count(u, "output_tokens");
        }
        if (input == null && completion == null) {
            return null;
        }
        long in = UsageParts.nz(input);
        long comp = UsageParts.nz(completion);
        JsonNode inDetails = JsonFields.obj(u, "prompt_tokens_details");
        if (inDetails == null) {
            inDetails = JsonFields.obj(u, "input_tokens_details");
        }
        if (inDetails == null) {
            inDetails = JsonFields.obj(u, "input_token_details"); // audio transcriptions spell it so
        }
        Long cached = JsonFields.count(inDetails, "cached_tokens");
        if (cached == null) {
            cached = JsonFields.count(u, "prompt_cache_hit_tokens"); // DeepSeek
        }
        if (cached == null) {
            cached = JsonFields.count(u, "num_cached_tokens"); // Mistral
        }
        if (cached == null) {
            cached = JsonFields.count(u, "cached_tokens"); // Together, Cohere
        }
        Long write = JsonFields.count(inDetails, "cache_write_tokens");
        if (write == null) {
            write = JsonFields.count(inDetails, "cache_creation_tokens");
        }
        JsonNode outDetails = JsonFields.obj(u, "completion_tokens_details");
        if (outDetails == null) {
            outDetails = JsonFields.obj(u, "output_tokens_details");
        }
        Long reasoning = JsonFields.count(outDetails, "reasoning_tokens");
        Long total = JsonFields.count(u, "total_tokens");
        p.audioIn = JsonFields.count(inDetails, "audio_tokens");
        p.audioOut = JsonFields.count(outDetails, "audio_tokens");
        p.input = in;
        p.cached = cached;
        p.cacheWrite = write;
        p.output = UsageParts.outputWithReasoning(in, comp, reasoning, total);
        p.reasoning = reasoning;
        p.total = total;
        return p;
    }

    /**
     * Image tokens of an images API answer: {@code input_tokens_details.image_tokens}, and
     * {@code output_tokens_details.image_tokens}, else every output token (the images endpoints output images
     * only). Throws {@link JsonFields.MalformedCount} for a malformed one.
     */
    private static void imageTokens(JsonNode u, UsageParts p) {
        p.imageIn = JsonFields.count(JsonFields.obj(u, "input_tokens_details"), "image_tokens");
        Long out = JsonFields.count(JsonFields.obj(u, "output_tokens_details"), "image_tokens");
        p.imageOut = out != null ? out : p.output;
    }
}
