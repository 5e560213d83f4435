package dev.spectra.reactive;

import java.math.BigDecimal;
import java.util.Map;

import dev.spectra.reactive.pricing.PricingCatalog;
import dev.spectra.reactive.testing.SpectraFake;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where a stored cost comes from: the catalog, the catalog with a provider's documented cache rate, the provider. */
class CostProvenanceUnitTests {

    private final SpectraFake fake = SpectraFake.create();

    @Test
    void openRouterStatesTheCostOfAModelTheCatalogDoesNotPrice() {
        String body = ProviderFormatsTrackingUnitTests.fixture("openrouter__chat__json__1.json");
        String model = "anthropic/claude-4.5-sonnet-20250929"; // as answered; not in the catalog
        StepVerifier.create(Mono.just(body).transform(Spectra.tracked("openrouter", model))
                .contextWrite(fake.bind())).expectNext(body).verifyComplete();

        TrackedRequest r = fake.last();
        assertThat(r.pricingStatus()).isEqualTo(PricingStatus.PRICED);
        assertThat(r.cost().source()).isEqualTo(Cost.Source.PROVIDER);
        assertThat(r.cost().total()).isEqualByComparingTo("0.000894");
        assertThat(r.cost().providerStated()).isEqualByComparingTo("0.000894");
        assertThat(r.cost().input()).as("the provider states a total only").isNull();
        assertThat(RequestColumn.COST_SOURCE.value(r)).isEqualTo("provider");
        assertThat(RequestColumn.INPUT_COST.value(r)).isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> cost = (Map<String, Object>) RequestColumn.toJson(r).get("cost");
        assertThat(cost).containsEntry("source", "provider").containsEntry("input_usd", null);
        assertThat(RequestColumn.toRequest(c -> c.value(r))).isEqualTo(r);
    }

    @Test
    void theProvidersFigureStandsBesideTheCatalogsWhenBothAreKnown() {
        // the same answer for a model the catalog prices: x-ai/grok-4 through OpenRouter, $3 / $15 per 1M
        String body = ProviderFormatsTrackingUnitTests.fixture("openrouter__chat__json__1.json")
                .replace("anthropic/claude-4.5-sonnet-20250929", "x-ai/grok-4");
        StepVerifier.create(Mono.just(body).transform(Spectra.tracked("openrouter", "x-ai/grok-4"))
                .contextWrite(fake.bind())).expectNextCount(1).verifyComplete();

        TrackedRequest r = fake.last();
        assertThat(r.cost().source()).isEqualTo(Cost.Source.CATALOG);
        // 43 x 3e-6 = 0.000129 ; 51 x 1.5e-5 = 0.000765
        assertThat(r.cost().input()).isEqualByComparingTo("0.000129");
        assertThat(r.cost().output()).isEqualByComparingTo("0.000765");
        assertThat(r.cost().providerStated()).isEqualByComparingTo("0.000894");
        assertThat(RequestColumn.PROVIDER_COST.value(r)).isEqualTo(new BigDecimal("0.0008940000"));
    }

    @Test
    void mistralCacheReadsArePricedAtTheRateItDocumentsAndTheStatusSaysSo() {
        // mistral-large-latest: $2 / $6 per 1M and no cached rate in the catalog; Mistral bills cache reads at 10%
        String body = "{\"id\":\"cmpl-1\",\"object\":\"chat.completion\",\"model\":\"mistral-large-latest\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":10,"
                + "\"total_tokens\":1010,\"num_cached_tokens\":800}}";
        StepVerifier.create(Mono.just(body).transform(Spectra.tracked("mistral", "mistral-large-latest"))
                .contextWrite(fake.bind())).expectNextCount(1).verifyComplete();

        TrackedRequest r = fake.last();
        assertThat(r.pricingStatus()).isEqualTo(PricingStatus.PRICED_CACHE_RATE_DERIVED);
        assertThat(r.cost().source()).isEqualTo(Cost.Source.CATALOG_CACHE_RATE_DERIVED);
        // 200 x 2e-6 + 800 x 2e-7 = 0.0004 + 0.00016 ; 10 x 6e-6 = 0.00006
        assertThat(r.cost().input()).isEqualByComparingTo("0.00056");
        assertThat(r.cost().output()).isEqualByComparingTo("0.00006");
        assertThat(PricingCatalog.DOCUMENTED_CACHED_INPUT_SHARE).containsOnlyKeys("mistral");
    }

    @Test
    void aProviderWithoutADocumentedRuleStaysUnpricedWithCacheReadsAndNoCachedRate() {
        Usage u = Usage.builder().inputTokens(1000).cachedInputTokens(800).outputTokens(10).build();
        assertThat(PricingCatalog.bundled().cost("openrouter", "x-ai/grok-4", PricingTier.STANDARD, u)).isNull();
        assertThat(PricingCatalog.bundled().cost("mistral", "mistral-large-latest", PricingTier.STANDARD,
                Usage.of(1000, 10))).isEqualTo(Cost.of("0.002", "0.00006"));
    }

    @Test
    void aCostRefusesMissingSidesExceptForTheProvidersTotal() {
        assertThatThrownBy(() -> new Cost(null, BigDecimal.ONE, BigDecimal.ONE, Cost.Source.CATALOG, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("except for a total the provider");
        assertThatThrownBy(() -> new Cost(null, null, BigDecimal.ONE, Cost.Source.PROVIDER, BigDecimal.TEN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("provider's figure as its total");
        assertThat(Cost.statedByProvider(new BigDecimal("0.5")).total()).isEqualByComparingTo("0.5");
        assertThat(Cost.Source.fromId("catalog_cache_rate_derived")).isEqualTo(Cost.Source.CATALOG_CACHE_RATE_DERIVED);
    }
}
