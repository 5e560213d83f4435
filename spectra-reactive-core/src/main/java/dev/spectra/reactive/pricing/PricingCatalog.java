package dev.spectra.reactive.pricing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.ResponseDetails;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Prices by provider and model, and the cost of a call from them. {@link #bundled()} holds the catalog
 * generated from LiteLLM's price list (MIT, Copyright (c) 2023 Berri AI) by
 * {@code scripts/generate_pricing_catalog.py}; add or override prices in code or from a JSON file:
 *
 * <pre>{@code
 * PricingCatalog pricing = PricingCatalog.bundled().toBuilder()
 *         .price("openai", "ft:gpt-4o-mini:acme::abc123", ModelPrice.builder()
 *                 .standard(TokenPrices.of("0.30", "1.20").withCachedInput("0.15")).build())
 *         .load(Path.of("/etc/spectra/prices.json"))   // same format as the bundled catalog
 *         .build();
 * }</pre>
 *
 * <h2>Lookup</h2>
 * The provider id is canonicalised as the registry does ({@code google} is {@code gemini}). The model is tried
 * as given, then without Gemini's {@code models/} prefix or a prefix naming the provider itself
 * ({@code openai/gpt-4o} under {@code openai}), each exactly and then ignoring case. Dated snapshots are priced
 * only when the catalog lists them by name: an unlisted snapshot ({@code gpt-5-2026-01-01}) is never given its
 * family's prices, since a new snapshot may be priced differently. A model not found is priced {@code null},
 * never 0.
 *
 * <h2>Cost</h2>
 * With the tier's token prices (USD per 1M tokens), exact in {@link BigDecimal}:
 * <pre>
 * input  = text × input + cached × cached_input + 5-minute writes × cache_write + 1-hour writes × cache_write_1h
 *          + audio in × audio_input + image in × image_input
 *          (text = input − cached − cache writes − audio in − image in)
 * output = (output − reasoning − audio out − image out) × output + reasoning × (reasoning price, else output)
 *          + audio out × audio_output + image out × image_output
 *          [+ images × per-image price] [+ audio seconds × per-second price] [+ characters × per-character price]
 * </pre>
 * Nothing is ever billed at a rate the catalog does not state: tokens of a kind whose price is unknown at that
 * tier (cache reads without a cached-input price, one-hour writes without their price, audio or image tokens
 * without theirs) make the cost {@code null}, as does a tier the model has no prices for (batch prices are never
 * guessed from standard ones), a request above the long-context threshold at a tier other than standard, and
 * audio or image input tokens together with cache reads or writes (the response does not say which modality the
 * cache held). One exception, written down per provider from its own documentation
 * ({@link #DOCUMENTED_CACHED_INPUT_SHARE}): a provider that bills cache reads at one stated share of the input rate
 * for every model (Mistral: 10%) has its cache reads priced at that share when the catalog states no cached rate for
 * the model; the cost then says so ({@link Cost.Source#CATALOG_CACHE_RATE_DERIVED}, pricing status
 * {@code priced_cache_rate_derived}). Units are billed by tokens when the usage has tokens and the tier token prices (a
 * {@code gpt-image-1} answer's images are its output image tokens; a transcription billed by tokens is not billed
 * again by seconds); without tokens, a unit the usage has (images, seconds, characters) that the model has no
 * price for gives {@code null}. At the standard tier, a request whose input exceeds the model's long-context
 * threshold is billed wholly at the long-context prices.
 *
 * <h2>Image variants</h2>
 * {@link #cost(String, String, PricingTier, Usage, ResponseDetails)} prices images billed per image (DALL·E)
 * by their quality and size: the entry {@code {quality}/{size}/{model}} (size written {@code 1024-x-1792}), else
 * {@code {size}/{model}}; when neither is listed but the catalog has some variant of the model, the call is not
 * priced (a size or quality it does not know); when the model has no variants at all, its own price applies.
 * Without a stated quality and size, the model's own (default-variant) price applies.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class PricingCatalog implements Pricing {

    /** Classpath location of the bundled catalog. */
    public static final String BUNDLED_RESOURCE = "/dev/spectra/reactive/pricing/catalog.json";

    /** Smallest non-zero price per 1M tokens or characters accepted from JSON: below it, a per-token value. */
    static final BigDecimal MIN_PER_MILLION = new BigDecimal("0.001");
    /** Largest price per 1M tokens or characters accepted from JSON ($0.01 per token). */
    static final BigDecimal MAX_PER_MILLION = new BigDecimal("10000");
    /** Largest price per image accepted from JSON. */
    static final BigDecimal MAX_PER_IMAGE = new BigDecimal("100");
    /** Largest price per second of audio accepted from JSON. */
    static final BigDecimal MAX_PER_SECOND = new BigDecimal("10");

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static volatile @Nullable PricingCatalog bundled;

    private final Map<String, Map<String, ModelPrice>> prices;
    private final Map<String, Map<String, ModelPrice>> lowerCase;
    private final Map<String, Map<String, Boolean>> hasVariants;
    private final int size;

    private PricingCatalog(Map<String, Map<String, ModelPrice>> prices) {
        Map<String, Map<String, ModelPrice>> p = new HashMap<>();
        Map<String, Map<String, ModelPrice>> l = new HashMap<>();
        Map<String, Map<String, Boolean>> v = new HashMap<>();
        int n = 0;
        for (Map.Entry<String, Map<String, ModelPrice>> e : prices.entrySet()) {
            p.put(e.getKey(), Map.copyOf(e.getValue()));
            Map<String, ModelPrice> lower = new HashMap<>();
            Map<String, Boolean> variants = new HashMap<>();
            e.getValue().forEach((model, price) -> {
                String lm = model.toLowerCase(Locale.ROOT);
                lower.putIfAbsent(lm, price);
                int slash = lm.lastIndexOf('/');
                if (slash > 0 && lm.substring(0, slash).contains("-x-")) {
                    variants.put(lm.substring(slash + 1), Boolean.TRUE);
                }
            });
            l.put(e.getKey(), lower);
            v.put(e.getKey(), variants);
            n += e.getValue().size();
        }
        this.prices = p;
        this.lowerCase = l;
        this.hasVariants = v;
        this.size = n;
    }

    /**
     * The catalog bundled with this version, loaded once.
     *
     * @return the bundled catalog
     * @throws IllegalStateException when the resource is missing, unreadable or invalid (a broken build)
     */
    public static PricingCatalog bundled() {
        PricingCatalog c = bundled;
        if (c == null) {
            synchronized (PricingCatalog.class) {
                c = bundled;
                if (c == null) {
                    try (InputStream in = PricingCatalog.class.getResourceAsStream(BUNDLED_RESOURCE)) {
                        if (in == null) {
                            throw new IllegalStateException("pricing catalog " + BUNDLED_RESOURCE + " is not on the classpath");
                        }
                        c = builder().load(in).build();
                    } catch (IOException e) {
                        throw new IllegalStateException("pricing catalog " + BUNDLED_RESOURCE + " cannot be read", e);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalStateException("pricing catalog " + BUNDLED_RESOURCE + " is invalid: "
                                + e.getMessage(), e);
                    }
                    bundled = c;
                }
            }
        }
        return c;
    }

    /**
     * A catalog without any price.
     *
     * @return an empty catalog
     */
    public static PricingCatalog empty() {
        return new PricingCatalog(Map.of());
    }

    /**
     * A builder with no price.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this catalog's prices, to add or override some.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        prices.forEach((provider, models) -> b.prices.put(provider, new LinkedHashMap<>(models)));
        return b;
    }

    /**
     * Number of models priced.
     *
     * @return the count
     */
    public int size() {
        return size;
    }

    /**
     * The models priced for a provider, by the names they are listed under.
     *
     * @param provider the provider id or alias
     * @return the models and their prices; empty when the provider has none
     */
    public Map<String, ModelPrice> models(String provider) {
        Map<String, ModelPrice> m = prices.get(ProviderRegistry.canonicalId(provider));
        return m == null ? Map.of() : m;
    }

    /**
     * The prices of a model, found as the class description says.
     *
     * @param provider the provider id or alias
     * @param model the model name
     * @return the prices, or null when the model is not in the catalog
     */
    public @Nullable ModelPrice find(String provider, String model) {
        String p = ProviderRegistry.canonicalId(provider);
        Map<String, ModelPrice> models = prices.get(p);
        if (models == null || model == null) {
            return null;
        }
        String m = model.trim();
        ModelPrice found = exactOrCase(p, models, m);
        if (found != null) {
            return found;
        }
        String stripped = stripPrefix(p, m);
        return stripped == null ? null : exactOrCase(p, models, stripped);
    }

    private @Nullable String canonicalModel(String provider, Map<String, ModelPrice> models, String m) {
        if (exactOrCase(provider, models, m) != null) {
            return m;
        }
        String stripped = stripPrefix(provider, m);
        return stripped != null && exactOrCase(provider, models, stripped) != null ? stripped : null;
    }

    private @Nullable ModelPrice exactOrCase(String provider, Map<String, ModelPrice> models, String m) {
        ModelPrice found = models.get(m);
        return found != null ? found : lowerCase.get(provider).get(m.toLowerCase(Locale.ROOT));
    }

    private static @Nullable String stripPrefix(String provider, String m) {
        if (m.startsWith("models/")) {
            return m.substring("models/".length());
        }
        if (m.startsWith(provider + "/")) {
            return m.substring(provider.length() + 1);
        }
        return null;
    }

    @Override
    public @Nullable ModelType modelType(String provider, String model) {
        ModelPrice p = find(provider, model);
        return p == null ? null : p.type();
    }

    @Override
    public @Nullable Cost cost(String provider, String model, PricingTier tier, Usage usage) {
        ModelPrice price = find(provider, model);
        return price == null ? null : cost(price, tier, usage);
    }

    /**
     * The cost of a call with what its response and request said: the billed usage when the provider states one
     * ({@link ResponseDetails#billableUsage}), and for images billed per image their quality and size, looked up
     * as the class description says.
     *
     * @param provider the provider id
     * @param model the model name
     * @param tier the pricing tier
     * @param usage what the call consumed, as recorded
     * @param details what the response said, completed with the request
     * @return the cost, or null when it cannot be priced
     */
    @Override
    public @Nullable Cost cost(String provider, String model, PricingTier tier, Usage usage,
                               ResponseDetails details) {
        Objects.requireNonNull(details, "details");
        Usage billed = details.billableUsage(Objects.requireNonNull(usage, "usage"));
        ModelPrice price = find(provider, model);
        if (price == null) {
            return null;
        }
        String quality = details.imageQuality();
        String size = details.imageSize();
        if (billed.images() > 0 && !billedByTokens(price, tier, billed) && (quality != null || size != null)) {
            String p = ProviderRegistry.canonicalId(provider);
            Map<String, ModelPrice> models = prices.get(p);
            String base = canonicalModel(p, models, model.trim());
            if (base == null) {
                return null;
            }
            String s = size == null ? null : size.trim().toLowerCase(Locale.ROOT).replace("x", "-x-");
            String q = quality == null ? null : quality.trim().toLowerCase(Locale.ROOT);
            ModelPrice variant = null;
            if (q != null && s != null) {
                variant = exactOrCase(p, models, q + "/" + s + "/" + base);
            }
            if (variant == null && s != null) {
                variant = exactOrCase(p, models, s + "/" + base);
            }
            if (variant != null) {
                return cost(variant, tier, billed);
            }
            if (hasVariants.get(p).containsKey(base.toLowerCase(Locale.ROOT))) {
                return null; // a quality or size the catalog does not price
            }
        }
        return withDocumentedCacheRate(ProviderRegistry.canonicalId(provider), price, tier, billed);
    }

    /**
     * Cache reads are billed at this share of the input rate, for every model of the provider, by the provider's own
     * documentation; used only where the catalog states no cached-input rate for a model. A provider is listed only
     * when its documentation states one rule for all its models:
     * <ul>
     *   <li>{@code mistral}: "Cached prompt tokens are billed at 10% of the standard input token price"
     *       (docs.mistral.ai, prompt caching).</li>
     * </ul>
     * Others (OpenRouter, xAI, Groq, Together ...) state cached rates per model or per upstream provider: their cache
     * reads stay unpriced without a catalog rate (OpenRouter states each call's cost itself, which is recorded).
     */
    public static final Map<String, BigDecimal> DOCUMENTED_CACHED_INPUT_SHARE = Map.of("mistral",
            new BigDecimal("0.10"));

    private static @Nullable Cost withDocumentedCacheRate(String provider, ModelPrice price, PricingTier tier,
                                                          Usage usage) {
        Cost c = cost(price, tier, usage);
        BigDecimal share = DOCUMENTED_CACHED_INPUT_SHARE.get(provider);
        TokenPrices p = price.tier(tier);
        if (c != null || share == null || usage.cachedInputTokens() == 0 || p == null || p.cachedInput() != null) {
            return c;
        }
        Map<PricingTier, TokenPrices> tiers = new LinkedHashMap<>(price.tiers());
        tiers.put(tier, withCachedShare(p, share));
        TokenPrices lc = price.longContext();
        ModelPrice derived = new ModelPrice(price.type(), tiers, price.perImage(), price.perInputSecond(),
                price.perOutputSecond(), price.perMillionInputCharacters(),
                lc == null ? null : lc.cachedInput() != null ? lc : withCachedShare(lc, share),
                price.longContextAboveInputTokens());
        Cost d = cost(derived, tier, usage);
        return d == null ? null : d.withSource(Cost.Source.CATALOG_CACHE_RATE_DERIVED);
    }

    private static TokenPrices withCachedShare(TokenPrices p, BigDecimal share) {
        return p.withCachedInput(p.input().multiply(share).stripTrailingZeros().toPlainString());
    }

    private static boolean billedByTokens(ModelPrice price, PricingTier tier, Usage usage) {
        return (usage.inputTokens() > 0 || usage.outputTokens() > 0) && price.tier(tier) != null;
    }

    /**
     * The cost of a usage at a model's prices, by the formula of the class description.
     *
     * @param price the model's prices
     * @param tier the tier
     * @param usage the usage
     * @return the cost, or null when the usage needs a price the model does not have at that tier
     */
    public static @Nullable Cost cost(ModelPrice price, PricingTier tier, Usage usage) {
        Objects.requireNonNull(price, "price");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(usage, "usage");
        boolean tokens = usage.inputTokens() > 0 || usage.outputTokens() > 0;
        boolean units = usage.images() > 0 || usage.audioSeconds().signum() > 0 || usage.characters() > 0;
        TokenPrices p = price.tier(tier);
        if (p != null && price.longContext() != null && usage.inputTokens() > price.longContextAboveInputTokens()) {
            if (!tier.equals(PricingTier.STANDARD)) {
                return null; // long-context rates are stated for the standard tier only
            }
            p = price.longContext();
        }
        if (p == null) {
            if (tokens || !units) {
                return null; // no prices at this tier for what was used
            }
        } else if (tokens || !units) {
            // images, seconds and characters are what the tokens measure; a usage of nothing costs 0
            return tokenCost(p, usage);
        }
        BigDecimal in = BigDecimal.ZERO;
        BigDecimal out = BigDecimal.ZERO;
        if (usage.images() > 0) {
            if (price.perImage() == null) {
                return null;
            }
            out = out.add(BigDecimal.valueOf(usage.images()).multiply(price.perImage()));
        }
        if (usage.audioSeconds().signum() > 0) {
            if (price.type() == ModelType.TTS && price.perOutputSecond() != null) {
                out = out.add(usage.audioSeconds().multiply(price.perOutputSecond()));
            } else if (price.perInputSecond() != null) {
                in = in.add(usage.audioSeconds().multiply(price.perInputSecond()));
            } else if (price.perOutputSecond() != null) {
                out = out.add(usage.audioSeconds().multiply(price.perOutputSecond()));
            } else {
                return null;
            }
        }
        if (usage.characters() > 0) {
            if (price.perMillionInputCharacters() == null) {
                return null;
            }
            in = in.add(BigDecimal.valueOf(usage.characters()).multiply(price.perMillionInputCharacters())
                    .movePointLeft(6));
        }
        return Cost.of(in, out);
    }

    /** The cost of the tokens, or null when some tokens have no known price. */
    private static @Nullable Cost tokenCost(TokenPrices p, Usage u) {
        if (u.audioInputTokens() + u.imageInputTokens() > 0 && u.cachedInputTokens() + u.cacheWriteTokens() > 0) {
            return null; // which modality the cache read or wrote is not stated
        }
        BigDecimal in = usd(p, u, 0, FIRST_OUTPUT_PART);
        BigDecimal out = in == null ? null : usd(p, u, FIRST_OUTPUT_PART, PARTS);
        return in == null || out == null ? null : Cost.of(in, out);
    }

    /** The parts of a usage billed at one token price each: those before this one are the input side's. */
    private static final int FIRST_OUTPUT_PART = 6;
    /** Number of parts. */
    private static final int PARTS = 10;
    /** Decimals of a price counted in a long: prices per 1M in units of 10^-4. */
    private static final int UNIT_SCALE = 4;
    /** Most digits of a price counted in a long: its unscaled value is below 10^14 (see {@link #units}). */
    private static final int UNIT_MAX_DIGITS = 14;
    private static final long[] POWERS_OF_TEN = {1, 10, 100, 1000, 10_000};

    /** The tokens of a part of a usage, by the formula of the class description. */
    private static long partTokens(Usage u, int part) {
        return switch (part) {
            case 0 -> u.uncachedInputTokens() - u.audioInputTokens() - u.imageInputTokens();
            case 1 -> u.cachedInputTokens();
            case 2 -> u.cacheWrite5mTokens();
            case 3 -> u.cacheWrite1hTokens();
            case 4 -> u.audioInputTokens();
            case 5 -> u.imageInputTokens();
            case 6 -> u.outputTokens() - u.reasoningTokens() - u.audioOutputTokens() - u.imageOutputTokens();
            case 7 -> u.reasoningTokens();
            case 8 -> u.audioOutputTokens();
            case 9 -> u.imageOutputTokens();
            default -> throw new IllegalArgumentException("no token part " + part);
        };
    }

    /** The price per 1M tokens of a part ({@link #partTokens}), or null when unknown. */
    private static @Nullable BigDecimal partPrice(TokenPrices p, int part) {
        return switch (part) {
            case 0 -> p.input();
            case 1 -> p.cachedInput();
            case 2 -> p.cacheWrite();
            case 3 -> p.cacheWrite1h();
            case 4 -> p.audioInput();
            case 5 -> p.imageInput();
            case 6 -> p.output();
            case 7 -> p.reasoning() != null ? p.reasoning() : p.output();
            case 8 -> p.audioOutput();
            case 9 -> p.imageOutput();
            default -> throw new IllegalArgumentException("no token part " + part);
        };
    }

    /**
     * The parts {@code [from, to)} of a usage in USD, their tokens times their prices per 1M, or null when some of
     * their tokens have no price. Summed exactly in a long, counting 10^-4 USD per 1M tokens (so the sum in USD has
     * the 10 decimals of a {@link Cost}), while every price has at most 4 decimals (nearly all the catalog's do)
     * and nothing overflows; in {@link BigDecimal} from the first part that does not fit. Either way the same amount.
     */
    private static @Nullable BigDecimal usd(TokenPrices p, Usage u, int from, int to) {
        long units = 0;
        BigDecimal exact = null;
        for (int part = from; part < to; part++) {
            long tokens = partTokens(u, part);
            if (tokens <= 0) {
                continue;
            }
            BigDecimal perMillion = partPrice(p, part);
            if (perMillion == null) {
                return null;
            }
            if (exact == null) {
                long price = units(perMillion);
                if (price >= 0 && (price == 0 || tokens <= (Long.MAX_VALUE - units) / price)) {
                    units += tokens * price;
                    continue;
                }
                exact = BigDecimal.valueOf(units, UNIT_SCALE); // more decimals, or past a long: on in BigDecimal
            }
            exact = exact.add(BigDecimal.valueOf(tokens).multiply(perMillion));
        }
        return exact == null ? BigDecimal.valueOf(units, UNIT_SCALE + 6) : exact.movePointLeft(6);
    }

    /**
     * A price per 1M in units of 10^-4, or -1 when it is negative, has more than 4 decimals or more than 14 digits.
     * Read from the price's nearest double rather than {@link BigDecimal#unscaledValue()}, which makes a BigInteger
     * on every call: that double times 10^scale is within {@code v × 2^-52 < 2^-5} of the unscaled value {@code v}
     * (below 10^14, so below 2^47), so rounding it gives {@code v} exactly.
     */
    static long units(BigDecimal perMillion) {
        int scale = perMillion.scale();
        if (scale < 0 || scale > UNIT_SCALE || perMillion.signum() < 0 || perMillion.precision() > UNIT_MAX_DIGITS) {
            return -1;
        }
        long unscaled = Math.round(perMillion.doubleValue() * POWERS_OF_TEN[scale]);
        return unscaled * POWERS_OF_TEN[UNIT_SCALE - scale];
    }

    @Override
    public String toString() {
        return "PricingCatalog{" + size + " models of " + prices.keySet() + '}';
    }

    /**
     * Builds a {@link PricingCatalog}. A price set for a provider and model replaces the earlier one.
     *
     * <p>JSON format (the bundled catalog's); every unit is in the key's name: <pre>{@code
     * {"providers": {"openai": {
     *     "gpt-4o": {"type": "text",
     *                "tiers": {
     *                    "standard": {"input_per_1m_tokens": "2.5", "output_per_1m_tokens": "10",
     *                                 "cached_input_per_1m_tokens": "1.25"},
     *                    "batch":    {"input_per_1m_tokens": "1.25", "output_per_1m_tokens": "5"}}},
     *     "dall-e-3": {"type": "image", "per_image": "0.04"},
     *     "hd/1024-x-1792/dall-e-3": {"type": "image", "per_image": "0.12"}}}}
     * }</pre>
     * A model has {@code type}, {@code tiers} (tier name to token prices), {@code long_context} (token prices of
     * the standard tier for a request above {@code above_input_tokens}), {@code per_image} (USD per image),
     * {@code per_input_second} and {@code per_output_second} (USD per second of audio) and
     * {@code per_1m_input_characters} (USD per 1M characters). Token prices, all USD per 1M tokens:
     * {@code input_per_1m_tokens} and {@code output_per_1m_tokens} (required), {@code cached_input_per_1m_tokens},
     * {@code cache_write_per_1m_tokens} (five-minute writes), {@code cache_write_1h_per_1m_tokens},
     * {@code audio_input_per_1m_tokens}, {@code audio_output_per_1m_tokens}, {@code image_input_per_1m_tokens},
     * {@code image_output_per_1m_tokens}, {@code reasoning_per_1m_tokens}; an absent price is unknown (see
     * {@link TokenPrices}). Prices may be strings or numbers; both are read exactly. Any other key is an error,
     * except keys starting with {@code _}, which are comments.
     *
     * <p>A value that cannot be in its unit is rejected, naming the model and key: a non-zero price per 1M below
     * 0.001 (a per-token price pasted under a per-1M key) or above
     * 10000, a price per image above 100, per second above
     * 10.
     */
    public static final class Builder {
        private final Map<String, Map<String, ModelPrice>> prices = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets a model's prices.
         *
         * @param provider provider id or alias
         * @param model model name as the provider's API names it
         * @param price its prices
         * @return this builder
         */
        public Builder price(String provider, String model, ModelPrice price) {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(price, "price");
            prices.computeIfAbsent(ProviderRegistry.canonicalId(provider), k -> new LinkedHashMap<>())
                    .put(model.trim(), price);
            return this;
        }

        /**
         * Removes a model's prices.
         *
         * @param provider provider id or alias
         * @param model model name (trimmed, as {@link #price} stores it)
         * @return this builder
         */
        public Builder remove(String provider, String model) {
            Map<String, ModelPrice> m = prices.get(ProviderRegistry.canonicalId(provider));
            if (m != null && model != null) {
                m.remove(model.trim());
            }
            return this;
        }

        /**
         * Adds or overrides prices from a JSON file in the format above.
         *
         * @param file the file
         * @return this builder
         * @throws UncheckedIOException when the file cannot be read
         * @throws IllegalArgumentException naming the provider, model and field that is wrong
         */
        public Builder load(Path file) {
            try (InputStream in = Files.newInputStream(file)) {
                return load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("pricing file " + file + " cannot be read", e);
            }
        }

        /**
         * Adds or overrides prices from JSON in the format above; the stream is read, not closed. Nothing is added
         * when any entry is invalid.
         *
         * @param json the JSON
         * @return this builder
         * @throws IllegalArgumentException naming the provider, model and field that is wrong
         */
        public Builder load(InputStream json) {
            JsonNode root;
            try {
                root = MAPPER.readTree(json);
            } catch (JacksonException e) {
                throw new IllegalArgumentException("pricing JSON is not valid JSON: " + e.getOriginalMessage(), e);
            }
            JsonNode providers = root == null ? null : root.get("providers");
            if (providers == null || !providers.isObject()) {
                throw new IllegalArgumentException("pricing JSON needs a top-level \"providers\" object");
            }
            // every price parsed before any is added: a file with one bad entry changes nothing
            List<ParsedPrice> parsed = new ArrayList<>();
            for (Map.Entry<String, JsonNode> p : providers.properties()) {
                if (p.getKey().startsWith("_")) {
                    continue;
                }
                if (!p.getValue().isObject()) {
                    throw new IllegalArgumentException("pricing JSON: provider \"" + p.getKey() + "\" is not an object");
                }
                for (Map.Entry<String, JsonNode> m : p.getValue().properties()) {
                    if (!m.getKey().startsWith("_")) {
                        parsed.add(new ParsedPrice(p.getKey(), m.getKey(),
                                parse(p.getKey() + "/" + m.getKey(), m.getValue())));
                    }
                }
            }
            parsed.forEach(x -> price(x.provider(), x.model(), x.price()));
            return this;
        }

        /** One entry of a pricing file. */
        private record ParsedPrice(String provider, String model, ModelPrice price) {
        }

        private static ModelPrice parse(String where, JsonNode n) {
            if (!n.isObject()) {
                throw new IllegalArgumentException("pricing JSON: " + where + " is not an object");
            }
            ModelPrice.Builder b = ModelPrice.builder();
            for (Map.Entry<String, JsonNode> f : n.properties()) {
                String key = f.getKey();
                JsonNode v = f.getValue();
                if (key.startsWith("_")) {
                    continue;
                }
                switch (key) {
                    case "type":
                        if (!v.isString()) {
                            throw new IllegalArgumentException("pricing JSON: " + where + ".type is not a string");
                        }
                        try {
                            b.type(ModelType.fromId(v.stringValue()));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("pricing JSON: " + where + ": " + e.getMessage(), e);
                        }
                        break;
                    case "per_image":
                        b.perImage(unit(where, key, v, MAX_PER_IMAGE, null));
                        break;
                    case "per_input_second":
                        b.perInputSecond(unit(where, key, v, MAX_PER_SECOND, null));
                        break;
                    case "per_output_second":
                        b.perOutputSecond(unit(where, key, v, MAX_PER_SECOND, null));
                        break;
                    case "per_1m_input_characters":
                        b.perMillionInputCharacters(unit(where, key, v, MAX_PER_MILLION, MIN_PER_MILLION));
                        break;
                    case "tiers":
                        if (!v.isObject()) {
                            throw new IllegalArgumentException("pricing JSON: " + where + ".tiers is not an object");
                        }
                        for (Map.Entry<String, JsonNode> t : v.properties()) {
                            if (t.getKey().startsWith("_")) {
                                continue;
                            }
                            PricingTier tier;
                            try {
                                tier = PricingTier.of(t.getKey());
                            } catch (IllegalArgumentException e) {
                                throw new IllegalArgumentException("pricing JSON: " + where + ".tiers: "
                                        + e.getMessage(), e);
                            }
                            b.tier(tier, tokenPrices(where + ".tiers." + t.getKey(), t.getValue(), false));
                        }
                        break;
                    case "long_context": {
                        if (!v.isObject()) {
                            throw new IllegalArgumentException("pricing JSON: " + where + ".long_context is not an object");
                        }
                        JsonNode above = v.get("above_input_tokens");
                        if (above == null || !above.isIntegralNumber() || !above.canConvertToLong()
                                || above.longValue() <= 0) {
                            throw new IllegalArgumentException("pricing JSON: " + where
                                    + ".long_context needs a positive integer above_input_tokens");
                        }
                        b.longContext(above.longValue(), tokenPrices(where + "." + key, v, true));
                        break;
                    }
                    default:
                        throw new IllegalArgumentException("pricing JSON: " + where + ": unknown key \"" + key
                                + "\"" + suggestion(key) + "; a model has type, tiers, long_context, per_image, "
                                + "per_input_second, per_output_second, per_1m_input_characters");
                }
            }
            return b.build();
        }

        /** For an unknown model key that is a tier name or a likely guess at a real key: where it goes; else "". */
        private static String suggestion(String key) {
            switch (key) {
                case "standard":
                case "batch":
                case "flex":
                case "priority":
                    return " (tiers go under \"tiers\": {\"" + key + "\": {...}})";
                case "image":
                    return " (did you mean \"per_image\"?)";
                case "input_second":
                    return " (did you mean \"per_input_second\"?)";
                case "output_second":
                    return " (did you mean \"per_output_second\"?)";
                case "input_character":
                    return " (did you mean \"per_1m_input_characters\"?)";
                default:
                    return "";
            }
        }

        private static final String[] TOKEN_KEYS = {"input_per_1m_tokens", "output_per_1m_tokens",
            "cached_input_per_1m_tokens", "cache_write_per_1m_tokens", "cache_write_1h_per_1m_tokens",
            "audio_input_per_1m_tokens", "audio_output_per_1m_tokens", "image_input_per_1m_tokens",
            "image_output_per_1m_tokens", "reasoning_per_1m_tokens"};

        private static TokenPrices tokenPrices(String where, JsonNode n, boolean longContext) {
            if (!n.isObject()) {
                throw new IllegalArgumentException("pricing JSON: " + where + " is not an object of token prices");
            }
            BigDecimal[] v = new BigDecimal[TOKEN_KEYS.length];
            for (Map.Entry<String, JsonNode> f : n.properties()) {
                String key = f.getKey();
                if (key.startsWith("_") || (longContext && key.equals("above_input_tokens"))) {
                    continue;
                }
                int i = Arrays.asList(TOKEN_KEYS).indexOf(key);
                if (i < 0) {
                    String suggestion = key.equals("input") || key.equals("output") || key.equals("cached_input")
                            || key.equals("cache_write") ? " (did you mean \"" + key + "_per_1m_tokens\"?)" : "";
                    throw new IllegalArgumentException("pricing JSON: " + where + ": unknown key \"" + key + "\""
                            + suggestion + "; token prices are " + String.join(", ", TOKEN_KEYS));
                }
                v[i] = unit(where, key, f.getValue(), MAX_PER_MILLION, MIN_PER_MILLION);
            }
            if (v[0] == null || v[1] == null) {
                throw new IllegalArgumentException("pricing JSON: " + where
                        + " needs input_per_1m_tokens and output_per_1m_tokens");
            }
            return new TokenPrices(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
        }

        private static @Nullable BigDecimal unit(String where, String key, @Nullable JsonNode v, BigDecimal max,
                                                 @Nullable BigDecimal minNonZero) {
            BigDecimal d = decimal(where, key, v);
            if (d == null) {
                return null;
            }
            if (d.compareTo(max) > 0) {
                throw new IllegalArgumentException("pricing JSON: " + where + "." + key + " = " + d.toPlainString()
                        + " is implausibly high for its unit (at most " + max.toPlainString() + "); check the unit in"
                        + " the key's name");
            }
            if (minNonZero != null && d.signum() > 0 && d.compareTo(minNonZero) < 0) {
                throw new IllegalArgumentException("pricing JSON: " + where + "." + key + " = " + d.toPlainString()
                        + " is implausibly low for a price per 1M (at least " + minNonZero.toPlainString()
                        + " unless 0): it looks like a price per token or per character; multiply it by 1000000");
            }
            return d;
        }

        private static @Nullable BigDecimal decimal(String where, String key, @Nullable JsonNode v) {
            if (v == null || v.isNull()) {
                return null;
            }
            BigDecimal d;
            if (v.isString()) {
                try {
                    d = new BigDecimal(v.stringValue().trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("pricing JSON: " + where + "." + key + " \"" + v.stringValue()
                            + "\" is not a decimal number", e);
                }
            } else if (v.isNumber()) {
                d = v.decimalValue();
            } else {
                throw new IllegalArgumentException("pricing JSON: " + where + "." + key + " is not a number");
            }
            if (d.signum() < 0) {
                throw new IllegalArgumentException("pricing JSON: " + where + "." + key + " is negative: " + d);
            }
            return d;
        }

        /**
         * The catalog.
         *
         * @return a new immutable catalog
         */
        public PricingCatalog build() {
            return new PricingCatalog(prices);
        }
    }
}
