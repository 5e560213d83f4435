package dev.spectra.reactive.r2dbc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.internal.ColumnArray;
import dev.spectra.reactive.r2dbc.internal.Identifiers;
import dev.spectra.reactive.r2dbc.internal.LiteralBatch;
import dev.spectra.reactive.r2dbc.internal.PgErrors;
import dev.spectra.reactive.r2dbc.internal.RequestInsert;
import dev.spectra.reactive.r2dbc.internal.SchemaDdl;
import dev.spectra.reactive.r2dbc.internal.StatementTimeoutConnectionFactory;
import dev.spectra.reactive.sink.RejectedRecordsException;
import dev.spectra.reactive.sink.RejectedRecordsException.Rejection;
import dev.spectra.reactive.sink.SpectraSink;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.R2dbcPermissionDeniedException;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.ValidationDepth;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link SpectraSink} that stores tracked requests in PostgreSQL ({@code spectra_requests}, see
 * {@link SpectraSchema}) over R2DBC, without blocking.
 *
 * <pre>{@code
 * R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder()
 *         .url("r2dbc:postgresql://spectra:secret@db:5432/app").schema("spectra").build());
 * Recorder recorder = Recorder.create(sink, RecorderOptions.defaults());
 * SpectraRequests requests = sink.requests();          // read back through the same pool
 * }</pre>
 *
 * <h2>Writes</h2>
 * <ul>
 *   <li>One statement per batch, whatever its size: {@code INSERT … SELECT … FROM unnest($1::uuid[], …)}, one
 *       array per column, every value bound (no SQL is ever built from values). Never one round trip per row. The
 *       arrays travel in PostgreSQL's binary format on connections that have Spectra's codec for them (an
 *       r2dbc-postgresql extension, found when the factory detects extensions, its default), else as text
 *       literals (the {@code numeric} columns always); the first connection without it switches the sink to text
 *       and logs it once at INFO.</li>
 *   <li>Idempotent: a batch retried after a transient error stores each record once, and a record whose
 *       {@code (provider, response_id)} is already stored is skipped (one call captured twice is stored once),
 *       whatever months the two fall in: the statement writes the pair into {@code spectra_response_ids} first
 *       ({@code ON CONFLICT DO NOTHING}) and inserts the record only when it was new there; a record without a
 *       response id is inserted with {@code ON CONFLICT DO NOTHING} on the primary key {@code (id, started_at)}.</li>
 *   <li>Monthly partitions: the sink calls {@code spectra_create_partitions(2)} (the current UTC month and the next
 *       two) at its first write and in {@link #checkStartup()}, and again once its clock enters the last month
 *       created: a comparison with the clock per batch, no round trip. A record of a month without a partition is
 *       stored in the default partition, never refused, and moves into its month's partition when that is created.
 *       A failure to create partitions does not fail a write (it is logged and tried again a minute later);
 *       {@link #checkStartup()} reports it.</li>
 *   <li>Transient errors (connection lost or refused, server shutting down or starting, serialization failure,
 *       deadlock, statement timeout, pool acquire timeout) are reported by {@link #isTransient} so the recorder
 *       retries the batch.</li>
 *   <li>A batch refused because of some record's data (SQLSTATE class 22 or 23: a NUL character, a cost too large
 *       for {@code numeric(20,10)}, a constraint) is split in halves, recursively, on the same connection, until
 *       the bad records are alone: the others are stored and the write errors with a
 *       {@link RejectedRecordsException} listing the refused records and why. One bad record costs about
 *       2·log2(batch size) extra statements, and never blocks its batch.</li>
 *   <li>The sink owns a connection pool (r2dbc-pool) with {@code maxAcquireTime}, and sets a server-side
 *       {@code statement_timeout} on each of its connections: see {@link R2dbcSinkOptions}.</li>
 *   <li>With {@link R2dbcSinkOptions#createSchema()} (the default), the schema is created or upgraded before the
 *       first write; a failure there fails the write (transiently when the database is unreachable) and is tried
 *       again with the next one.</li>
 * </ul>
 *
 * <p>At start-up, {@link #checkStartup()} tells at once whether the sink can write: a wrong URL, password or
 * database name would otherwise show only as failed writes, retried in the background.
 *
 * <p>Thread-safe: writes may come from any thread, concurrently (each takes its own pooled connection); the
 * recorder sends up to {@link R2dbcSinkOptions#writeConcurrency()} at once. Concurrent batches stay exactly-once
 * (claims and the primary key) and cannot deadlock on the rows they share: claims and rollup rows are locked in key
 * order; they may commit in any order.
 *
 * @since 0.1
 */
public final class R2dbcSpectraSink implements SpectraSink {

    private final R2dbcSinkOptions options;
    private final ConnectionPool pool;
    private final String insertSql;
    /** Where the sink writes, for messages: host, port, database, user; never the password. */
    private final String target;
    private final String createPartitionsSql;
    private final String privilegesSql;
    private final Clock clock;
    private volatile boolean schemaReady;
    /** When to call {@code spectra_create_partitions} next: the start of the last month it created. */
    private volatile Instant partitionsDueAt = Instant.MIN;
    /**
     * Whether the connections encode {@link ColumnArray}s (r2dbc-postgresql found {@code ColumnArrayCodec}'s
     * registrar); cleared at the first that does not, after which every batch binds text literals.
     */
    private final AtomicBoolean binaryArrays = new AtomicBoolean(true);

    /** Months created ahead of the current one. */
    static final int PARTITION_MONTHS_AHEAD = 2;

    private static final System.Logger LOG = System.getLogger(R2dbcSpectraSink.class.getName());

    private R2dbcSpectraSink(R2dbcSinkOptions options, Clock clock) {
        this.options = options;
        this.clock = clock;
        this.pool = new ConnectionPool(ConnectionPoolConfiguration.builder(
                        new StatementTimeoutConnectionFactory(connectionFactory(options), options.statementTimeout()))
                .name("spectra-sink")
                .initialSize(options.initialPoolSize())
                .maxSize(options.maxPoolSize())
                .maxAcquireTime(options.maxAcquireTime())
                .maxCreateConnectionTime(options.maxCreateConnectionTime())
                .maxIdleTime(options.maxIdleTime())
                .validationDepth(ValidationDepth.LOCAL)
                .build());
        String quotedSchema = Identifiers.quote("schema", options.schema().name());
        this.insertSql = RequestInsert.sqlWithDailySpend(quotedSchema);
        this.createPartitionsSql = "SELECT " + quotedSchema + "." + SchemaDdl.CREATE_PARTITIONS_FUNCTION + "("
                + PARTITION_MONTHS_AHEAD + ")";
        this.privilegesSql = privilegesSql(quotedSchema);
        this.schemaReady = !options.createSchema();
        this.target = describeTarget(options);
    }

    /**
     * A sink with these options. Nothing is connected yet: the pool opens connections on the first write.
     *
     * @param options where and how to write
     * @return the sink; {@link #close()} it to release its pool
     */
    public static R2dbcSpectraSink create(R2dbcSinkOptions options) {
        return create(options, Clock.systemUTC());
    }

    /** A sink whose clock decides when the next months' partitions are due; for tests. */
    static R2dbcSpectraSink create(R2dbcSinkOptions options, Clock clock) {
        return new R2dbcSpectraSink(Objects.requireNonNull(options, "options"), Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Checks that the sink can write, for an application to call once at start-up and stop when it fails: takes a
     * connection from the pool and, with {@link R2dbcSinkOptions#createSchema()}, creates or upgrades the schema
     * (else checks that it is at {@link SpectraSchema#CURRENT_VERSION}); checks that the user holds every right a
     * write needs (see {@link SpectraSchema}), and creates the partitions of the current month and the next two. A
     * database that is unreachable or does not answer fails it within the pool's
     * {@link R2dbcSinkOptions#maxAcquireTime()}.
     *
     * <pre>{@code
     * sink.checkStartup().block();   // e.g. IllegalStateException: Spectra cannot write to PostgreSQL at
     *                                // db:5432, database "app", user "spectra": authentication failed: ...
     * }</pre>
     *
     * @return completes when the sink is ready; errors with an {@link IllegalStateException} whose message names
     *         the host, port, database and user (never the password) and why: unreachable, authentication failed,
     *         database does not exist, permission denied, no answer in time; the database's error is its cause
     */
    public Mono<Void> checkStartup() {
        Mono<Void> connect = Mono.usingWhen(pool.create(), c -> Mono.from(c.validate(ValidationDepth.REMOTE))
                .flatMap(valid -> valid ? Mono.<Void>empty()
                        : Mono.error(new IllegalStateException("the connection did not validate"))), Connection::close);
        Mono<Void> schema = options.createSchema() ? Mono.defer(this::ensureSchema)
                : options.schema().installedVersion(pool).flatMap(version -> version == SpectraSchema.CURRENT_VERSION
                        ? Mono.<Void>empty()
                        : Mono.error(new IllegalStateException("schema " + options.schema() + " is at version "
                                + version + ", not " + SpectraSchema.CURRENT_VERSION + ", and createSchema is off: "
                                + "create it with SpectraSchema#createOrUpgrade or its ddl()")));
        return connect.then(schema).then(Mono.defer(this::checkPrivileges)).then(Mono.defer(this::createPartitions))
                .onErrorMap(e -> new IllegalStateException("Spectra cannot write to " + target
                + ": " + PgErrors.startupCause(e), e));
    }

    /**
     * Stores a batch in one statement; see the class documentation for idempotency, transient errors and
     * rejected records.
     *
     * @param batch records to store; the list is read during the write only
     * @return completes when the batch is stored; errors with {@link RejectedRecordsException} when some records
     *         were refused for good (the others are stored), or with the database's error otherwise
     */
    @Override
    public Mono<Void> write(List<TrackedRequest> batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.isEmpty()) {
            return Mono.empty();
        }
        // Deferred: a re-subscription (a retry) checks the schema state anew and re-encodes nothing it kept.
        return Mono.defer(this::ensureSchema)
                .then(Mono.defer(this::ensurePartitions))
                .then(Mono.usingWhen(pool.create(), connection -> insertIsolating(connection, batch), Connection::close))
                .flatMap(rejected -> rejected.isEmpty() ? Mono.<Void>empty()
                        : Mono.error(new RejectedRecordsException(rejected)));
    }

    /**
     * @return {@link R2dbcSinkOptions#writeConcurrency()}
     */
    @Override
    public int maxConcurrentWrites() {
        return options.writeConcurrency();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Also transient here: PostgreSQL errors of SQLSTATE class 08 (connection), 40 (serialization failure,
     * deadlock), 53 (insufficient resources), 57 (operator intervention: admin shutdown, statement timeout,
     * cannot connect now; not {@code 57P04 database_dropped}), the driver's connection-closed errors, R2DBC
     * transient errors and the pool's acquire timeout.
     */
    @Override
    public boolean isTransient(Throwable error) {
        return PgErrors.isTransient(error) || SpectraSink.super.isTransient(error);
    }

    /**
     * Closes the sink's pool; connections in use are closed when released.
     *
     * @return completes when the pool is disposed
     */
    @Override
    public Mono<Void> close() {
        return pool.disposeLater();
    }

    /**
     * The query API over this sink's schema and pool (reads share the pool with writes; size it accordingly).
     *
     * @return the query API
     */
    public SpectraRequests requests() {
        return SpectraRequests.create(pool, options.schema());
    }

    /**
     * @return the schema written to
     */
    public SpectraSchema schema() {
        return options.schema();
    }

    /**
     * @return the options, password masked in their {@code toString}
     */
    public R2dbcSinkOptions options() {
        return options;
    }

    @Override
    public String toString() {
        return "R2dbcSpectraSink{" + options + "}";
    }

    private Mono<Void> ensureSchema() {
        if (schemaReady) {
            return Mono.empty();
        }
        // Concurrent first writes may both migrate: harmless, the migration is idempotent and serialized by a lock.
        return options.schema().createOrUpgrade(pool).doOnSuccess(v -> schemaReady = true).then();
    }

    /**
     * Creates the next months' partitions when the clock has entered the last month created (or none was yet); a
     * failure of any kind (a missing right, a lock or statement timeout, a database that is down) is logged and tried
     * again a minute later, and never fails the write: the rows go to the default partition, and a database that is
     * down fails the write's own statement.
     */
    private Mono<Void> ensurePartitions() {
        Instant now = clock.instant();
        if (now.isBefore(partitionsDueAt)) {
            return Mono.empty();
        }
        return createPartitions().onErrorResume(e -> {
            partitionsDueAt = now.plus(Duration.ofMinutes(1));
            LOG.log(System.Logger.Level.WARNING, "Spectra could not create the monthly partitions of "
                    + options.schema() + " (records of months without one go to spectra_requests_default): "
                    + PgErrors.startupCause(e), e);
            return Mono.empty();
        });
    }

    /**
     * Calls {@code spectra_create_partitions} and notes when it is due again: at the start of the last month it
     * created, and not before an hour from now (a server clock behind the sink's creates nothing new).
     */
    private Mono<Void> createPartitions() {
        return Mono.usingWhen(pool.create(), c -> Flux.from(c.createStatement(createPartitionsSql).execute())
                        .flatMap(r -> r.map((row, meta) -> Objects.requireNonNull(row.get(0, LocalDate.class))))
                        .single(), Connection::close)
                .doOnNext(last -> {
                    Instant due = last.atStartOfDay(ZoneOffset.UTC).toInstant();
                    Instant soonest = clock.instant().plus(Duration.ofHours(1));
                    partitionsDueAt = due.isAfter(soonest) ? due : soonest;
                })
                .then();
    }

    /**
     * Fails with SQLSTATE 42501 naming each right a write needs that the user lacks, so that a missing grant shows at
     * start-up rather than as failed writes retried in the background.
     */
    private Mono<Void> checkPrivileges() {
        return Mono.usingWhen(pool.create(), c -> Flux.from(c.createStatement(privilegesSql)
                                .bind(0, Identifiers.quote("schema", options.schema().name())).execute())
                        .flatMap(r -> r.map((row, meta) -> Objects.requireNonNull(row.get(0, String.class))))
                        .collectList(), Connection::close)
                .flatMap(missing -> missing.isEmpty() ? Mono.<Void>empty()
                        : Mono.error(new R2dbcPermissionDeniedException("the user lacks " + String.join(", ", missing)
                                + " (grant them as the README's Rights section lists)", "42501")));
    }

    /** The rights each batch's statement and the partition upkeep need, one row per right the user lacks. */
    private static String privilegesSql(String quotedSchema) {
        Map<String, List<String>> rights = new LinkedHashMap<>();
        rights.put(SchemaDdl.REQUESTS_TABLE, List.of("INSERT", "SELECT"));
        rights.put(SchemaDdl.RESPONSE_IDS_TABLE, List.of("INSERT", "SELECT"));
        rights.put(SchemaDdl.DAILY_SPEND_TABLE, List.of("INSERT", "SELECT", "UPDATE"));
        rights.put(SchemaDdl.DAILY_SPEND_METADATA_TABLE, List.of("INSERT", "SELECT", "UPDATE"));
        rights.put(SchemaDdl.METADATA_DIMENSIONS_TABLE, List.of("SELECT"));
        rights.put(SchemaDdl.VERSION_TABLE, List.of("SELECT"));
        StringJoiner tables = new StringJoiner(", ");
        rights.forEach((table, privileges) -> privileges.forEach(p -> tables.add("('" + table + "', '" + p + "')")));
        return "SELECT p.privilege || ' on ' || p.name FROM (VALUES " + tables + ") AS p(name, privilege)"
                + " WHERE NOT has_table_privilege($1 || '.' || p.name, p.privilege)"
                + " UNION ALL SELECT 'EXECUTE on " + SchemaDdl.CREATE_PARTITIONS_FUNCTION + "(integer)'"
                + " WHERE NOT has_function_privilege($1 || '." + SchemaDdl.CREATE_PARTITIONS_FUNCTION
                + "(integer)', 'EXECUTE')";
    }

    /** Inserts, and on a per-record error splits the batch to store every record that can be stored. */
    private Mono<List<Rejection>> insertIsolating(Connection connection, List<TrackedRequest> batch) {
        return insert(connection, batch)
                .thenReturn(List.<Rejection>of())
                .onErrorResume(PgErrors::isRecordError, error -> {
                    if (batch.size() == 1) {
                        return Mono.just(List.of(new Rejection(batch.get(0), PgErrors.describe(error))));
                    }
                    int half = batch.size() / 2;
                    // One statement at a time on the connection: left half, then right half.
                    return insertIsolating(connection, batch.subList(0, half))
                            .flatMap(left -> insertIsolating(connection, batch.subList(half, batch.size()))
                                    .map(right -> {
                                        List<Rejection> all = new ArrayList<>(left);
                                        all.addAll(right);
                                        return all;
                                    }));
                });
    }

    private Mono<Long> insert(Connection connection, List<TrackedRequest> batch) {
        return Mono.defer(() -> Flux.from(bound(connection, batch).execute()).flatMap(Result::getRowsUpdated)
                .reduce(0L, Long::sum));
    }

    /**
     * The insert with the batch bound: each column's array in binary ({@link ColumnArray}) where the connection
     * encodes it, else as its text literal; {@code numeric} columns always as their literal.
     */
    private Statement bound(Connection connection, List<TrackedRequest> batch) {
        Statement statement = connection.createStatement(insertSql);
        for (RequestColumn column : RequestColumn.values()) {
            if (binaryArrays.get() && ColumnArray.binary(column)) {
                try {
                    statement.bind(column.ordinal(), new ColumnArray(batch, column));
                    continue;
                } catch (IllegalArgumentException noCodec) {
                    if (binaryArrays.compareAndSet(true, false)) {
                        LOG.log(System.Logger.Level.INFO, () -> "Spectra's sink writes to " + target
                                + " with text array parameters: its connections do not encode binary ones ("
                                + noCodec.getMessage() + "); the r2dbc-postgresql extension that does is found when"
                                + " extensions are detected");
                    }
                    return bound(connection, batch);
                }
            }
            statement.bind(column.ordinal(), LiteralBatch.encode(batch, column));
        }
        return statement;
    }

    /** Whether the sink binds binary arrays, for tests: false once a connection could not encode them. */
    boolean bindsBinaryArrays() {
        return binaryArrays.get();
    }

    private static String describeTarget(R2dbcSinkOptions options) {
        String schema = ", schema \"" + options.schema().name() + "\"";
        if (options.url() == null) {
            ConnectionFactory given = Objects.requireNonNull(options.connectionFactory());
            return "the ConnectionFactory given (" + given.getMetadata().getName() + ")" + schema;
        }
        ConnectionFactoryOptions o = ConnectionFactoryOptions.parse(options.url());
        Object port = o.hasOption(ConnectionFactoryOptions.PORT) ? o.getValue(ConnectionFactoryOptions.PORT) : 5432;
        Object user = o.getValue(ConnectionFactoryOptions.USER);
        Object database = o.getValue(ConnectionFactoryOptions.DATABASE);
        return "PostgreSQL at " + o.getValue(ConnectionFactoryOptions.HOST) + ":" + port + ", database "
                + (database != null ? "\"" + database + "\"" : "(the user's default)") + ", user "
                + (user != null ? "\"" + user + "\"" : "(none given)") + schema;
    }

    private static ConnectionFactory connectionFactory(R2dbcSinkOptions options) {
        if (options.connectionFactory() != null) {
            return options.connectionFactory();
        }
        ConnectionFactoryOptions parsed = ConnectionFactoryOptions.parse(Objects.requireNonNull(options.url()));
        ConnectionFactoryOptions.Builder b = ConnectionFactoryOptions.builder().from(parsed);
        if (!parsed.hasOption(PostgresqlConnectionFactoryProvider.APPLICATION_NAME)) {
            b.option(PostgresqlConnectionFactoryProvider.APPLICATION_NAME, options.applicationName());
        }
        return ConnectionFactories.get(b.build());
    }
}
