package dev.spectra.reactive.pricing;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.PricingTier;
import org.jspecify.annotations.Nullable;

/**
 * Everything a model costs: token prices per tier, prices of non-token units, and a long-context rate.
 *
 * @param type the kind of model, when known
 * @param tiers token prices by tier ({@code standard}, {@code batch}, {@code flex}, {@code priority} ...); a tier
 *        that is absent is not priced for this model
 * @param perImage USD per generated image, or null
 * @param perInputSecond USD per second of audio in (transcription), or null
 * @param perOutputSecond USD per second of audio out (speech), or null
 * @param perMillionInputCharacters USD per 1M characters of input (speech), or null
 * @param longContext standard-tier prices for a whole request whose input exceeds
 *        {@code longContextAboveInputTokens} (Anthropic and Gemini bill long prompts at a higher rate), or null. The
 *        sources state long-context rates for the standard tier only, so a request above the threshold at any
 *        other tier is not priced.
 * @param longContextAboveInputTokens the input-token threshold of {@code longContext}; 0 when none
 * @since 0.1
 */
public record ModelPrice(@Nullable ModelType type, Map<PricingTier, TokenPrices> tiers, @Nullable BigDecimal perImage,
                         @Nullable BigDecimal perInputSecond, @Nullable BigDecimal perOutputSecond,
                         @Nullable BigDecimal perMillionInputCharacters, @Nullable TokenPrices longContext,
                         long longContextAboveInputTokens) {

    /**
     * Copies the tier map and checks the unit prices.
     *
     * @param type the kind of model, when known
     * @param tiers token prices by tier ({@code standard}, {@code batch}, {@code flex}, {@code priority} ...); a tier that is absent is not priced for this model
     * @param perImage USD per generated image, or null
     * @param perInputSecond USD per second of audio in (transcription), or null
     * @param perOutputSecond USD per second of audio out (speech), or null
     * @param perMillionInputCharacters USD per 1M characters of input (speech), or null
     * @param longContext standard-tier prices for a whole request whose input exceeds {@code longContextAboveInputTokens} (Anthropic and Gemini bill long prompts at a higher rate), or null
     * @param longContextAboveInputTokens the input-token threshold of {@code longContext}; 0 when none
     * @throws IllegalArgumentException when a price is negative or the long-context threshold is missing
     */
    public ModelPrice {
        tiers = Map.copyOf(Objects.requireNonNull(tiers, "tiers"));
        for (BigDecimal p : new BigDecimal[] {perImage, perInputSecond, perOutputSecond, perMillionInputCharacters}) {
            if (p != null) {
                TokenPrices.check("unit price", p);
            }
        }
        if (longContext != null && longContextAboveInputTokens <= 0) {
            throw new IllegalArgumentException("a long-context price needs a positive input-token threshold");
        }
    }

    /**
     * The token prices at a tier.
     *
     * @param tier the tier
     * @return the prices, or null when the model is not priced at that tier
     */
    public @Nullable TokenPrices tier(PricingTier tier) {
        return tiers.get(tier);
    }

    /**
     * A builder.
     *
     * @return a new builder with nothing set
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link ModelPrice}. */
    public static final class Builder {
        private @Nullable ModelType type;
        private final Map<PricingTier, TokenPrices> tiers = new LinkedHashMap<>();
        private @Nullable BigDecimal perImage;
        private @Nullable BigDecimal perInputSecond;
        private @Nullable BigDecimal perOutputSecond;
        private @Nullable BigDecimal perMillionInputCharacters;
        private @Nullable TokenPrices longContext;
        private long longContextAbove;

        private Builder() {
        }

        /**
         * @param t the kind of model
         * @return this builder
         */
        public Builder type(@Nullable ModelType t) {
            this.type = t;
            return this;
        }

        /**
         * @param p standard-tier token prices
         * @return this builder
         */
        public Builder standard(TokenPrices p) {
            return tier(PricingTier.STANDARD, p);
        }

        /**
         * @param tier a tier
         * @param p its token prices
         * @return this builder
         */
        public Builder tier(PricingTier tier, TokenPrices p) {
            tiers.put(Objects.requireNonNull(tier, "tier"), Objects.requireNonNull(p, "prices"));
            return this;
        }

        /**
         * @param usd USD per generated image
         * @return this builder
         */
        public Builder perImage(@Nullable BigDecimal usd) {
            this.perImage = usd;
            return this;
        }

        /**
         * @param usd USD per second of input audio
         * @return this builder
         */
        public Builder perInputSecond(@Nullable BigDecimal usd) {
            this.perInputSecond = usd;
            return this;
        }

        /**
         * @param usd USD per second of output audio
         * @return this builder
         */
        public Builder perOutputSecond(@Nullable BigDecimal usd) {
            this.perOutputSecond = usd;
            return this;
        }

        /**
         * @param usd USD per 1M input characters
         * @return this builder
         */
        public Builder perMillionInputCharacters(@Nullable BigDecimal usd) {
            this.perMillionInputCharacters = usd;
            return this;
        }

        /**
         * @param aboveInputTokens the threshold
         * @param p prices of a whole request whose input exceeds it
         * @return this builder
         */
        public Builder longContext(long aboveInputTokens, TokenPrices p) {
            this.longContextAbove = aboveInputTokens;
            this.longContext = p;
            return this;
        }

        /**
         * @return the price
         */
        public ModelPrice build() {
            return new ModelPrice(type, tiers, perImage, perInputSecond, perOutputSecond, perMillionInputCharacters,
                    longContext, longContextAbove);
        }
    }
}
