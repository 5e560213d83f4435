package dev.spectra.reactive.r2dbc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.internal.SecretScrubber;
import dev.spectra.reactive.r2dbc.internal.JsonText;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Statement;
import org.jspecify.annotations.Nullable;

/**
 * A WHERE clause under construction: fixed SQL fragments chosen by which criteria are set, and the values bound
 * as {@code $n} parameters, never spliced into the text.
 */
final class FilterSql {

    private final List<String> conditions = new ArrayList<>();
    private final List<Object> binds = new ArrayList<>();

    /**
     * Adds a bound value.
     * @return its placeholder, {@code $n}
     */
    String bind(Object value) {
        binds.add(value);
        return "$" + binds.size();
    }

    /**
     * Requests attributed to an owner of this type, and of this id when given: the id as it is recorded (one that is
     * a credential as its digest, {@link SecretScrubber#identifying}).
     */
    void owner(String type, @Nullable String id) {
        where("trackable_type = " + bind(type));
        if (id != null) {
            where("trackable_id = " + bind(SecretScrubber.identifying(type, id)));
        }
    }

    void where(String condition) {
        conditions.add(condition);
    }

    /** The criteria of a filter. */
    FilterSql filter(RequestFilter f) {
        return filter(f, Set.of());
    }

    /**
     * The criteria of a filter.
     *
     * @param dimensions the metadata dimensions of the schema (keys with an index on {@code metadata -> key})
     */
    FilterSql filter(RequestFilter f, Set<String> dimensions) {
        if (!f.providers().isEmpty()) {
            where("provider = ANY(" + bind(strings(f.providers())) + "::text[])");
        }
        if (!f.models().isEmpty()) {
            String models = bind(strings(f.models()));
            where("(model = ANY(" + models + "::text[]) OR response_model = ANY(" + models + "::text[]))");
        }
        if (!f.outcomes().isEmpty()) {
            where("outcome = ANY(" + bind(f.outcomes().stream().map(Outcome::id).toArray(String[]::new)) + "::text[])");
        }
        if (f.minHttpStatus() != null) {
            where("http_status >= " + bind(f.minHttpStatus()));
        }
        if (f.maxHttpStatus() != null) {
            where("http_status <= " + bind(f.maxHttpStatus()));
        }
        if (f.streaming() != null) {
            where("streaming = " + bind(f.streaming()));
        }
        // ?| and ?& are jsonb operators (served by the GIN index on tags), not placeholders.
        if (!f.anyTags().isEmpty()) {
            where("tags ?| " + bind(strings(f.anyTags())) + "::text[]");
        }
        if (!f.allTags().isEmpty()) {
            where("tags ?& " + bind(strings(f.allTags())) + "::text[]");
        }
        if (!f.metadataContains().isEmpty()) {
            // A scalar value of a metadata dimension is matched by equality on metadata -> key, which its index
            // (metadata -> key, started_at, id) serves in the list's order; for a scalar, containment means exactly
            // that ({"k": ["a"]} does not contain {"k": "a"}). Other entries are matched by containment, served by
            // the GIN index on metadata.
            Map<String, @Nullable Object> contained = new LinkedHashMap<>();
            f.metadataContains().forEach((key, value) -> {
                if (dimensions.contains(key) && (value == null || value instanceof String || value instanceof Number
                        || value instanceof Boolean)) {
                    where("metadata -> " + bind(key) + "::text = " + bind(Json.of(JsonText.write(value))));
                } else {
                    contained.put(key, value);
                }
            });
            if (!contained.isEmpty()) {
                where("metadata @> " + bind(Json.of(JsonText.write(contained))));
            }
        }
        if (f.traceId() != null) {
            where("trace_id = " + bind(f.traceId()));
        }
        if (f.trackableType() != null) {
            owner(f.trackableType(), f.trackableId());
        }
        if (f.startedFrom() != null) {
            where("started_at >= " + bind(f.startedFrom()));
        }
        if (f.startedBefore() != null) {
            where("started_at < " + bind(f.startedBefore()));
        }
        return this;
    }

    /**
     * @return {@code WHERE a AND b}, or empty
     */
    String whereClause() {
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    Statement bindTo(Statement statement) {
        for (int i = 0; i < binds.size(); i++) {
            statement.bind(i, binds.get(i));
        }
        return statement;
    }

    private static String[] strings(Set<String> values) {
        return values.toArray(String[]::new);
    }
}
