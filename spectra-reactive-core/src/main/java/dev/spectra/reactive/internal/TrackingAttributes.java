package dev.spectra.reactive.internal;

import java.util.List;
import java.util.function.Function;

import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.Trackable;
import org.jspecify.annotations.Nullable;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * What rides the Reactor Context (under one key, {@value #CONTEXT_KEY}) and what the process-wide globals hold:
 * metadata, tags, trace id, trackable, pricing tier, conversation id, and in the Context an optional tracker
 * bound to the subscription. Immutable; writers merge a new layer over what is already there.
 */
public final class TrackingAttributes {

    /** The one Context key Spectra reads and writes. */
    public static final String CONTEXT_KEY = "dev.spectra.reactive.tracking";

    /** Nothing set. */
    public static final TrackingAttributes EMPTY =
            new TrackingAttributes(Metadata.EMPTY, List.of(), null, null, null, null, null);

    private final Metadata metadata;
    private final List<String> tags;
    private final @Nullable String traceId;
    private final @Nullable Trackable trackable;
    private final @Nullable PricingTier pricingTier;
    private final @Nullable String conversationId;
    private final @Nullable SpectraTracker tracker;

    private TrackingAttributes(Metadata metadata, List<String> tags, @Nullable String traceId,
                               @Nullable Trackable trackable, @Nullable PricingTier pricingTier,
                               @Nullable String conversationId, @Nullable SpectraTracker tracker) {
        this.metadata = metadata;
        this.tags = tags;
        this.traceId = traceId;
        this.trackable = trackable;
        this.pricingTier = pricingTier;
        this.conversationId = conversationId;
        this.tracker = tracker;
    }

    /**
     * The attributes in a Context, or null.
     *
     * @param view the Context
     * @return the attributes, or null when none were written
     */
    public static @Nullable TrackingAttributes from(ContextView view) {
        return view.getOrDefault(CONTEXT_KEY, null);
    }

    /**
     * A Context writer that merges these attributes over what the Context already holds (closest to the source
     * wins, as Reactor's own {@code contextWrite} does).
     *
     * @return the writer, for {@code contextWrite}
     */
    public Function<Context, Context> writer() {
        return ctx -> {
            TrackingAttributes current = ctx.getOrDefault(CONTEXT_KEY, null);
            return ctx.put(CONTEXT_KEY, current == null ? this : current.merge(this));
        };
    }

    /**
     * These attributes with a higher layer over them: metadata merged (higher wins), tags unioned, and each
     * single value taken from the higher layer when it has one.
     *
     * @param higher the layer that wins
     * @return the merge
     */
    public TrackingAttributes merge(TrackingAttributes higher) {
        if (higher == EMPTY) {
            return this;
        }
        if (this == EMPTY) {
            return higher;
        }
        return new TrackingAttributes(metadata.merge(higher.metadata), Tags.union(tags, higher.tags),
                pick(higher.traceId, traceId), pick(higher.trackable, trackable),
                pick(higher.pricingTier, pricingTier), pick(higher.conversationId, conversationId),
                pick(higher.tracker, tracker));
    }

    private static <T> @Nullable T pick(@Nullable T higher, @Nullable T lower) {
        return higher != null ? higher : lower;
    }

    /**
     * @param m metadata
     * @return a copy with it
     */
    public TrackingAttributes withMetadata(Metadata m) {
        return new TrackingAttributes(m, tags, traceId, trackable, pricingTier, conversationId, tracker);
    }

    /**
     * @param t tags
     * @return a copy with them
     */
    public TrackingAttributes withTags(List<String> t) {
        return new TrackingAttributes(metadata, t, traceId, trackable, pricingTier, conversationId, tracker);
    }

    /**
     * @param id trace id
     * @return a copy with it
     */
    public TrackingAttributes withTraceId(@Nullable String id) {
        return new TrackingAttributes(metadata, tags, id, trackable, pricingTier, conversationId, tracker);
    }

    /**
     * @param t trackable
     * @return a copy with it
     */
    public TrackingAttributes withTrackable(@Nullable Trackable t) {
        return new TrackingAttributes(metadata, tags, traceId, t, pricingTier, conversationId, tracker);
    }

    /**
     * @param t tier
     * @return a copy with it
     */
    public TrackingAttributes withPricingTier(@Nullable PricingTier t) {
        return new TrackingAttributes(metadata, tags, traceId, trackable, t, conversationId, tracker);
    }

    /**
     * @param id conversation id
     * @return a copy with it
     */
    public TrackingAttributes withConversationId(@Nullable String id) {
        return new TrackingAttributes(metadata, tags, traceId, trackable, pricingTier, id, tracker);
    }

    /**
     * @param t tracker
     * @return a copy with it
     */
    public TrackingAttributes withTracker(@Nullable SpectraTracker t) {
        return new TrackingAttributes(metadata, tags, traceId, trackable, pricingTier, conversationId, t);
    }

    /**
     * @return the metadata layer
     */
    public Metadata metadata() {
        return metadata;
    }

    /**
     * @return the tags
     */
    public List<String> tags() {
        return tags;
    }

    /**
     * @return the trace id, or null
     */
    public @Nullable String traceId() {
        return traceId;
    }

    /**
     * @return the trackable, or null
     */
    public @Nullable Trackable trackable() {
        return trackable;
    }

    /**
     * @return the pricing tier, or null
     */
    public @Nullable PricingTier pricingTier() {
        return pricingTier;
    }

    /**
     * @return the conversation id, or null
     */
    public @Nullable String conversationId() {
        return conversationId;
    }

    /**
     * @return the tracker bound to the subscription, or null
     */
    public @Nullable SpectraTracker tracker() {
        return tracker;
    }

    @Override
    public String toString() {
        return "TrackingAttributes{metadata=" + metadata + ", tags=" + tags + ", traceId=" + traceId
                + ", trackable=" + trackable + ", pricingTier=" + pricingTier + ", conversationId=" + conversationId
                + (tracker != null ? ", tracker bound" : "") + "}";
    }
}
