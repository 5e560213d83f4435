package dev.spectra.reactive.web;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import dev.spectra.reactive.r2dbc.SpectraRequests;
import dev.spectra.reactive.r2dbc.SpectraSchema;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.ValidationDepth;
import reactor.core.publisher.Mono;

/**
 * A connection pool for the API's reads, apart from the sink's: however many people look at the dashboard, the
 * writes keep their own connections. Its connections are read-only ({@code default_transaction_read_only}) and
 * each statement is cut at a timeout ({@code statement_timeout}); a read that waits too long for a connection
 * fails fast (the API answers 503).
 *
 * <pre>{@code
 * SpectraReadPool reads = SpectraReadPool.create(url, sink.schema(), 4, Duration.ofSeconds(10));
 * SpectraWebOptions.builder(reads.requests()).maxConcurrentReads(4) ...
 * }</pre>
 *
 * @since 0.1
 */
public final class SpectraReadPool implements AutoCloseable {

    /** Connections by default. */
    public static final int DEFAULT_SIZE = 4;
    /** Statement timeout by default. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(10);
    /** Longest a read waits for a connection by default, creating one included; then the API answers 503. */
    public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(5);

    private final ConnectionPool pool;
    private final SpectraRequests requests;
    private final Duration statementTimeout;
    private final Duration acquireTimeout;

    private SpectraReadPool(ConnectionPool pool, SpectraSchema schema, Duration statementTimeout,
                            Duration acquireTimeout) {
        this.pool = pool;
        this.requests = SpectraRequests.create(pool, schema);
        this.statementTimeout = statementTimeout;
        this.acquireTimeout = acquireTimeout;
    }

    /**
     * A pool over a PostgreSQL URL ({@code r2dbc:postgresql://user:password@host:5432/db}); nothing is connected
     * until the first read.
     *
     * @param url the R2DBC URL
     * @param schema the schema the sink writes
     * @param size connections, 1 to 64
     * @param statementTimeout longest a read statement runs, 100 ms to 10 min
     * @return the pool; {@link #close()} it
     */
    public static SpectraReadPool create(String url, SpectraSchema schema, int size, Duration statementTimeout) {
        return create(url, schema, size, statementTimeout, DEFAULT_ACQUIRE_TIMEOUT);
    }

    /**
     * A pool over a PostgreSQL URL, with the longest wait for a connection.
     *
     * @param url the R2DBC URL
     * @param schema the schema the sink writes
     * @param size connections, 1 to 64
     * @param statementTimeout longest a read statement runs, 100 ms to 10 min
     * @param acquireTimeout longest a read waits for a connection (creating one included), 100 ms to 1 min
     * @return the pool; {@link #close()} it
     */
    public static SpectraReadPool create(String url, SpectraSchema schema, int size, Duration statementTimeout,
                                         Duration acquireTimeout) {
        Objects.requireNonNull(url, "url");
        return create(ConnectionFactoryOptions.parse(url), schema, size, statementTimeout, acquireTimeout);
    }

    /**
     * A pool over PostgreSQL connection options (a URL parsed, with a user and password set apart from it, for
     * example); nothing is connected until the first read.
     *
     * @param options the R2DBC options of a PostgreSQL database
     * @param schema the schema the sink writes
     * @param size connections, 1 to 64
     * @param statementTimeout longest a read statement runs, 100 ms to 10 min
     * @param acquireTimeout longest a read waits for a connection (creating one included), 100 ms to 1 min
     * @return the pool; {@link #close()} it
     */
    public static SpectraReadPool create(ConnectionFactoryOptions options, SpectraSchema schema, int size,
                                         Duration statementTimeout, Duration acquireTimeout) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(acquireTimeout, "acquireTimeout");
        if (acquireTimeout.toMillis() < 100 || acquireTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("acquireTimeout must be between 100 ms and 1 min, was "
                    + acquireTimeout);
        }
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(statementTimeout, "statementTimeout");
        if (size < 1 || size > 64) {
            throw new IllegalArgumentException("size must be between 1 and 64, was " + size);
        }
        if (statementTimeout.toMillis() < 100 || statementTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("statementTimeout must be between 100 ms and 10 min, was "
                    + statementTimeout);
        }
        ConnectionFactoryOptions parsed = options;
        ConnectionFactoryOptions.Builder b = ConnectionFactoryOptions.builder().from(parsed)
                .option(PostgresqlConnectionFactoryProvider.OPTIONS, Map.of(
                        "statement_timeout", statementTimeout.toMillis() + "ms",
                        "default_transaction_read_only", "on"));
        if (!parsed.hasOption(PostgresqlConnectionFactoryProvider.APPLICATION_NAME)) {
            b.option(PostgresqlConnectionFactoryProvider.APPLICATION_NAME, "spectra-reads");
        }
        ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(ConnectionFactories.get(b.build()))
                .name("spectra-reads")
                .initialSize(0)
                .maxSize(size)
                .maxAcquireTime(acquireTimeout)
                .maxCreateConnectionTime(acquireTimeout)
                .maxIdleTime(Duration.ofMinutes(10))
                .validationDepth(ValidationDepth.LOCAL)
                .build());
        return new SpectraReadPool(pool, schema, statementTimeout, acquireTimeout);
    }

    /** @return the query API over this pool */
    public SpectraRequests requests() {
        return requests;
    }

    /** @return closes the pool's connections */
    public Mono<Void> closeAsync() {
        return pool.disposeLater();
    }

    @Override
    public void close() {
        pool.dispose();
    }

    @Override
    public String toString() {
        return "SpectraReadPool{" + pool.getMetadata().getName() + ", max " + pool.getMetrics()
                .map(m -> m.getMaxAllocatedSize()).orElse(-1) + ", statementTimeout=" + statementTimeout
                + ", acquireTimeout=" + acquireTimeout + "}";
    }
}
