package dev.spectra.reactive.benchmarks;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;

import dev.spectra.reactive.r2dbc.Grouping;
import dev.spectra.reactive.r2dbc.RequestFilter;
import dev.spectra.reactive.r2dbc.RequestPage;
import dev.spectra.reactive.r2dbc.RequestQuery;
import dev.spectra.reactive.r2dbc.SpectraRequests;
import dev.spectra.reactive.r2dbc.SpectraSchema;
import dev.spectra.reactive.r2dbc.SpendQuery;
import dev.spectra.reactive.testsupport.postgres.EmbeddedServer;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How the query API answers on a large table: loads {@code rows} realistic records (generated on the server with
 * {@code generate_series}: 90 days, 200 tenants, 8 models of 4 providers, 2% failures, tags and metadata), then
 * measures p50 and p95 of the reads a dashboard makes, each through {@link SpectraRequests}:
 * <ul>
 *   <li>a tenant's cost for a month ({@code spend} of a {@code tenant_id} value over a month, from the rollup of
 *       that metadata dimension);</li>
 *   <li>the top models for a day ({@code spend} of a day grouped by model, from the daily rollup);</li>
 *   <li>request list pages 1 and 100, filtered by provider and tenant;</li>
 *   <li>{@code findById}.</li>
 * </ul>
 * After the load, {@code tenant_id} is made a metadata dimension ({@link SpectraRequests#addMetadataDimension}:
 * its rollup filled from the rows, its index built), as an operator would once. Each query's plan ({@code EXPLAIN (ANALYZE, BUFFERS)} of the SQL the API ran, captured on the connection) is
 * printed after the figures. It measures, it does not assert.
 *
 * <p>Run: {@code scripts/bench-scale.sh} (arguments {@code rows=}, {@code iterations=}); with
 * {@code SPECTRA_BENCH_R2DBC_URL} set, it uses that database instead of an embedded one.
 */
public final class ScaleQueryBenchmark {

    private static final Instant FIRST_DAY = Instant.parse("2026-06-01T00:00:00Z");
    private static final int DAYS = 90;
    private static final int TENANTS = 200;

    private ScaleQueryBenchmark() {
    }

    /**
     * Loads the table and measures.
     *
     * @param args {@code rows=N} (default 10,000,000), {@code iterations=N} (default 200)
     */
    public static void main(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("rows", "10000000", "iterations", "200"));
        for (String a : args) {
            String[] kv = a.split("=", 2);
            if (kv.length != 2 || !opts.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown argument " + a + "; expected rows=N iterations=N");
            }
            opts.put(kv[0], kv[1]);
        }
        long rows = Long.parseLong(opts.get("rows"));
        int iterations = Integer.parseInt(opts.get("iterations"));
        String url = System.getenv("SPECTRA_BENCH_R2DBC_URL");
        EmbeddedServer server = null;
        if (url == null) {
            server = EmbeddedServer.start(Map.of("fsync", "off", "synchronous_commit", "off",
                    "shared_buffers", "512MB", "max_wal_size", "4GB", "maintenance_work_mem", "512MB",
                    "work_mem", "32MB"));
            url = server.r2dbcUrl("postgres");
        }
        try {
            run(url, rows, iterations);
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private static void run(String url, long rows, int iterations) {
        SpectraSchema schema = SpectraSchema.of("scale");
        ConnectionFactory raw = ConnectionFactories.get(url);
        execute(raw, "DROP SCHEMA IF EXISTS scale CASCADE");
        schema.createOrUpgrade(raw).block();
        // the months of the generated rows get their partitions, as the sink's upkeep would give live months
        execute(raw, "SELECT scale.spectra_create_partition(m::date) FROM generate_series(timestamp '"
                + LocalDate.ofInstant(FIRST_DAY, ZoneOffset.UTC) + "', timestamp '"
                + LocalDate.ofInstant(FIRST_DAY, ZoneOffset.UTC).plusDays(DAYS) + "', interval '1 month') AS m");
        long loadStart = System.nanoTime();
        load(raw, rows);
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        String size = scalar(raw, "SELECT pg_size_pretty(sum(pg_total_relation_size(relid)))"
                + " FROM pg_partition_tree('scale.spectra_requests')");
        System.out.printf(Locale.ROOT, "scale: %,d rows loaded in %.0f s (table with indexes: %s)%n",
                rows, loadSeconds, size);

        // Reads go through a pool, as the query API expects (a connection per read costs a TCP and auth handshake).
        ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(raw).initialSize(2).maxSize(2)
                .build());
        SqlCapture capture = new SqlCapture(pool);
        SpectraRequests requests = SpectraRequests.create(capture, schema);
        long dimensionStart = System.nanoTime();
        requests.addMetadataDimension("tenant_id").block();
        execute(raw, "ANALYZE scale.spectra_requests");  // statistics of the new index's expression
        execute(raw, "ANALYZE scale.spectra_spend_daily_metadata");
        System.out.printf(Locale.ROOT, "scale: metadata dimension tenant_id (rollup backfilled, index built) in %.0f s"
                + "; rollup rows: %s by day, provider, model and owner, %s by tenant, day, provider and model%n",
                (System.nanoTime() - dimensionStart) / 1e9,
                scalar(raw, "SELECT count(*) FROM scale.spectra_spend_daily"),
                scalar(raw, "SELECT count(*) FROM scale.spectra_spend_daily_metadata"));
        List<UUID> ids = Flux.usingWhen(raw.create(), c -> Flux.from(c.createStatement(
                                "SELECT id FROM scale.spectra_requests TABLESAMPLE SYSTEM (1) LIMIT " + iterations)
                        .execute()).flatMap(r -> r.map((row, m) -> row.get(0, UUID.class))), Connection::close)
                .collectList().block();

        Map<String, IntFunction<Mono<?>>> queries = new LinkedHashMap<>();
        queries.put("a tenant's cost for a month", i -> requests.spend(SpendQuery.builder(month(i % 3),
                month(i % 3 + 1)).metadata("tenant_id", "t" + (i * 37 % TENANTS)).build()).single());
        queries.put("the top models for a day", i -> requests.spend(SpendQuery.builder(day(i % DAYS),
                day(i % DAYS + 1)).grouping(Grouping.byModel()).build()).collectList());
        RequestQuery listing = RequestQuery.builder().filter(RequestFilter.builder().providers("openai")
                .metadataContains(Map.of("tenant_id", "t7")).build()).limit(50).build();
        queries.put("request list, page 1 (provider and tenant filters, 50 a page)", i -> requests.search(listing));
        String cursor = null;
        for (int page = 1; page < 100; page++) {
            cursor = requests.search(listing.toBuilder().after(cursor).build()).block().nextCursor();
        }
        RequestQuery page100 = listing.toBuilder().after(cursor).build();
        queries.put("request list, page 100 (same filters, keyset cursor)", i -> requests.search(page100));
        queries.put("findById", i -> requests.findById(ids.get(i % ids.size())));

        List<String> plans = new ArrayList<>();
        System.out.println("| query | p50 | p95 | max |");
        System.out.println("|---|---:|---:|---:|");
        for (Map.Entry<String, IntFunction<Mono<?>>> q : queries.entrySet()) {
            for (int i = 0; i < 20; i++) {
                q.getValue().apply(i).block(); // warm-up
            }
            long[] nanos = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                q.getValue().apply(i).block();
                nanos[i] = System.nanoTime() - t0;
            }
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "| %s | %.1f ms | %.1f ms | %.1f ms |%n", q.getKey(),
                    nanos[iterations / 2] / 1e6, nanos[(int) Math.ceil(iterations * 0.95) - 1] / 1e6,
                    nanos[iterations - 1] / 1e6);
            capture.clear();
            q.getValue().apply(1).block();
            plans.add(q.getKey() + "\n" + capture.explainLast());
        }
        System.out.println();
        plans.forEach(p -> System.out.println("plan of " + p + "\n"));
        pool.dispose();
    }

    private static LocalDate month(int offset) {
        return LocalDate.ofInstant(FIRST_DAY, ZoneOffset.UTC).plusMonths(offset);
    }

    private static LocalDate day(int offset) {
        return LocalDate.ofInstant(FIRST_DAY, ZoneOffset.UTC).plusDays(offset);
    }

    /**
     * Fills the table in chunks of a million rows, on the server; the indexes are dropped during the load and built
     * after it, as one would for a bulk load.
     */
    private static void load(ConnectionFactory cf, long rows) {
        List<String> indexes = Flux.usingWhen(cf.create(), c -> Flux.from(c.createStatement("""
                        SELECT indexdef FROM pg_indexes WHERE schemaname = 'scale'
                        AND tablename = 'spectra_requests' AND indexname <> 'spectra_requests_pkey'""").execute())
                .flatMap(r -> r.map((row, m) -> row.get(0, String.class))), Connection::close).collectList().block();
        execute(cf, """
                DO $$ DECLARE i record; BEGIN
                  FOR i IN SELECT indexname FROM pg_indexes WHERE schemaname = 'scale'
                      AND tablename = 'spectra_requests' AND indexname <> 'spectra_requests_pkey' LOOP
                    EXECUTE 'DROP INDEX scale.' || quote_ident(i.indexname);
                  END LOOP; END $$""");
        long chunk = 1_000_000;
        for (long from = 1; from <= rows; from += chunk) {
            long to = Math.min(rows, from + chunk - 1);
            execute(cf, insert(from, to, rows));
            System.out.printf(Locale.ROOT, "scale: %,d rows%n", to);
        }
        for (String index : indexes) {
            // an index of the partitioned table reads ON ONLY: without ONLY it is built on every partition
            execute(cf, index.replace(" ON ONLY ", " ON "));
        }
        // The generated rows bypass the sink's statement, which adds each batch to the daily rollup: add them here,
        // grouped as that statement groups them.
        execute(cf, """
                INSERT INTO scale.spectra_spend_daily (day, provider, model, trackable_type, trackable_id, requests,
                    unpriced_requests, cost, input_tokens, output_tokens, total_tokens)
                SELECT (started_at AT TIME ZONE 'UTC')::date, provider, model, coalesce(trackable_type, ''),
                    coalesce(trackable_id, ''), count(*), count(*) FILTER (WHERE total_cost IS NULL),
                    coalesce(sum(total_cost), 0), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
                    coalesce(sum(total_tokens), 0)
                FROM scale.spectra_requests GROUP BY 1, 2, 3, 4, 5""");
        execute(cf, "VACUUM ANALYZE scale.spectra_requests");
        execute(cf, "VACUUM ANALYZE scale.spectra_spend_daily");
    }

    /** Rows {@code from..to} of {@code total}, spread evenly over {@value #DAYS} days in insertion order. */
    private static String insert(long from, long to, long total) {
        return """
                INSERT INTO scale.spectra_requests (id, trace_id, response_id, provider, model, response_model,
                    model_type, endpoint, operation, http_status, outcome, error_type, error_message, finish_reason,
                    tool_call_counts, streaming, input_tokens, output_tokens, cached_input_tokens, total_tokens,
                    cache_write_tokens, reasoning_tokens, images, audio_seconds, characters, cache_write_1h_tokens,
                    audio_input_tokens, audio_output_tokens, image_input_tokens, image_output_tokens,
                    input_cost, output_cost, total_cost, pricing_tier, pricing_status, latency_ms,
                    time_to_first_token_ms, chunk_count, tags, metadata, started_at, completed_at)
                SELECT gen_random_uuid(), md5(g::text), CASE WHEN failed THEN NULL ELSE 'resp_' || g END,
                    m.provider, m.model, m.model, 'text', m.endpoint, 'chat',
                    CASE WHEN failed THEN 429 ELSE 200 END,
                    CASE WHEN failed THEN 'failure' ELSE 'success' END,
                    CASE WHEN failed THEN 'rate_limited' END, CASE WHEN failed THEN 'Rate limit reached' END,
                    CASE WHEN failed THEN NULL ELSE 'stop' END, '{}'::jsonb, streaming,
                    CASE WHEN failed THEN NULL ELSE tin END, CASE WHEN failed THEN NULL ELSE tout END,
                    CASE WHEN failed THEN NULL ELSE tin / 4 END, CASE WHEN failed THEN NULL ELSE tin + tout END,
                    z, z, z, z, z, z, z, z, z, z,
                    CASE WHEN failed THEN NULL ELSE tin * m.pin END, CASE WHEN failed THEN NULL ELSE tout * m.pout END,
                    CASE WHEN failed THEN NULL ELSE tin * m.pin + tout * m.pout END,
                    'standard', CASE WHEN failed THEN 'usage_unknown' ELSE 'priced' END,
                    200 + (g * 7) % 3000, CASE WHEN streaming THEN 150 + g % 400 END,
                    CASE WHEN streaming THEN 20 + g % 200 END,
                    jsonb_build_array(f.feature, 'tenant-' || (g % {tenants})),
                    jsonb_build_object('tenant_id', 't' || (g % {tenants}), 'feature', f.feature,
                        'user_id', 'u' || (g % 5000)),
                    at, at + make_interval(secs => (200 + (g * 7) % 3000) / 1000.0)
                FROM (SELECT g, g % 50 = 0 AS failed, CASE WHEN g % 50 <> 0 THEN 0 END AS z, g % 3 = 0 AS streaming,
                             100 + (g * 7919) % 4000 AS tin, 20 + (g * 104729) % 800 AS tout,
                             timestamptz '2026-06-01 00:00:00+00'
                                 + make_interval(secs => g::double precision * {days} * 86400 / {total}) AS at
                      FROM generate_series({from}::bigint, {to}::bigint) g) s
                JOIN (VALUES (0, 'openai', 'gpt-4o', '/v1/chat/completions', 0.0000025, 0.00001),
                             (1, 'openai', 'gpt-4o-mini', '/v1/chat/completions', 0.00000015, 0.0000006),
                             (2, 'openai', 'o3-mini', '/v1/chat/completions', 0.0000011, 0.0000044),
                             (3, 'anthropic', 'claude-sonnet-4-5', '/v1/messages', 0.000003, 0.000015),
                             (4, 'anthropic', 'claude-haiku-4-5', '/v1/messages', 0.000001, 0.000005),
                             (5, 'gemini', 'gemini-2.5-flash', '/v1beta/models', 0.0000003, 0.0000025),
                             (6, 'gemini', 'gemini-2.5-pro', '/v1beta/models', 0.00000125, 0.00001),
                             (7, 'mistral', 'mistral-large-latest', '/v1/chat/completions', 0.000002, 0.000006))
                     AS m(k, provider, model, endpoint, pin, pout) ON m.k = abs(hashint8(s.g)) % 8
                JOIN (VALUES (0, 'chat'), (1, 'search'), (2, 'summary'), (3, 'invoice'), (4, 'support'),
                             (5, 'agent')) AS f(k, feature) ON f.k = abs(hashint8(s.g * 31)) % 6"""
                .replace("{tenants}", Integer.toString(TENANTS)).replace("{days}", Integer.toString(DAYS))
                .replace("{total}", Long.toString(total)).replace("{from}", Long.toString(from))
                .replace("{to}", Long.toString(to));
    }

    private static void execute(ConnectionFactory cf, String sql) {
        Mono.usingWhen(cf.create(), c -> Flux.from(c.createStatement(sql).execute())
                .flatMap(r -> r.getRowsUpdated()).then(), Connection::close).block();
    }

    private static String scalar(ConnectionFactory cf, String sql) {
        return Mono.usingWhen(cf.create(), c -> Flux.from(c.createStatement(sql).execute())
                .flatMap(r -> r.map((row, m) -> String.valueOf(row.get(0)))).next(), Connection::close).block();
    }
}
