package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.PricingStatus;
import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.provider.ResponseDetails;
import dev.spectra.reactive.r2dbc.internal.Identifiers;
import dev.spectra.reactive.r2dbc.internal.JsonText;
import dev.spectra.reactive.r2dbc.internal.RequestInsert;
import dev.spectra.reactive.r2dbc.internal.RequestRows;
import dev.spectra.reactive.r2dbc.internal.SchemaDdl;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads tracked requests back from PostgreSQL: one by id, searches with keyset paging, totals of usage and cost
 * grouped by provider, model, day or a metadata key, and pruning of old requests (by row, or by dropping whole
 * monthly partitions).
 *
 * <p>Every method is lazy (nothing runs until subscription) and non-blocking; each subscription takes a connection
 * from the factory and closes it (returns it to its pool) when done. Values in filters are bound as parameters,
 * never spliced into SQL. Obtain one from {@link R2dbcSpectraSink#requests()}, or over any connection factory
 * (preferably pooled) with {@link #create}.
 *
 * @since 0.1
 */
public final class SpectraRequests {

    /** Rows deleted per statement by {@link #pruneOlderThan}: short transactions, short locks. */
    public static final int DEFAULT_PRUNE_CHUNK_SIZE = 1000;

    /** Rows read and updated per round trip by {@link #reprice(RequestFilter, Pricing)}. */
    public static final int DEFAULT_REPRICE_CHUNK_SIZE = 500;

    private final ConnectionFactory connectionFactory;
    private final SpectraSchema schema;
    private final String table;
    private final String dailyTable;
    private final String responseIdsTable;
    private final String lockRequests;
    private final String repriceSql;
    /**
     * The metadata dimensions, read at most every {@link #DIMENSIONS_TTL}; a filter on one is matched in the form
     * its index serves. Either form gives the same rows, so a dimension registered elsewhere and not yet seen here
     * only makes reads slower for a few seconds, never wrong; an error reading them reads as none, and is not kept.
     */
    private final Mono<Set<String>> dimensions;

    private static final Duration DIMENSIONS_TTL = Duration.ofSeconds(10);

    private SpectraRequests(ConnectionFactory connectionFactory, SpectraSchema schema) {
        this.connectionFactory = connectionFactory;
        this.schema = schema;
        this.table = Identifiers.quote("schema", schema.name()) + "." + SchemaDdl.REQUESTS_TABLE;
        this.dailyTable = Identifiers.quote("schema", schema.name()) + "." + SchemaDdl.DAILY_SPEND_TABLE;
        this.responseIdsTable = Identifiers.quote("schema", schema.name()) + "." + SchemaDdl.RESPONSE_IDS_TABLE;
        this.lockRequests = lockRequestsSql(table);
        this.repriceSql = repriceStatement(table, dailyTable, Identifiers.quote("schema", schema.name()));
        this.dimensions = metadataDimensions().collect(Collectors.toUnmodifiableSet())
                .cache(v -> DIMENSIONS_TTL, e -> Duration.ZERO, () -> Duration.ZERO)
                .onErrorReturn(Set.of());
    }

    /**
     * The query API over a schema created by {@link SpectraSchema#createOrUpgrade}.
     *
     * @param connectionFactory where to read; a pooled factory is best
     * @param schema the schema
     * @return the query API
     */
    public static SpectraRequests create(ConnectionFactory connectionFactory, SpectraSchema schema) {
        return new SpectraRequests(Objects.requireNonNull(connectionFactory, "connectionFactory"),
                Objects.requireNonNull(schema, "schema"));
    }

    /**
     * One request by id.
     *
     * @param id the request's id
     * @return the request, or empty when there is none with that id
     */
    public Mono<TrackedRequest> findById(UUID id) {
        Objects.requireNonNull(id, "id");
        return query(c -> c.createStatement("SELECT " + RequestRows.COLUMNS + " FROM " + table + " WHERE id = $1")
                .bind(0, id), RequestRows::read).next();
    }

    /**
     * A page of the requests matching a query, in its order. Pages are cut by keyset (see {@link RequestQuery}):
     * follow {@link RequestPage#nextCursor()} to the next.
     *
     * @param query filter, order, page size and cursor
     * @return the page; its cursor is null on the last page
     */
    public Mono<RequestPage> search(RequestQuery query) {
        Objects.requireNonNull(query, "query");
        return dimensions.flatMap(dims -> {
            FilterSql sql = new FilterSql().filter(query.filter(), dims);
            RequestSort sort = query.sort();
            String column = sort.column();
            if (query.after() != null) {
                sql.where(keyset(sql, Cursor.decode(query.after())));
            }
            String direction = query.ascending() ? "ASC" : "DESC";
            String text = "SELECT " + RequestRows.COLUMNS + " FROM " + table + sql.whereClause()
                    + " ORDER BY " + column + " " + direction + " NULLS LAST, id " + direction
                    + " LIMIT " + sql.bind(query.limit() + 1);
            return query(c -> sql.bindTo(c.createStatement(text)), RequestRows::read)
                    .collectList()
                    .map(rows -> page(query, rows));
        });
    }

    /**
     * Totals of the requests matching a filter, one per group, ordered by group (null group last).
     *
     * @param filter which requests
     * @param grouping how to group them
     * @return the totals; for {@link Grouping#none()} exactly one, with zero counts when nothing matches
     */
    public Flux<UsageTotals> totals(RequestFilter filter, Grouping grouping) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(grouping, "grouping");
        return dimensions.flatMapMany(dims -> {
            FilterSql sql = new FilterSql();
            String group = switch (grouping.kind()) {
                case NONE -> "NULL::text";
                case PROVIDER -> "provider";
                case MODEL -> "model";
                case TRACKABLE -> "CASE WHEN trackable_type IS NULL THEN NULL"
                        + " ELSE jsonb_build_array(trackable_type, trackable_id)::text END";
                case DAY -> grouping.zone() instanceof ZoneOffset offset
                        ? "to_char(((started_at AT TIME ZONE 'UTC') + " + sql.bind(offset.getTotalSeconds())
                                + "::int * interval '1 second')::date, 'YYYY-MM-DD')"
                        : "to_char((started_at AT TIME ZONE " + sql.bind(grouping.zone().getId())
                                + ")::date, 'YYYY-MM-DD')";
                case METADATA -> "metadata ->> " + sql.bind(Objects.requireNonNull(grouping.metadataKey()));
            };
            sql.filter(filter, dims);
            String text = "SELECT " + group + " AS grp, count(*) AS requests,"
                    + " coalesce(sum(input_tokens), 0)::int8 AS input_tokens,"
                    + " coalesce(sum(output_tokens), 0)::int8 AS output_tokens,"
                    + " coalesce(sum(total_tokens), 0)::int8 AS total_tokens,"
                    + " coalesce(sum(cached_input_tokens), 0)::int8 AS cached_input_tokens,"
                    + " coalesce(sum(reasoning_tokens), 0)::int8 AS reasoning_tokens,"
                    + " count(*) FILTER (WHERE outcome = 'failure') AS failed,"
                    + " coalesce(sum(total_cost), 0) AS total_cost,"
                    + " count(*) - count(total_cost) AS unpriced,"
                    + " avg(latency_ms)::float8 AS avg_latency,"
                    + " percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95_latency"
                    + " FROM " + table + sql.whereClause()
                    + (grouping.kind() == Grouping.Kind.NONE ? "" : " GROUP BY 1 ORDER BY 1 NULLS LAST");
            return query(c -> sql.bindTo(c.createStatement(text)), SpectraRequests::totalsOf);
        });
    }

    /**
     * The total of all requests matching a filter.
     *
     * @param filter which requests
     * @return the total, zero counts when nothing matches
     */
    public Mono<UsageTotals> totals(RequestFilter filter) {
        return totals(filter, Grouping.none()).single();
    }

    /**
     * Deletes requests that started more than {@code age} ago, {@value #DEFAULT_PRUNE_CHUNK_SIZE} rows per
     * statement (each its own short transaction, so writers are never blocked for long).
     *
     * @param age how old a request must be to go, positive
     * @return the number of requests deleted
     */
    public Mono<Long> pruneOlderThan(Duration age) {
        Objects.requireNonNull(age, "age");
        if (age.isNegative() || age.isZero()) {
            throw new IllegalArgumentException("age must be positive, was " + age);
        }
        return Mono.defer(() -> pruneBefore(Instant.now().minus(age), DEFAULT_PRUNE_CHUNK_SIZE));
    }

    /**
     * Deletes requests started before an instant, in chunks, until none is left, with their rows of
     * {@code spectra_response_ids} (a call whose request was pruned is stored again if it is captured again).
     * Concurrent pruners skip each other's rows instead of waiting on them. Whole months go faster with
     * {@link #dropPartitionsBefore}.
     *
     * @param cutoff requests with {@code started_at} strictly before it are deleted
     * @param chunkSize rows per statement, 1 to 100,000
     * @return the number of requests deleted
     */
    public Mono<Long> pruneBefore(Instant cutoff, int chunkSize) {
        Objects.requireNonNull(cutoff, "cutoff");
        if (chunkSize < 1 || chunkSize > 100_000) {
            throw new IllegalArgumentException("chunkSize must be between 1 and 100000, was " + chunkSize);
        }
        String text = "WITH deleted AS (DELETE FROM " + table + " WHERE (id, started_at) IN (SELECT id, started_at FROM "
                + table + " WHERE started_at < $1 ORDER BY started_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
                + " RETURNING id, provider, response_id),\n"
                + "ids AS (DELETE FROM " + responseIdsTable + " AS r USING deleted AS d WHERE r.provider = d.provider"
                + " AND r.response_id = d.response_id AND r.id = d.id RETURNING 1)\n"
                + "SELECT count(*) FROM deleted";
        Mono<Long> chunk = Mono.usingWhen(connectionFactory.create(),
                c -> Flux.from(c.createStatement(text).bind(0, cutoff).bind(1, chunkSize).execute())
                        .flatMap(r -> r.map((row, meta) -> Objects.requireNonNull(row.get(0, Long.class))))
                        .reduce(0L, Long::sum),
                Connection::close);
        return chunk.expand(deleted -> deleted == chunkSize ? chunk : Mono.empty()).reduce(0L, Long::sum);
    }

    /**
     * Drops the monthly partitions of the requests whose whole month (UTC) lies before an instant, oldest first, each
     * with the rows of {@code spectra_response_ids} of its month, in a transaction of its own: retention by
     * {@code DROP TABLE}, without the dead rows and vacuuming of a {@code DELETE}. A month that ends after the
     * instant is kept whole (use {@link #pruneBefore} for its older rows), and so is the default partition, which
     * holds the rows of months without a partition. The daily rollups keep counting what was dropped, as with
     * pruning.
     *
     * <p>Dropping a partition takes an exclusive lock on the requests table for an instant: writes and reads wait
     * for it. It needs the rights of the table's owner. Partitions are created by {@code spectra_create_partitions}
     * (the sink calls it); one created again after being dropped starts empty.
     *
     * @param cutoff the months ending at or before it are dropped
     * @return the months dropped, ascending
     */
    public Flux<YearMonth> dropPartitionsBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        String quoted = Identifiers.quote("schema", schema.name());
        String list = "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = to_regclass($1) ORDER BY c.relname";
        String drop = "SELECT " + quoted + "." + SchemaDdl.DROP_PARTITION_FUNCTION + "($1)";
        return query(c -> c.createStatement(list).bind(0, table),
                        row -> Objects.requireNonNull(row.get(0, String.class)))
                .filter(name -> PARTITION_NAME.matcher(name).matches())
                .map(name -> YearMonth.parse(name.substring(SchemaDdl.PARTITION_PREFIX.length()), PARTITION_MONTH))
                .collectList()
                .flatMapMany(Flux::fromIterable)
                .filter(month -> !month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()
                        .isAfter(cutoff))
                .concatMap(month -> query(c -> c.createStatement(drop).bind(0, month.atDay(1)),
                        row -> Boolean.TRUE.equals(row.get(0, Boolean.class)))
                        .filter(Boolean::booleanValue)
                        .map(dropped -> month));
    }

    /** The name of a month's partition: the prefix, then {@code YYYY_MM}. */
    private static final Pattern PARTITION_NAME = Pattern.compile(Pattern.quote(SchemaDdl.PARTITION_PREFIX)
            + "\\d{4}_\\d{2}");

    private static final DateTimeFormatter PARTITION_MONTH = DateTimeFormatter.ofPattern("uuuu_MM");

    /**
     * The daily spend rollup between two UTC days: one row per day, provider, model and owner, ordered by day, then
     * provider, model, owner type and owner id. For the cost over time of a dashboard, without scanning requests.
     *
     * @param from the first day, inclusive
     * @param until the last day, exclusive
     * @return the rows
     */
    public Flux<DailySpend> dailySpend(LocalDate from, LocalDate until) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(until, "until");
        String text = "SELECT day, provider, model, trackable_type, trackable_id, requests, unpriced_requests, cost,"
                + " input_tokens, output_tokens, total_tokens FROM " + dailyTable
                + " WHERE day >= $1 AND day < $2 ORDER BY day, provider, model, trackable_type, trackable_id";
        return Flux.usingWhen(connectionFactory.create(),
                c -> Flux.from(c.createStatement(text).bind(0, from).bind(1, until).execute())
                        .flatMap(r -> r.map((row, meta) -> {
                            String type = Objects.requireNonNull(row.get("trackable_type", String.class));
                            String id = Objects.requireNonNull(row.get("trackable_id", String.class));
                            return new DailySpend(Objects.requireNonNull(row.get("day", LocalDate.class)),
                                    Objects.requireNonNull(row.get("provider", String.class)),
                                    Objects.requireNonNull(row.get("model", String.class)),
                                    type.isEmpty() ? null : new Trackable(type, id),
                                    longOf(row, "requests"), longOf(row, "unpriced_requests"),
                                    Objects.requireNonNull(row.get("cost", BigDecimal.class)),
                                    longOf(row, "input_tokens"), longOf(row, "output_tokens"),
                                    longOf(row, "total_tokens"));
                        })),
                Connection::close);
    }

    /**
     * Spend over whole UTC days, read from the daily rollups written with each batch
     * ({@code spectra_spend_daily}, and {@code spectra_spend_daily_metadata} for a metadata condition or grouping),
     * never from the requests: one rollup row per day, provider, model and owner or dimension value, so a month of a
     * tenant or a day by model costs the same at any number of requests. The sums equal what {@link #totals} adds up
     * from the requests of those days (requests, unpriced requests, cost, tokens), for requests neither re-priced nor
     * written with the rollup's statement bypassed; pruned requests stay counted.
     *
     * @param query days, conditions and grouping
     * @return one total per group, ordered by group (null group last); for {@link Grouping#none()} exactly one, with
     *         zero counts when nothing matches. Errors with {@link IllegalArgumentException} when the query names a
     *         metadata key that is not a dimension ({@link #addMetadataDimension})
     */
    public Flux<SpendTotals> spend(SpendQuery query) {
        Objects.requireNonNull(query, "query");
        return Flux.defer(() -> {
            String dimension = query.metadataKey() != null ? query.metadataKey() : query.grouping().metadataKey();
            FilterSql sql = new FilterSql();
            String from;
            if (dimension != null) {
                from = Identifiers.quote("schema", schema.name()) + "." + SchemaDdl.DAILY_SPEND_METADATA_TABLE;
                sql.where("key = " + sql.bind(dimension));
                if (query.metadataKey() != null) {
                    sql.where("value = " + sql.bind(Json.of(JsonText.write(query.metadataValue()))));
                }
            } else {
                from = dailyTable;
                if (query.trackable() != null) {
                    sql.owner(query.trackable().type(), query.trackable().id());
                }
            }
            sql.where("day >= " + sql.bind(query.from()));
            sql.where("day < " + sql.bind(query.until()));
            if (!query.providers().isEmpty()) {
                sql.where("provider = ANY(" + sql.bind(query.providers().toArray(String[]::new)) + "::text[])");
            }
            if (!query.models().isEmpty()) {
                sql.where("model = ANY(" + sql.bind(query.models().toArray(String[]::new)) + "::text[])");
            }
            String group = switch (query.grouping().kind()) {
                case NONE -> "NULL::text";
                case PROVIDER -> "provider";
                case MODEL -> "model";
                case TRACKABLE -> "CASE WHEN trackable_type = '' THEN NULL"
                        + " ELSE jsonb_build_array(trackable_type, trackable_id)::text END";
                case DAY -> "to_char(day, 'YYYY-MM-DD')";
                case METADATA -> "value #>> '{}'";
            };
            String text = "SELECT " + group + " AS grp, coalesce(sum(requests), 0)::int8 AS requests,"
                    + " coalesce(sum(unpriced_requests), 0)::int8 AS unpriced_requests,"
                    + " coalesce(sum(cost), 0) AS cost, coalesce(sum(input_tokens), 0) AS input_tokens,"
                    + " coalesce(sum(output_tokens), 0) AS output_tokens,"
                    + " coalesce(sum(total_tokens), 0) AS total_tokens FROM " + from + sql.whereClause()
                    + (query.grouping().kind() == Grouping.Kind.NONE ? "" : " GROUP BY 1 ORDER BY 1 NULLS LAST");
            Flux<SpendTotals> totals = query(c -> sql.bindTo(c.createStatement(text)), row -> new SpendTotals(
                    row.get("grp", String.class), Objects.requireNonNull(row.get("requests", Long.class)),
                    Objects.requireNonNull(row.get("unpriced_requests", Long.class)),
                    Objects.requireNonNull(row.get("cost", BigDecimal.class))
                            .setScale(Cost.SCALE, RoundingMode.UNNECESSARY),
                    longOf(row, "input_tokens"), longOf(row, "output_tokens"), longOf(row, "total_tokens")));
            return dimension == null ? totals : metadataDimensions().collectList().flatMapMany(keys ->
                    keys.contains(dimension) ? totals : Flux.error(new IllegalArgumentException("metadata key \""
                            + dimension + "\" is not a dimension of schema " + schema + ": its spend is not rolled up;"
                            + " register it with addMetadataDimension, or use totals")));
        });
    }

    /**
     * The metadata keys registered as dimensions, in key order.
     *
     * @return the keys
     */
    public Flux<String> metadataDimensions() {
        String text = "SELECT key FROM " + Identifiers.quote("schema", schema.name()) + "."
                + SchemaDdl.METADATA_DIMENSIONS_TABLE + " ORDER BY key";
        return query(c -> c.createStatement(text), row -> Objects.requireNonNull(row.get("key", String.class)));
    }

    /**
     * Makes a top-level metadata key (a tenant, a feature) a dimension: its spend per value is rolled up by day,
     * provider and model for {@link #spend}, and lists filtered on one of its values read an index that leads with
     * it. Registering fills the key's rollup from the requests stored and builds the index, in one transaction that
     * holds the sink's inserts back meanwhile (a table lock that readers do not wait for), so no batch is counted
     * twice or missed; from its commit on, every batch's statement adds its rows. On a large table this takes as long
     * as an index build. Registering a key again changes nothing.
     *
     * <p>Keep dimensions to keys with a bounded number of values: each inserted request adds to one rollup row per
     * dimension it holds.
     *
     * @param key the metadata key, e.g. {@code tenant_id}; not blank, at most 63 characters
     * @return true when the key was registered now, false when it already was
     */
    public Mono<Boolean> addMetadataDimension(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank() || key.length() > 63 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a metadata dimension key must be 1 to 63 characters, not blank and "
                    + "without NUL, was \"" + key + "\"");
        }
        String quoted = Identifiers.quote("schema", schema.name());
        String dimensions = quoted + "." + SchemaDdl.METADATA_DIMENSIONS_TABLE;
        String metadata = RequestColumn.METADATA.columnName();
        String started = RequestColumn.STARTED_AT.columnName();
        return Mono.usingWhen(connectionFactory.create(), c -> Mono.from(c.beginTransaction())
                        .then(run(c.createStatement("SET LOCAL statement_timeout = 0")))
                        .then(run(c.createStatement("LOCK TABLE " + table + " IN SHARE MODE")))
                        .then(Flux.from(c.createStatement("INSERT INTO " + dimensions + " (key) VALUES ($1)"
                                        + " ON CONFLICT (key) DO NOTHING").bind(0, key).execute())
                                .flatMap(Result::getRowsUpdated).reduce(0L, Long::sum))
                        .flatMap(added -> added == 0 ? Mono.just(false) : run(c.createStatement(
                                        "INSERT INTO " + quoted + "." + SchemaDdl.DAILY_SPEND_METADATA_TABLE
                                        + " (key, value, day, provider, model, " + RequestInsert.SUM_COLUMNS + ")"
                                        + " SELECT $1, " + metadata + " -> $1, (" + started
                                        + " AT TIME ZONE 'UTC')::date, provider, model, " + RequestInsert.SUMS
                                        + " FROM " + table + " WHERE " + metadata + " ? $1 GROUP BY 1, 2, 3, 4, 5")
                                        .bind(0, key))
                                // the index, named by the key's hash, as the schema's function makes it
                                .then(run(c.createStatement("SELECT " + quoted + "."
                                        + SchemaDdl.CREATE_DIMENSION_INDEX_FUNCTION + "($1)").bind(0, key)))
                                .thenReturn(true))
                        .flatMap(added -> Mono.from(c.commitTransaction()).thenReturn(added)),
                Connection::close,
                (c, error) -> Mono.from(c.rollbackTransaction()).onErrorResume(e -> Mono.empty())
                        .then(Mono.from(c.close())),
                Connection::close);
    }

    private static Mono<Void> run(io.r2dbc.spi.Statement statement) {
        return Flux.from(statement.execute()).flatMap(Result::getRowsUpdated).then();
    }

    /** A count or a sum of tokens, saturated at {@link Long#MAX_VALUE}. */
    private static long longOf(Row row, String column) {
        BigDecimal v = Objects.requireNonNull(row.get(column, BigDecimal.class), column);
        return v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : v.longValue();
    }

    /**
     * Recomputes the cost of stored requests from their stored usage with other prices (a newer catalog, a corrected
     * override), {@value #DEFAULT_REPRICE_CHUNK_SIZE} rows per round trip. See
     * {@link #reprice(RequestFilter, Pricing, int)}.
     *
     * @param filter which requests
     * @param pricing the prices to apply, e.g. {@code PricingCatalog.bundled().toBuilder().load(newFile).build()}
     * @return the number of requests whose cost or pricing status changed
     */
    public Mono<Long> reprice(RequestFilter filter, Pricing pricing) {
        return reprice(filter, pricing, DEFAULT_REPRICE_CHUNK_SIZE);
    }

    /**
     * Recomputes the cost of stored requests from their stored usage with other prices, in chunks: each reads up to
     * {@code chunkSize} requests with a known usage (in id order, so the walk is resumable and sees every row once)
     * and updates the ones whose cost or pricing status changed in one statement, its own short transaction.
     * The daily spend rollup ({@link #dailySpend}) follows in the same transaction: each re-priced day's cost moves
     * by the change of its requests' costs, and its unpriced count by the requests that became unpriced or priced;
     * what the rollup counted for requests pruned since is kept.
     *
     * <p>Each request is priced as when it was recorded: its answered model first, then the requested one, at its
     * stored pricing tier; a cost the provider stated is kept, beside the new catalog figure or in place of a missing
     * one; {@code cost_source} and {@code pricing_status} follow. What is not stored cannot be priced again: image
     * quality and size (images billed per image by variant are priced at the model's own price) and a billed usage
     * that differed from the usage (Cohere's billed units). A request the new prices cannot price loses its catalog
     * cost (status {@code model_not_priced}), never gets a guessed one. Requests written while it runs are re-priced
     * when their id comes after the walk's position.
     *
     * @param filter which requests
     * @param pricing the prices to apply
     * @param chunkSize requests per round trip, 1 to 10,000
     * @return the number of requests whose cost or pricing status changed
     */
    public Mono<Long> reprice(RequestFilter filter, Pricing pricing, int chunkSize) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(pricing, "pricing");
        if (chunkSize < 1 || chunkSize > 10_000) {
            throw new IllegalArgumentException("chunkSize must be between 1 and 10000, was " + chunkSize);
        }
        return repriceChunk(filter, pricing, new UUID(0, 0), chunkSize)
                .expand(step -> step.seen() == chunkSize
                        ? repriceChunk(filter, pricing, step.last(), chunkSize) : Mono.empty())
                .reduce(0L, (sum, step) -> sum + step.changed());
    }

    /** One chunk of a re-pricing walk: the last id read, how many rows it read and how many it changed. */
    private record Repricing(UUID last, int seen, long changed) {
    }

    private Mono<Repricing> repriceChunk(RequestFilter filter, Pricing pricing, UUID after, int chunkSize) {
        return Mono.defer(() -> {
            FilterSql sql = new FilterSql().filter(filter);
            sql.where("input_tokens IS NOT NULL");
            sql.where("id > " + sql.bind(after));
            String text = "SELECT " + RequestRows.COLUMNS + " FROM " + table + sql.whereClause()
                    + " ORDER BY id LIMIT " + sql.bind(chunkSize);
            return query(c -> sql.bindTo(c.createStatement(text)), RequestRows::read).collectList()
                    .flatMap(rows -> update(rows, pricing).map(changed -> new Repricing(
                            rows.isEmpty() ? after : rows.get(rows.size() - 1).id(), rows.size(), changed)));
        });
    }

    /**
     * Updates the rows whose cost or status the prices change and the daily spend rollup of their days, in one
     * transaction; gives how many rows changed.
     */
    private Mono<Long> update(List<TrackedRequest> rows, Pricing pricing) {
        StringBuilder idList = new StringBuilder("{");
        StringBuilder inputs = new StringBuilder("{");
        StringBuilder outputs = new StringBuilder("{");
        StringBuilder totals = new StringBuilder("{");
        StringBuilder sources = new StringBuilder("{");
        StringBuilder statuses = new StringBuilder("{");
        int n = 0;
        for (TrackedRequest r : rows) {
            Cost cost = repriced(r, pricing);
            PricingStatus status = PricingStatus.of(cost, true);
            if (Objects.equals(cost, r.cost()) && status == r.pricingStatus()) {
                continue;
            }
            String sep = n++ == 0 ? "" : ",";
            idList.append(sep).append(r.id());
            inputs.append(sep).append(literal(cost == null ? null : cost.input()));
            outputs.append(sep).append(literal(cost == null ? null : cost.output()));
            totals.append(sep).append(literal(cost == null ? null : cost.total()));
            sources.append(sep).append(cost == null ? "NULL" : cost.source().id());
            statuses.append(sep).append(status.id());
        }
        if (n == 0) {
            return Mono.just(0L);
        }
        String ids = idList.append('}').toString();
        List<String> params = List.of(ids, inputs.append('}').toString(),
                outputs.append('}').toString(), totals.append('}').toString(), sources.append('}').toString(),
                statuses.append('}').toString());
        return Mono.usingWhen(connectionFactory.create(),
                c -> Mono.from(c.beginTransaction())
                        .then(Flux.from(c.createStatement(lockRequests).bind(0, ids).execute())
                                .flatMap(result -> result.map((row, meta) -> 1)).then())
                        .then(Mono.defer(() -> {
                            io.r2dbc.spi.Statement st = c.createStatement(repriceSql);
                            for (int i = 0; i < params.size(); i++) {
                                st.bind(i, params.get(i));
                            }
                            return Flux.from(st.execute()).flatMap(result -> result.map((row, meta) ->
                                    Objects.requireNonNull(row.get("changed", Long.class)))).reduce(0L, Long::sum);
                        }))
                        .flatMap(changed -> Mono.from(c.commitTransaction()).thenReturn(changed)),
                Connection::close,
                (c, error) -> Mono.from(c.rollbackTransaction()).onErrorResume(e -> Mono.empty())
                        .then(Mono.from(c.close())),
                c -> Mono.from(c.rollbackTransaction()).onErrorResume(e -> Mono.empty())
                        .then(Mono.from(c.close())));
    }

    /**
     * Locks the requests about to be re-priced, in id order, so that the costs the re-pricing statement reads as
     * theirs before the change are the ones it replaces: no other re-pricing can change them in between.
     */
    private static String lockRequestsSql(String table) {
        return "SELECT id FROM " + table + " WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE";
    }

    /**
     * Sets the new costs and adds the change to the daily spend rollup, in one statement: per UTC day, provider, model
     * and owner, the cost by the difference between the new and the old costs (a cost that disappears subtracts,
     * one that appears adds), the unpriced requests by those that became unpriced less those that became priced.
     * Requests, tokens and the requests that were pruned since stay as they are. The rollup rows are locked in key
     * order first, as the batch insert upserts them, so the two never wait on each other in a cycle; a day the rollup
     * does not hold (requests stored before the rollup existed) gets no row. The rollup by metadata dimension value
     * moves the same way, for each registered dimension a re-priced request's metadata holds.
     */
    private static String repriceStatement(String table, String dailyTable, String quotedSchema) {
        String key = "day, provider, model, trackable_type, trackable_id";
        String mdKey = "key, value, day, provider, model";
        String mdTable = quotedSchema + "." + SchemaDdl.DAILY_SPEND_METADATA_TABLE;
        return "WITH v AS (SELECT * FROM unnest($1::uuid[], $2::numeric[], $3::numeric[], $4::numeric[],"
                + " $5::text[], $6::text[]) AS v(id, input_cost, output_cost, total_cost, cost_source,"
                + " pricing_status)),\n"
                + "old AS (SELECT t.id, t.total_cost FROM " + table + " AS t JOIN v ON t.id = v.id),\n"
                + "upd AS (UPDATE " + table + " AS t SET input_cost = v.input_cost, output_cost = v.output_cost,"
                + " total_cost = v.total_cost, cost_source = v.cost_source, pricing_status = v.pricing_status"
                + " FROM v WHERE t.id = v.id RETURNING t.id, t.started_at, t.provider, t.model, t.trackable_type,"
                + " t.trackable_id, t.total_cost, t.metadata),\n"
                + "delta AS (SELECT (u.started_at AT TIME ZONE 'UTC')::date AS day, u.provider, u.model,"
                + " coalesce(u.trackable_type, '') AS trackable_type, coalesce(u.trackable_id, '') AS trackable_id,"
                + " sum(coalesce(u.total_cost, 0) - coalesce(o.total_cost, 0)) AS cost,"
                + " sum((u.total_cost IS NULL)::int - (o.total_cost IS NULL)::int) AS unpriced"
                + " FROM upd AS u JOIN old AS o ON o.id = u.id GROUP BY 1, 2, 3, 4, 5),\n"
                + "locked AS (SELECT d." + key.replace(", ", ", d.") + " FROM " + dailyTable + " AS d JOIN delta"
                + " USING (" + key + ") ORDER BY " + key + " FOR UPDATE OF d),\n"
                + "rolled AS (UPDATE " + dailyTable + " AS d SET cost = d.cost + delta.cost,"
                + " unpriced_requests = d.unpriced_requests + delta.unpriced FROM delta"
                + " WHERE (d.day, d.provider, d.model, d.trackable_type, d.trackable_id)"
                + " = (delta.day, delta.provider, delta.model, delta.trackable_type, delta.trackable_id)"
                + " AND (SELECT count(*) FROM locked) >= 0 RETURNING 1),\n"
                // the same move in the rollup by metadata dimension value, for the dimensions the rows hold
                + "delta_md AS (SELECT k.key, u.metadata -> k.key AS value, (u.started_at AT TIME ZONE 'UTC')::date"
                + " AS day, u.provider, u.model, sum(coalesce(u.total_cost, 0) - coalesce(o.total_cost, 0)) AS cost,"
                + " sum((u.total_cost IS NULL)::int - (o.total_cost IS NULL)::int) AS unpriced"
                + " FROM upd AS u JOIN old AS o ON o.id = u.id JOIN " + quotedSchema + "."
                + SchemaDdl.METADATA_DIMENSIONS_TABLE + " AS k ON u.metadata ? k.key GROUP BY 1, 2, 3, 4, 5),\n"
                + "locked_md AS (SELECT d.key FROM " + mdTable + " AS d JOIN delta_md USING (" + mdKey + ")"
                + " ORDER BY " + mdKey + " FOR UPDATE OF d),\n"
                + "rolled_md AS (UPDATE " + mdTable + " AS d SET cost = d.cost + delta_md.cost,"
                + " unpriced_requests = d.unpriced_requests + delta_md.unpriced FROM delta_md"
                + " WHERE (d.key, d.value, d.day, d.provider, d.model)"
                + " = (delta_md.key, delta_md.value, delta_md.day, delta_md.provider, delta_md.model)"
                + " AND (SELECT count(*) FROM locked_md) >= 0 RETURNING 1)\n"
                + "SELECT (SELECT count(*) FROM upd) AS changed,"
                + " (SELECT count(*) FROM rolled) + (SELECT count(*) FROM rolled_md) AS rollup_rows";
    }

    /**
     * The cost of a stored request at these prices, found as when it was recorded: the answered model, then the
     * requested one; the provider's stated figure kept beside it, or in its place.
     */
    private static @Nullable Cost repriced(TrackedRequest r, Pricing pricing) {
        Usage usage = Objects.requireNonNull(r.usage());
        Cost cost = null;
        if (r.responseModel() != null) {
            cost = pricing.cost(r.provider(), r.responseModel(), r.pricingTier(), usage, ResponseDetails.EMPTY);
        }
        if (cost == null && !r.model().equals(r.responseModel())) {
            cost = pricing.cost(r.provider(), r.model(), r.pricingTier(), usage, ResponseDetails.EMPTY);
        }
        BigDecimal stated = r.cost() == null ? null : r.cost().providerStated();
        if (stated != null) {
            cost = cost != null ? cost.withProviderStated(stated) : Cost.statedByProvider(stated);
        }
        return cost;
    }

    /** An amount as an element of an array literal: plain digits, or NULL. */
    private static String literal(@Nullable BigDecimal v) {
        return v == null ? "NULL" : v.toPlainString();
    }

    /**
     * @return the schema read from
     */
    public SpectraSchema schema() {
        return schema;
    }

    @Override
    public String toString() {
        return "SpectraRequests{schema=" + schema + "}";
    }

    /**
     * The tags of the requests a filter selects, with how many requests carry each: most used first, then by
     * tag. For a tag cloud or a filter picker.
     *
     * @param filter which requests count
     * @return the tags and their counts
     */
    public Flux<TagCount> tagCounts(RequestFilter filter) {
        Objects.requireNonNull(filter, "filter");
        return dimensions.flatMapMany(dims -> {
            FilterSql sql = new FilterSql();
            sql.filter(filter, dims);
            String text = "SELECT t.tag, count(*) AS requests FROM " + table
                    + " CROSS JOIN LATERAL jsonb_array_elements_text(tags) AS t(tag)" + sql.whereClause()
                    + " GROUP BY t.tag ORDER BY requests DESC, t.tag";
            return query(c -> sql.bindTo(c.createStatement(text)), row -> new TagCount(
                    Objects.requireNonNull(row.get("tag", String.class)),
                    Objects.requireNonNull(row.get("requests", Long.class))));
        });
    }

    private <T> Flux<T> query(java.util.function.Function<Connection, io.r2dbc.spi.Statement> statement,
                              java.util.function.Function<Row, T> mapper) {
        return Flux.usingWhen(connectionFactory.create(),
                c -> Flux.from(statement.apply(c).execute()).flatMap(r -> r.map((row, meta) -> mapper.apply(row))),
                Connection::close);
    }

    /**
     * Rows after the cursor in the order {@code column DIR NULLS LAST, id DIR}. The first conjunct of each branch
     * ({@code column <= v}) is what an index on the column can serve.
     */
    private static String keyset(FilterSql sql, Cursor cursor) {
        String column = cursor.sort().column();
        String cmp = cursor.ascending() ? ">" : "<";
        String id = sql.bind(cursor.id());
        if (cursor.value() == null) {
            // Already among the NULLs, which come last: only NULLs further on by id remain.
            return "(" + column + " IS NULL AND id " + cmp + " " + id + ")";
        }
        String v = sql.bind(cursor.value());
        String range = "(" + column + " " + cmp + "= " + v + " AND (" + column + " " + cmp + " " + v + " OR id " + cmp
                + " " + id + "))";
        return cursor.sort().nullable() ? "(" + range + " OR " + column + " IS NULL)" : range;
    }

    private static RequestPage page(RequestQuery query, List<TrackedRequest> rows) {
        if (rows.size() <= query.limit()) {
            return new RequestPage(rows, null);
        }
        List<TrackedRequest> items = rows.subList(0, query.limit());
        TrackedRequest last = items.get(items.size() - 1);
        return new RequestPage(items, Cursor.after(query.sort(), query.ascending(), last).encode());
    }

    private static UsageTotals totalsOf(Row row) {
        BigDecimal cost = Objects.requireNonNull(row.get("total_cost", BigDecimal.class));
        return new UsageTotals(
                row.get("grp", String.class),
                Objects.requireNonNull(row.get("requests", Long.class)),
                Objects.requireNonNull(row.get("input_tokens", Long.class)),
                Objects.requireNonNull(row.get("output_tokens", Long.class)),
                Objects.requireNonNull(row.get("total_tokens", Long.class)),
                Objects.requireNonNull(row.get("cached_input_tokens", Long.class)),
                Objects.requireNonNull(row.get("reasoning_tokens", Long.class)),
                Objects.requireNonNull(row.get("failed", Long.class)),
                cost.setScale(Cost.SCALE, RoundingMode.UNNECESSARY),
                Objects.requireNonNull(row.get("unpriced", Long.class)),
                row.get("avg_latency", Double.class),
                row.get("p95_latency", Double.class));
    }
}
