package dev.spectra.reactive.r2dbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.spectra.reactive.TrackedRequest;
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
 *       array per column, every value bound (no SQL is ever built from values). Never one round trip per row.</li>
 *   <li>Idempotent: {@code ON CONFLICT DO NOTHING} on the primary key {@code id}, so a batch retried after a
 *       transient error stores each record once; and a record whose {@code (provider, response_id)} is already
 *       stored is skipped (one call captured twice is stored once).</li>
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
 * recorder sends one at a time.
 *
 * @since 0.1
 */
public final class R2dbcSpectraSink implements SpectraSink {

    private final R2dbcSinkOptions options;
    private final ConnectionPool pool;
    private final String insertSql;
    /** Where the sink writes, for messages: host, port, database, user; never the password. */
    private final String target;
    private volatile boolean schemaReady;

    private R2dbcSpectraSink(R2dbcSinkOptions options) {
        this.options = options;
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
        this.insertSql = RequestInsert.sqlWithDailySpend(Identifiers.quote("schema", options.schema().name()));
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
        return new R2dbcSpectraSink(Objects.requireNonNull(options, "options"));
    }

    /**
     * Checks that the sink can write, for an application to call once at start-up and stop when it fails: takes a
     * connection from the pool and, with {@link R2dbcSinkOptions#createSchema()}, creates or upgrades the schema
     * (else checks that it is at {@link SpectraSchema#CURRENT_VERSION}). A database that is unreachable or does not
     * answer fails it within the pool's {@link R2dbcSinkOptions#maxAcquireTime()}.
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
        return connect.then(schema).onErrorMap(e -> new IllegalStateException("Spectra cannot write to " + target
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
                .then(Mono.usingWhen(pool.create(), connection -> insertIsolating(connection, batch), Connection::close))
                .flatMap(rejected -> rejected.isEmpty() ? Mono.<Void>empty()
                        : Mono.error(new RejectedRecordsException(rejected)));
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
        return Mono.defer(() -> {
            Statement statement = connection.createStatement(insertSql);
            String[] columns = LiteralBatch.encode(batch);
            for (int i = 0; i < columns.length; i++) {
                statement.bind(i, columns[i]);
            }
            return Flux.from(statement.execute()).flatMap(Result::getRowsUpdated).reduce(0L, Long::sum);
        });
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
