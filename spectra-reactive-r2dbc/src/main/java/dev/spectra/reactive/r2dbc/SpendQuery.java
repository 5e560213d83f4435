package dev.spectra.reactive.r2dbc;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

import dev.spectra.reactive.Trackable;
import org.jspecify.annotations.Nullable;

/**
 * Which spend {@link SpectraRequests#spend} adds up from the daily rollups, and how it groups it: whole UTC days,
 * optionally narrowed to providers, requested models, one owner or one value of a metadata dimension
 * ({@link SpectraRequests#addMetadataDimension}). A read touches one rollup row per day, provider, model and owner
 * (or dimension value), never the requests, so it costs the same at ten thousand or a billion requests.
 *
 * <pre>{@code
 * // a tenant's cost for March
 * SpendQuery.builder(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-04-01"))
 *         .metadata("tenant_id", "t-42").build();
 * }</pre>
 *
 * <p>The rollups key a request by its requested model and its owner, and by each dimension's value: a metadata
 * condition or a grouping by metadata reads the dimension's rollup, which holds no owner, so it cannot be combined
 * with an owner condition or a grouping by owner; grouping by a dimension counts only the requests that hold its key.
 *
 * @param from the first UTC day, inclusive
 * @param until the last UTC day, exclusive
 * @param providers provider ids to keep; empty: all
 * @param models requested models to keep (the rollups do not hold the answered model); empty: all
 * @param trackable the owner to keep, or null for all
 * @param metadataKey a metadata dimension's key to filter on, or null
 * @param metadataValue the value it must have (a String, Number, Boolean or null), when {@code metadataKey} is set
 * @param grouping how to group: not at all, by provider, model, owner, UTC day, or a dimension's value
 * @since 0.2
 */
public record SpendQuery(LocalDate from, LocalDate until, Set<String> providers, Set<String> models,
                         @Nullable Trackable trackable, @Nullable String metadataKey, @Nullable Object metadataValue,
                         Grouping grouping) {

    /**
     * Validates and copies.
     *
     * @param from the first UTC day, inclusive
     * @param until the last UTC day, exclusive
     * @param providers providers; empty: all
     * @param models requested models; empty: all
     * @param trackable the owner, or null
     * @param metadataKey a dimension's key, or null
     * @param metadataValue its value
     * @param grouping how to group
     * @throws IllegalArgumentException when {@code until} is not after {@code from}, a metadata value is not a
     *         scalar, a metadata value is given without a key, an owner is combined with metadata, two different
     *         metadata keys are combined, or days are grouped in another zone than UTC
     */
    public SpendQuery {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(grouping, "grouping");
        if (!until.isAfter(from)) {
            throw new IllegalArgumentException("until must be after from, was " + from + " .. " + until);
        }
        providers = Set.copyOf(providers);
        models = Set.copyOf(models);
        if (metadataKey == null && metadataValue != null) {
            throw new IllegalArgumentException("metadataValue is given without a metadataKey");
        }
        if (metadataValue != null && !(metadataValue instanceof String || metadataValue instanceof Number
                || metadataValue instanceof Boolean)) {
            throw new IllegalArgumentException("metadataValue must be a String, Number, Boolean or null, was "
                    + metadataValue.getClass().getName());
        }
        boolean byMetadata = metadataKey != null || grouping.kind() == Grouping.Kind.METADATA;
        if (byMetadata && (trackable != null || grouping.kind() == Grouping.Kind.TRACKABLE)) {
            throw new IllegalArgumentException("the rollup of a metadata dimension holds no owner: an owner "
                    + "condition or grouping cannot be combined with a metadata condition or grouping");
        }
        if (metadataKey != null && grouping.kind() == Grouping.Kind.METADATA
                && !metadataKey.equals(grouping.metadataKey())) {
            throw new IllegalArgumentException("a metadata condition on " + metadataKey
                    + " cannot be grouped by another key, " + grouping.metadataKey());
        }
        if (grouping.kind() == Grouping.Kind.DAY && !ZoneOffset.UTC.equals(grouping.zone())) {
            throw new IllegalArgumentException("the rollups hold UTC days: group by Grouping.byDay() in UTC, not "
                    + grouping.zone());
        }
    }

    /**
     * @param from the first UTC day, inclusive
     * @param until the last UTC day, exclusive
     * @return a builder of the spend over those days, all providers, models and owners, not grouped
     */
    public static Builder builder(LocalDate from, LocalDate until) {
        return new Builder(from, until);
    }

    /** Builds a {@link SpendQuery}. */
    public static final class Builder {
        private final LocalDate from;
        private final LocalDate until;
        private final Set<String> providers = new LinkedHashSet<>();
        private final Set<String> models = new LinkedHashSet<>();
        private @Nullable Trackable trackable;
        private @Nullable String metadataKey;
        private @Nullable Object metadataValue;
        private Grouping grouping = Grouping.none();

        private Builder(LocalDate from, LocalDate until) {
            this.from = from;
            this.until = until;
        }

        /**
         * @param ids provider ids to keep (added to any given before)
         * @return this
         */
        public Builder providers(String... ids) {
            for (String id : ids) {
                providers.add(Objects.requireNonNull(id, "provider"));
            }
            return this;
        }

        /**
         * @param names requested models to keep (added to any given before)
         * @return this
         */
        public Builder models(String... names) {
            for (String name : names) {
                models.add(Objects.requireNonNull(name, "model"));
            }
            return this;
        }

        /**
         * @param owner the owner to keep
         * @return this
         */
        public Builder trackable(Trackable owner) {
            this.trackable = Objects.requireNonNull(owner, "trackable");
            return this;
        }

        /**
         * @param key a metadata dimension's key
         * @param value the value it must have: a String, Number, Boolean or null
         * @return this
         */
        public Builder metadata(String key, @Nullable Object value) {
            this.metadataKey = Objects.requireNonNull(key, "key");
            this.metadataValue = value;
            return this;
        }

        /**
         * @param grouping how to group
         * @return this
         */
        public Builder grouping(Grouping grouping) {
            this.grouping = Objects.requireNonNull(grouping, "grouping");
            return this;
        }

        /**
         * @return the query
         */
        public SpendQuery build() {
            return new SpendQuery(from, until, providers, models, trackable, metadataKey, metadataValue, grouping);
        }
    }
}
