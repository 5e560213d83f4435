package dev.spectra.reactive.pricing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.provider.ProviderRegistry;
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
 * ({@code openai/gpt-4o} under {@code openai}), each exactly and then ignoring case. A dated snapshot that is
 * not listed ({@code gpt-5-2025-08-07}, {@code claude-sonnet-4-5-20250929}) gets its family's prices only when
 * the family is marked {@code dated} (the source priced every listed snapshot alike); otherwise it stays
 * unpriced. A model not found is priced {@code null}, never 0.
 *
 * <h2>Cost</h2>
 * With the tier's token prices (USD per 1M tokens), exact in {@link BigDecimal}:
 * <pre>
 * input  = (input − cached − cache_write) × input price + cached × cached-input price
 *          + cache_write × cache-write price  [+ audio seconds × per-second price (transcription)]
 *          [+ characters × per-character price (speech)]
 * output = output × output price  [+ images × per-image price]  [+ audio seconds × per-second price (speech)]
 * </pre>
 * A missing cached-input or cache-write price bills those tokens at the input price (no discount or surcharge is
 * assumed the source does not state). A tier the model has no prices for gives {@code null} (not priced at that
 * tier): batch prices are never guessed from standard ones. At the standard tier, a request whose input exceeds
 * the model's long-context threshold is billed wholly at the long-context prices. A unit the usage has (images,
 * seconds, characters) that the model has no price for gives {@code null}. Reasoning tokens are part of output
 * and billed at the output price.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class PricingCatalog implements Pricing {

    /** Classpath location of the bundled catalog. */
    public static final String BUNDLED_RESOURCE = "/dev/spectra/reactive/pricing/catalog.json";

    private static final Pattern DATED = Pattern.compile("^(.+)-(\\d{4}-\\d{2}-\\d{2}|\\d{8})$");
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static volatile @Nullable PricingCatalog bundled;

    private final Map<String, Map<String, ModelPrice>> prices;
    private final Map<String, Map<String, ModelPrice>> lowerCase;
    private final int size;

    private PricingCatalog(Map<String, Map<String, ModelPrice>> prices) {
        Map<String, Map<String, ModelPrice>> p = new HashMap<>();
        Map<String, Map<String, ModelPrice>> l = new HashMap<>();
        int n = 0;
        for (Map.Entry<String, Map<String, ModelPrice>> e : prices.entrySet()) {
            p.put(e.getKey(), Map.copyOf(e.getValue()));
            Map<String, ModelPrice> lower = new HashMap<>();
            e.getValue().forEach((model, price) -> lower.putIfAbsent(model.toLowerCase(Locale.ROOT), price));
            l.put(e.getKey(), lower);
            n += e.getValue().size();
        }
        this.prices = p;
        this.lowerCase = l;
        this.size = n;
    }

    /**
     * The catalog bundled with this version, loaded once.
     *
     * @return the bundled catalog
     * @throws IllegalStateException when the resource is missing or corrupt (a broken build)
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
        if (stripped != null) {
            found = exactOrCase(p, models, stripped);
            if (found != null) {
                return found;
            }
            m = stripped;
        }
        Matcher dated = DATED.matcher(m);
        if (dated.matches()) {
            ModelPrice family = exactOrCase(p, models, dated.group(1));
            if (family != null && family.datedSnapshots()) {
                return family;
            }
        }
        return null;
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
        BigDecimal in = BigDecimal.ZERO;
        BigDecimal out = BigDecimal.ZERO;
        boolean tokens = usage.inputTokens() > 0 || usage.outputTokens() > 0;
        boolean units = usage.images() > 0 || usage.audioSeconds().signum() > 0 || usage.characters() > 0;
        TokenPrices p = price.tier(tier);
        if (tier.equals(PricingTier.STANDARD) && price.longContext() != null
                && usage.inputTokens() > price.longContextAboveInputTokens()) {
            p = price.longContext();
        }
        if (p == null) {
            if (tokens || !units) {
                return null; // no prices at this tier for what was used
            }
        } else {
            in = BigDecimal.valueOf(usage.uncachedInputTokens()).multiply(p.input())
                    .add(BigDecimal.valueOf(usage.cachedInputTokens()).multiply(p.effectiveCachedInput()))
                    .add(BigDecimal.valueOf(usage.cacheWriteTokens()).multiply(p.effectiveCacheWrite()))
                    .movePointLeft(6);
            out = BigDecimal.valueOf(usage.outputTokens()).multiply(p.output()).movePointLeft(6);
        }
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

    @Override
    public String toString() {
        return "PricingCatalog{" + size + " models of " + prices.keySet() + '}';
    }

    /**
     * Builds a {@link PricingCatalog}. A price set for a provider and model replaces the earlier one.
     *
     * <p>JSON format (the bundled catalog's): <pre>{@code
     * {"providers": {"openai": {
     *     "gpt-4o": {"type": "text",
     *                "standard": {"input": "2.5", "output": "10", "cached_input": "1.25"},
     *                "batch":    {"input": "1.25", "output": "5"}},
     *     "dall-e-3": {"type": "image", "image": "0.04"}}}}
     * }</pre>
     * Token prices ({@code input}, {@code output}, {@code cached_input}, {@code cache_write}) are USD per 1M
     * tokens; {@code input_character} USD per 1M characters; {@code image} USD per image;
     * {@code input_second} and {@code output_second} USD per second of audio. Any tier name is allowed besides
     * {@code standard}, {@code batch}, {@code flex}, {@code priority}. Optional: {@code long_context} (a tier
     * with {@code above_input_tokens}) and {@code dated} (true: dated snapshots share the prices). Prices may be
     * strings or numbers; both are read exactly. Keys starting with {@code _} are comments.
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
         * @param model model name
         * @return this builder
         */
        public Builder remove(String provider, String model) {
            Map<String, ModelPrice> m = prices.get(ProviderRegistry.canonicalId(provider));
            if (m != null) {
                m.remove(model);
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
         * Adds or overrides prices from JSON in the format above; the stream is read, not closed.
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
            for (Map.Entry<String, JsonNode> p : providers.properties()) {
                if (p.getKey().startsWith("_")) {
                    continue;
                }
                if (!p.getValue().isObject()) {
                    throw new IllegalArgumentException("pricing JSON: provider \"" + p.getKey() + "\" is not an object");
                }
                for (Map.Entry<String, JsonNode> m : p.getValue().properties()) {
                    if (!m.getKey().startsWith("_")) {
                        price(p.getKey(), m.getKey(), parse(p.getKey() + "/" + m.getKey(), m.getValue()));
                    }
                }
            }
            return this;
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
                        try {
                            b.type(ModelType.fromId(v.asString()));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("pricing JSON: " + where + ": " + e.getMessage(), e);
                        }
                        break;
                    case "image":
                        b.perImage(decimal(where, key, v));
                        break;
                    case "input_second":
                        b.perInputSecond(decimal(where, key, v));
                        break;
                    case "output_second":
                        b.perOutputSecond(decimal(where, key, v));
                        break;
                    case "input_character":
                        b.perMillionInputCharacters(decimal(where, key, v));
                        break;
                    case "dated":
                        b.datedSnapshots(v.isBoolean() && v.booleanValue());
                        break;
                    case "long_context": {
                        JsonNode above = v.get("above_input_tokens");
                        if (above == null || !above.canConvertToLong() || above.longValue() <= 0) {
                            throw new IllegalArgumentException("pricing JSON: " + where
                                    + ".long_context needs a positive above_input_tokens");
                        }
                        b.longContext(above.longValue(), tokenPrices(where + "." + key, v));
                        break;
                    }
                    default:
                        if (!v.isObject()) {
                            throw new IllegalArgumentException("pricing JSON: " + where + "." + key
                                    + " is not a tier object (or a known field: type, image, input_second, "
                                    + "output_second, input_character, long_context, dated)");
                        }
                        PricingTier tier;
                        try {
                            tier = PricingTier.of(key);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("pricing JSON: " + where + ": " + e.getMessage(), e);
                        }
                        b.tier(tier, tokenPrices(where + "." + key, v));
                }
            }
            return b.build();
        }

        private static TokenPrices tokenPrices(String where, JsonNode n) {
            BigDecimal in = decimal(where, "input", n.get("input"));
            BigDecimal out = decimal(where, "output", n.get("output"));
            if (in == null || out == null) {
                throw new IllegalArgumentException("pricing JSON: " + where + " needs input and output prices");
            }
            return new TokenPrices(in, out, decimal(where, "cached_input", n.get("cached_input")),
                    decimal(where, "cache_write", n.get("cache_write")));
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
