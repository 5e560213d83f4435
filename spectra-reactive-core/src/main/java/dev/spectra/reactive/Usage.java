package dev.spectra.reactive;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What one call consumed: tokens, and for APIs billed by other units, images, audio seconds or characters.
 *
 * <p>Token semantics follow OpenTelemetry's GenAI conventions whatever the provider says:
 * <ul>
 *   <li>{@code inputTokens} counts <em>all</em> input, cache reads and cache writes included;
 *       {@code cachedInputTokens} and {@code cacheWriteTokens} are subsets of it. (OpenAI's
 *       {@code prompt_tokens} is already inclusive; Anthropic's {@code input_tokens} is not, and is normalised
 *       by adding its cache fields before it gets here.)</li>
 *   <li>{@code reasoningTokens} is a subset of {@code outputTokens}.</li>
 *   <li>{@code totalTokens} is what the provider reported as its total, else input + output.</li>
 * </ul>
 * A call whose usage is not known has no {@code Usage} at all ({@link TrackedRequest#usage()} is null), never a
 * {@code Usage} of zeros.
 *
 * @param inputTokens all input tokens, cached reads and cache writes included
 * @param outputTokens all output tokens, reasoning included
 * @param cachedInputTokens input tokens read from the provider's prompt cache (subset of input)
 * @param cacheWriteTokens input tokens written to the provider's prompt cache (subset of input)
 * @param reasoningTokens output tokens spent on reasoning (subset of output)
 * @param totalTokens the provider's total, or input + output
 * @param images images generated (image APIs), else 0
 * @param audioSeconds seconds of audio transcribed or produced (audio APIs), else 0
 * @param characters characters of input billed by character (speech APIs), else 0
 * @since 0.1
 */
public record Usage(long inputTokens, long outputTokens, long cachedInputTokens, long cacheWriteTokens,
                    long reasoningTokens, long totalTokens, long images, BigDecimal audioSeconds,
                    long characters) {

    /**
     * Checks the invariants above.
     *
     * @param inputTokens all input tokens, cached reads and cache writes included
     * @param outputTokens all output tokens, reasoning included
     * @param cachedInputTokens input tokens read from the provider's prompt cache (subset of input)
     * @param cacheWriteTokens input tokens written to the provider's prompt cache (subset of input)
     * @param reasoningTokens output tokens spent on reasoning (subset of output)
     * @param totalTokens the provider's total, or input + output
     * @param images images generated (image APIs), else 0
     * @param audioSeconds seconds of audio transcribed or produced (audio APIs), else 0
     * @param characters characters of input billed by character (speech APIs), else 0
     * @throws IllegalArgumentException naming the field when a count is negative or a subset exceeds its whole
     */
    public Usage {
        Objects.requireNonNull(audioSeconds, "audioSeconds");
        requireNonNegative("inputTokens", inputTokens);
        requireNonNegative("outputTokens", outputTokens);
        requireNonNegative("cachedInputTokens", cachedInputTokens);
        requireNonNegative("cacheWriteTokens", cacheWriteTokens);
        requireNonNegative("reasoningTokens", reasoningTokens);
        requireNonNegative("totalTokens", totalTokens);
        requireNonNegative("images", images);
        requireNonNegative("characters", characters);
        if (audioSeconds.signum() < 0) {
            throw new IllegalArgumentException("usage audioSeconds must not be negative, was " + audioSeconds);
        }
        if (cachedInputTokens + cacheWriteTokens > inputTokens) {
            throw new IllegalArgumentException("usage cachedInputTokens (" + cachedInputTokens
                    + ") + cacheWriteTokens (" + cacheWriteTokens + ") must not exceed inputTokens (" + inputTokens
                    + "): input counts cache reads and writes");
        }
        if (reasoningTokens > outputTokens) {
            throw new IllegalArgumentException("usage reasoningTokens (" + reasoningTokens
                    + ") must not exceed outputTokens (" + outputTokens + "): output counts reasoning");
        }
    }

    /**
     * Token usage without cache or reasoning detail; total is input + output.
     *
     * @param inputTokens all input tokens
     * @param outputTokens all output tokens
     * @return the usage
     */
    public static Usage of(long inputTokens, long outputTokens) {
        return new Usage(inputTokens, outputTokens, 0, 0, 0, inputTokens + outputTokens, 0, BigDecimal.ZERO, 0);
    }

    /**
     * A builder; every count starts at 0 and the total, unless set, is input + output.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this usage's values.
     *
     * @return a builder to derive a changed copy
     */
    public Builder toBuilder() {
        Builder b = new Builder().inputTokens(inputTokens).outputTokens(outputTokens)
                .cachedInputTokens(cachedInputTokens).cacheWriteTokens(cacheWriteTokens)
                .reasoningTokens(reasoningTokens).images(images).audioSeconds(audioSeconds).characters(characters);
        if (totalTokens != inputTokens + outputTokens) {
            b.totalTokens(totalTokens);
        }
        return b;
    }

    /**
     * Input tokens billed at the plain input price: input minus cache reads and cache writes.
     *
     * @return the uncached input tokens
     */
    public long uncachedInputTokens() {
        return inputTokens - cachedInputTokens - cacheWriteTokens;
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("usage " + name + " must not be negative, was " + value);
        }
    }

    /** Builds a {@link Usage}; see the record for what each count means. */
    public static final class Builder {
        private long inputTokens;
        private long outputTokens;
        private long cachedInputTokens;
        private long cacheWriteTokens;
        private long reasoningTokens;
        private long totalTokens = -1;
        private long images;
        private BigDecimal audioSeconds = BigDecimal.ZERO;
        private long characters;

        private Builder() {
        }

        /**
         * @param v all input tokens, cache reads and writes included
         * @return this builder
         */
        public Builder inputTokens(long v) {
            this.inputTokens = v;
            return this;
        }

        /**
         * @param v all output tokens, reasoning included
         * @return this builder
         */
        public Builder outputTokens(long v) {
            this.outputTokens = v;
            return this;
        }

        /**
         * @param v input tokens read from the prompt cache
         * @return this builder
         */
        public Builder cachedInputTokens(long v) {
            this.cachedInputTokens = v;
            return this;
        }

        /**
         * @param v input tokens written to the prompt cache
         * @return this builder
         */
        public Builder cacheWriteTokens(long v) {
            this.cacheWriteTokens = v;
            return this;
        }

        /**
         * @param v output tokens spent on reasoning
         * @return this builder
         */
        public Builder reasoningTokens(long v) {
            this.reasoningTokens = v;
            return this;
        }

        /**
         * @param v the provider's own total; when not set, input + output
         * @return this builder
         */
        public Builder totalTokens(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("usage totalTokens must not be negative, was " + v);
            }
            this.totalTokens = v;
            return this;
        }

        /**
         * @param v images generated
         * @return this builder
         */
        public Builder images(long v) {
            this.images = v;
            return this;
        }

        /**
         * @param v seconds of audio
         * @return this builder
         */
        public Builder audioSeconds(BigDecimal v) {
            this.audioSeconds = Objects.requireNonNull(v, "audioSeconds");
            return this;
        }

        /**
         * @param v characters billed
         * @return this builder
         */
        public Builder characters(long v) {
            this.characters = v;
            return this;
        }

        /**
         * @return the usage
         * @throws IllegalArgumentException when the counts break the record's invariants
         */
        public Usage build() {
            long total = totalTokens >= 0 ? totalTokens : inputTokens + outputTokens;
            return new Usage(inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens, reasoningTokens, total,
                    images, audioSeconds, characters);
        }
    }
}
