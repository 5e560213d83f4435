package dev.spectra.reactive.r2dbc;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How {@link SpectraRequests#totals} groups requests: not at all, by provider, by model, by day of start, or by
 * the value of one metadata key (for example cost per {@code tenant_id}).
 *
 * @param kind what to group by
 * @param metadataKey the top-level metadata key, for {@link Kind#METADATA} only
 * @param zone the time zone days are cut in, for {@link Kind#DAY}; UTC otherwise
 * @since 0.1
 */
public record Grouping(Kind kind, @Nullable String metadataKey, ZoneId zone) {

    /** What totals are grouped by. */
    public enum Kind {
        /** One total for all matching requests; its group is null. */
        NONE,
        /** Per provider id. */
        PROVIDER,
        /** Per requested model (across providers: filter by provider to separate them). */
        MODEL,
        /**
         * Per owner ({@code trackable_type}, {@code trackable_id}); the group is the JSON array
         * {@code ["type", "id"]} as text, null for requests attributed to no one.
         */
        TRACKABLE,
        /** Per calendar day of {@code started_at} in the grouping's zone; groups are ISO dates, {@code 2025-03-04}. */
        DAY,
        /**
         * Per value of a metadata key, as text ({@code jsonb ->>}: strings as is, numbers and booleans as JSON text,
         * objects and arrays as JSON); requests without the key form the null group.
         */
        METADATA
    }

    /**
     * Validates.
     *
     * @param kind what to group by
     * @param metadataKey the metadata key, for METADATA only
     * @param zone the zone days are cut in
     * @throws IllegalArgumentException when the metadata key is missing, blank or given for another kind
     */
    public Grouping {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(zone, "zone");
        if (kind == Kind.METADATA && (metadataKey == null || metadataKey.isBlank())) {
            throw new IllegalArgumentException("metadataKey must not be null or blank when grouping by metadata");
        }
        if (kind != Kind.METADATA && metadataKey != null) {
            throw new IllegalArgumentException("metadataKey is only for grouping by metadata, not by " + kind);
        }
    }

    /**
     * @return a single total
     */
    public static Grouping none() {
        return new Grouping(Kind.NONE, null, ZoneOffset.UTC);
    }

    /**
     * @return totals per provider
     */
    public static Grouping byProvider() {
        return new Grouping(Kind.PROVIDER, null, ZoneOffset.UTC);
    }

    /**
     * @return totals per requested model
     */
    public static Grouping byModel() {
        return new Grouping(Kind.MODEL, null, ZoneOffset.UTC);
    }

    /**
     * @return totals per trackable (the owner a request is attributed to)
     */
    public static Grouping byTrackable() {
        return new Grouping(Kind.TRACKABLE, null, ZoneOffset.UTC);
    }

    /**
     * @return totals per UTC day
     */
    public static Grouping byDay() {
        return new Grouping(Kind.DAY, null, ZoneOffset.UTC);
    }

    /**
     * @param zone the zone whose midnights cut the days, e.g. {@code ZoneId.of("Europe/Paris")}
     * @return totals per day in that zone
     */
    public static Grouping byDay(ZoneId zone) {
        return new Grouping(Kind.DAY, null, zone);
    }

    /**
     * @param key a top-level metadata key, e.g. {@code "tenant_id"}; matched literally
     * @return totals per value of that key
     */
    public static Grouping byMetadata(String key) {
        return new Grouping(Kind.METADATA, key, ZoneOffset.UTC);
    }
}
