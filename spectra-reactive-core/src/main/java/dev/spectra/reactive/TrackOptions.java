package dev.spectra.reactive;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.spectra.reactive.internal.Limits;
import dev.spectra.reactive.internal.Metadata;
import dev.spectra.reactive.internal.Secrets;
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
 * @since 0.1
 */
public final class TrackOptions {

    private static final TrackOptions NONE = new Builder().build();

    private final Metadata metadata;
    private final List<String> tags;
    private final @Nullable String traceId;
    private final @Nullable Trackable trackable;
    private final @Nullable PricingTier pricingTier;
    private final @Nullable String conversationId;
    private final @Nullable String endpoint;
    private final @Nullable String operation;
    private final @Nullable ModelType modelType;
    private final @Nullable TypedExtractor<?> usageExtractor;

    private TrackOptions(Builder b) {
        this.metadata = b.metadata;
        this.tags = b.tags;
        this.traceId = b.traceId;
        this.trackable = b.trackable;
        this.pricingTier = b.pricingTier;
        this.conversationId = b.conversationId;
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
        b.metadata = metadata;
        b.tags = tags;
        b.traceId = traceId;
        b.trackable = trackable;
        b.pricingTier = pricingTier;
        b.conversationId = conversationId;
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
        return metadata.values();
    }

    /**
     * @return the metadata layer (internal use)
     */
    Metadata metadataLayer() {
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
     * @return the owner, or null
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
        return "TrackOptions{metadata=" + metadata + ", tags=" + tags + ", traceId=" + traceId + ", trackable="
                + trackable + ", pricingTier=" + pricingTier + ", conversationId=" + conversationId + ", endpoint="
                + endpoint + ", operation=" + operation + ", modelType=" + modelType
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
        private Metadata metadata = Metadata.EMPTY;
        private List<String> tags = List.of();
        private @Nullable String traceId;
        private @Nullable Trackable trackable;
        private @Nullable PricingTier pricingTier;
        private @Nullable String conversationId;
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
            metadata = metadata.merge(Metadata.of(entries, Limits.metadataMaxBytes()));
            if (metadata.serializedSize() > Limits.metadataMaxBytes()) {
                throw new IllegalArgumentException("metadata is " + metadata.serializedSize()
                        + " bytes serialised, over the limit of " + Limits.metadataMaxBytes() + " bytes");
            }
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
            metadata = metadata.with(key, value, Limits.metadataMaxBytes(), Metadata.EMPTY);
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
            this.tags = Tags.union(this.tags, Tags.of(Arrays.asList(tags)));
            return this;
        }

        /**
         * @param id the trace id
         * @return this builder
         */
        public Builder traceId(String id) {
            this.traceId = Limits.checkId("trace id", id, 128);
            return this;
        }

        /**
         * @param type the owner's kind
         * @param id the owner's id
         * @return this builder
         */
        public Builder trackable(String type, String id) {
            this.trackable = new Trackable(type, id);
            return this;
        }

        /**
         * @param tier the pricing tier
         * @return this builder
         */
        public Builder pricingTier(PricingTier tier) {
            this.pricingTier = Objects.requireNonNull(tier, "pricingTier");
            return this;
        }

        /**
         * @param tier a pricing tier name, e.g. {@code "batch"}
         * @return this builder
         */
        public Builder pricingTier(String tier) {
            this.pricingTier = PricingTier.of(tier);
            return this;
        }

        /**
         * @param id the conversation id
         * @return this builder
         */
        public Builder conversationId(String id) {
            this.conversationId = Limits.checkId("conversation id", id, 255);
            return this;
        }

        /**
         * @param path the URL path called, e.g. {@code /v1/chat/completions}; a query string is dropped
         * @return this builder
         */
        public Builder endpoint(String path) {
            Objects.requireNonNull(path, "endpoint");
            this.endpoint = Secrets.pathOnly(path);
            return this;
        }

        /**
         * @param operation e.g. {@code chat}, {@code embeddings}
         * @return this builder
         */
        public Builder operation(String operation) {
            this.operation = Limits.checkId("operation", operation, 64);
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
