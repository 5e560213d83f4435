package dev.spectra.reactive.r2dbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.spectra.reactive.r2dbc.internal.Identifiers;
import dev.spectra.reactive.r2dbc.internal.SchemaDdl;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The PostgreSQL schema that holds tracked requests: the table {@code spectra_requests} (a column per field of
 * {@link dev.spectra.reactive.TrackedRequest}), its indexes, and {@code spectra_schema_version}, which records the
 * migrations applied.
 *
 * <p>{@link #createOrUpgrade} is idempotent and safe when several instances of a service start at once. It first
 * reads the installed version: a schema already at {@link #CURRENT_VERSION} needs nothing, so no lock is taken and
 * no DDL runs (a database user without CREATE rights then writes normally; it needs USAGE on the schema, INSERT
 * and SELECT on {@code spectra_requests} and {@code spectra_response_ids}, INSERT, SELECT and UPDATE on the daily
 * rollups {@code spectra_spend_daily} and {@code spectra_spend_daily_metadata}, SELECT on
 * {@code spectra_metadata_dimensions} and {@code spectra_schema_version}, and EXECUTE on
 * {@code spectra_create_partitions(integer)}; the sink's start-up check names any of these it lacks).
 *
 * <p>{@code spectra_requests} is partitioned by UTC month of {@code started_at}: partitions
 * {@code spectra_requests_YYYY_MM} and {@code spectra_requests_default} for the rows of months not created. The
 * server functions {@code spectra_create_partitions(months_ahead)} (the current month and the next ones) and
 * {@code spectra_create_partition(date)} (one month, moving its rows out of the default partition) run as their owner
 * ({@code SECURITY DEFINER}), one at a time per schema; {@code spectra_drop_partition(date)} and
 * {@code spectra_create_dimension_index(key)} run with the caller's rights. Its primary key is
 * {@code (id, started_at)}; {@code spectra_response_ids} holds each {@code (provider, response_id)} once.
 * Otherwise it migrates in one
 * transaction under a transaction-scoped advisory lock keyed by the schema name, so one instance migrates and the
 * others wait, then find nothing to do. A database at a newer version than this library knows is refused rather
 * than written to.
 *
 * <p>The schema name is used exactly as given (double-quoted in SQL): {@code SpectraSchema.of("Billing")} is the
 * schema {@code "Billing"}, not {@code billing}.
 *
 * <p>Instances are immutable values; {@link #equals} compares names.
 *
 * @since 0.1
 */
public final class SpectraSchema {

    /** The schema used when none is configured: {@value}. */
    public static final String DEFAULT_NAME = "public";

    /** The schema version this library creates, writes and reads. */
    public static final int CURRENT_VERSION = SchemaDdl.CURRENT_VERSION;

    private final String name;
    private final String quoted;

    private SpectraSchema(String name) {
        this.quoted = Identifiers.quote("schema", name);
        this.name = name;
    }

    /**
     * The schema of that name.
     *
     * @param name the schema's name, exactly as in the catalog; 1 to 63 bytes, no NUL
     * @return the schema
     * @throws IllegalArgumentException when the name is not a valid PostgreSQL identifier
     */
    public static SpectraSchema of(String name) {
        return new SpectraSchema(name);
    }

    /**
     * The schema {@value #DEFAULT_NAME}.
     *
     * @return the default schema
     */
    public static SpectraSchema defaultSchema() {
        return new SpectraSchema(DEFAULT_NAME);
    }

    /**
     * The schema's name, unquoted.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Creates the schema, its tables and indexes if missing, and applies the migrations this database lacks, in
     * one transaction under an advisory lock. The installed version is read first: at the current version nothing
     * else runs (no lock, no DDL, so no CREATE right is needed). The statement timeout of the connection is lifted
     * for the migration's transaction (index builds on a large table take time).
     *
     * @param connectionFactory where to run it; a connection is taken and closed (returned to its pool)
     * @return the version the schema is at afterwards ({@link #CURRENT_VERSION}); errors with
     *         {@link IllegalStateException} when the database is at a newer version than this library
     */
    public Mono<Integer> createOrUpgrade(ConnectionFactory connectionFactory) {
        Objects.requireNonNull(connectionFactory, "connectionFactory");
        return Mono.usingWhen(connectionFactory.create(), this::upgradeWhenBehind, Connection::close,
                (connection, error) -> Mono.from(connection.rollbackTransaction()).onErrorResume(e -> Mono.empty())
                        .then(Mono.from(connection.close())),
                connection -> Mono.from(connection.close()));
    }

    /**
     * The version the database's schema is at.
     *
     * @param connectionFactory where to look
     * @return the version, 0 when the schema or its version table does not exist
     */
    public Mono<Integer> installedVersion(ConnectionFactory connectionFactory) {
        Objects.requireNonNull(connectionFactory, "connectionFactory");
        return Mono.usingWhen(connectionFactory.create(), this::readVersion, Connection::close);
    }

    /**
     * The DDL of every migration for this schema, in order, for review or for users who run migrations with
     * their own tool (they should still insert the rows of {@code spectra_schema_version}).
     *
     * @return the statements
     */
    public List<String> ddl() {
        List<String> all = new ArrayList<>();
        all.add("CREATE SCHEMA IF NOT EXISTS " + quoted);
        all.add(SchemaDdl.versionTable(quoted));
        for (SchemaDdl.Migration m : SchemaDdl.MIGRATIONS) {
            for (String statement : m.statements()) {
                all.add(statement.formatted(quoted));
            }
        }
        return List.copyOf(all);
    }

    private Mono<Integer> upgradeWhenBehind(Connection c) {
        return readVersion(c).flatMap(installed -> installed == CURRENT_VERSION ? Mono.just(installed)
                : installed > CURRENT_VERSION ? Mono.error(newerThanThisLibrary(installed)) : migrate(c));
    }

    private IllegalStateException newerThanThisLibrary(int installed) {
        return new IllegalStateException("schema " + quoted + " is at version " + installed + ", newer than this "
                + "library's " + CURRENT_VERSION + ": upgrade spectra-reactive-r2dbc");
    }

    private Mono<Integer> migrate(Connection c) {
        return Mono.from(c.beginTransaction())
                .then(run(c, "SET LOCAL statement_timeout = 0"))
                .then(rows(c.createStatement("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                        .bind(0, "dev.spectra.reactive:schema:" + name)))
                .then(exists(c))
                .flatMap(exists -> exists ? Mono.<Void>empty() : run(c, "CREATE SCHEMA " + quoted))
                .then(run(c, SchemaDdl.versionTable(quoted)))
                .then(readVersionInTransaction(c))
                .flatMap(installed -> {
                    if (installed > CURRENT_VERSION) {
                        return Mono.error(newerThanThisLibrary(installed));
                    }
                    return Flux.fromIterable(SchemaDdl.MIGRATIONS)
                            .filter(m -> m.version() > installed)
                            .concatMap(m -> apply(c, m))
                            .then(Mono.from(c.commitTransaction()))
                            .thenReturn(CURRENT_VERSION);
                });
    }

    private Mono<Void> apply(Connection c, SchemaDdl.Migration m) {
        return Flux.fromIterable(m.statements())
                .concatMap(statement -> run(c, statement.formatted(quoted)))
                .then(rows(c.createStatement("INSERT INTO " + quoted + ".spectra_schema_version (version, description)"
                        + " VALUES ($1, $2)").bind(0, m.version()).bind(1, m.description())));
    }

    private Mono<Boolean> exists(Connection c) {
        return Flux.from(c.createStatement("SELECT count(*) FROM pg_namespace WHERE nspname = $1").bind(0, name)
                        .execute())
                .flatMap(r -> r.map((row, meta) -> row.get(0, Long.class)))
                .single()
                .map(n -> n > 0);
    }

    private Mono<Integer> readVersion(Connection c) {
        return Flux.from(c.createStatement("SELECT to_regclass($1) IS NOT NULL")
                        .bind(0, quoted + ".spectra_schema_version").execute())
                .flatMap(r -> r.map((row, meta) -> Boolean.TRUE.equals(row.get(0, Boolean.class))))
                .single()
                .flatMap(present -> present ? readVersionInTransaction(c) : Mono.just(0));
    }

    private Mono<Integer> readVersionInTransaction(Connection c) {
        return Flux.from(c.createStatement("SELECT coalesce(max(version), 0) FROM " + quoted + ".spectra_schema_version")
                        .execute())
                .flatMap(r -> r.map((row, meta) -> row.get(0, Integer.class)))
                .single();
    }

    private static Mono<Void> run(Connection c, String sql) {
        return rows(c.createStatement(sql));
    }

    private static Mono<Void> rows(io.r2dbc.spi.Statement statement) {
        return Flux.from(statement.execute()).flatMap(Result::getRowsUpdated).then();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpectraSchema other && other.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return quoted;
    }
}
