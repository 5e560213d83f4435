package dev.spectra.reactive.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.provider.Provider;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.ResponseDetails;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Costs checked by hand against the bundled catalog (prices in USD per 1M tokens, as the catalog file states
 * them; each test spells the arithmetic), exact to the last decimal.
 */
class PricingCatalogUnitTests {

    private static final PricingCatalog CATALOG = PricingCatalog.bundled();

    private static Usage tokens(long in, long cached, long write, long out) {
        return Usage.builder().inputTokens(in).cachedInputTokens(cached).cacheWriteTokens(write).outputTokens(out)
                .build();
    }

    private static Cost cost(String provider, String model, PricingTier tier, Usage usage) {
        return CATALOG.cost(provider, model, tier, usage);
    }

    private static void assertCost(Cost c, String input, String output, String total) {
        assertThat(c).isNotNull();
        assertThat(c.input()).isEqualTo(new BigDecimal(input).setScale(Cost.SCALE));
        assertThat(c.output()).isEqualTo(new BigDecimal(output).setScale(Cost.SCALE));
        assertThat(c.total()).isEqualTo(new BigDecimal(total).setScale(Cost.SCALE));
    }

    @Test
    void gpt4oStandardWithCacheReads() {
        // gpt-4o: input 2.5, cached 1.25, output 10. (1000-200)*2.5 + 200*1.25 = 2250 -> 0.00225; 500*10 -> 0.005
        assertCost(cost("openai", "gpt-4o", PricingTier.STANDARD, tokens(1000, 200, 0, 500)),
                "0.00225", "0.005", "0.00725");
    }

    @Test
    void aTierWithoutACachedPriceLeavesCacheReadsUnpricedNeverAtTheFullInputPrice() {
        // gpt-4o batch: input 1.25, output 5, no cached price in the source: unknown, so no cost at all
        assertThat(cost("openai", "gpt-4o", PricingTier.BATCH, tokens(1000, 200, 0, 500))).isNull();
        // gpt-4.1 at 90% cached: standard is priced; batch (no cached price) is not, never $1.00 at full rate
        assertCost(cost("openai", "gpt-4.1", PricingTier.STANDARD, tokens(1_000_000, 900_000, 0, 0)),
                "0.65", "0", "0.65");
        assertThat(cost("openai", "gpt-4.1", PricingTier.BATCH, tokens(1_000_000, 900_000, 0, 0))).isNull();
        // without cache reads the batch tier is priced: 1000*1.25; 500*5
        assertCost(cost("openai", "gpt-4o", PricingTier.BATCH, tokens(1000, 0, 0, 500)),
                "0.00125", "0.0025", "0.00375");
    }

    @Test
    void anthropicBatchIsHalfOfEveryStandardPriceAsAnthropicDocuments() {
        // docs.claude.com batch-processing#pricing: 50% of standard; prompt-caching multipliers stack with it.
        // claude-sonnet-4-5 batch: input 1.5, cached 0.15, write 1.875, output 7.5:
        // 5000*1.5 + 3000*0.15 + 2000*1.875 = 11700 -> 0.0117; 100*7.5 -> 0.00075
        assertCost(cost("anthropic", "claude-sonnet-4-5", PricingTier.BATCH, tokens(10000, 3000, 2000, 100)),
                "0.0117", "0.00075", "0.01245");
    }

    @Test
    void gpt4oPriority() {
        // priority: input 4.25, cached 2.125, output 17: 800*4.25 + 200*2.125 = 3825 -> 0.003825; 500*17 -> 0.0085
        assertCost(cost("openai", "gpt-4o", PricingTier.PRIORITY, tokens(1000, 200, 0, 500)),
                "0.003825", "0.0085", "0.012325");
    }

    @Test
    void aTierTheModelHasNoPricesForIsNotPriced() {
        assertThat(cost("openai", "gpt-4o", PricingTier.FLEX, tokens(1000, 0, 0, 500))).isNull();
        assertThat(cost("openai", "gpt-4o", PricingTier.of("hd"), tokens(1000, 0, 0, 500))).isNull();
    }

    @Test
    void gpt5FlexAndAListedSnapshotButNeverAnUnlistedOne() {
        // flex: input 0.625, cached 0.0625, output 5: 6000*0.625 + 4000*0.0625 = 4000 -> 0.004; 2000*10/2 -> 0.01
        assertCost(cost("openai", "gpt-5", PricingTier.FLEX, tokens(10000, 4000, 0, 2000)), "0.004", "0.01", "0.014");
        // gpt-5-2025-08-07 is listed by the source: 6000*1.25 + 4000*0.125 = 8000 -> 0.008; 2000*10 -> 0.02
        assertCost(cost("openai", "gpt-5-2025-08-07", PricingTier.STANDARD, tokens(10000, 4000, 0, 2000)),
                "0.008", "0.02", "0.028");
        // an invented snapshot of the family is not: a new snapshot may be priced differently
        assertThat(CATALOG.find("openai", "gpt-5-2026-01-01")).isNull();
        assertThat(cost("openai", "gpt-5-2026-01-01", PricingTier.STANDARD, tokens(10000, 4000, 0, 2000))).isNull();
        assertThat(CATALOG.find("anthropic", "claude-opus-4-1-20990101")).isNull();
    }

    @Test
    void anUnlistedSnapshotOfAFamilyWhoseSnapshotsDifferStaysUnpriced() {
        // gpt-4o-2024-05-13 costs 5/15, gpt-4o 2.5/10: the source does not say snapshots share prices
        assertThat(CATALOG.find("openai", "gpt-4o-2024-08-06")).isNotNull();
        assertThat(CATALOG.find("openai", "gpt-4o-2031-01-01")).isNull();
        assertThat(cost("openai", "gpt-4o-2031-01-01", PricingTier.STANDARD, tokens(10, 0, 0, 10))).isNull();
    }

    @Test
    void claudeSonnet45FromTheAnthropicFixture() {
        // input 1114 = 3 uncached + 1111 cache reads; input 3, cached 0.3, output 15:
        // 3*3 + 1111*0.3 = 342.3 -> 0.0003423; 406*15 = 6090 -> 0.00609
        assertCost(cost("anthropic", "claude-sonnet-4-5-20250929", PricingTier.STANDARD, tokens(1114, 1111, 0, 406)),
                "0.0003423", "0.00609", "0.0064323");
    }

    @Test
    void claudeCacheWritesPayTheWritePrice() {
        // 5000*3 + 3000*0.3 + 2000*3.75 = 23400 -> 0.0234; 100*15 -> 0.0015
        assertCost(cost("anthropic", "claude-sonnet-4-5", PricingTier.STANDARD, tokens(10000, 3000, 2000, 100)),
                "0.0234", "0.0015", "0.0249");
    }

    @Test
    void longContextBillsTheWholeRequestAtTheHigherRate() {
        // input above 200k: input 6, output 22.5: 250000*6 -> 1.5; 1000*22.5 -> 0.0225
        assertCost(cost("anthropic", "claude-sonnet-4-5", PricingTier.STANDARD, tokens(250000, 0, 0, 1000)),
                "1.5", "0.0225", "1.5225");
        // exactly 200k is not above: 200000*3 -> 0.6
        assertCost(cost("anthropic", "claude-sonnet-4-5", PricingTier.STANDARD, tokens(200000, 0, 0, 0)),
                "0.6", "0", "0.6");
    }

    @Test
    void geminiFlashFromTheGeminiFixture() {
        // input 0.3, cached 0.03, output 2.5 (thoughts are output): 169*0.3 + 204*0.03 = 56.82; 256*2.5 = 640
        assertCost(cost("gemini", "gemini-2.5-flash", PricingTier.STANDARD, tokens(373, 204, 0, 256)),
                "0.00005682", "0.00064", "0.00069682");
        assertThat(cost("google", "models/gemini-2.5-flash", PricingTier.STANDARD, tokens(373, 204, 0, 256)))
                .as("alias and models/ prefix").isEqualTo(cost("gemini", "gemini-2.5-flash", PricingTier.STANDARD,
                        tokens(373, 204, 0, 256)));
    }

    @Test
    void deepseekCacheHits() {
        // input 0.28, cached 0.028, output 0.42: 51*0.28 + 512*0.028 = 28.616; 116*0.42 = 48.72
        assertCost(cost("deepseek", "deepseek-chat", PricingTier.STANDARD, tokens(563, 512, 0, 116)),
                "0.000028616", "0.00004872", "0.000077336");
    }

    @Test
    void groqMistralXaiTogetherCohereAzureOpenRouter() {
        // groq llama-3.3-70b-versatile 0.59/0.79: 48*0.59 = 28.32; 8*0.79 = 6.32
        assertCost(cost("groq", "llama-3.3-70b-versatile", PricingTier.STANDARD, tokens(48, 0, 0, 8)),
                "0.00002832", "0.00000632", "0.00003464");
        // mistral-large-latest 2/6: 77*2 = 154; 12*6 = 72
        assertCost(cost("mistral", "mistral-large-latest", PricingTier.STANDARD, tokens(77, 0, 0, 12)),
                "0.000154", "0.000072", "0.000226");
        // the mistral fixture's 76 cache reads have no price in the source: unpriced, not billed at 2
        assertThat(cost("mistral", "mistral-large-latest", PricingTier.STANDARD, tokens(77, 76, 0, 12))).isNull();
        // xai grok-3-mini 0.3/0.5, cached 0.075: 10*0.3 + 2*0.075 = 3.15; 229*0.5 = 114.5
        assertCost(cost("xai", "grok-3-mini", PricingTier.STANDARD, tokens(12, 2, 0, 229)),
                "0.00000315", "0.0001145", "0.00011765");
        // together deepseek-ai/DeepSeek-R1 3/7: 4*3 = 12; 197*7 = 1379
        assertCost(cost("together", "deepseek-ai/DeepSeek-R1", PricingTier.STANDARD, tokens(4, 0, 0, 197)),
                "0.000012", "0.001379", "0.001391");
        // cohere command-a-03-2025 2.5/10: its billed_units (2406/2) are priced, not the processed tokens
        // (2935/4, 2928 cached, no cached price): 2406*2.5 = 6015; 2*10 = 20
        Usage processed = tokens(2935, 2928, 0, 4);
        ResponseDetails cohere = new ResponseDetails(null, null, processed, null, Map.of(), null, null, null,
                tokens(2406, 0, 0, 2), null, null);
        assertCost(CATALOG.cost("cohere", "command-a-03-2025", PricingTier.STANDARD, processed, cohere),
                "0.006015", "0.00002", "0.006035");
        assertThat(cost("cohere", "command-a-03-2025", PricingTier.STANDARD, processed)).as("cache reads, no price")
                .isNull();
        // azure gpt-4o-2024-11-20 2.75/11: 14*2.75 = 38.5; 9*11 = 99
        assertCost(cost("azure", "gpt-4o-2024-11-20", PricingTier.STANDARD, tokens(14, 0, 0, 9)),
                "0.0000385", "0.000099", "0.0001375");
        // openrouter anthropic/claude-sonnet-4.5 3/15, cache write 3.75: 100*3 + 50*3.75 = 487.5; 10*15 = 150
        assertCost(cost("openrouter", "anthropic/claude-sonnet-4.5", PricingTier.STANDARD, tokens(150, 0, 50, 10)),
                "0.0004875", "0.00015", "0.0006375");
    }

    @Test
    void reasoningModelsBillReasoningAsOutput() {
        // o3-mini-2025-01-31 (listed) 1.1/4.4: 577*1.1 = 634.7; 2320*4.4 = 10208 (1792 reasoning inside)
        Usage u = Usage.builder().inputTokens(577).outputTokens(2320).reasoningTokens(1792).build();
        assertCost(cost("openai", "o3-mini-2025-01-31", PricingTier.STANDARD, u), "0.0006347", "0.010208",
                "0.0108427");
    }

    @Test
    void embeddingsAndTheirBatchTier() {
        // text-embedding-3-small 0.02, batch 0.01: 4*0.02 = 0.08 -> 0.00000008
        assertCost(cost("openai", "text-embedding-3-small", PricingTier.STANDARD, tokens(4, 0, 0, 0)),
                "0.00000008", "0", "0.00000008");
        assertCost(cost("openai", "text-embedding-3-small", PricingTier.BATCH, tokens(4, 0, 0, 0)),
                "0.00000004", "0", "0.00000004");
    }

    @Test
    void unitPricedModels() {
        // whisper-1 0.0001 per second: 90.5 s -> 0.00905 (input side)
        assertCost(cost("openai", "whisper-1", PricingTier.STANDARD,
                Usage.builder().audioSeconds(new BigDecimal("90.5")).build()), "0.00905", "0", "0.00905");
        // tts-1 15 per 1M characters: 1000 -> 0.015 (input side)
        assertCost(cost("openai", "tts-1", PricingTier.STANDARD, Usage.builder().characters(1000).build()),
                "0.015", "0", "0.015");
        // dall-e-3 0.04 per image: 2 -> 0.08 (output side)
        assertCost(cost("openai", "dall-e-3", PricingTier.STANDARD, Usage.builder().images(2).build()),
                "0", "0.08", "0.08");
        // a unit the model has no price for is not priced
        assertThat(cost("openai", "gpt-4o", PricingTier.STANDARD, Usage.builder().images(1).build())).isNull();
        assertThat(cost("openai", "dall-e-3", PricingTier.STANDARD, tokens(10, 0, 0, 10))).isNull();
    }

    @Test
    void tokenBilledImageModelsArePricedByTheirTokensWithImageInputAtItsOwnRate() {
        // openai__images__json__1.json with gpt-image-1 (text in 5, image in 10, image out 40): 2 images, 50 input
        // tokens of which 40 image, 544 output image tokens: 10*5 + 40*10 = 450 -> 0.00045; 544*40 = 21760
        Usage u = Usage.builder().inputTokens(50).outputTokens(544).images(2).imageInputTokens(40)
                .imageOutputTokens(544).build();
        assertCost(cost("openai", "gpt-image-1", PricingTier.STANDARD, u), "0.00045", "0.02176", "0.02221");
        // the answer's quality and size do not matter when tokens are billed
        ResponseDetails d = new ResponseDetails(null, null, u, null, Map.of(), null, null, null, null, "low",
                "1024x1024");
        assertCost(CATALOG.cost("openai", "gpt-image-1", PricingTier.STANDARD, u, d), "0.00045", "0.02176", "0.02221");
        // gpt-image-1.5 outputs image tokens at 32, not its text output rate of 10: 544*32 = 17408
        assertCost(cost("openai", "gpt-image-1.5", PricingTier.STANDARD, u), "0.00037", "0.017408", "0.017778");
        // image input tokens of a model without an image input price are not billed at the text rate
        PricingCatalog noImageRate = CATALOG.toBuilder().price("openai", "img", ModelPrice.builder()
                .standard(TokenPrices.of("5", "40")).build()).build();
        assertThat(noImageRate.cost("openai", "img", PricingTier.STANDARD, u)).isNull();
    }

    @Test
    void audioTokensArePricedAtTheAudioRateOrNotAtAll() {
        // openai__audio_transcription__json__1.json, gpt-4o-transcribe: 14 audio input tokens at 6, 45 output at
        // 10: 14*6 = 84 -> 0.000084 (not 14*2.5 at the text rate); 45*10 = 450 -> 0.00045
        Usage u = Usage.builder().inputTokens(14).audioInputTokens(14).outputTokens(45).build();
        assertCost(cost("openai", "gpt-4o-transcribe", PricingTier.STANDARD, u), "0.000084", "0.00045", "0.000534");
        // gpt-4o-audio-preview: text in 2.5, audio in 40, text out 10, audio out 80:
        // 100*2.5 + 50*40 = 2250; 20*10 + 30*80 = 2600
        Usage chat = Usage.builder().inputTokens(150).audioInputTokens(50).outputTokens(50).audioOutputTokens(30)
                .build();
        assertCost(cost("openai", "gpt-4o-audio-preview", PricingTier.STANDARD, chat), "0.00225", "0.0026",
                "0.00485");
        // gpt-4o has no audio price: audio tokens leave the call unpriced
        assertThat(cost("openai", "gpt-4o", PricingTier.STANDARD, chat)).isNull();
        // audio with cache reads: which modality the cache held is not stated
        assertThat(cost("openai", "gpt-4o-audio-preview", PricingTier.STANDARD,
                chat.toBuilder().cachedInputTokens(10).build())).isNull();
    }

    @Test
    void oneHourCacheWritesPayTheirOwnRate() {
        // claude-opus-4-1: input 15, 5-minute write 18.75, 1-hour write 30, output 75:
        // 1000*15 + 600*18.75 + 400*30 = 38250 -> 0.03825; 10*75 -> 0.00075
        Usage u = Usage.builder().inputTokens(2000).cacheWriteTokens(1000).cacheWrite1hTokens(400).outputTokens(10)
                .build();
        assertCost(cost("anthropic", "claude-opus-4-1", PricingTier.STANDARD, u), "0.03825", "0.00075", "0.039");
        // claude-sonnet-4-5 has no 1-hour price in the source: not priced, never at the 5-minute rate
        assertThat(cost("anthropic", "claude-sonnet-4-5", PricingTier.STANDARD, u)).isNull();
    }

    @Test
    void deepseekCacheHitPriceIsTheCachedPrice() {
        // deepseek-r1 lists only input_cost_per_token_cache_hit (0.14) besides input 0.55 and output 2.19:
        // 488*0.55 + 512*0.14 = 340.08; 100*2.19 = 219
        assertCost(cost("deepseek", "deepseek-r1", PricingTier.STANDARD, tokens(1000, 512, 0, 100)),
                "0.00034008", "0.000219", "0.00055908");
    }

    @Test
    void reasoningPricedApartWhereTheSourceSaysSo() {
        // gemini-2.5-flash-preview-04-17: output 0.6, reasoning 3.5: 100*0.15 = 15; 50*0.6 + 200*3.5 = 730
        Usage u = Usage.builder().inputTokens(100).outputTokens(250).reasoningTokens(200).build();
        assertCost(cost("gemini", "gemini-2.5-flash-preview-04-17", PricingTier.STANDARD, u), "0.000015",
                "0.00073", "0.000745");
    }

    @Test
    void longContextAtAnotherTierThanStandardIsNotPriced() {
        assertThat(cost("anthropic", "claude-sonnet-4-5", PricingTier.BATCH, tokens(250000, 0, 0, 10))).isNull();
        assertCost(cost("anthropic", "claude-sonnet-4-5", PricingTier.BATCH, tokens(1000, 0, 0, 10)),
                "0.0015", "0.000075", "0.001575");
    }

    @Test
    void imagesBilledPerImageArePricedByQualityAndSize() {
        Usage two = Usage.builder().images(2).build();
        // dall-e-3 hd 1024x1792: 0.12 each (OpenAI's published price, agreeing with the source's pixel price)
        assertCost(CATALOG.cost("openai", "dall-e-3", PricingTier.STANDARD, two, image("hd", "1024x1792")),
                "0", "0.24", "0.24");
        assertCost(CATALOG.cost("openai", "dall-e-3", PricingTier.STANDARD, two, image("standard", "1024x1024")),
                "0", "0.08", "0.08");
        // dall-e-2 has sizes only: 256x256 0.016
        assertCost(CATALOG.cost("openai", "dall-e-2", PricingTier.STANDARD, two, image("standard", "256x256")),
                "0", "0.032", "0.032");
        // no quality or size stated: the model's own (default) price
        assertCost(CATALOG.cost("openai", "dall-e-3", PricingTier.STANDARD, two, image(null, null)),
                "0", "0.08", "0.08");
        // a variant the catalog does not price is not priced, never the default's price
        assertThat(CATALOG.cost("openai", "dall-e-3", PricingTier.STANDARD, two, image("hd", "512x512"))).isNull();
        assertThat(CATALOG.cost("openai", "dall-e-3", PricingTier.STANDARD, two, image("hd", null))).isNull();
        // the plain method knows no variant and gives the default price
        assertCost(cost("openai", "dall-e-3", PricingTier.STANDARD, two), "0", "0.08", "0.08");
    }

    private static ResponseDetails image(String quality, String size) {
        return new ResponseDetails(null, null, null, null, Map.of(), null, null, null, null, quality, size);
    }

    @Test
    void everyBundledPriceHasItsUnitInItsNameAndTheCatalogStatesWhatItLeftOut() throws Exception {
        String json = new String(PricingCatalog.class.getResourceAsStream(PricingCatalog.BUNDLED_RESOURCE)
                .readAllBytes(), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("\"input\":").doesNotContain("\"dated\"").contains("_left_unpriced")
                .contains("gemini/gemini-flash-latest: 2 entries at the same priority with different prices");
        // colliding entries are left out rather than resolved by file order
        assertThat(CATALOG.find("gemini", "gemini-exp-1206")).isNull();
    }

    @Test
    void unknownModelsAndProvidersAreNullNeverZero() {
        assertThat(cost("openai", "gpt-5.6-sol", PricingTier.STANDARD, tokens(4020, 4012, 0, 4))).isNull();
        assertThat(cost("ollama", "llama3.2", PricingTier.STANDARD, tokens(26, 0, 0, 298))).isNull();
        assertThat(cost("nobody", "gpt-4o", PricingTier.STANDARD, tokens(1, 0, 0, 1))).isNull();
        assertThat(CATALOG.modelType("nobody", "x")).isNull();
        assertThat(CATALOG.modelType("openai", "whisper-1")).isEqualTo(ModelType.STT);
        assertThat(CATALOG.modelType("openai", "text-embedding-3-small")).isEqualTo(ModelType.EMBEDDING);
    }

    @Test
    void zeroUsageOfAKnownModelCostsZero() {
        assertCost(cost("openai", "gpt-4o", PricingTier.STANDARD, tokens(0, 0, 0, 0)), "0", "0", "0");
    }

    @Test
    void lookupIgnoresCaseAndTheProvidersOwnPrefix() {
        assertThat(CATALOG.find("OpenAI", "GPT-4o")).isSameAs(CATALOG.find("openai", "gpt-4o"));
        assertThat(CATALOG.find("openai", "openai/gpt-4o")).isSameAs(CATALOG.find("openai", "gpt-4o"));
        assertThat(CATALOG.find("openai", "anthropic/gpt-4o")).isNull();
    }

    @Test
    void everyBuiltInProviderHasPricedModels() {
        assertThat(CATALOG.size()).isGreaterThan(500);
        for (Provider p : ProviderRegistry.builtIn().providers()) {
            if (p.id().equals("huggingface")) {
                // the router bills at each upstream provider's rates, which the source does not list: unpriced
                // unless the user adds prices
                assertThat(CATALOG.models(p.id())).as(p.id()).isEmpty();
                continue;
            }
            assertThat(CATALOG.models(p.id())).as(p.id()).isNotEmpty();
        }
        // Claude on Vertex AI under the model id its paths name: $3 / $15 per 1M below 200k input tokens
        assertThat(CATALOG.cost("vertex_ai", "claude-sonnet-4-5@20250929", PricingTier.STANDARD,
                Usage.of(100_000, 1000))).isEqualTo(Cost.of("0.3", "0.015"));
        // every bundled entry is usable: a type, and token prices at the standard tier or a unit price
        CATALOG.models("openai").forEach((model, price) -> assertThat(price.type()).as(model).isNotNull());
    }

    @Test
    void overridesInCode() {
        PricingCatalog c = CATALOG.toBuilder()
                .price("openai", "ft:gpt-4o-mini:acme::abc", ModelPrice.builder().type(ModelType.TEXT)
                        .standard(TokenPrices.of("0.30", "1.20").withCachedInput("0.15")).build())
                .price("openai", "gpt-4o", ModelPrice.builder().standard(TokenPrices.of("1", "2")).build())
                .build();
        // 90*0.30 + 10*0.15 = 28.5; 10*1.2 = 12
        assertCost(c.cost("openai", "ft:gpt-4o-mini:acme::abc", PricingTier.STANDARD, tokens(100, 10, 0, 10)),
                "0.0000285", "0.000012", "0.0000405");
        // overridden: 1000*1 -> 0.001, 1000*2 -> 0.002; the bundled catalog itself is unchanged
        assertCost(c.cost("openai", "gpt-4o", PricingTier.STANDARD, tokens(1000, 0, 0, 1000)), "0.001", "0.002", "0.003");
        assertCost(cost("openai", "gpt-4o", PricingTier.STANDARD, tokens(1000, 0, 0, 1000)), "0.0025", "0.01", "0.0125");
        assertThat(c.toBuilder().remove("openai", "gpt-4o").build().find("openai", "gpt-4o")).isNull();
    }

    @Test
    void pricesDefinedInCodeCoverCacheWritesAndAudioAsTheCatalogFileDoes() {
        // the prices of claude-opus-4-1 and gpt-4o-audio-preview in the bundled catalog, written in code
        PricingCatalog c = PricingCatalog.builder()
                .price("anthropic", "opus-copy", ModelPrice.builder().type(ModelType.TEXT).standard(
                        TokenPrices.of("15", "75").withCacheWrite("18.75").withCacheWrite1h("30")).build())
                .price("openai", "audio-copy", ModelPrice.builder().type(ModelType.TEXT).standard(
                        TokenPrices.of("2.5", "10").withAudio("40", "80")).build())
                .price("openai", "audio-in-only", ModelPrice.builder().type(ModelType.STT).standard(
                        TokenPrices.of("2.5", "10").withAudio("6", null)).build())
                .build();
        // 1000*15 + 600*18.75 + 400*30 = 38250 -> 0.03825; 10*75 -> 0.00075 (as the catalog's claude-opus-4-1)
        Usage writes = Usage.builder().inputTokens(2000).cacheWriteTokens(1000).cacheWrite1hTokens(400)
                .outputTokens(10).build();
        assertCost(c.cost("anthropic", "opus-copy", PricingTier.STANDARD, writes), "0.03825", "0.00075", "0.039");
        assertThat(c.cost("anthropic", "opus-copy", PricingTier.STANDARD, writes))
                .isEqualTo(cost("anthropic", "claude-opus-4-1", PricingTier.STANDARD, writes));
        // 100*2.5 + 50*40 = 2250; 20*10 + 30*80 = 2600 (as the catalog's gpt-4o-audio-preview)
        Usage audio = Usage.builder().inputTokens(150).audioInputTokens(50).outputTokens(50).audioOutputTokens(30)
                .build();
        assertCost(c.cost("openai", "audio-copy", PricingTier.STANDARD, audio), "0.00225", "0.0026", "0.00485");
        // an audio output price left unknown: audio output cannot be priced, never at the text rate
        assertThat(c.cost("openai", "audio-in-only", PricingTier.STANDARD, audio)).isNull();
        // 14*6 = 84 -> 0.000084; 45*10 = 450 -> 0.00045
        assertCost(c.cost("openai", "audio-in-only", PricingTier.STANDARD,
                Usage.builder().inputTokens(14).audioInputTokens(14).outputTokens(45).build()),
                "0.000084", "0.00045", "0.000534");
    }

    @Test
    void overridesFromAJsonFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, "{\"_comment\": \"ours\", \"providers\": {\"vllm\": {"
                + "\"llama-3.1-8b\": {\"type\": \"text\", \"tiers\": {"
                + "  \"standard\": {\"input_per_1m_tokens\": 0.05, \"output_per_1m_tokens\": \"0.10\"},"
                + "  \"batch\": {\"input_per_1m_tokens\": \"0.025\", \"output_per_1m_tokens\": \"0.05\"}}}},"
                + "\"anthropic\": {\"claude-sonnet-4-5\": {\"tiers\": {\"standard\": {\"input_per_1m_tokens\": \"2\","
                + "  \"output_per_1m_tokens\": \"10\", \"cached_input_per_1m_tokens\": \"0.2\","
                + "  \"cache_write_per_1m_tokens\": \"2.5\"}}}}}}");
        PricingCatalog c = CATALOG.toBuilder().load(file).build();
        // 1000*0.05 = 50 -> 0.00005; 1000*0.10 = 100 -> 0.0001 (the number 0.05 read exactly, not as a double)
        assertCost(c.cost("vllm", "llama-3.1-8b", PricingTier.STANDARD, tokens(1000, 0, 0, 1000)),
                "0.00005", "0.0001", "0.00015");
        assertCost(c.cost("vllm", "llama-3.1-8b", PricingTier.BATCH, tokens(1000, 0, 0, 1000)),
                "0.000025", "0.00005", "0.000075");
        // replaced wholly: no long-context rate any more
        assertCost(c.cost("anthropic", "claude-sonnet-4-5", PricingTier.STANDARD, tokens(250000, 0, 0, 0)),
                "0.5", "0", "0.5");
        assertThat(c.find("anthropic", "claude-sonnet-4-5-20250929")).isNotSameAs(c.find("anthropic", "claude-sonnet-4-5"));
    }

    @Test
    void pricesWhoseUnitCannotBeRightAreRejectedNamingModelAndKey() {
        // a LiteLLM per-token value pasted under a per-1M key would under-price by 10^6
        assertThatThrownBy(() -> load("{\"providers\": {\"x\": {\"m\": {\"tiers\": {\"standard\": "
                + "{\"input_per_1m_tokens\": 0.0000025, \"output_per_1m_tokens\": 10}}}}}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x/m.tiers.standard.input_per_1m_tokens = 0.0000025")
                .hasMessageContaining("multiply it by 1000000");
        assertThatThrownBy(() -> load("{\"providers\": {\"x\": {\"m\": {\"per_image\": 4000}}}}"))
                .hasMessageContaining("x/m.per_image = 4000 is implausibly high");
        assertThatThrownBy(() -> load("{\"providers\": {\"x\": {\"m\": {\"per_input_second\": 60}}}}"))
                .hasMessageContaining("x/m.per_input_second = 60");
        // unit-less keys and unknown keys are errors, never tiers or silently ignored
        assertThatThrownBy(() -> load("{\"providers\": {\"x\": {\"m\": {\"standard\": {\"input\": 1}}}}}"))
                .hasMessageContaining("x/m: unknown key \"standard\" (tiers go under");
        assertThatThrownBy(() -> load("{\"providers\": {\"x\": {\"m\": {\"tiers\": {\"standard\": "
                + "{\"input\": 1, \"output\": 1}}}}}}"))
                .hasMessageContaining("(did you mean \"input_per_1m_tokens\"?)");
        assertThatThrownBy(() -> load("{\"providers\": {\"x\": {\"m\": {\"dated\": \"true\"}}}}"))
                .hasMessageContaining("unknown key \"dated\"");
        assertThatThrownBy(() -> load("{\"providers\": {\"x\": {\"m\": {\"typo\": {}}}}}"))
                .hasMessageContaining("unknown key \"typo\"");
        // a zero price is a price (free), accepted
        assertThat(load("{\"providers\": {\"x\": {\"m\": {\"tiers\": {\"standard\": "
                + "{\"input_per_1m_tokens\": 0, \"output_per_1m_tokens\": \"0\"}}}}}}").find("x", "m")).isNotNull();
    }

    @Test
    void badPricingJsonNamesWhatIsWrong() {
        String t = "{\"providers\": {\"x\": {\"m\": {\"tiers\": {\"standard\": ";
        assertThatThrownBy(() -> load(t + "{\"input_per_1m_tokens\": \"abc\", \"output_per_1m_tokens\": 1}}}}}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x/m.tiers.standard.input_per_1m_tokens \"abc\"");
        assertThatThrownBy(() -> load(t + "{\"input_per_1m_tokens\": 1}}}}}}"))
                .hasMessageContaining("x/m.tiers.standard needs input_per_1m_tokens and output_per_1m_tokens");
        assertThatThrownBy(() -> load(t + "{\"input_per_1m_tokens\": -1, \"output_per_1m_tokens\": 1}}}}}}"))
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> load("{\"models\": {}}")).hasMessageContaining("\"providers\"");
        assertThatThrownBy(() -> load("{nope")).hasMessageContaining("not valid JSON");
    }

    private static PricingCatalog load(String json) {
        return PricingCatalog.builder().load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))).build();
    }
}
