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
     * Where the counts of a usage object are read from: its tree ({@link Tree}), or a streaming read that kept the
     * members {@link #counts} asks for ({@link JsonAnswer}).
     */
    interface Source {
        /**
         * @param member a count member
         * @return its count, or null when absent
         * @throws JsonFields.MalformedCount when present but not a count
         */
        @Nullable Long count(String member);

        /**
         * @param member a details member
         * @return its object, or null when absent or not an object
         */
        @Nullable Source object(String member);
    }

    /** A usage object's tree as a {@link Source}. */
    private record Tree(JsonNode node) implements Source {
        @Override
        public @Nullable Long count(String member) {
            return JsonFields.count(node, member);
        }

        @Override
        public @Nullable Source object(String member) {
            JsonNode o = JsonFields.obj(node, member);
            return o == null ? null : new Tree(o);
        }
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
        if ("duration".equals(JsonFields.text(u, "type"))) { // whisper-1: {"type":"duration","seconds":9}
            BigDecimal s = JsonFields.decimal(u, "seconds");
            if (s == null) {
                return null;
            }
            UsageParts p = new UsageParts();
            p.audioSeconds = s;
            return p;
        }
        return counts(new Tree(u));
    }

    /**
     * The token counts of a usage object, wherever they are read from: which member stands in for which, and in
     * what order they are read (a malformed count makes the usage unknown only when it is read).
     *
     * @return the parts, or null when the object states neither input nor output
     * @throws JsonFields.MalformedCount for a malformed count it reads
     */
    static @Nullable UsageParts counts(Source u) {
        Long input = u.count("prompt_tokens");
        if (input == null) {
            input = u.count("input_tokens");
        }
        Long completion = u.count("completion_tokens");
        if (completion == null) {
            completion = u.count("output_tokens");
        }
        if (input == null && completion == null) {
            return null;
        }
        long in = UsageParts.nz(input);
        long comp = UsageParts.nz(completion);
        Source inDetails = u.object("prompt_tokens_details");
        if (inDetails == null) {
            inDetails = u.object("input_tokens_details");
        }
        if (inDetails == null) {
            inDetails = u.object("input_token_details"); // audio transcriptions spell it so
        }
        Long cached = count(inDetails, "cached_tokens");
        if (cached == null) {
            cached = u.count("prompt_cache_hit_tokens"); // DeepSeek
        }
        if (cached == null) {
            cached = u.count("num_cached_tokens"); // Mistral
        }
        if (cached == null) {
            cached = u.count("cached_tokens"); // Together, Cohere
        }
        Long write = count(inDetails, "cache_write_tokens");
        if (write == null) {
            write = count(inDetails, "cache_creation_tokens");
        }
        Source outDetails = u.object("completion_tokens_details");
        if (outDetails == null) {
            outDetails = u.object("output_tokens_details");
        }
        Long reasoning = count(outDetails, "reasoning_tokens");
        Long total = u.count("total_tokens");
        UsageParts p = new UsageParts();
        p.audioIn = count(inDetails, "audio_tokens");
        p.audioOut = count(outDetails, "audio_tokens");
        p.input = in;
        p.cached = cached;
        p.cacheWrite = write;
        p.output = UsageParts.outputWithReasoning(in, comp, reasoning, total);
        p.reasoning = reasoning;
        p.total = total;
        return p;
    }

    private static @Nullable Long count(@Nullable Source details, String member) {
        return details == null ? null : details.count(member);
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
