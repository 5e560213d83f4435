package dev.spectra.reactive;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * What the attributes of a call would be if it started in a given Reactor Context: the process-wide globals merged
 * under what the Context holds ({@link Spectra#metadata}, {@link Spectra#tags}, {@link Spectra#trackable},
 * {@link Spectra#pricingTier}). For operators that decide before a call starts, e.g. a budget matching its scope.
 * Metadata values are as given, not redacted.
 *
 * @param metadata the merged metadata, unmodifiable
 * @param tags the merged tags, unmodifiable
 * @param trackable the owner, or null
 * @param pricingTier the pricing tier, or null when none is set
 * @since 0.2
 */
public record ContextAttributes(Map<String, @Nullable Object> metadata, List<String> tags,
                                @Nullable Trackable trackable, @Nullable PricingTier pricingTier) {

    /**
     * Copies the collections.
     *
     * @param metadata the metadata
     * @param tags the tags
     * @param trackable the owner, or null
     * @param pricingTier the pricing tier, or null
     */
    public ContextAttributes {
        metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
        tags = List.copyOf(tags);
    }

    /**
     * @param view a subscriber's Context
     * @return the globals merged with what the Context holds
     */
    public static ContextAttributes of(ContextView view) {
        CallAttributes a = Spectra.globals().merge(CallAttributes.in(view));
        return new ContextAttributes(a.metadata().values(), a.tags(), a.trackable(), a.pricingTier());
    }
}
