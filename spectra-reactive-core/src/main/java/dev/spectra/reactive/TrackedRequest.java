package dev.spectra.reactive;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import dev.spectra.reactive.internal.JsonValues;
import org.jspecify.annotations.Nullable;

/**
 * The record of one tracked AI call: what was called, by whom, what it consumed and cost, how long it took and
 * how it ended. Every capture path (operators, WebClient filter, manual flows) produces this same immutable
 * value; sinks store it (table {@code spectra_requests}) and the query API reads it back.
 *
 * @param id time-ordered id (UUID version 7)
 * @param traceId correlation id shared by the calls of one inbound request (from the Context); null in the field
 *        when the call had none of its own, in which case {@link #traceId()} is the record's {@code id} as a string
 * @param responseId the provider's response id ({@code chatcmpl-…}, {@code msg_…}, {@code responseId}); one call
 *        captured twice is stored once
 * @param provider provider id, e.g. {@code openai}
 * @param model the model as requested
 * @param responseModel the model snapshot the provider answered with, e.g. {@code gpt-4o-2024-08-06}
 * @param modelType the kind of model, when known
 * @param endpoint the URL path called, never its query string (Gemini puts the API key there)
 * @param operation what was done: chat, responses, messages, generate_content, embeddings, images, audio …
 * @param httpStatus the HTTP status, when there was a response
 * @param outcome success, failure or cancelled
 * @param errorType the provider's error type or the exception class, for failures
 * @param errorMessage the error message with secrets scrubbed, for failures
 * @param finishReason why generation stopped, as the provider says ({@code stop}, {@code end_turn}, …)
 * @param toolCallCounts tool calls by type, e.g. {@code {function=2}}; empty when none
 * @param streaming whether the response was streamed
 * @param usage tokens and units consumed; null when unknown (never zeros for unknown)
 * @param cost cost in USD; null when the usage is unknown or the model is not priced
 * @param pricingTier the tier the cost was computed at
 * @param pricingStatus whether the call was priced, and if not why
 * @param latencyMs wall time from subscription (or start) to the end of the call, in milliseconds
 * @param timeToFirstTokenMs time from start to the first streamed chunk, for streams
 * @param tokensPerSecond output tokens per second after the first chunk, for streams with known usage
 * @param chunkCount number of chunks streamed, for streams
 * @param trackable who the call is attributed to
 * @param conversationId the conversation (chat thread, session) the call belongs to
 * @param tags labels for quick filtering, in the order first added
 * @param metadata structured JSON context (tenant, feature, job, experiment …)
 * @param startedAt when the call started, microsecond precision
 * @param completedAt when the call ended, microsecond precision
 * @param parentSpanId the span that was current where the call was made (16 lower-case hex digits), a span of
 *        the trace {@link #traceId()}; null when the call was made outside a trace or given its trace id by hand
 * @param upstreamProvider the provider a router passed the call on to, as the router names it (OpenRouter's
 *        {@code provider}, the {@code :provider} of a Hugging Face router model); null when the call was not routed
 *        or the router did not say
 * @since 0.1
 */
public record TrackedRequest(
        UUID id,
        @Nullable String traceId,
        @Nullable String responseId,
        String provider,
        String model,
        @Nullable String responseModel,
        @Nullable ModelType modelType,
        @Nullable String endpoint,
        @Nullable String operation,
        @Nullable Integer httpStatus,
        Outcome outcome,
        @Nullable String errorType,
        @Nullable String errorMessage,
        @Nullable String finishReason,
        Map<String, Integer> toolCallCounts,
        boolean streaming,
        @Nullable Usage usage,
        @Nullable Cost cost,
        PricingTier pricingTier,
        PricingStatus pricingStatus,
        long latencyMs,
        @Nullable Long timeToFirstTokenMs,
        @Nullable Double tokensPerSecond,
        @Nullable Integer chunkCount,
        @Nullable Trackable trackable,
        @Nullable String conversationId,
        List<String> tags,
        Map<String, @Nullable Object> metadata,
        Instant startedAt,
        Instant completedAt,
        @Nullable String parentSpanId,
        @Nullable String upstreamProvider) {

    /**
     * Checks required fields and invariants and makes the collections immutable.
     *
     * @param id time-ordered id (UUID version 7)
     * @param traceId correlation id shared by the calls of one inbound request (from the Context); null in the field
     *        when the call had none of its own, in which case {@link #traceId()} is the record's {@code id} as a string
     * @param responseId the provider's response id ({@code chatcmpl-…}, {@code msg_…}, {@code responseId}); one call captured twice is stored once
     * @param provider provider id, e.g. {@code openai}
     * @param model the model as requested
     * @param responseModel the model snapshot the provider answered with, e.g. {@code gpt-4o-2024-08-06}
     * @param modelType the kind of model, when known
     * @param endpoint the URL path called, never its query string (Gemini puts the API key there)
     * @param operation what was done: chat, responses, messages, generate_content, embeddings, images, audio …
     * @param httpStatus the HTTP status, when there was a response
     * @param outcome success, failure or cancelled
     * @param errorType the provider's error type or the exception class, for failures
     * @param errorMessage the error message with secrets scrubbed, for failures
     * @param finishReason why generation stopped, as the provider says ({@code stop}, {@code end_turn}, …)
     * @param toolCallCounts tool calls by type, e.g. {@code {function=2}}; empty when none
     * @param streaming whether the response was streamed
     * @param usage tokens and units consumed; null when unknown (never zeros for unknown)
     * @param cost cost in USD; null when the usage is unknown or the model is not priced
     * @param pricingTier the tier the cost was computed at
     * @param pricingStatus whether the call was priced, and if not why
     * @param latencyMs wall time from subscription (or start) to the end of the call, in milliseconds
     * @param timeToFirstTokenMs time from start to the first streamed chunk, for streams
     * @param tokensPerSecond output tokens per second after the first chunk, for streams with known usage
     * @param chunkCount number of chunks streamed, for streams
     * @param trackable who the call is attributed to
     * @param conversationId the conversation (chat thread, session) the call belongs to
     * @param tags labels for quick filtering, in the order first added
     * @param metadata structured JSON context (tenant, feature, job, experiment …)
     * @param startedAt when the call started, microsecond precision
     * @param completedAt when the call ended, microsecond precision
     * @param parentSpanId the span that was current where the call was made, or null
     * @param upstreamProvider the provider a router passed the call on to, or null
     * @throws NullPointerException naming a required field that is null
     * @throws IllegalArgumentException when the pricing status contradicts the cost, or a value is out of range
     */
    public TrackedRequest {
        Objects.requireNonNull(id, "id");
        if (traceId != null && traceId.length() == 36 && traceId.equals(id.toString())) {
            traceId = null; // one canonical form for "the call's own id", whichever way it was given
        }
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(pricingTier, "pricingTier");
        Objects.requireNonNull(pricingStatus, "pricingStatus");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(completedAt, "completedAt");
        toolCallCounts = toolCallCounts == null || toolCallCounts.isEmpty() ? Map.of() : Map.copyOf(toolCallCounts);
        tags = tags == null || tags.isEmpty() ? List.of() : List.copyOf(tags);
        metadata = metadata == null ? JsonValues.EMPTY_OBJECT : JsonValues.freezeObject("metadata", metadata);
        if (cost != null ? pricingStatus != PricingStatus.of(cost, true) : pricingStatus.isPriced()) {
            throw new IllegalArgumentException("pricingStatus " + pricingStatus + " contradicts cost " + cost);
        }
        if (cost != null && usage == null) {
            throw new IllegalArgumentException("a cost needs a usage");
        }
        if (latencyMs < 0) {
            throw new IllegalArgumentException("latencyMs must not be negative, was " + latencyMs);
        }
    }

    /**
     * The trace id: the one the call was given (Context, options, {@code call.traceId}, a {@code traceparent}), else
     * the record's own id as a string, so every record has one and a call outside any trace is its own trace.
     * Derived on read rather than stored, to keep the hot path free of the string.
     *
     * @return the trace id, never null
     */
    @Override
    public String traceId() {
        return traceId != null ? traceId : id.toString();
    }

    /**
     * Total tokens of the call, or null when its usage is unknown.
     *
     * @return total tokens or null
     */
    public @Nullable Long totalTokens() {
        return usage == null ? null : usage.totalTokens();
    }

    /**
     * Total cost in USD, or null when not priced.
     *
     * @return the total cost or null
     */
    public java.math.@Nullable BigDecimal totalCost() {
        return cost == null ? null : cost.total();
    }

    /**
     * A builder with nothing set; {@code id}, {@code provider}, {@code model},
     * {@code outcome}, {@code startedAt} and {@code completedAt} are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this record's values, to derive a changed copy.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.traceId = this.traceId;
        b.responseId = responseId;
        b.provider = provider;
        b.model = model;
        b.responseModel = responseModel;
        b.modelType = modelType;
        b.endpoint = endpoint;
        b.operation = operation;
        b.httpStatus = httpStatus;
        b.outcome = outcome;
        b.errorType = errorType;
        b.errorMessage = errorMessage;
        b.finishReason = finishReason;
        b.toolCallCounts = toolCallCounts;
        b.streaming = streaming;
        b.usage = usage;
        b.cost = cost;
        b.pricingTier = pricingTier;
        // the status follows from cost and usage: left unset so a copy with a new cost or usage stays consistent
        b.latencyMs = latencyMs;
        b.timeToFirstTokenMs = timeToFirstTokenMs;
        b.tokensPerSecond = tokensPerSecond;
        b.chunkCount = chunkCount;
        b.trackable = trackable;
        b.conversationId = conversationId;
        b.tags = tags;
        b.metadata = metadata;
        b.startedAt = startedAt;
        b.completedAt = completedAt;
        b.parentSpanId = parentSpanId;
        b.upstreamProvider = upstreamProvider;
        return b;
    }

    /**
     * Builds a {@link TrackedRequest}, for sinks that read records back and for tests. The pricing status, when
     * not set, follows from the cost and usage.
     */
    public static final class Builder {
        private @Nullable UUID id;
        private @Nullable String traceId;
        private @Nullable String responseId;
        private @Nullable String provider;
        private @Nullable String model;
        private @Nullable String responseModel;
        private @Nullable ModelType modelType;
        private @Nullable String endpoint;
        private @Nullable String operation;
        private @Nullable Integer httpStatus;
        private @Nullable Outcome outcome;
        private @Nullable String errorType;
        private @Nullable String errorMessage;
        private @Nullable String finishReason;
        private Map<String, Integer> toolCallCounts = Map.of();
        private boolean streaming;
        private @Nullable Usage usage;
        private @Nullable Cost cost;
        private PricingTier pricingTier = PricingTier.STANDARD;
        private @Nullable PricingStatus pricingStatus;
        private long latencyMs;
        private @Nullable Long timeToFirstTokenMs;
        private @Nullable Double tokensPerSecond;
        private @Nullable Integer chunkCount;
        private @Nullable Trackable trackable;
        private @Nullable String conversationId;
        private List<String> tags = List.of();
        private Map<String, @Nullable Object> metadata = JsonValues.EMPTY_OBJECT;
        private @Nullable Instant startedAt;
        private @Nullable Instant completedAt;
        private @Nullable String parentSpanId;
        private @Nullable String upstreamProvider;

        private Builder() {
        }

        /**
         * @param v the id
         * @return this builder
         */
        public Builder id(UUID v) {
            this.id = v;
            return this;
        }

        /**
         * @param v the trace id; null or unset means the record's own id
         * @return this builder
         */
        public Builder traceId(@Nullable String v) {
            this.traceId = v;
            return this;
        }

        /**
         * @param v the provider's response id
         * @return this builder
         */
        public Builder responseId(@Nullable String v) {
            this.responseId = v;
            return this;
        }

        /**
         * @param v the provider id
         * @return this builder
         */
        public Builder provider(String v) {
            this.provider = v;
            return this;
        }

        /**
         * @param v the requested model
         * @return this builder
         */
        public Builder model(String v) {
            this.model = v;
            return this;
        }

        /**
         * @param v the answered model snapshot
         * @return this builder
         */
        public Builder responseModel(@Nullable String v) {
            this.responseModel = v;
            return this;
        }

        /**
         * @param v the model type
         * @return this builder
         */
        public Builder modelType(@Nullable ModelType v) {
            this.modelType = v;
            return this;
        }

        /**
         * @param v the URL path, without query string
         * @return this builder
         */
        public Builder endpoint(@Nullable String v) {
            this.endpoint = v;
            return this;
        }

        /**
         * @param v the operation
         * @return this builder
         */
        public Builder operation(@Nullable String v) {
            this.operation = v;
            return this;
        }

        /**
         * @param v the HTTP status
         * @return this builder
         */
        public Builder httpStatus(@Nullable Integer v) {
            this.httpStatus = v;
            return this;
        }

        /**
         * @param v the outcome
         * @return this builder
         */
        public Builder outcome(Outcome v) {
            this.outcome = v;
            return this;
        }

        /**
         * @param v the error type
         * @return this builder
         */
        public Builder errorType(@Nullable String v) {
            this.errorType = v;
            return this;
        }

        /**
         * @param v the error message, without secrets
         * @return this builder
         */
        public Builder errorMessage(@Nullable String v) {
            this.errorMessage = v;
            return this;
        }

        /**
         * @param v the finish reason
         * @return this builder
         */
        public Builder finishReason(@Nullable String v) {
            this.finishReason = v;
            return this;
        }

        /**
         * @param v tool calls by type
         * @return this builder
         */
        public Builder toolCallCounts(Map<String, Integer> v) {
            this.toolCallCounts = Objects.requireNonNull(v, "toolCallCounts");
            return this;
        }

        /**
         * @param v whether streamed
         * @return this builder
         */
        public Builder streaming(boolean v) {
            this.streaming = v;
            return this;
        }

        /**
         * @param v the usage, null when unknown
         * @return this builder
         */
        public Builder usage(@Nullable Usage v) {
            this.usage = v;
            return this;
        }

        /**
         * @param v the cost, null when not priced
         * @return this builder
         */
        public Builder cost(@Nullable Cost v) {
            this.cost = v;
            return this;
        }

        /**
         * @param v the pricing tier
         * @return this builder
         */
        public Builder pricingTier(PricingTier v) {
            this.pricingTier = Objects.requireNonNull(v, "pricingTier");
            return this;
        }

        /**
         * @param v the pricing status; derived from cost and usage when not set
         * @return this builder
         */
        public Builder pricingStatus(@Nullable PricingStatus v) {
            this.pricingStatus = v;
            return this;
        }

        /**
         * @param v latency in milliseconds
         * @return this builder
         */
        public Builder latencyMs(long v) {
            this.latencyMs = v;
            return this;
        }

        /**
         * @param v time to first token in milliseconds
         * @return this builder
         */
        public Builder timeToFirstTokenMs(@Nullable Long v) {
            this.timeToFirstTokenMs = v;
            return this;
        }

        /**
         * @param v output tokens per second
         * @return this builder
         */
        public Builder tokensPerSecond(@Nullable Double v) {
            this.tokensPerSecond = v;
            return this;
        }

        /**
         * @param v chunks streamed
         * @return this builder
         */
        public Builder chunkCount(@Nullable Integer v) {
            this.chunkCount = v;
            return this;
        }

        /**
         * @param v who the call is attributed to
         * @return this builder
         */
        public Builder trackable(@Nullable Trackable v) {
            this.trackable = v;
            return this;
        }

        /**
         * @param v the conversation id
         * @return this builder
         */
        public Builder conversationId(@Nullable String v) {
            this.conversationId = v;
            return this;
        }

        /**
         * @param v the tags
         * @return this builder
         */
        public Builder tags(List<String> v) {
            this.tags = Objects.requireNonNull(v, "tags");
            return this;
        }

        /**
         * @param v the metadata, JSON values only
         * @return this builder
         */
        public Builder metadata(Map<String, ? extends @Nullable Object> v) {
            this.metadata = JsonValues.freezeObject("metadata", Objects.requireNonNull(v, "metadata"));
            return this;
        }

        /**
         * @param v start time
         * @return this builder
         */
        public Builder startedAt(Instant v) {
            this.startedAt = v;
            return this;
        }

        /**
         * @param v end time
         * @return this builder
         */
        public Builder completedAt(Instant v) {
            this.completedAt = v;
            return this;
        }

        /**
         * @param v the span that was current where the call was made (16 lower-case hex digits), or null
         * @return this builder
         */
        public Builder parentSpanId(@Nullable String v) {
            this.parentSpanId = v;
            return this;
        }

        /**
         * @param v the provider a router passed the call on to, as the router names it, or null
         * @return this builder
         */
        public Builder upstreamProvider(@Nullable String v) {
            this.upstreamProvider = v;
            return this;
        }

        /**
         * @return the record
         * @throws NullPointerException naming a required field that is missing
         */
        public TrackedRequest build() {
            PricingStatus status = pricingStatus != null ? pricingStatus : PricingStatus.of(cost, usage != null);
            return new TrackedRequest(id, traceId, responseId, provider, model, responseModel, modelType, endpoint,
                    operation, httpStatus, outcome, errorType, errorMessage, finishReason, toolCallCounts, streaming,
                    usage, cost, pricingTier, status, latencyMs, timeToFirstTokenMs, tokensPerSecond, chunkCount,
                    trackable, conversationId, tags, metadata, startedAt, completedAt, parentSpanId,
                    upstreamProvider);
        }
    }
}
