package dev.spectra.reactive;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.spectra.reactive.internal.Metadata;
import dev.spectra.reactive.internal.SecretScrubber;
import dev.spectra.reactive.internal.Tags;
import org.jspecify.annotations.Nullable;

/**
 * Per-call options of {@link Spectra#track}, {@link Spectra#tracked}, {@link Spectra#stream} and
 * {@link Spectra#startCall}: metadata and tags known before the call, trace id, owner, pricing tier,
 * conversation, what endpoint/operation/model type the call is, and a {@link UsageExtractor} for typed responses.
 * Immutable; build once and reuse.
 *
 * <p>Merge order of metadata, lowest to highest: globals &lt; Reactor Context &lt; these options &lt;
 * {@code call.addMetadata}. Tags are unioned in the same order.
 *
 * <p>Metadata is checked when added against the largest bound a tracker accepts (1 MiB), and again against the
 * bound of the tracker that records the call: at once by a tracker's own operators ({@code tracker.tracked(...,
 * options)}), when the call starts for the facade's.
 *
 * @since 0.1
 */
public final class TrackOptions {

    private static final TrackOptions NONE = new Builder().build();

    private final CallAttributes attributes;
    private final @Nullable String endpoint;
    private final @Nullable String operation;
    private final @Nullable ModelType modelType;
    private final @Nullable TypedExtractor<?> usageExtractor;

    private TrackOptions(Builder b) {
        this.attributes = b.attributes;
        this.endpoint = b.endpoint;
        this.operation = b.operation;
        this.modelType = b.modelType;
        this.usageExtractor = b.usageExtractor;
    }

    /**
     * @return options that set nothing
     */
    public static TrackOptions none() {
        return NONE;
    }

    /**
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Options with one metadata entry.
     *
     * @param key the key
     * @param value a JSON value
     * @return the options
     * @throws IllegalArgumentException naming the key when the key or value is bad
     */
    public static TrackOptions metadata(String key, @Nullable Object value) {
        return builder().metadata(key, value).build();
    }

    /**
     * Options with metadata.
     *
     * @param entries the metadata
     * @return the options
     * @throws IllegalArgumentException naming the key when a key or value is bad
     */
    public static TrackOptions metadata(Map<String, ? extends @Nullable Object> entries) {
        return builder().metadata(entries).build();
    }

    /**
     * Options with tags.
     *
     * @param tags the tags
     * @return the options
     */
    public static TrackOptions tags(String... tags) {
        return builder().tags(tags).build();
    }

    /**
     * @return a builder holding these options
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.attributes = attributes;
        b.endpoint = endpoint;
        b.operation = operation;
        b.modelType = modelType;
        b.usageExtractor = usageExtractor;
        return b;
    }

    /**
     * @return the metadata
     */
    public Map<String, @Nullable Object> metadata() {
        return attributes.metadata().values();
    }

    /**
     * @return the tags
     */
    public List<String> tags() {
        return attributes.tags();
    }

    /**
     * @return the trace id, or null
     */
    public @Nullable String traceId() {
        return attributes.traceId();
    }

    /**
     * @return the owner, or null
     */
    public @Nullable Trackable trackable() {
        return attributes.trackable();
    }

    /**
     * @return the pricing tier, or null
     */
    public @Nullable PricingTier pricingTier() {
        return attributes.pricingTier();
    }

    /**
     * @return the conversation id, or null
     */
    public @Nullable String conversationId() {
        return attributes.conversationId();
    }

    /** The attributes these options set: the layer between the Context and the call. */
    CallAttributes attributes() {
        return attributes;
    }

    /**
     * @return the endpoint (URL path), or null
     */
    public @Nullable String endpoint() {
        return endpoint;
    }

    /**
     * @return the operation, or null
     */
    public @Nullable String operation() {
        return operation;
    }

    /**
     * @return the model type, or null
     */
    public @Nullable ModelType modelType() {
        return modelType;
    }

    /**
     * Applies the usage extractor, when one is set for the value's type.
     *
     * @param value a response or chunk
     * @return the usage, or null when no extractor applies or it found none
     */
    @Nullable Usage extractUsage(Object value) {
        return usageExtractor == null ? null : usageExtractor.apply(value);
    }

    /**
     * @param value a response or chunk
     * @return whether the usage extractor is set for the value's type
     */
    boolean usageExtractorAppliesTo(Object value) {
        return usageExtractor != null && usageExtractor.type.isInstance(value);
    }

    @Override
    public String toString() {
        return "TrackOptions{attributes=" + attributes + ", endpoint=" + endpoint + ", operation=" + operation
                + ", modelType=" + modelType
                + (usageExtractor != null ? ", usageExtractor for " + usageExtractor.type.getName() : "") + "}";
    }

    /** An extractor that applies only to values of its type. */
    private static final class TypedExtractor<T> {
        final Class<T> type;
        final UsageExtractor<? super T> extractor;

        TypedExtractor(Class<T> type, UsageExtractor<? super T> extractor) {
            this.type = type;
            this.extractor = extractor;
        }

        @Nullable Usage apply(Object value) {
            return type.isInstance(value) ? extractor.extract(type.cast(value)) : null;
        }
    }

    /** Builds {@link TrackOptions}; every setter checks its argument and says which one was wrong. */
    public static final class Builder {
        private CallAttributes attributes = CallAttributes.NONE;
        private @Nullable String endpoint;
        private @Nullable String operation;
        private @Nullable ModelType modelType;
        private @Nullable TypedExtractor<?> usageExtractor;

        private Builder() {
        }

        /**
         * Adds metadata entries (replacing earlier ones of the same key).
         *
         * @param entries JSON values by key
         * @return this builder
         * @throws IllegalArgumentException naming the key when a key or value is bad or the bound is exceeded
         */
        public Builder metadata(Map<String, ? extends @Nullable Object> entries) {
            Metadata added = Metadata.of(entries, Metadata.MAX_BYTES);
            Metadata merged = attributes.metadata().merge(added);
            Metadata.checkSize(merged, added, Metadata.MAX_BYTES);
            attributes = attributes.withMetadata(merged);
            return this;
        }

        /**
         * Adds one metadata entry.
         *
         * @param key the key
         * @param value a JSON value
         * @return this builder
         * @throws IllegalArgumentException naming the key when the key or value is bad or the bound is exceeded
         */
        public Builder metadata(String key, @Nullable Object value) {
            attributes = attributes.withMetadata(attributes.metadata().with(key, value, Metadata.MAX_BYTES,
                    Metadata.EMPTY));
            return this;
        }

        /**
         * Adds tags.
         *
         * @param tags the tags
         * @return this builder
         */
        public Builder tags(String... tags) {
            Objects.requireNonNull(tags, "tags");
            attributes = attributes.addTags(Tags.of(Arrays.asList(tags)));
            return this;
        }

        /**
         * @param id the trace id
         * @return this builder
         */
        public Builder traceId(String id) {
            attributes = attributes.withTraceId(id);
            return this;
        }

        /**
         * @param type the owner's kind
         * @param id the owner's id
         * @return this builder
         */
        public Builder trackable(String type, String id) {
            attributes = attributes.withTrackable(new Trackable(type, id));
            return this;
        }

        /**
         * @param tier the pricing tier
         * @return this builder
         */
        public Builder pricingTier(PricingTier tier) {
            attributes = attributes.withPricingTier(Objects.requireNonNull(tier, "pricingTier"));
            return this;
        }

        /**
         * @param tier a pricing tier name, e.g. {@code "batch"}
         * @return this builder
         */
        public Builder pricingTier(String tier) {
            attributes = attributes.withPricingTier(PricingTier.of(tier));
            return this;
        }

        /**
         * @param id the conversation id
         * @return this builder
         */
        public Builder conversationId(String id) {
            attributes = attributes.withConversationId(id);
            return this;
        }

        /**
         * @param path the URL path called, e.g. {@code /v1/chat/completions}; a query string is dropped
         * @return this builder
         */
        public Builder endpoint(String path) {
            Objects.requireNonNull(path, "endpoint");
            this.endpoint = SecretScrubber.pathOnly(path);
            return this;
        }

        /**
         * @param operation e.g. {@code chat}, {@code embeddings}
         * @return this builder
         */
        public Builder operation(String operation) {
            this.operation = CallAttributes.checkId("operation", operation, 64);
            return this;
        }

        /**
         * @param type the model type
         * @return this builder
         */
        public Builder modelType(ModelType type) {
            this.modelType = Objects.requireNonNull(type, "modelType");
            return this;
        }

        /**
         * Reads usage from values (or stream chunks) of a type that Spectra's JSON readers do not know.
         *
         * @param type the values it applies to
         * @param extractor the extractor
         * @param <T> the value type
         * @return this builder
         */
        public <T> Builder usageExtractor(Class<T> type, UsageExtractor<? super T> extractor) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(extractor, "extractor");
            this.usageExtractor = new TypedExtractor<>(type, extractor);
            return this;
        }

        /**
         * @return the options
         */
        public TrackOptions build() {
            return new TrackOptions(this);
        }
    }
}
