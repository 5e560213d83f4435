package dev.spectra.reactive.provider;

import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;

/**
 * What a request body says that tracking needs, read by {@link EndpointMatch#readRequest}.
 *
 * @param model the requested model: the body's {@code model}, else the path's (Gemini {@code {model}}, Azure
 *        {@code {deployment}}); null when neither says
 * @param stream whether the answer streams: the body's {@code stream}, else the endpoint's default
 * @param includeUsage the body's {@code stream_options.include_usage}, null when absent; an OpenAI chat stream
 *        without it ends without usage, and the call's usage stays unknown
 * @param pricingTier the tier the request asks for ({@code service_tier} flex or priority), if any
 * @param usage usage the request alone determines: the characters of a speech request's {@code input}; null
 *        for every other request
 * @param imageQuality an image request's {@code quality} ({@code standard}, {@code hd}, {@code low} ...), null
 *        when absent or not an image request
 * @param imageSize an image request's {@code size} ({@code 1024x1792} ...), null when absent or not an image
 *        request
 * @since 0.1
 */
public record RequestDetails(@Nullable String model, boolean stream, @Nullable Boolean includeUsage,
                             @Nullable PricingTier pricingTier, @Nullable Usage usage, @Nullable String imageQuality,
                             @Nullable String imageSize) {

    /**
     * Details of a request that is no image request.
     *
     * @param model the requested model, or null
     * @param stream whether the answer streams
     * @param includeUsage the body's {@code stream_options.include_usage}, or null
     * @param pricingTier the tier the request asks for, or null
     * @param usage usage the request alone determines, or null
     */
    public RequestDetails(@Nullable String model, boolean stream, @Nullable Boolean includeUsage,
                          @Nullable PricingTier pricingTier, @Nullable Usage usage) {
        this(model, stream, includeUsage, pricingTier, usage, null, null);
    }
}
