package dev.spectra.reactive;

import java.util.List;
import java.util.function.Function;

import dev.spectra.reactive.internal.Metadata;
import dev.spectra.reactive.internal.Tags;
import dev.spectra.reactive.internal.context.ThreadContext;
import org.jspecify.annotations.Nullable;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * What says who and what a call is for: metadata, tags, trace id, trackable (owner), pricing tier and conversation
 * id. One immutable layer of them; the same type holds each layer (the process-wide globals, the Reactor Context,
 * a {@link TrackOptions}, what a {@link TrackedCall} was given) and {@link #merge} is the one precedence rule
 * between them: globals &lt; Context &lt; options &lt; call.
 */
final class CallAttributes {

    /** The Context key of the attributes written by {@code Spectra.metadata}, {@code Spectra.tags} ... */
    static final String CONTEXT_KEY = ThreadContext.ATTRIBUTES_KEY;

    /** Nothing set. */
    static final CallAttributes NONE = new CallAttributes(Metadata.EMPTY, List.of(), null, null, null, null);

    /** The layers that set only a built-in tier, shared: a response stating its tier costs no allocation. */
    private static final CallAttributes STANDARD = NONE.withPricingTier(PricingTier.STANDARD);
    private static final CallAttributes BATCH = NONE.withPricingTier(PricingTier.BATCH);
    private static final CallAttributes FLEX = NONE.withPricingTier(PricingTier.FLEX);
    private static final CallAttributes PRIORITY = NONE.withPricingTier(PricingTier.PRIORITY);

    private final Metadata metadata;
    private final List<String> tags;
    private final @Nullable String traceId;
    private final @Nullable Trackable trackable;
    private final @Nullable PricingTier pricingTier;
    private final @Nullable String conversationId;

    private CallAttributes(Metadata metadata, List<String> tags, @Nullable String traceId,
                           @Nullable Trackable trackable, @Nullable PricingTier pricingTier,
                           @Nullable String conversationId) {
        this.metadata = metadata;
        this.tags = tags;
        this.traceId = traceId;
        this.trackable = trackable;
        this.pricingTier = pricingTier;
        this.conversationId = conversationId;
    }

    /**
     * @param view a subscriber's Context
     * @return the attributes written into it; {@link #NONE} when none were
     */
    static CallAttributes in(ContextView view) {
        Object a = view.getOrDefault(CONTEXT_KEY, null);
        return a instanceof CallAttributes attributes ? attributes : NONE;
    }

    /**
     * @param tier a pricing tier
     * @return a layer that sets only that tier
     */
    static CallAttributes ofPricingTier(PricingTier tier) {
        if (tier == PricingTier.STANDARD) {
            return STANDARD;
        }
        if (tier == PricingTier.BATCH) {
            return BATCH;
        }
        if (tier == PricingTier.FLEX) {
            return FLEX;
        }
        return tier == PricingTier.PRIORITY ? PRIORITY : NONE.withPricingTier(tier);
    }

    /**
     * These attributes with a higher layer over them: metadata merged (the higher layer wins for a key), tags
     * unioned (these first), and each single value taken from the higher layer when it sets one. Allocates nothing
     * when either layer is empty.
     *
     * @param higher the layer that wins
     * @return the merge
     */
    CallAttributes merge(CallAttributes higher) {
        if (higher == NONE) {
            return this;
        }
        if (this == NONE) {
            return higher;
        }
        return new CallAttributes(metadata.merge(higher.metadata), Tags.union(tags, higher.tags),
                higher.traceId != null ? higher.traceId : traceId,
                higher.trackable != null ? higher.trackable : trackable,
                higher.pricingTier != null ? higher.pricingTier : pricingTier,
                higher.conversationId != null ? higher.conversationId : conversationId);
    }

    /**
     * A Context writer of this layer: merges it over the attributes the Context already holds (the write closest
     * to the tracked call wins, as Reactor's own {@code contextWrite} does) and checks the merged metadata against
     * the bound of the tracker that will read it: the tracker bound in that Context, else the global one.
     *
     * @return the writer
     */
    Function<Context, Context> contextWriter() {
        return ctx -> {
            CallAttributes merged = in(ctx).merge(this);
            if (!metadata.isEmpty()) {
                SpectraTracker bound = BoundTracker.in(ctx);
                Metadata.checkSize(merged.metadata, metadata,
                        bound != null ? bound.engine().metadataMaxBytes() : Spectra.globalMetadataMaxBytes());
            }
            return ctx.put(CONTEXT_KEY, merged);
        };
    }

    CallAttributes withMetadata(Metadata m) {
        return new CallAttributes(m, tags, traceId, trackable, pricingTier, conversationId);
    }

    /** These attributes with more tags, after the ones they hold. */
    CallAttributes addTags(List<String> more) {
        List<String> t = Tags.union(tags, more);
        return t == tags ? this : new CallAttributes(metadata, t, traceId, trackable, pricingTier, conversationId);
    }

    CallAttributes withTraceId(String id) {
        return new CallAttributes(metadata, tags, checkId("trace id", id, 128), trackable, pricingTier,
                conversationId);
    }

    CallAttributes withTrackable(Trackable t) {
        return new CallAttributes(metadata, tags, traceId, t, pricingTier, conversationId);
    }

    CallAttributes withPricingTier(PricingTier t) {
        return new CallAttributes(metadata, tags, traceId, trackable, t, conversationId);
    }

    CallAttributes withConversationId(String id) {
        return new CallAttributes(metadata, tags, traceId, trackable, pricingTier,
                checkId("conversation id", id, 255));
    }

    Metadata metadata() {
        return metadata;
    }

    List<String> tags() {
        return tags;
    }

    @Nullable String traceId() {
        return traceId;
    }

    @Nullable Trackable trackable() {
        return trackable;
    }

    @Nullable PricingTier pricingTier() {
        return pricingTier;
    }

    @Nullable String conversationId() {
        return conversationId;
    }

    /**
     * Checks a short identifier (trace id, conversation id, operation).
     *
     * @param what its name, for the message
     * @param value the value
     * @param max the longest allowed
     * @return the value
     * @throws IllegalArgumentException when null, blank or too long
     */
    static String checkId(String what, @Nullable String value, int max) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be null or blank");
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(what + " must be at most " + max + " characters, was " + value.length());
        }
        return value;
    }

    @Override
    public String toString() {
        return "{metadata=" + metadata + ", tags=" + tags + ", traceId=" + traceId + ", trackable=" + trackable
                + ", pricingTier=" + pricingTier + ", conversationId=" + conversationId + "}";
    }
}
