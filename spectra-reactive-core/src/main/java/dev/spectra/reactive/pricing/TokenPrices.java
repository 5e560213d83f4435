package dev.spectra.reactive.pricing;

import java.math.BigDecimal;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Token prices of one model at one tier, in US dollars per million tokens.
 *
 * <p>A missing cached-input price means the source lists no discount for cache reads: they are billed at the
 * input price. A missing cache-write price means writes cost what plain input costs (OpenAI, Gemini and most
 * providers bill no surcharge; Anthropic's write price is always listed).
 *
 * @param input USD per 1M uncached input tokens
 * @param output USD per 1M output tokens (reasoning included)
 * @param cachedInput USD per 1M input tokens read from the prompt cache, or null (billed as input)
 * @param cacheWrite USD per 1M input tokens written to the prompt cache, or null (billed as input)
 * @since 0.1
 */
public record TokenPrices(BigDecimal input, BigDecimal output, @Nullable BigDecimal cachedInput,
                          @Nullable BigDecimal cacheWrite) {

    /**
     * Checks that no price is negative.
     *
     * @param input USD per 1M uncached input tokens
     * @param output USD per 1M output tokens (reasoning included)
     * @param cachedInput USD per 1M input tokens read from the prompt cache, or null (billed as input)
     * @param cacheWrite USD per 1M input tokens written to the prompt cache, or null (billed as input)
     * @throws IllegalArgumentException naming the negative price
     */
    public TokenPrices {
        check("input", Objects.requireNonNull(input, "input"));
        check("output", Objects.requireNonNull(output, "output"));
        if (cachedInput != null) {
            check("cachedInput", cachedInput);
        }
        if (cacheWrite != null) {
            check("cacheWrite", cacheWrite);
        }
    }

    /**
     * Input and output prices from decimal strings, e.g. {@code TokenPrices.of("2.50", "10.00")}.
     *
     * @param input USD per 1M input tokens
     * @param output USD per 1M output tokens
     * @return the prices, without cache prices
     */
    public static TokenPrices of(String input, String output) {
        return new TokenPrices(new BigDecimal(input), new BigDecimal(output), null, null);
    }

    /**
     * These prices with a cached-input price.
     *
     * @param usdPerMillion USD per 1M cached input tokens
     * @return a copy
     */
    public TokenPrices withCachedInput(String usdPerMillion) {
        return new TokenPrices(input, output, new BigDecimal(usdPerMillion), cacheWrite);
    }

    /**
     * These prices with a cache-write price.
     *
     * @param usdPerMillion USD per 1M tokens written to the cache
     * @return a copy
     */
    public TokenPrices withCacheWrite(String usdPerMillion) {
        return new TokenPrices(input, output, cachedInput, new BigDecimal(usdPerMillion));
    }

    /**
     * The price of cache reads: the cached-input price, else the input price.
     *
     * @return USD per 1M cached input tokens
     */
    public BigDecimal effectiveCachedInput() {
        return cachedInput != null ? cachedInput : input;
    }

    /**
     * The price of cache writes: the cache-write price, else the input price.
     *
     * @return USD per 1M tokens written to the cache
     */
    public BigDecimal effectiveCacheWrite() {
        return cacheWrite != null ? cacheWrite : input;
    }

    static void check(String name, BigDecimal v) {
        if (v.signum() < 0) {
            throw new IllegalArgumentException("price " + name + " must not be negative, was " + v);
        }
    }
}
