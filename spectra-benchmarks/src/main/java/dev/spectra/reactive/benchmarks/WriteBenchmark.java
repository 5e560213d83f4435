package dev.spectra.reactive.benchmarks;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.r2dbc.R2dbcSinkOptions;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.r2dbc.SpectraSchema;
import dev.spectra.reactive.testsupport.postgres.EmbeddedServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes the same tracked requests to {@code spectra_requests} three ways and reports rows per second:
 * <ol>
 *   <li>{@code sink}: {@link R2dbcSpectraSink#write} as the recorder calls it with the default options: up to
 *       {@link R2dbcSpectraSink#maxConcurrentWrites()} batches in flight ({@code writeConcurrency}, 2), each on its
 *       own connection; {@code sink1}, {@code sink3}, {@code sink4} (only when named in {@code methods=}) with 1, 3,
 *       4 in flight;</li>
 *   <li>{@code add}: one {@code INSERT … VALUES ($1 …)} (a parameter per column) per batch with {@code Statement.add()} per row;</li>
 *   <li>{@code copyIn}: {@code COPY … FROM STDIN} (text format) per batch, and once for all rows;</li>
 *   <li>{@code copyIds} (only when named in {@code methods=}): per batch, the {@code COPY} of the rows and a second
 *       {@code COPY} of their {@code (provider, response_id, id, started_at)} into {@code spectra_response_ids}: the
 *       two tables the sink's exactly-once write fills, without its conflict checks and rollups.</li>
 * </ol>
 * Every method writes into its own fresh schema with the same indexes, and pays its own encoding (JSON, text).
 * Not a unit test: run it with {@code scripts/bench-r2dbc-write.sh} (see docs/benchmarks.md).
 *
 * <p>A {@code main} of the benchmarks jar rather than a JMH {@code @Benchmark}: it measures rows per second of whole
 * batches through a database, with a fresh schema per method, not a hot code path in a loop. It reads nothing
 * internal to the sink: the sink is driven through {@link R2dbcSpectraSink#write}, and the baselines name and read
 * their columns through the public catalog ({@link RequestColumn}), so neither a qualified export of the sink's
 * internals nor a benchmark hook in its public API is needed.
 *
 * <p>Each measured run starts after a {@code CHECKPOINT}. With {@code rounds=N}, every method is measured N times,
 * odd rounds in the order given and even rounds in reverse; the table gives each method's median, and each method's
 * ratio to {@code copy} is also given round by round (the two measured next to each other).
 *
 * <p>Arguments: {@code rows=200000 batch=512 warmup=60000 rounds=1}; environment {@code SPECTRA_BENCH_R2DBC_URL}
 * to use an existing server instead of an embedded one ({@code synchronous_commit=off}, zonky's default, unless
 * {@code durable=true}).
 */
public final class WriteBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    /** Which of the schema's indexes to keep: all (the real schema), nogin, or none (primary key only). */
    private static String indexes = "all";

    /** Set once the server refuses a {@code CHECKPOINT}: not asked again. */
    private static boolean checkpointRefused;

    private WriteBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("rows", "200000", "batch", "512", "warmup", "60000",
                "durable", "false", "methods", "sink,add,copy,copyAll", "rounds", "1"));
        opts.put("indexes", "all");
        opts.put("server", "");
        for (String a : args) {
            String[] kv = a.split("=", 2);
            opts.put(kv[0], kv[1]);
        }
        int rows = Integer.parseInt(opts.get("rows"));
        int batch = Integer.parseInt(opts.get("batch"));
        int warmup = Integer.parseInt(opts.get("warmup"));
        List<String> methods = List.of(opts.get("methods").split(","));
        int rounds = Integer.parseInt(opts.get("rounds"));
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1: " + rounds);
        }
        indexes = opts.get("indexes");

        String url = System.getenv("SPECTRA_BENCH_R2DBC_URL");
        EmbeddedServer server = null;
        if (url == null || url.isBlank()) {
            Map<String, String> config = new LinkedHashMap<>();
            if (Boolean.parseBoolean(opts.get("durable"))) {
                config.put("synchronous_commit", "on");
            }
            for (String kv : opts.get("server").split(";")) {
                if (!kv.isBlank()) {
                    config.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
            }
            server = EmbeddedServer.start(config);
            url = server.r2dbcUrl("postgres");
        }
        try {
            ConnectionFactory cf = ConnectionFactories.get(url);
            System.out.printf(Locale.ROOT, "server: %s%njava: %s, cores: %d, rows: %d, batch: %d, warmup: %d%n",
                    single(cf, "SELECT version() || ', synchronous_commit=' || current_setting('synchronous_commit')"
                            + " || ', shared_buffers=' || current_setting('shared_buffers')"
                            + " || ', max_wal_size=' || current_setting('max_wal_size')"),
                    Runtime.version(), Runtime.getRuntime().availableProcessors(), rows, batch, warmup);

            List<TrackedRequest> data = generate(rows, 42);
            List<TrackedRequest> warm = generate(warmup, 7);
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            Map<String, List<Double>> cpu = new LinkedHashMap<>();
            for (int round = 1; round <= rounds; round++) {
                // odd rounds in the order given, even rounds reversed: a drift of the machine or the server over
                // the run favours no method
                List<String> order = new ArrayList<>(methods);
                if (round % 2 == 0) {
                    Collections.reverse(order);
                }
                for (String method : order) {
                    run(cf, url, method, warm, batch);                       // JIT warm-up, other schema
                    checkpoint(cf);
                    long cpuBefore = processCpuNanos();
                    double rate = run(cf, url, method, data, batch);
                    double clientCpuUsPerRow = (processCpuNanos() - cpuBefore) / 1e3 / data.size();
                    rates.computeIfAbsent(method, m -> new ArrayList<>()).add(rate);
                    cpu.computeIfAbsent(method, m -> new ArrayList<>()).add(clientCpuUsPerRow);
                    System.out.printf(Locale.ROOT, "%-8s %,12.0f rows/s  client CPU %.1f µs/row%s%n", method, rate,
                            clientCpuUsPerRow, rounds == 1 ? "" : "  (round " + round + " of " + rounds + ")");
                }
            }
            System.out.println();
            // each method's ratio to copy: with rounds, the median of its ratios to the copy run of the same round
            List<Double> copyRates = rates.get("copy");
            Map<String, Double> vsCopy = new LinkedHashMap<>();
            if (copyRates != null) {
                rates.forEach((m, r) -> {
                    List<Double> ratios = new ArrayList<>();
                    for (int i = 0; i < r.size(); i++) {
                        ratios.add(r.get(i) / copyRates.get(i));
                    }
                    vsCopy.put(m, Median.of(ratios));
                    if (rounds > 1 && !m.equals("copy")) {
                        System.out.printf(Locale.ROOT, "%s / copy, round by round: %s (median %.2f×)%n", m,
                                String.join(", ", ratios.stream().map(x -> String.format(Locale.ROOT, "%.2f×", x))
                                        .toList()), Median.of(ratios));
                    }
                });
                if (rounds > 1) {
                    System.out.println();
                }
            }
            System.out.println("| method | rows/s" + (rounds == 1 ? "" : " (median of " + rounds + " rounds)")
                    + " | vs copyIn (same batches" + (rounds == 1 ? "" : ", median of the rounds") + ")"
                    + " | client CPU µs/row |");
            System.out.println("|---|---:|---:|---:|");
            rates.forEach((m, r) -> System.out.printf(Locale.ROOT, "| %s | %,.0f | %s | %.1f |%n", m,
                    Median.of(r),
                    vsCopy.containsKey(m) ? String.format(Locale.ROOT, "%.2f×", vsCopy.get(m)) : "-",
                    Median.of(cpu.get(m))));
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private static double run(ConnectionFactory cf, String url, String method, List<TrackedRequest> data, int batch) {
        String schemaName = "bench_" + method.toLowerCase(Locale.ROOT) + "_" + Long.toString(System.nanoTime(), 36);
        SpectraSchema schema = SpectraSchema.of(schemaName);
        schema.createOrUpgrade(cf).block(TIMEOUT);
        String table = "\"" + schemaName + "\".spectra_requests";
        // the months of the generated rows get their partitions, as the sink's upkeep would give a live month
        data.stream().map(r -> YearMonth.from(r.startedAt().atOffset(ZoneOffset.UTC))).distinct().forEach(month ->
                single(cf, "SELECT \"" + schemaName + "\".spectra_create_partition('" + month.atDay(1) + "')::text"));
        String drop = switch (indexes) {
            case "all" -> null;
            case "nogin" -> "spectra_requests_metadata_idx, %1$s.spectra_requests_tags_idx";
            case "none" -> "spectra_requests_metadata_idx, %1$s.spectra_requests_tags_idx, %1$s.spectra_requests_started_at_idx,"
                    + " %1$s.spectra_requests_provider_model_idx, %1$s.spectra_requests_trace_id_idx,"
                    + " %1$s.spectra_requests_trackable_idx";
            default -> throw new IllegalArgumentException("indexes=" + indexes);
        };
        if (drop != null) {
            String q = "\"" + schemaName + "\"";
            single(cf, "DROP INDEX " + q + "." + drop.formatted(q) + "; SELECT 'ok'");
        }
        List<List<TrackedRequest>> batches = new ArrayList<>();
        for (int i = 0; i < data.size(); i += batch) {
            batches.add(data.subList(i, Math.min(data.size(), i + batch)));
        }
        long start;
        long elapsed;
        switch (method) {
            case "sink", "sink1", "sink3", "sink4" -> {
                R2dbcSinkOptions.Builder options = R2dbcSinkOptions.builder().url(url).schema(schemaName)
                        .createSchema(false);
                if (!method.equals("sink")) {
                    options.writeConcurrency(method.charAt(4) - '0');
                }
                R2dbcSpectraSink sink = R2dbcSpectraSink.create(options.build());
                int inFlight = sink.maxConcurrentWrites();
                // open the pool's connections outside the clock
                Flux.range(0, inFlight).flatMap(i -> sink.write(batches.get(i).subList(0, 1))).then().block(TIMEOUT);
                start = System.nanoTime();
                Flux.fromIterable(batches).flatMap(sink::write, inFlight).then().block(TIMEOUT);
                elapsed = System.nanoTime() - start;
                sink.close().block(TIMEOUT);
            }
            case "add" -> {
                start = System.nanoTime();
                Mono.usingWhen(cf.create(), c -> Flux.fromIterable(batches).concatMap(b -> addPerRow(c, table, b))
                        .then(), Connection::close).block(TIMEOUT);
                elapsed = System.nanoTime() - start;
            }
            case "copy" -> {
                start = System.nanoTime();
                Mono.usingWhen(cf.create(), c -> Flux.fromIterable(batches)
                        .concatMap(b -> ((PostgresqlConnection) c).copyIn(copySql(table), Mono.fromSupplier(() -> copyText(b))))
                        .then(), Connection::close).block(TIMEOUT);
                elapsed = System.nanoTime() - start;
            }
            case "copyIds" -> {
                String idsSql = "COPY \"" + schemaName + "\".spectra_response_ids (provider, response_id, id, started_at)"
                        + " FROM STDIN";
                start = System.nanoTime();
                Mono.usingWhen(cf.create(), c -> Flux.fromIterable(batches)
                        .concatMap(b -> ((PostgresqlConnection) c).copyIn(copySql(table), Mono.fromSupplier(() -> copyText(b)))
                                .then(((PostgresqlConnection) c).copyIn(idsSql, Mono.fromSupplier(() -> responseIdsText(b)))))
                        .then(), Connection::close).block(TIMEOUT);
                elapsed = System.nanoTime() - start;
            }
            case "copyAll" -> {
                start = System.nanoTime();
                Mono.usingWhen(cf.create(), c -> ((PostgresqlConnection) c).copyIn(copySql(table),
                        Flux.fromIterable(batches).map(WriteBenchmark::copyText)), Connection::close).block(TIMEOUT);
                elapsed = System.nanoTime() - start;
            }
            default -> throw new IllegalArgumentException("unknown method " + method);
        }
        long count = Long.parseLong(single(cf, "SELECT count(*)::text FROM " + table));
        if (count != data.size() - (method.equals("sink") ? 0 : 0)) {
            throw new IllegalStateException(method + " stored " + count + " rows, expected " + data.size());
        }
        Mono.usingWhen(cf.create(), c -> Flux.from(c.createStatement("DROP SCHEMA \"" + schemaName + "\" CASCADE")
                .execute()).flatMap(Result::getRowsUpdated).then(), Connection::close).block(TIMEOUT);
        return data.size() / (elapsed / 1e9);
    }

    /** The per-row baseline: the same columns, one binding set per row, Statement.add() between rows. */
    private static Mono<Void> addPerRow(Connection c, String table, List<TrackedRequest> batch) {
        RequestColumn[] columns = RequestColumn.values();
        StringBuilder sql = new StringBuilder("INSERT INTO " + table + " (" + columnList() + ") VALUES (");
        for (int i = 1; i <= columns.length; i++) {
            String cast = columns[i - 1].sqlType().equals("jsonb") ? "::jsonb" : "";
            sql.append(i == 1 ? "" : ", ").append('$').append(i).append(cast);
        }
        sql.append(") ON CONFLICT DO NOTHING");
        Statement statement = c.createStatement(sql.toString());
        Object[] arrays = TypedColumns.encode(batch);
        for (int row = 0; row < batch.size(); row++) {
            if (row > 0) {
                statement.add();
            }
            for (int col = 0; col < arrays.length; col++) {
                Object[] column = (Object[]) arrays[col];
                Object v = column[row];
                if (v == null) {
                    statement.bindNull(col, column.getClass().getComponentType());
                } else {
                    statement.bind(col, v);
                }
            }
        }
        return Flux.from(statement.execute()).flatMap(Result::getRowsUpdated).then();
    }

    /** Every column, in {@link RequestColumn} order (the order of {@link TypedColumns#encode}'s arrays). */
    private static String columnList() {
        return String.join(", ", Arrays.stream(RequestColumn.values()).map(RequestColumn::columnName).toList());
    }

    private static String copySql(String table) {
        return "COPY " + table + " (" + columnList() + ") FROM STDIN";
    }

    /** COPY text format: tab-separated, {@code \N} for NULL, backslash escapes. */
    static ByteBuf copyText(List<TrackedRequest> batch) {
        Object[] arrays = TypedColumns.encode(batch);
        StringBuilder out = new StringBuilder(batch.size() * 700);
        for (int row = 0; row < batch.size(); row++) {
            for (int col = 0; col < arrays.length; col++) {
                if (col > 0) {
                    out.append('\t');
                }
                Object v = ((Object[]) arrays[col])[row];
                if (v == null) {
                    out.append("\\N");
                } else if (v instanceof BigDecimal d) {
                    out.append(d.toPlainString());
                } else if (v instanceof Boolean b) {
                    out.append(b ? 't' : 'f');
                } else if (v instanceof String s) {
                    escape(out, s);
                } else {
                    out.append(v);                        // UUID, numbers, Instant (ISO-8601, accepted by timestamptz)
                }
            }
            out.append('\n');
        }
        return Unpooled.wrappedBuffer(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** COPY text format of the batch's {@code (provider, response_id, id, started_at)}, rows with a response id only. */
    static ByteBuf responseIdsText(List<TrackedRequest> batch) {
        StringBuilder out = new StringBuilder(batch.size() * 100);
        for (TrackedRequest r : batch) {
            if (r.responseId() != null) {
                escape(out, r.provider());
                escape(out.append('\t'), r.responseId());
                out.append('\t').append(r.id()).append('\t').append(r.startedAt()).append('\n');
            }
        }
        return Unpooled.wrappedBuffer(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void escape(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
    }

    /** Realistic records: a handful of providers and models, tenants, features, tags, usage and cost. */
    static List<TrackedRequest> generate(int n, long seed) {
        Random random = new Random(seed);
        String[][] models = {{"openai", "gpt-4o"}, {"openai", "gpt-4o-mini"}, {"anthropic", "claude-sonnet-4-5"},
                {"gcp.gemini", "gemini-2.5-flash"}, {"mistral_ai", "mistral-large"}};
        Instant t = Instant.parse("2025-01-01T00:00:00Z");
        List<TrackedRequest> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String[] pm = models[random.nextInt(models.length)];
            t = t.plusNanos(1_000L * random.nextInt(50_000));
            long in = 50 + random.nextInt(4000);
            long outTokens = 10 + random.nextInt(800);
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("tenant_id", "tenant_" + random.nextInt(200));
            metadata.put("feature", random.nextBoolean() ? "invoice-sync" : "live-chat");
            metadata.put("request_id", UUID.randomUUID().toString());
            metadata.put("attempt", 1 + random.nextInt(3));
            metadata.put("env", "prod");
            boolean failed = random.nextInt(50) == 0;
            out.add(TrackedRequest.builder()
                    .id(new UUID((t.toEpochMilli() << 16) | 0x7000L | (i & 0xFFF),
                            random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L))
                    .traceId(Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()))
                    .responseId(failed ? null : "chatcmpl-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36))
                    .provider(pm[0])
                    .model(pm[1])
                    .responseModel(pm[1] + "-2025-01-01")
                    .modelType(ModelType.TEXT)
                    .endpoint("/v1/chat/completions")
                    .operation("chat")
                    .httpStatus(failed ? 429 : 200)
                    .outcome(failed ? Outcome.FAILURE : Outcome.SUCCESS)
                    .errorType(failed ? "rate_limit_exceeded" : null)
                    .errorMessage(failed ? "Rate limit reached for requests" : null)
                    .finishReason(failed ? null : "stop")
                    .streaming(random.nextBoolean())
                    .usage(failed ? null : Usage.builder().inputTokens(in).outputTokens(outTokens)
                            .cachedInputTokens(in / 4).build())
                    .cost(failed ? null : Cost.of(BigDecimal.valueOf(in * 25, 7), BigDecimal.valueOf(outTokens * 100, 7)))
                    .latencyMs(100 + random.nextInt(5000))
                    .timeToFirstTokenMs(50L + random.nextInt(500))
                    .trackable(new Trackable("user", "u-" + random.nextInt(10_000)))
                    .tags(random.nextBoolean() ? List.of("billing") : List.of("chat", "beta"))
                    .metadata(metadata)
                    .startedAt(t)
                    .completedAt(t.plusMillis(100 + random.nextInt(5000)))
                    .build());
        }
        return out;
    }

    /**
     * Writes the server's dirty pages out before a measured run, so that no run pays for the checkpoint of the
     * runs before it. Needs the right to checkpoint (a superuser, or {@code pg_checkpoint} from PostgreSQL 15);
     * without it the run goes on, and says so once.
     */
    private static void checkpoint(ConnectionFactory cf) {
        if (checkpointRefused) {
            return;
        }
        try {
            Mono.usingWhen(cf.create(), c -> Flux.from(c.createStatement("CHECKPOINT").execute())
                    .flatMap(Result::getRowsUpdated).then(), Connection::close).block(TIMEOUT);
        } catch (RuntimeException e) {
            checkpointRefused = true;
            System.out.println("(no CHECKPOINT before each run: " + e.getMessage() + ")");
        }
    }

    /**
     * CPU time of this JVM (the client: encoding, driver, Netty), not of the server. From java.base (the module
     * under test reads no management module), at the operating system's resolution (10 ms on Linux).
     */
    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    private static String single(ConnectionFactory cf, String sql) {
        return Mono.usingWhen(cf.create(), c -> Flux.from(c.createStatement(sql).execute())
                .flatMap(r -> r.map((row, m) -> row.get(0, String.class))).single(), Connection::close).block(TIMEOUT);
    }
}
