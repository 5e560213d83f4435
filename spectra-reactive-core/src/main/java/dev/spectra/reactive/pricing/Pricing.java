package dev.spectra.reactive.pricing;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.provider.ResponseDetails;
import org.jspecify.annotations.Nullable;

/**
 * Turns usage into cost. The tracker asks it once per recorded call; implementations must be thread-safe and
 * must never guess: a model they do not know is priced {@code null}, never zero.
 *
 * @since 0.1
 */
public interface Pricing {

    /**
     * The cost of a call.
     *
     * @param provider the provider id
     * @param model the model name (the answered snapshot is tried first, then the requested name)
     * @param tier the pricing tier
     * @param usage what the call consumed
     * @return the cost, or null when this model (at this tier) is not priced
     */
    @Nullable Cost cost(String provider, String model, PricingTier tier, Usage usage);

    /**
     * The cost of a call, with what the response (and request) said beyond the usage: the usage the provider
     * bills when it differs from the usage recorded (Cohere's {@code billed_units}), and the quality and size of
     * generated images. The tracker should call this one.
     *
     * <p>The default prices {@link ResponseDetails#billableUsage(Usage)} with
     * {@link #cost(String, String, PricingTier, Usage)}; a usage with images whose quality or size is stated gives
     * null, because a pricing that does not know image variants cannot tell whether that size is the one it
     * prices. {@link PricingCatalog} looks the variant up.
     *
     * @param provider the provider id
     * @param model the model name
     * @param tier the pricing tier
     * @param usage what the call consumed, as recorded
     * @param details what the response (completed with the request, see {@link ResponseDetails#withRequest}) said
     * @return the cost, or null when it cannot be priced
     */
    default @Nullable Cost cost(String provider, String model, PricingTier tier, Usage usage,
                                ResponseDetails details) {
        Usage billed = details.billableUsage(usage);
        if (billed.images() > 0 && (details.imageQuality() != null || details.imageSize() != null)) {
            return null;
        }
        return cost(provider, model, tier, billed);
    }

    /**
     * The kind of a model, when the pricing data knows it; used when the capture path does not say.
     *
     * @param provider the provider id
     * @param model the model name
     * @return the model type, or null when unknown
     */
    default @Nullable ModelType modelType(String provider, String model) {
        return null;
    }

    /**
     * Pricing that knows no model: every cost is null.
     *
     * @return the empty pricing
     */
    static Pricing none() {
        return (provider, model, tier, usage) -> null;
    }
}
