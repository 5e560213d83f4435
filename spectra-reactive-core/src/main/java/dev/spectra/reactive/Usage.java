package dev.spectra.reactive;

import java.math.BigDecimal;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

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
 *   <li>{@code cacheWrite1hTokens} is the part of {@code cacheWriteTokens} written with a one-hour lifetime
 *       (Anthropic's {@code cache_creation.ephemeral_1h_input_tokens}, billed at a higher rate than the default
 *       five-minute writes); the rest of {@code cacheWriteTokens} are five-minute (default) writes.</li>
 *   <li>{@code audioInputTokens} and {@code imageInputTokens} are the parts of {@code inputTokens} that were
 *       audio and image tokens (cached or not); together they do not exceed the input. The rest of the input is
 *       text.</li>
 *   <li>{@code audioOutputTokens} and {@code imageOutputTokens} are the parts of {@code outputTokens} that were
 *       audio and image tokens; with {@code reasoningTokens} they do not exceed the output.</li>
 *   <li>{@code totalTokens} is what the provider reported as its total, else input + output.</li>
 * </ul>
 * Modalities and cache lifetimes matter because providers price them apart: an audio token costs several times
 * a text token.
 * A call whose usage is not known has no {@code Usage} at all ({@link TrackedRequest#usage()} is null), never a
 * {@code Usage} of zeros.
 *
 * <p><b>Stated or not.</b> Input, output and total are always known when a {@code Usage} exists (a side the provider
 * does not count, such as the output of an embedding, is 0). Every other count is a {@link Detail}: the provider
 * either stated it, possibly as 0, or said nothing about it. {@link #stated()} holds the details that were stated;
 * the accessor of a detail that was not stated returns 0, so arithmetic (and pricing) needs no special case, while
 * the record's columns, its JSON and its exports show {@code null} for it: "the provider said 0 cached tokens" and
 * "the provider said nothing about caching" stay apart. A detail with a non-zero count is stated by definition.
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
 * @param cacheWrite1hTokens cache writes with a one-hour lifetime (subset of cacheWriteTokens)
 * @param audioInputTokens audio tokens of the input (subset of input)
 * @param audioOutputTokens audio tokens of the output (subset of output)
 * @param imageInputTokens image tokens of the input (subset of input)
 * @param imageOutputTokens image tokens of the output (subset of output)
 * @param stated the details the provider (or the caller) stated, 0 included; the others read 0 but are unknown
 * @since 0.1
 */
public record Usage(long inputTokens, long outputTokens, long cachedInputTokens, long cacheWriteTokens,
                    long reasoningTokens, long totalTokens, long images, BigDecimal audioSeconds,
                    long characters, long cacheWrite1hTokens, long audioInputTokens, long audioOutputTokens,
                    long imageInputTokens, long imageOutputTokens, Set<Detail> stated) {

    /**
     * The counts of a {@link Usage} beyond input, output and total, each of which a provider may state (possibly as
     * 0) or leave out.
     *
     * @since 0.2
     */
    public enum Detail {
        /** {@link Usage#cachedInputTokens()}. */
        CACHED_INPUT_TOKENS,
        /** {@link Usage#cacheWriteTokens()}. */
        CACHE_WRITE_TOKENS,
        /** {@link Usage#reasoningTokens()}. */
        REASONING_TOKENS,
        /** {@link Usage#images()}. */
        IMAGES,
        /** {@link Usage#audioSeconds()}. */
        AUDIO_SECONDS,
        /** {@link Usage#characters()}. */
        CHARACTERS,
        /** {@link Usage#cacheWrite1hTokens()}. */
        CACHE_WRITE_1H_TOKENS,
        /** {@link Usage#audioInputTokens()}. */
        AUDIO_INPUT_TOKENS,
        /** {@link Usage#audioOutputTokens()}. */
        AUDIO_OUTPUT_TOKENS,
        /** {@link Usage#imageInputTokens()}. */
        IMAGE_INPUT_TOKENS,
        /** {@link Usage#imageOutputTokens()}. */
        IMAGE_OUTPUT_TOKENS
    }

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
     * @param cacheWrite1hTokens cache writes with a one-hour lifetime (subset of cacheWriteTokens)
     * @param audioInputTokens audio tokens of the input (subset of input)
     * @param audioOutputTokens audio tokens of the output (subset of output)
     * @param imageInputTokens image tokens of the input (subset of input)
     * @param imageOutputTokens image tokens of the output (subset of output)
     * @param stated the details stated; a detail with a non-zero count is added to them
     * @throws IllegalArgumentException naming the field when a count is negative or a subset exceeds its whole
     */
    public Usage {
        Objects.requireNonNull(audioSeconds, "audioSeconds");
        stated = StatedDetails.of(StatedDetails.maskOf(Objects.requireNonNull(stated, "stated"))
                | StatedDetails.ifNonZero(Detail.CACHED_INPUT_TOKENS, cachedInputTokens)
                | StatedDetails.ifNonZero(Detail.CACHE_WRITE_TOKENS, cacheWriteTokens)
                | StatedDetails.ifNonZero(Detail.REASONING_TOKENS, reasoningTokens)
                | StatedDetails.ifNonZero(Detail.IMAGES, images)
                | StatedDetails.ifNonZero(Detail.AUDIO_SECONDS, audioSeconds.signum())
                | StatedDetails.ifNonZero(Detail.CHARACTERS, characters)
                | StatedDetails.ifNonZero(Detail.CACHE_WRITE_1H_TOKENS, cacheWrite1hTokens)
                | StatedDetails.ifNonZero(Detail.AUDIO_INPUT_TOKENS, audioInputTokens)
                | StatedDetails.ifNonZero(Detail.AUDIO_OUTPUT_TOKENS, audioOutputTokens)
                | StatedDetails.ifNonZero(Detail.IMAGE_INPUT_TOKENS, imageInputTokens)
                | StatedDetails.ifNonZero(Detail.IMAGE_OUTPUT_TOKENS, imageOutputTokens));
        requireNonNegative("inputTokens", inputTokens);
        requireNonNegative("outputTokens", outputTokens);
        requireNonNegative("cachedInputTokens", cachedInputTokens);
        requireNonNegative("cacheWriteTokens", cacheWriteTokens);
        requireNonNegative("reasoningTokens", reasoningTokens);
        requireNonNegative("totalTokens", totalTokens);
        requireNonNegative("images", images);
        requireNonNegative("characters", characters);
        requireNonNegative("cacheWrite1hTokens", cacheWrite1hTokens);
        requireNonNegative("audioInputTokens", audioInputTokens);
        requireNonNegative("audioOutputTokens", audioOutputTokens);
        requireNonNegative("imageInputTokens", imageInputTokens);
        requireNonNegative("imageOutputTokens", imageOutputTokens);
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
        if (cacheWrite1hTokens > cacheWriteTokens) {
            throw new IllegalArgumentException("usage cacheWrite1hTokens (" + cacheWrite1hTokens
                    + ") must not exceed cacheWriteTokens (" + cacheWriteTokens + "): they are a part of the writes");
        }
        if (audioInputTokens + imageInputTokens > inputTokens) {
            throw new IllegalArgumentException("usage audioInputTokens (" + audioInputTokens + ") + imageInputTokens ("
                    + imageInputTokens + ") must not exceed inputTokens (" + inputTokens
                    + "): input counts every modality");
        }
        if (reasoningTokens + audioOutputTokens + imageOutputTokens > outputTokens) {
            throw new IllegalArgumentException("usage reasoningTokens (" + reasoningTokens + ") + audioOutputTokens ("
                    + audioOutputTokens + ") + imageOutputTokens (" + imageOutputTokens
                    + ") must not exceed outputTokens (" + outputTokens + "): output counts every modality");
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
        return new Usage(inputTokens, outputTokens, 0, 0, 0, inputTokens + outputTokens, 0, BigDecimal.ZERO, 0, 0, 0, 0, 0,
                0, Set.of());
    }

    /**
     * Whether a detail was stated (possibly as 0) rather than left out.
     *
     * @param detail the detail
     * @return true when stated
     */
    public boolean isStated(Detail detail) {
        return stated.contains(Objects.requireNonNull(detail, "detail"));
    }

    /**
     * A builder; every count starts at 0 and the total, unless set, is input + output. Setting a detail (even to 0)
     * states it; a detail never set is not stated.
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
                .reasoningTokens(reasoningTokens).images(images).audioSeconds(audioSeconds).characters(characters)
                .cacheWrite1hTokens(cacheWrite1hTokens).audioInputTokens(audioInputTokens)
                .audioOutputTokens(audioOutputTokens).imageInputTokens(imageInputTokens)
                .imageOutputTokens(imageOutputTokens);
        b.stated = StatedDetails.maskOf(stated);
        if (totalTokens != inputTokens + outputTokens) {
            b.totalTokens(totalTokens);
        }
        return b;
    }

    /**
     * Input tokens neither read from nor written to the cache: input minus cache reads and cache writes (of every
     * modality).
     *
     * @return the uncached input tokens
     */
    public long uncachedInputTokens() {
        return inputTokens - cachedInputTokens - cacheWriteTokens;
    }

    /**
     * Cache writes with the default (five-minute) lifetime: cache writes minus the one-hour writes.
     *
     * @return the five-minute cache writes
     */
    public long cacheWrite5mTokens() {
        return cacheWriteTokens - cacheWrite1hTokens;
    }

    /**
     * The immutable sets of stated details, one shared instance per combination: a bit per {@link Detail}, so that
     * a usage's details cost no allocation of their own. Reads as any {@link Set} of details (equal to an
     * {@code EnumSet} of the same details); changing it throws.
     */
    private static final class StatedDetails extends AbstractSet<Detail> {

        private static final Detail[] DETAILS = Detail.values();
        /** Made when first used; a racy cache of immutable sets (final fields), so every thread sees them whole. */
        private static final StatedDetails[] SETS = new StatedDetails[1 << DETAILS.length];

        private final int mask;

        private StatedDetails(int mask) {
            this.mask = mask;
        }

        static StatedDetails of(int mask) {
            StatedDetails s = SETS[mask];
            if (s == null) {
                s = new StatedDetails(mask);
                SETS[mask] = s;
            }
            return s;
        }

        /** The bits of any set of details; throws on a null element, as a copy into an {@code EnumSet} would. */
        static int maskOf(Set<Detail> details) {
            if (details instanceof StatedDetails s) {
                return s.mask;
            }
            int mask = 0;
            for (Detail d : details) {
                mask |= bit(Objects.requireNonNull(d, "detail"));
            }
            return mask;
        }

        static int bit(Detail detail) {
            return 1 << detail.ordinal();
        }

        static int ifNonZero(Detail detail, long count) {
            return count != 0 ? bit(detail) : 0;
        }

        @Override
        public boolean contains(Object o) {
            return o instanceof Detail d && (mask & bit(d)) != 0;
        }

        @Override
        public int size() {
            return Integer.bitCount(mask);
        }

        @Override
        public Iterator<Detail> iterator() {
            return new Iterator<>() {
                private int left = mask;

                @Override
                public boolean hasNext() {
                    return left != 0;
                }

                @Override
                public Detail next() {
                    if (left == 0) {
                        throw new NoSuchElementException();
                    }
                    int bit = Integer.numberOfTrailingZeros(left);
                    left &= left - 1;
                    return DETAILS[bit];
                }
            };
        }
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
        private long cacheWrite1hTokens;
        private long audioInputTokens;
        private long audioOutputTokens;
        private long imageInputTokens;
        private long imageOutputTokens;
        /** The stated details, a bit per {@link Detail}. */
        private int stated;

        private Builder() {
        }

        /**
         * Marks details as stated even when their count stays 0; the setters of the details do this already.
         *
         * @param details the details
         * @return this builder
         */
        public Builder stated(Collection<Detail> details) {
            for (Detail d : Objects.requireNonNull(details, "details")) {
                stated |= StatedDetails.bit(Objects.requireNonNull(d, "detail"));
            }
            return this;
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
            stated |= StatedDetails.bit(Detail.CACHED_INPUT_TOKENS);
            return this;
        }

        /**
         * @param v input tokens written to the prompt cache
         * @return this builder
         */
        public Builder cacheWriteTokens(long v) {
            this.cacheWriteTokens = v;
            stated |= StatedDetails.bit(Detail.CACHE_WRITE_TOKENS);
            return this;
        }

        /**
         * @param v output tokens spent on reasoning
         * @return this builder
         */
        public Builder reasoningTokens(long v) {
            this.reasoningTokens = v;
            stated |= StatedDetails.bit(Detail.REASONING_TOKENS);
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
            stated |= StatedDetails.bit(Detail.IMAGES);
            return this;
        }

        /**
         * @param v seconds of audio
         * @return this builder
         */
        public Builder audioSeconds(BigDecimal v) {
            this.audioSeconds = Objects.requireNonNull(v, "audioSeconds");
            stated |= StatedDetails.bit(Detail.AUDIO_SECONDS);
            return this;
        }

        /**
         * @param v characters billed
         * @return this builder
         */
        public Builder characters(long v) {
            this.characters = v;
            stated |= StatedDetails.bit(Detail.CHARACTERS);
            return this;
        }

        /**
         * @param v cache writes with a one-hour lifetime (part of the cache writes)
         * @return this builder
         */
        public Builder cacheWrite1hTokens(long v) {
            this.cacheWrite1hTokens = v;
            stated |= StatedDetails.bit(Detail.CACHE_WRITE_1H_TOKENS);
            return this;
        }

        /**
         * @param v audio tokens of the input (part of the input)
         * @return this builder
         */
        public Builder audioInputTokens(long v) {
            this.audioInputTokens = v;
            stated |= StatedDetails.bit(Detail.AUDIO_INPUT_TOKENS);
            return this;
        }

        /**
         * @param v audio tokens of the output (part of the output)
         * @return this builder
         */
        public Builder audioOutputTokens(long v) {
            this.audioOutputTokens = v;
            stated |= StatedDetails.bit(Detail.AUDIO_OUTPUT_TOKENS);
            return this;
        }

        /**
         * @param v image tokens of the input (part of the input)
         * @return this builder
         */
        public Builder imageInputTokens(long v) {
            this.imageInputTokens = v;
            stated |= StatedDetails.bit(Detail.IMAGE_INPUT_TOKENS);
            return this;
        }

        /**
         * @param v image tokens of the output (part of the output)
         * @return this builder
         */
        public Builder imageOutputTokens(long v) {
            this.imageOutputTokens = v;
            stated |= StatedDetails.bit(Detail.IMAGE_OUTPUT_TOKENS);
            return this;
        }

        /**
         * @return the usage
         * @throws IllegalArgumentException when the counts break the record's invariants
         */
        public Usage build() {
            long total = totalTokens >= 0 ? totalTokens : inputTokens + outputTokens;
            return new Usage(inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens, reasoningTokens, total,
                    images, audioSeconds, characters, cacheWrite1hTokens, audioInputTokens, audioOutputTokens,
                    imageInputTokens, imageOutputTokens, StatedDetails.of(stated));
        }
    }
}
