package dev.spectra.reactive.r2dbc;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.internal.JsonValues;
import org.jspecify.annotations.Nullable;

/**
 * Which stored requests a search or a total covers. Every criterion is optional; those set must all hold (AND).
 * Within one criterion, several values mean any of them (OR), except {@link #allTags()}. Values are always bound
 * as parameters and matched literally: a quote, a {@code %} or a piece of SQL in a value is just text.
 *
 * <pre>{@code
 * RequestFilter.builder()
 *         .providers("openai", "anthropic")
 *         .outcomes(Outcome.FAILURE)
 *         .metadataContains(Map.of("tenant_id", "t-42"))
 *         .startedBetween(from, to)
 *         .build();
 * }</pre>
 *
 * @param providers provider ids, any of them; empty for any provider
 * @param models models, any of them, matched against the requested model and the model that answered
 *        ({@code response_model}, e.g. a dated snapshot); empty for any model
 * @param outcomes outcomes, any of them; empty for any outcome
 * @param minHttpStatus lowest HTTP status, inclusive; requests without a status never match a status bound
 * @param maxHttpStatus highest HTTP status, inclusive
 * @param streaming only streamed (true) or only not streamed (false) requests; null for both
 * @param anyTags requests carrying at least one of these tags; empty for no tag condition
 * @param allTags requests carrying every one of these tags; empty for no tag condition
 * @param metadataContains requests whose metadata contains this JSON object ({@code jsonb @>}): every key with an
 *        equal value, nested objects matched the same way, arrays containing the given elements; empty for
 *        none
 * @param traceId requests of this trace
 * @param trackableType requests attributed to this kind of owner
 * @param trackableId requests attributed to this owner id (requires {@code trackableType})
 * @param startedFrom requests started at or after this instant
 * @param startedBefore requests started before this instant
 * @since 0.1
 */
public record RequestFilter(
        Set<String> providers,
        Set<String> models,
        Set<Outcome> outcomes,
        @Nullable Integer minHttpStatus,
        @Nullable Integer maxHttpStatus,
        @Nullable Boolean streaming,
        Set<String> anyTags,
        Set<String> allTags,
        Map<String, @Nullable Object> metadataContains,
        @Nullable String traceId,
        @Nullable String trackableType,
        @Nullable String trackableId,
        @Nullable Instant startedFrom,
        @Nullable Instant startedBefore) {

    private static final RequestFilter ALL = builder().build();

    /**
     * Validates and copies.
     *
     * @param providers provider ids, any of them
     * @param models models, requested or answered, any of them
     * @param outcomes outcomes, any of them
     * @param minHttpStatus lowest HTTP status, inclusive
     * @param maxHttpStatus highest HTTP status, inclusive
     * @param streaming streamed or not, null for both
     * @param anyTags at least one of these tags
     * @param allTags all of these tags
     * @param metadataContains a JSON object the metadata must contain
     * @param traceId the trace id
     * @param trackableType the owner kind
     * @param trackableId the owner id
     * @param startedFrom started at or after
     * @param startedBefore started before
     * @throws IllegalArgumentException naming the parameter that is wrong
     */
    public RequestFilter {
        providers = strings("providers", providers, true);
        models = strings("models", models, true);
        outcomes = copy("outcomes", outcomes);
        anyTags = strings("anyTags", anyTags, false);
        allTags = strings("allTags", allTags, false);
        metadataContains = metadataContains == null ? JsonValues.EMPTY_OBJECT
                : JsonValues.freezeObject("metadataContains", metadataContains);
        checkStatus("minHttpStatus", minHttpStatus);
        checkStatus("maxHttpStatus", maxHttpStatus);
        if (minHttpStatus != null && maxHttpStatus != null && minHttpStatus > maxHttpStatus) {
            throw new IllegalArgumentException("minHttpStatus (" + minHttpStatus + ") must not exceed maxHttpStatus ("
                    + maxHttpStatus + ")");
        }
        notBlank("traceId", traceId);
        notBlank("trackableType", trackableType);
        notBlank("trackableId", trackableId);
        if (trackableId != null && trackableType == null) {
            throw new IllegalArgumentException("trackableId needs a trackableType: owner ids are unique per type only");
        }
        if (startedFrom != null && startedBefore != null && !startedFrom.isBefore(startedBefore)) {
            throw new IllegalArgumentException("startedFrom (" + startedFrom + ") must be before startedBefore ("
                    + startedBefore + ")");
        }
    }

    /**
     * The filter that matches every request.
     *
     * @return the empty filter
     */
    public static RequestFilter all() {
        return ALL;
    }

    /**
     * A builder with no criterion set.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this filter's criteria.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.providers = new LinkedHashSet<>(providers);
        b.models = new LinkedHashSet<>(models);
        b.outcomes = new LinkedHashSet<>(outcomes);
        b.minHttpStatus = minHttpStatus;
        b.maxHttpStatus = maxHttpStatus;
        b.streaming = streaming;
        b.anyTags = new LinkedHashSet<>(anyTags);
        b.allTags = new LinkedHashSet<>(allTags);
        b.metadataContains = new LinkedHashMap<>(metadataContains);
        b.traceId = traceId;
        b.trackableType = trackableType;
        b.trackableId = trackableId;
        b.startedFrom = startedFrom;
        b.startedBefore = startedBefore;
        return b;
    }

    private static Set<String> strings(String name, @Nullable Set<String> values, boolean rejectBlank) {
        Set<String> copy = copy(name, values);
        if (rejectBlank) {
            for (String v : copy) {
                if (v.isBlank()) {
                    throw new IllegalArgumentException(name + " must not contain a blank value");
                }
            }
        }
        return copy;
    }

    private static <T> Set<T> copy(String name, @Nullable Set<T> values) {
        if (values == null || values.isEmpty()) {
            return Set.of();
        }
        for (T v : values) {
            if (v == null) {
                throw new IllegalArgumentException(name + " must not contain null");
            }
        }
        return Set.copyOf(values);
    }

    private static void checkStatus(String name, @Nullable Integer status) {
        if (status != null && (status < 100 || status > 599)) {
            throw new IllegalArgumentException(name + " must be an HTTP status between 100 and 599, was " + status);
        }
    }

    private static void notBlank(String name, @Nullable String value) {
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    /** Builds a {@link RequestFilter}; setters replace what was set before for the same criterion. */
    public static final class Builder {
        private Set<String> providers = new LinkedHashSet<>();
        private Set<String> models = new LinkedHashSet<>();
        private Set<Outcome> outcomes = new LinkedHashSet<>();
        private @Nullable Integer minHttpStatus;
        private @Nullable Integer maxHttpStatus;
        private @Nullable Boolean streaming;
        private Set<String> anyTags = new LinkedHashSet<>();
        private Set<String> allTags = new LinkedHashSet<>();
        private Map<String, @Nullable Object> metadataContains = new LinkedHashMap<>();
        private @Nullable String traceId;
        private @Nullable String trackableType;
        private @Nullable String trackableId;
        private @Nullable Instant startedFrom;
        private @Nullable Instant startedBefore;

        private Builder() {
        }

        /**
         * @param values provider ids, any of them
         * @return this builder
         */
        public Builder providers(String... values) {
            this.providers = set("providers", values);
            return this;
        }

        /**
         * @param values requested models, any of them
         * @return this builder
         */
        public Builder models(String... values) {
            this.models = set("models", values);
            return this;
        }

        /**
         * @param values outcomes, any of them
         * @return this builder
         */
        public Builder outcomes(Outcome... values) {
            this.outcomes = set("outcomes", values);
            return this;
        }

        /**
         * @param min lowest HTTP status, inclusive, e.g. 400
         * @param max highest HTTP status, inclusive, e.g. 599
         * @return this builder
         */
        public Builder httpStatusBetween(int min, int max) {
            this.minHttpStatus = min;
            this.maxHttpStatus = max;
            return this;
        }

        /**
         * @param value true for streamed requests only, false for the others, null for both
         * @return this builder
         */
        public Builder streaming(@Nullable Boolean value) {
            this.streaming = value;
            return this;
        }

        /**
         * @param values requests with at least one of these tags
         * @return this builder
         */
        public Builder anyTags(String... values) {
            this.anyTags = set("anyTags", values);
            return this;
        }

        /**
         * @param values requests with all of these tags
         * @return this builder
         */
        public Builder allTags(String... values) {
            this.allTags = set("allTags", values);
            return this;
        }

        /**
         * @param values a JSON object the metadata must contain, e.g. {@code Map.of("tenant_id", "t-42")}
         * @return this builder
         */
        public Builder metadataContains(Map<String, ? extends @Nullable Object> values) {
            Objects.requireNonNull(values, "metadataContains");
            this.metadataContains = new LinkedHashMap<>(values);
            return this;
        }

        /**
         * @param value the trace id
         * @return this builder
         */
        public Builder traceId(@Nullable String value) {
            this.traceId = value;
            return this;
        }

        /**
         * @param value the owner the requests are attributed to
         * @return this builder
         */
        public Builder trackable(@Nullable Trackable value) {
            this.trackableType = value == null ? null : value.type();
            this.trackableId = value == null ? null : value.id();
            return this;
        }

        /**
         * @param value the kind of owner, any id
         * @return this builder
         */
        public Builder trackableType(@Nullable String value) {
            this.trackableType = value;
            this.trackableId = null;
            return this;
        }

        /**
         * @param from started at or after, inclusive; null for no lower bound
         * @param before started before, exclusive; null for no upper bound
         * @return this builder
         */
        public Builder startedBetween(@Nullable Instant from, @Nullable Instant before) {
            this.startedFrom = from;
            this.startedBefore = before;
            return this;
        }

        /**
         * @return the filter
         * @throws IllegalArgumentException naming the parameter that is wrong
         */
        public RequestFilter build() {
            return new RequestFilter(providers, models, outcomes, minHttpStatus, maxHttpStatus, streaming, anyTags,
                    allTags, metadataContains, traceId, trackableType, trackableId, startedFrom, startedBefore);
        }

        private static <T> Set<T> set(String name, T[] values) {
            Objects.requireNonNull(values, name);
            for (T v : values) {
                if (v == null) {
                    throw new IllegalArgumentException(name + " must not contain null");
                }
            }
            return new LinkedHashSet<>(Arrays.asList(values));
        }
    }
}
