package dev.spectra.reactive.web.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.r2dbc.RequestFilter;
import dev.spectra.reactive.r2dbc.RequestQuery;
import dev.spectra.reactive.r2dbc.RequestSort;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The API's query parameters, read into the query API's types. A bad or unknown parameter is a
 * {@link BadParameter} naming it (400).
 *
 * <p>Filters: {@code provider}, {@code model} (the requested or the answering model), {@code outcome}
 * (comma-separated for several), {@code status_min}, {@code status_max}, {@code streaming}, {@code tag} (any of,
 * comma-separated), {@code tags_all}, {@code metadata.<key>=<value>} (containment; a value that parses as a JSON
 * number, boolean or null matches that JSON value, anything else a string), {@code trace_id},
 * {@code trackable_type}, {@code trackable_id}, and a time range: {@code period} = {@code today}, {@code 7d},
 * {@code 30d} (rolling), {@code week}, {@code month}, {@code year} (UTC calendar periods up to now), {@code all},
 * or {@code from} / {@code to} (ISO-8601 instants or dates, {@code to} exclusive, years 1 to 9999). Paging:
 * {@code sort} = {@code started_at}, {@code cost}, {@code tokens}, {@code latency}; {@code order} = {@code asc},
 * {@code desc}; {@code limit} (1..1000, default 50); {@code cursor} (from {@code next_cursor}).
 */
public final class QueryParameters {

    private static final Set<String> FILTER = Set.of("provider", "model", "outcome", "status_min", "status_max",
            "streaming", "tag", "tags_all", "trace_id", "trackable_type", "trackable_id", "period", "from", "to");
    private static final Set<String> PAGING = Set.of("sort", "order", "limit", "cursor");
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    private static final int MAX_VALUE_LENGTH = 2000;

    private final Map<String, List<String>> params = new LinkedHashMap<>();
    private final Clock clock;

    /**
     * Decodes a raw query string strictly: malformed percent-encoding, control characters (NUL included) and
     * over-long values are refused.
     *
     * @param rawQuery the query string as sent, without {@code ?}; null when there is none
     * @param clock the clock periods end at
     */
    public QueryParameters(@Nullable String rawQuery, Clock clock) {
        this.clock = clock;
        if (rawQuery == null || rawQuery.isEmpty()) {
            return;
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
    }

    private static String decode(String raw, String parameter) {
        String text;
        try {
            text = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadParameter(parameter, "malformed percent-encoding in \"" + shorten(raw) + "\"");
        }
        if (text.length() > MAX_VALUE_LENGTH) {
            throw new BadParameter(parameter, parameter + " is longer than " + MAX_VALUE_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\uFFFD') {
                throw new BadParameter(parameter, parameter + " contains a control character or malformed UTF-8 "
                        + "(U+" + String.format(Locale.ROOT, "%04X", (int) c) + ")");
            }
        }
        return text;
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    /**
     * Refuses parameters the endpoint does not know, so a typo is an error rather than a silently ignored filter.
     *
     * @param extra the endpoint's own parameters besides the filter
     * @param paging whether the paging parameters are allowed
     * @return this
     */
    public QueryParameters allowOnly(Set<String> extra, boolean paging) {
        for (String name : params.keySet()) {
            if (!FILTER.contains(name) && !extra.contains(name) && !(paging && PAGING.contains(name))
                    && !name.startsWith("metadata.")) {
                throw new BadParameter(name, "unknown parameter \"" + shorten(name) + "\"");
            }
        }
        return this;
    }

    /**
     * @param name a parameter
     * @return its one value, trimmed; null when absent
     */
    public @Nullable String single(String name) {
        List<String> v = params.get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.size() > 1) {
            throw new BadParameter(name, name + " is given " + v.size() + " times; give it once (comma-separate "
                    + "values)");
        }
        String s = v.get(0).trim();
        if (s.isEmpty()) {
            throw new BadParameter(name, name + " must not be empty");
        }
        return s;
    }

    private String[] list(String name) {
        String v = single(name);
        if (v == null) {
            return new String[0];
        }
        List<String> out = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            if (part.isBlank()) {
                throw new BadParameter(name, name + " has an empty value in \"" + shorten(v) + "\"");
            }
            out.add(part.trim());
        }
        return out.toArray(String[]::new);
    }

    /**
     * @param defaultPeriod the period when neither {@code period} nor {@code from}/{@code to} is given
     * @return the filter
     */
    public RequestFilter filter(String defaultPeriod) {
        RequestFilter.Builder b = RequestFilter.builder();
        try {
            String[] providers = list("provider");
            if (providers.length > 0) {
                b.providers(providers);
            }
            String[] models = list("model");
            if (models.length > 0) {
                b.models(models);
            }
            String[] outcomes = list("outcome");
            if (outcomes.length > 0) {
                Outcome[] o = new Outcome[outcomes.length];
                for (int i = 0; i < outcomes.length; i++) {
                    try {
                        o[i] = Outcome.fromId(outcomes[i]);
                    } catch (IllegalArgumentException e) {
                        throw new BadParameter("outcome", e.getMessage());
                    }
                }
                b.outcomes(o);
            }
            Integer min = intParam("status_min", 100, 599);
            Integer max = intParam("status_max", 100, 599);
            if (min != null || max != null) {
                b.httpStatusBetween(min == null ? 100 : min, max == null ? 599 : max);
            }
            String streaming = single("streaming");
            if (streaming != null) {
                if (!streaming.equals("true") && !streaming.equals("false")) {
                    throw new BadParameter("streaming", "streaming must be true or false, was \"" + shorten(streaming)
                            + "\"");
                }
                b.streaming(Boolean.parseBoolean(streaming));
            }
            String[] anyTags = list("tag");
            if (anyTags.length > 0) {
                b.anyTags(anyTags);
            }
            String[] allTags = list("tags_all");
            if (allTags.length > 0) {
                b.allTags(allTags);
            }
            Map<String, @Nullable Object> metadata = new LinkedHashMap<>();
            for (String name : params.keySet()) {
                if (name.startsWith("metadata.")) {
                    String key = name.substring("metadata.".length());
                    if (key.isBlank()) {
                        throw new BadParameter(name, "metadata filter needs a key: metadata.<key>=<value>");
                    }
                    metadata.put(key, jsonValue(single(name)));
                }
            }
            if (!metadata.isEmpty()) {
                b.metadataContains(metadata);
            }
            String trace = single("trace_id");
            if (trace != null) {
                b.traceId(trace);
            }
            String type = single("trackable_type");
            String id = single("trackable_id");
            if (id != null && type == null) {
                throw new BadParameter("trackable_id", "trackable_id needs trackable_type");
            }
            if (type != null) {
                if (id != null) {
                    b.trackable(new Trackable(type, id));
                } else {
                    b.trackableType(type);
                }
            }
            @Nullable Instant[] range = range(defaultPeriod);
            if (range[0] != null || range[1] != null) {
                b.startedBetween(range[0], range[1]);
            }
            return b.build();
        } catch (BadParameter e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new BadParameter(guessParameter(e.getMessage()), String.valueOf(e.getMessage()));
        }
    }

    /**
     * @param filter the filter
     * @return the query: filter plus sort, order, limit and cursor
     */
    public RequestQuery query(RequestFilter filter) {
        RequestQuery.Builder q = RequestQuery.builder().filter(filter);
        String sort = single("sort");
        if (sort != null) {
            q.sortBy(switch (sort) {
                case "started_at", "time" -> RequestSort.STARTED_AT;
                case "cost" -> RequestSort.TOTAL_COST;
                case "tokens" -> RequestSort.TOTAL_TOKENS;
                case "latency" -> RequestSort.LATENCY;
                default -> throw new BadParameter("sort", "sort must be started_at, cost, tokens or latency, was \""
                        + shorten(sort) + "\"");
            });
        }
        String order = single("order");
        if (order != null) {
            switch (order) {
                case "asc" -> q.ascending();
                case "desc" -> q.descending();
                default -> throw new BadParameter("order", "order must be asc or desc, was \"" + shorten(order)
                        + "\"");
            }
        }
        Integer limit = intParam("limit", 1, RequestQuery.MAX_LIMIT);
        if (limit != null) {
            q.limit(limit);
        }
        String cursor = single("cursor");
        try {
            if (cursor != null) {
                q.after(cursor);
            }
            return q.build();
        } catch (IllegalArgumentException e) {
            throw new BadParameter("cursor", "cursor is not one this API gave for this sort and order");
        }
    }

    private @Nullable Integer intParam(String name, int min, int max) {
        String v = single(name);
        if (v == null) {
            return null;
        }
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadParameter(name, name + " must be a whole number from " + min + " to " + max + ", was \""
                + shorten(v) + "\"");
    }

    private @Nullable Instant[] range(String defaultPeriod) {
        String period = single("period");
        String from = single("from");
        String to = single("to");
        if (period != null && (from != null || to != null)) {
            throw new BadParameter("period", "give either period or from/to, not both");
        }
        if (from != null || to != null) {
            Instant f = from == null ? null : instant("from", from);
            Instant t = to == null ? null : instant("to", to);
            if (f != null && t != null && !t.isAfter(f)) {
                throw new BadParameter("to", "to (" + t + ") must be after from (" + f + ")");
            }
            return new Instant[] {f, t};
        }
        String p = period != null ? period : defaultPeriod;
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneOffset.UTC));
        ZonedDateTime day = now.truncatedTo(ChronoUnit.DAYS);
        Instant start = switch (p.toLowerCase(Locale.ROOT)) {
            case "today" -> day.toInstant();
            case "7d" -> now.minusDays(7).toInstant();
            case "30d" -> now.minusDays(30).toInstant();
            case "week" -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toInstant();
            case "month" -> day.withDayOfMonth(1).toInstant();
            case "year" -> day.withDayOfYear(1).toInstant();
            case "all" -> null;
            default -> throw new BadParameter("period", "period must be today, 7d, 30d, week, month, year or all, "
                    + "was \"" + shorten(p) + "\"");
        };
        return new Instant[] {start, null};
    }

    private static Instant instant(String name, String v) {
        Instant t;
        try {
            t = v.length() == 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new BadParameter(name, name + " must be an ISO-8601 instant (2026-11-24T10:00:00Z) or date "
                    + "(2026-11-24), was \"" + shorten(v) + "\"");
        }
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            throw new BadParameter(name, name + " must be between the years 1 and 9999, was \"" + shorten(v) + "\"");
        }
        return t;
    }

    private static @Nullable Object jsonValue(@Nullable String v) {
        if (v == null) {
            return null;
        }
        if (v.equals("true") || v.equals("false") || v.equals("null")
                || v.matches("-?\\d{1,30}(\\.\\d{1,30})?([eE][+-]?\\d{1,3})?")) {
            JsonNode n = ApiJson.MAPPER.readTree(v);
            return ApiJson.MAPPER.convertValue(n, Object.class);
        }
        return v;
    }

    private static String guessParameter(@Nullable String message) {
        if (message == null) {
            return "query";
        }
        for (String p : FILTER) {
            if (message.contains(p)) {
                return p;
            }
        }
        return "query";
    }
}
