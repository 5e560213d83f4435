package dev.spectra.reactive.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cost of tokens is the same {@link Cost}, to the last digit and scale, as tokens times price summed in
 * {@link BigDecimal} and moved six places left, for every model and tier of the bundled catalog, for prices with
 * more decimals or digits than the catalog's, and for counts whose products or sums pass a long.
 */
class TokenCostExactnessUnitTests {

    private static final List<String> PROVIDERS = List.of("openai", "anthropic", "gemini", "vertex", "mistral", "groq",
            "deepseek", "xai", "cohere", "together", "openrouter", "azure", "fireworks", "perplexity", "bedrock");

    /** The cost by the formula of {@link PricingCatalog}'s description, summed in BigDecimal throughout. */
    private static @Nullable Cost reference(ModelPrice price, PricingTier tier, Usage u) {
        TokenPrices p = price.tier(tier);
        if (p != null && price.longContext() != null && u.inputTokens() > price.longContextAboveInputTokens()) {
            if (!tier.equals(PricingTier.STANDARD)) {
                return null;
            }
            p = price.longContext();
        }
        if (p == null) {
            return null;
        }
        long audioIn = u.audioInputTokens();
        long imageIn = u.imageInputTokens();
        if (audioIn + imageIn > 0 && u.cachedInputTokens() + u.cacheWriteTokens() > 0) {
            return null;
        }
        List<Object[]> in = List.of(new Object[] {u.uncachedInputTokens() - audioIn - imageIn, p.input()},
                new Object[] {u.cachedInputTokens(), p.cachedInput()}, new Object[] {u.cacheWrite5mTokens(),
                    p.cacheWrite()}, new Object[] {u.cacheWrite1hTokens(), p.cacheWrite1h()},
                new Object[] {audioIn, p.audioInput()}, new Object[] {imageIn, p.imageInput()});
        List<Object[]> out = List.of(new Object[] {u.outputTokens() - u.reasoningTokens() - u.audioOutputTokens()
                - u.imageOutputTokens(), p.output()}, new Object[] {u.reasoningTokens(), p.reasoning() != null
                    ? p.reasoning() : p.output()}, new Object[] {u.audioOutputTokens(), p.audioOutput()},
                new Object[] {u.imageOutputTokens(), p.imageOutput()});
        BigDecimal i = sum(in);
        BigDecimal o = sum(out);
        return i == null || o == null ? null : Cost.of(i.movePointLeft(6), o.movePointLeft(6));
    }

    private static @Nullable BigDecimal sum(List<Object[]> parts) {
        BigDecimal total = BigDecimal.ZERO;
        for (Object[] part : parts) {
            long tokens = (Long) part[0];
            BigDecimal perMillion = (BigDecimal) part[1];
            if (tokens <= 0) {
                continue;
            }
            if (perMillion == null) {
                return null;
            }
            total = total.add(BigDecimal.valueOf(tokens).multiply(perMillion));
        }
        return total;
    }

    private static Usage randomUsage(SplittableRandom r) {
        long bound = r.nextInt(4) == 0 ? 1_000_000_000_000L : r.nextInt(2) == 0 ? 10_000_000L : 5_000L;
        long in = r.nextLong(1, bound);
        long out = r.nextLong(0, bound);
        Usage.Builder b = Usage.builder().inputTokens(in).outputTokens(out);
        switch (r.nextInt(4)) {
            case 0:
                long cached = r.nextLong(0, in + 1);
                long write = r.nextLong(0, in - cached + 1);
                b.cachedInputTokens(cached).cacheWriteTokens(write).cacheWrite1hTokens(r.nextLong(0, write + 1));
                break;
            case 1:
                long audio = r.nextLong(0, in + 1);
                b.audioInputTokens(audio).imageInputTokens(r.nextLong(0, in - audio + 1));
                break;
            default:
                break;
        }
        long reasoning = r.nextLong(0, out + 1);
        long audioOut = r.nextLong(0, out - reasoning + 1);
        return b.reasoningTokens(reasoning).audioOutputTokens(audioOut)
                .imageOutputTokens(r.nextInt(3) == 0 ? r.nextLong(0, out - reasoning - audioOut + 1) : 0).build();
    }

    @Test
    void everyCatalogPriceGivesTheCostOfTheBigDecimalSum() {
        PricingCatalog catalog = PricingCatalog.bundled();
        List<ModelPrice> prices = new ArrayList<>();
        for (String provider : PROVIDERS) {
            prices.addAll(catalog.models(provider).values());
        }
        assertThat(prices).hasSizeGreaterThan(50);
        SplittableRandom random = new SplittableRandom(7);
        int priced = 0;
        for (ModelPrice price : prices) {
            for (Map.Entry<PricingTier, TokenPrices> tier : price.tiers().entrySet()) {
                for (int k = 0; k < 40; k++) {
                    Usage u = randomUsage(random);
                    Cost want = reference(price, tier.getKey(), u);
                    Cost got = PricingCatalog.cost(price, tier.getKey(), u);
                    assertThat(got).as(price + " " + tier.getKey() + " " + u).isEqualTo(want);
                    priced += got == null ? 0 : 1;
                }
            }
        }
        assertThat(priced).isGreaterThan(400);
    }

    @Test
    void aFewTokensAtEveryCatalogPriceCostTheirRoundedSidesAndTheirSum() {
        PricingCatalog catalog = PricingCatalog.bundled();
        int priced = 0;
        for (String provider : PROVIDERS) {
            for (ModelPrice price : catalog.models(provider).values()) {
                for (PricingTier tier : price.tiers().keySet()) {
                    for (int in = 0; in <= 6; in++) {
                        for (int out = 0; out <= 6; out++) {
                            Cost c = PricingCatalog.cost(price, tier, Usage.of(in, out));
                            if (c != null) {
                                priced++;
                                assertThat(c.total()).as("%s %s %s in %s out", price, tier, in, out)
                                        .isEqualTo(c.input().add(c.output()));
                                assertThat(c.total().scale()).isEqualTo(Cost.SCALE);
                            }
                        }
                    }
                }
            }
        }
        assertThat(priced).isGreaterThan(1000);
        // prices of more than four decimals, whose sides round apart from their unrounded sum
        Cost c = Cost.of(new BigDecimal("0.00000015625"), new BigDecimal("0.0000003125"));
        assertThat(c.input()).isEqualTo(new BigDecimal("0.0000001562"));
        assertThat(c.output()).isEqualTo(new BigDecimal("0.0000003125"));
        assertThat(c.total()).isEqualTo(new BigDecimal("0.0000004687"));
    }

    @Test
    void pricesWithMoreDecimalsOrDigitsAndSumsPastALongGiveTheSameCost() {
        List<TokenPrices> odd = List.of(TokenPrices.of("0.12345", "3.5"), TokenPrices.of("0.001", "99999999999999.99"),
                TokenPrices.of("10000", "10000"), TokenPrices.of("2.5", "10").withCachedInput("1.25"),
                TokenPrices.of("0", "0.0001"));
        SplittableRandom random = new SplittableRandom(11);
        for (TokenPrices p : odd) {
            ModelPrice price = ModelPrice.builder().standard(p).build();
            for (int k = 0; k < 300; k++) {
                Usage u = randomUsage(random);
                assertThat(PricingCatalog.cost(price, PricingTier.STANDARD, u)).as(p + " " + u)
                        .isEqualTo(reference(price, PricingTier.STANDARD, u));
            }
            Usage huge = Usage.builder().inputTokens(1_000_000_000_000L).outputTokens(1_000_000_000_000L)
                    .cachedInputTokens(400_000_000_000L).build();
            assertThat(PricingCatalog.cost(price, PricingTier.STANDARD, huge)).as(p + " huge")
                    .isEqualTo(reference(price, PricingTier.STANDARD, huge));
        }
    }

    @Test
    void pricesAtTheEdgesOfTheLongSumGiveTheSameCost() {
        List<TokenPrices> edges = List.of(TokenPrices.of("99999999999999", "9999999999.9999"),
                TokenPrices.of("999999999999999", "99999999999.9999"), TokenPrices.of("1E+3", "2.50"),
                TokenPrices.of("0.0001", "0.0002").withCachedInput("0.0003").withReasoning("0.0004"),
                TokenPrices.of("2.5000", "10.000").withCachedInput("1.2500"));
        List<Usage> usages = List.of(Usage.builder().inputTokens(Long.MAX_VALUE).build(),
                Usage.builder().inputTokens(Long.MAX_VALUE).cachedInputTokens(1).build(),
                Usage.builder().inputTokens(1).outputTokens(Long.MAX_VALUE / 2).build(),
                Usage.builder().inputTokens(1).outputTokens(Long.MAX_VALUE / 2 + 1).build(),
                Usage.builder().inputTokens(Long.MAX_VALUE / 2).outputTokens(Long.MAX_VALUE / 2)
                        .reasoningTokens(Long.MAX_VALUE / 4).build(),
                Usage.builder().inputTokens(Long.MAX_VALUE / 3).cachedInputTokens(Long.MAX_VALUE / 3 - 5)
                        .outputTokens(Long.MAX_VALUE / 2 + 1).reasoningTokens(Long.MAX_VALUE / 4).build(),
                Usage.builder().inputTokens(92_233).outputTokens(922_337).build(),
                Usage.builder().inputTokens(922_338).cachedInputTokens(1).outputTokens(92_234).build(),
                Usage.builder().inputTokens(11).cachedInputTokens(3).outputTokens(750).reasoningTokens(512).build(),
                Usage.builder().build());
        for (TokenPrices p : edges) {
            ModelPrice price = ModelPrice.builder().standard(p).build();
            for (Usage u : usages) {
                assertThat(PricingCatalog.cost(price, PricingTier.STANDARD, u)).as(p + " " + u)
                        .isEqualTo(reference(price, PricingTier.STANDARD, u));
            }
        }
    }

    @Test
    void aPriceCountedInALongIsItsUnscaledValueInTenThousandths() {
        PricingCatalog catalog = PricingCatalog.bundled();
        List<BigDecimal> prices = new ArrayList<>();
        for (String provider : PROVIDERS) {
            for (ModelPrice m : catalog.models(provider).values()) {
                Stream.concat(m.tiers().values().stream(), Stream.ofNullable(m.longContext()))
                        .flatMap(p -> Stream.of(p.input(), p.output(), p.cachedInput(), p.cacheWrite(),
                                p.cacheWrite1h(), p.audioInput(), p.audioOutput(), p.imageInput(), p.imageOutput(),
                                p.reasoning()))
                        .filter(Objects::nonNull).forEach(prices::add);
            }
        }
        assertThat(prices).hasSizeGreaterThan(500);
        SplittableRandom random = new SplittableRandom(13);
        for (int k = 0; k < 200_000; k++) {
            int digits = random.nextInt(1, 15);
            long low = k % 2 == 0 ? pow10(digits - 1) : pow10(14) - pow10(digits - 1);
            prices.add(BigDecimal.valueOf(random.nextLong(low, pow10(14)) / pow10(14 - digits), random.nextInt(5)));
        }
        for (int scale = 0; scale <= 4; scale++) {
            prices.addAll(List.of(BigDecimal.valueOf(0, scale), BigDecimal.valueOf(1, scale),
                    BigDecimal.valueOf(pow10(14) - 1, scale), BigDecimal.valueOf(pow10(13), scale)));
        }
        for (BigDecimal p : prices) {
            long want = p.scale() > 4 ? -1 : p.unscaledValue().longValueExact() * pow10(4 - p.scale());
            assertThat(PricingCatalog.units(p)).as(p.toString()).isEqualTo(want);
        }
        for (String beyond : List.of("100000000000000", "10000000000.0000", "0.00001", "1E+3", "-2.5")) {
            assertThat(PricingCatalog.units(new BigDecimal(beyond))).as(beyond).isEqualTo(-1);
        }
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
