package dev.spectra.reactive.pricing;

import java.math.BigDecimal;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Token prices of one model at one tier, in US dollars per million tokens.
 *
 * <p>Only {@code input} and {@code output} are required. Every other price is <em>known or unknown</em>: a null
 * price means the source does not state it, never "no discount" or "no surcharge". A call that used tokens of a
 * kind whose price is unknown (cache reads without a {@code cachedInput} price, one-hour cache writes without a
 * {@code cacheWrite1h} price, audio tokens without an audio price ...) is not priced at all: its cost is null, so a
 * missing rate is never silently replaced by the text input rate. A model that really bills cache reads at the
 * full input price states it with a {@code cachedInput} equal to {@code input}.
 *
 * <p>The one exception is {@code reasoning}: every provider bills reasoning (thinking) tokens as output tokens, so
 * a null reasoning price bills them at {@code output}; a model whose thinking is priced apart states the rate.
 *
 * @param input USD per 1M uncached text input tokens
 * @param output USD per 1M text output tokens (reasoning included unless {@code reasoning} is set)
 * @param cachedInput USD per 1M input tokens read from the prompt cache, or null (unknown)
 * @param cacheWrite USD per 1M input tokens written to the prompt cache with the default (five-minute)
 *        lifetime, or null (unknown)
 * @param cacheWrite1h USD per 1M input tokens written to the prompt cache with a one-hour lifetime, or null
 *        (unknown)
 * @param audioInput USD per 1M audio input tokens, or null (unknown)
 * @param audioOutput USD per 1M audio output tokens, or null (unknown)
 * @param imageInput USD per 1M image input tokens, or null (unknown)
 * @param imageOutput USD per 1M image output tokens, or null (unknown)
 * @param reasoning USD per 1M reasoning output tokens, or null (billed at {@code output})
 * @since 0.1
 */
public record TokenPrices(BigDecimal input, BigDecimal output, @Nullable BigDecimal cachedInput,
                          @Nullable BigDecimal cacheWrite, @Nullable BigDecimal cacheWrite1h,
                          @Nullable BigDecimal audioInput, @Nullable BigDecimal audioOutput,
                          @Nullable BigDecimal imageInput, @Nullable BigDecimal imageOutput,
                          @Nullable BigDecimal reasoning) {

    /**
     * Checks that no price is negative.
     *
     * @param input USD per 1M uncached text input tokens
     * @param output USD per 1M text output tokens (reasoning included unless {@code reasoning} is set)
     * @param cachedInput USD per 1M input tokens read from the prompt cache, or null (unknown)
     * @param cacheWrite USD per 1M input tokens written to the prompt cache with the default (five-minute) lifetime, or null (unknown)
     * @param cacheWrite1h USD per 1M input tokens written to the prompt cache with a one-hour lifetime, or null (unknown)
     * @param audioInput USD per 1M audio input tokens, or null (unknown)
     * @param audioOutput USD per 1M audio output tokens, or null (unknown)
     * @param imageInput USD per 1M image input tokens, or null (unknown)
     * @param imageOutput USD per 1M image output tokens, or null (unknown)
     * @param reasoning USD per 1M reasoning output tokens, or null (billed at {@code output})
     * @throws IllegalArgumentException naming the negative price
     */
    public TokenPrices {
        check("input", Objects.requireNonNull(input, "input"));
        check("output", Objects.requireNonNull(output, "output"));
        checkOptional("cachedInput", cachedInput);
        checkOptional("cacheWrite", cacheWrite);
        checkOptional("cacheWrite1h", cacheWrite1h);
        checkOptional("audioInput", audioInput);
        checkOptional("audioOutput", audioOutput);
        checkOptional("imageInput", imageInput);
        checkOptional("imageOutput", imageOutput);
        checkOptional("reasoning", reasoning);
    }

    /**
     * Input and output prices from decimal strings, e.g. {@code TokenPrices.of("2.50", "10.00")}; every other
     * price unknown.
     *
     * @param input USD per 1M input tokens
     * @param output USD per 1M output tokens
     * @return the prices
     */
    public static TokenPrices of(String input, String output) {
        return new TokenPrices(new BigDecimal(input), new BigDecimal(output), null, null, null, null, null, null,
                null, null);
    }

    /**
     * These prices with a cached-input price.
     *
     * @param usdPerMillion USD per 1M cached input tokens
     * @return a copy
     */
    public TokenPrices withCachedInput(String usdPerMillion) {
        return new TokenPrices(input, output, new BigDecimal(usdPerMillion), cacheWrite, cacheWrite1h, audioInput,
                audioOutput, imageInput, imageOutput, reasoning);
    }

    /**
     * These prices with a (five-minute) cache-write price.
     *
     * @param usdPerMillion USD per 1M tokens written to the cache
     * @return a copy
     */
    public TokenPrices withCacheWrite(String usdPerMillion) {
        return new TokenPrices(input, output, cachedInput, new BigDecimal(usdPerMillion), cacheWrite1h, audioInput,
                audioOutput, imageInput, imageOutput, reasoning);
    }

    /**
     * These prices with a one-hour cache-write price.
     *
     * @param usdPerMillion USD per 1M tokens written to the cache for one hour
     * @return a copy
     */
    public TokenPrices withCacheWrite1h(String usdPerMillion) {
        return new TokenPrices(input, output, cachedInput, cacheWrite, new BigDecimal(usdPerMillion), audioInput,
                audioOutput, imageInput, imageOutput, reasoning);
    }

    /**
     * These prices with audio token prices.
     *
     * @param inputUsdPerMillion USD per 1M audio input tokens, or null when unknown
     * @param outputUsdPerMillion USD per 1M audio output tokens, or null when unknown
     * @return a copy
     */
    public TokenPrices withAudio(@Nullable String inputUsdPerMillion, @Nullable String outputUsdPerMillion) {
        return new TokenPrices(input, output, cachedInput, cacheWrite, cacheWrite1h, decimal(inputUsdPerMillion),
                decimal(outputUsdPerMillion), imageInput, imageOutput, reasoning);
    }

    /**
     * These prices with image token prices.
     *
     * @param inputUsdPerMillion USD per 1M image input tokens, or null when unknown
     * @param outputUsdPerMillion USD per 1M image output tokens, or null when unknown
     * @return a copy
     */
    public TokenPrices withImage(@Nullable String inputUsdPerMillion, @Nullable String outputUsdPerMillion) {
        return new TokenPrices(input, output, cachedInput, cacheWrite, cacheWrite1h, audioInput, audioOutput,
                decimal(inputUsdPerMillion), decimal(outputUsdPerMillion), reasoning);
    }

    /**
     * These prices with a reasoning-token price (for models that bill thinking apart from output).
     *
     * @param usdPerMillion USD per 1M reasoning tokens
     * @return a copy
     */
    public TokenPrices withReasoning(String usdPerMillion) {
        return new TokenPrices(input, output, cachedInput, cacheWrite, cacheWrite1h, audioInput, audioOutput,
                imageInput, imageOutput, new BigDecimal(usdPerMillion));
    }

    private static @Nullable BigDecimal decimal(@Nullable String v) {
        return v == null ? null : new BigDecimal(v);
    }

    private static void checkOptional(String name, @Nullable BigDecimal v) {
        if (v != null) {
            check(name, v);
        }
    }

    static void check(String name, BigDecimal v) {
        if (v.signum() < 0) {
            throw new IllegalArgumentException("price " + name + " must not be negative, was " + v);
        }
    }
}
