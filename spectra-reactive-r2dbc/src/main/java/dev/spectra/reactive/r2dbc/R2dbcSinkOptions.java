package dev.spectra.reactive.r2dbc;

import java.time.Duration;
import java.util.Objects;

import dev.spectra.reactive.r2dbc.internal.UrlPasswordMask;
import io.r2dbc.spi.ConnectionFactory;
import org.jspecify.annotations.Nullable;

/**
 * Settings of an {@link R2dbcSpectraSink}: where PostgreSQL is, which schema, how the sink's own connection pool
 * is sized and bounded in time. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * R2dbcSinkOptions options = R2dbcSinkOptions.builder()
 *         .url("r2dbc:postgresql://spectra:secret@db:5432/app")
 *         .schema("spectra")
 *         .build();
 * }</pre>
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>what it does</th></tr>
 *   <tr><td>{@code url} or {@code connectionFactory}</td><td>(required, one of them)</td><td>the database: an R2DBC
 *       URL ({@code r2dbc:postgresql://…}, not {@code r2dbc:pool:…}), or an unpooled {@link ConnectionFactory}</td></tr>
 *   <tr><td>{@code schema}</td><td>{@value #DEFAULT_SCHEMA}</td><td>the PostgreSQL schema of the tables, used as
 *       given (quoted)</td></tr>
 *   <tr><td>{@code createSchema}</td><td>true</td><td>create or upgrade the schema ({@link SpectraSchema}) before
 *       the first write</td></tr>
 *   <tr><td>{@code initialPoolSize}</td><td>{@value #DEFAULT_INITIAL_POOL_SIZE}</td><td>connections opened with the
 *       first acquire</td></tr>
 *   <tr><td>{@code maxPoolSize}</td><td>{@value #DEFAULT_MAX_POOL_SIZE}</td><td>upper bound of connections: the
 *       writes in flight, plus partition upkeep and the start-up check</td></tr>
 *   <tr><td>{@code writeConcurrency}</td><td>{@value #DEFAULT_WRITE_CONCURRENCY} (or
 *       {@code maxPoolSize} when smaller)</td><td>batches the recorder may write at once, each on its own
 *       connection ({@link R2dbcSpectraSink#maxConcurrentWrites()}); at most {@code maxPoolSize}. With more than
 *       one, batches may be committed out of queue order; 1 keeps it</td></tr>
 *   <tr><td>{@code maxAcquireTime}</td><td>3 s</td><td>how long a write waits for a connection before failing
 *       (transiently); without it a saturated pool parks writes forever</td></tr>
 *   <tr><td>{@code maxCreateConnectionTime}</td><td>3 s</td><td>how long opening a connection may take</td></tr>
 *   <tr><td>{@code maxIdleTime}</td><td>30 min</td><td>idle connections older than this are closed</td></tr>
 *   <tr><td>{@code statementTimeout}</td><td>5 s</td><td>server-side {@code statement_timeout} of the sink's
 *       connections (a batch of 512 takes tens of milliseconds)</td></tr>
 *   <tr><td>{@code applicationName}</td><td>{@value #DEFAULT_APPLICATION_NAME}</td><td>{@code application_name}
 *       of connections opened from a URL, as seen in {@code pg_stat_activity}</td></tr>
 * </table>
 *
 * <p>The time defaults add up to less than the recorder's write timeout
 * ({@link dev.spectra.reactive.sink.RecorderOptions#DEFAULT_WRITE_TIMEOUT}, 10 s): acquire (3 s) plus statement
 * (5 s), so PostgreSQL cancels a stuck statement and the pool gives up on a saturated pool before the recorder
 * abandons the attempt, and the retry starts from a clean connection. Keep that order when changing them.
 *
 * <p>{@link #toString()} shows the configuration with any password masked.
 *
 * @since 0.1
 */
public final class R2dbcSinkOptions {

    /** Default schema. */
    public static final String DEFAULT_SCHEMA = SpectraSchema.DEFAULT_NAME;
    /** Default connections opened with the first acquire. */
    public static final int DEFAULT_INITIAL_POOL_SIZE = 1;
    /** Default upper bound of connections. */
    public static final int DEFAULT_MAX_POOL_SIZE = 4;
    /**
     * Default batches written at once: 2. A batch's statement is mostly server work on one backend (index
     * maintenance, claims, rollups); a second connection overlaps it with the next batch's, and roughly doubles
     * the rows written per second on two cores (docs/benchmarks.md).
     */
    public static final int DEFAULT_WRITE_CONCURRENCY = 2;
    /** Default time a write waits for a connection: 3 seconds. */
    public static final Duration DEFAULT_MAX_ACQUIRE_TIME = Duration.ofSeconds(3);
    /** Default time to open a connection: 3 seconds. */
    public static final Duration DEFAULT_MAX_CREATE_CONNECTION_TIME = Duration.ofSeconds(3);
    /** Default idle time before a pooled connection is closed: 30 minutes. */
    public static final Duration DEFAULT_MAX_IDLE_TIME = Duration.ofMinutes(30);
    /** Default server-side statement timeout: 5 seconds. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(5);
    /** Default {@code application_name} of connections opened from a URL. */
    public static final String DEFAULT_APPLICATION_NAME = "spectra-reactive";

    private final @Nullable String url;
    private final @Nullable ConnectionFactory connectionFactory;
    private final SpectraSchema schema;
    private final boolean createSchema;
    private final int initialPoolSize;
    private final int maxPoolSize;
    private final int writeConcurrency;
    private final Duration maxAcquireTime;
    private final Duration maxCreateConnectionTime;
    private final Duration maxIdleTime;
    private final Duration statementTimeout;
    private final String applicationName;

    private R2dbcSinkOptions(Builder b) {
        this.url = b.url;
        this.connectionFactory = b.connectionFactory;
        this.schema = b.schema;
        this.createSchema = b.createSchema;
        this.initialPoolSize = b.initialPoolSize;
        this.maxPoolSize = b.maxPoolSize;
        this.writeConcurrency = b.writeConcurrency > 0 ? b.writeConcurrency
                : Math.min(DEFAULT_WRITE_CONCURRENCY, b.maxPoolSize);
        this.maxAcquireTime = b.maxAcquireTime;
        this.maxCreateConnectionTime = b.maxCreateConnectionTime;
        this.maxIdleTime = b.maxIdleTime;
        this.statementTimeout = b.statementTimeout;
        this.applicationName = b.applicationName;
    }

    /**
     * A builder with the defaults above; a URL or a connection factory must be set.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the R2DBC URL, or null when a connection factory was given
     */
    public @Nullable String url() {
        return url;
    }

    /**
     * @return the connection factory, or null when a URL was given
     */
    public @Nullable ConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    /**
     * @return the schema of the tables
     */
    public SpectraSchema schema() {
        return schema;
    }

    /**
     * @return whether the schema is created or upgraded before the first write
     */
    public boolean createSchema() {
        return createSchema;
    }

    /**
     * @return connections opened with the first acquire
     */
    public int initialPoolSize() {
        return initialPoolSize;
    }

    /**
     * @return the upper bound of connections
     */
    public int maxPoolSize() {
        return maxPoolSize;
    }

    /**
     * @return how many batches the recorder may write at once
     */
    public int writeConcurrency() {
        return writeConcurrency;
    }

    /**
     * @return how long a write waits for a connection
     */
    public Duration maxAcquireTime() {
        return maxAcquireTime;
    }

    /**
     * @return how long opening a connection may take
     */
    public Duration maxCreateConnectionTime() {
        return maxCreateConnectionTime;
    }

    /**
     * @return idle time after which a pooled connection is closed
     */
    public Duration maxIdleTime() {
        return maxIdleTime;
    }

    /**
     * @return the server-side statement timeout
     */
    public Duration statementTimeout() {
        return statementTimeout;
    }

    /**
     * @return the {@code application_name} of connections opened from a URL
     */
    public String applicationName() {
        return applicationName;
    }

    /**
     * @return the configuration, passwords masked
     */
    @Override
    public String toString() {
        String target = url != null ? "url=" + UrlPasswordMask.maskUrl(url)
                : "connectionFactory=" + Objects.requireNonNull(connectionFactory).getClass().getSimpleName() + "("
                        + connectionFactory.getMetadata().getName() + ")";
        return "R2dbcSinkOptions{" + target + ", schema=" + schema + ", createSchema=" + createSchema
                + ", pool=" + initialPoolSize + ".." + maxPoolSize + ", writeConcurrency=" + writeConcurrency
                + ", maxAcquireTime=" + maxAcquireTime
                + ", maxCreateConnectionTime=" + maxCreateConnectionTime + ", maxIdleTime=" + maxIdleTime
                + ", statementTimeout=" + statementTimeout + ", applicationName=" + applicationName + "}";
    }

    /** Builds {@link R2dbcSinkOptions}; setters validate their argument and name it when it is wrong. */
    public static final class Builder {
        private @Nullable String url;
        private @Nullable ConnectionFactory connectionFactory;
        private SpectraSchema schema = SpectraSchema.defaultSchema();
        private boolean createSchema = true;
        private int initialPoolSize = DEFAULT_INITIAL_POOL_SIZE;
        private int maxPoolSize = DEFAULT_MAX_POOL_SIZE;
        /** 0 until set: then the default, or the pool's size when that is smaller. */
        private int writeConcurrency;
        private Duration maxAcquireTime = DEFAULT_MAX_ACQUIRE_TIME;
        private Duration maxCreateConnectionTime = DEFAULT_MAX_CREATE_CONNECTION_TIME;
        private Duration maxIdleTime = DEFAULT_MAX_IDLE_TIME;
        private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
        private String applicationName = DEFAULT_APPLICATION_NAME;

        private Builder() {
        }

        /**
         * The database as an R2DBC URL; replaces a connection factory set before.
         *
         * @param url e.g. {@code r2dbc:postgresql://user:secret@host:5432/db}; not a {@code r2dbc:pool:} URL (the
         *        sink pools its connections itself)
         * @return this builder
         */
        public Builder url(String url) {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("url must not be null or blank");
            }
            if (!url.startsWith("r2dbc:postgresql:") && !url.startsWith("r2dbcs:postgresql:")) {
                throw new IllegalArgumentException("url must be an r2dbc:postgresql: URL (the sink pools connections "
                        + "itself, so no r2dbc:pool:), was " + UrlPasswordMask.maskUrl(url));
            }
            this.url = url;
            this.connectionFactory = null;
            return this;
        }

        /**
         * The database as a connection factory, wrapped in the sink's own pool; replaces a URL set before. Give an
         * unpooled factory (for example a {@code PostgresqlConnectionFactory}); the sink owns its pool and closes
         * it, not the factory.
         *
         * @param connectionFactory the factory
         * @return this builder
         */
        public Builder connectionFactory(ConnectionFactory connectionFactory) {
            this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory");
            this.url = null;
            return this;
        }

        /**
         * @param schema the schema name, used exactly as given
         * @return this builder
         * @throws IllegalArgumentException when it is not a valid PostgreSQL identifier
         */
        public Builder schema(String schema) {
            this.schema = SpectraSchema.of(schema);
            return this;
        }

        /**
         * @param createSchema whether to create or upgrade the schema before the first write; turn off when the
         *        schema is migrated by other means and the sink's user may not run DDL
         * @return this builder
         */
        public Builder createSchema(boolean createSchema) {
            this.createSchema = createSchema;
            return this;
        }

        /**
         * @param initialPoolSize connections opened with the first acquire, 0 or more
         * @return this builder
         */
        public Builder initialPoolSize(int initialPoolSize) {
            if (initialPoolSize < 0) {
                throw new IllegalArgumentException("initialPoolSize must not be negative, was " + initialPoolSize);
            }
            this.initialPoolSize = initialPoolSize;
            return this;
        }

        /**
         * @param maxPoolSize upper bound of connections, 1 or more
         * @return this builder
         */
        public Builder maxPoolSize(int maxPoolSize) {
            if (maxPoolSize < 1) {
                throw new IllegalArgumentException("maxPoolSize must be at least 1, was " + maxPoolSize);
            }
            this.maxPoolSize = maxPoolSize;
            return this;
        }

        /**
         * @param writeConcurrency batches the recorder may write at once, each on its own connection, 1 or more
         *        and at most {@code maxPoolSize}; 1 commits batches in the order their records were queued
         * @return this builder
         */
        public Builder writeConcurrency(int writeConcurrency) {
            if (writeConcurrency < 1) {
                throw new IllegalArgumentException("writeConcurrency must be at least 1, was " + writeConcurrency);
            }
            this.writeConcurrency = writeConcurrency;
            return this;
        }

        /**
         * @param maxAcquireTime how long a write waits for a connection, positive
         * @return this builder
         */
        public Builder maxAcquireTime(Duration maxAcquireTime) {
            this.maxAcquireTime = positive("maxAcquireTime", maxAcquireTime);
            return this;
        }

        /**
         * @param maxCreateConnectionTime how long opening a connection may take, positive
         * @return this builder
         */
        public Builder maxCreateConnectionTime(Duration maxCreateConnectionTime) {
            this.maxCreateConnectionTime = positive("maxCreateConnectionTime", maxCreateConnectionTime);
            return this;
        }

        /**
         * @param maxIdleTime idle time after which a pooled connection is closed, positive
         * @return this builder
         */
        public Builder maxIdleTime(Duration maxIdleTime) {
            this.maxIdleTime = positive("maxIdleTime", maxIdleTime);
            return this;
        }

        /**
         * @param statementTimeout server-side statement timeout, at least one millisecond
         * @return this builder
         */
        public Builder statementTimeout(Duration statementTimeout) {
            positive("statementTimeout", statementTimeout);
            if (statementTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("statementTimeout must be at least 1 ms, was " + statementTimeout);
            }
            this.statementTimeout = statementTimeout;
            return this;
        }

        /**
         * @param applicationName {@code application_name} of connections opened from a URL, not blank
         * @return this builder
         */
        public Builder applicationName(String applicationName) {
            if (applicationName == null || applicationName.isBlank()) {
                throw new IllegalArgumentException("applicationName must not be null or blank");
            }
            this.applicationName = applicationName;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalStateException when neither a URL nor a connection factory is set, or the initial pool
         *         size or the write concurrency exceeds the maximum pool size
         */
        public R2dbcSinkOptions build() {
            if (url == null && connectionFactory == null) {
                throw new IllegalStateException("set url(...) or connectionFactory(...): the sink needs a database");
            }
            if (initialPoolSize > maxPoolSize) {
                throw new IllegalStateException("initialPoolSize (" + initialPoolSize + ") must not exceed maxPoolSize ("
                        + maxPoolSize + ")");
            }
            if (writeConcurrency > maxPoolSize) {
                throw new IllegalStateException("writeConcurrency (" + writeConcurrency
                        + ") must not exceed maxPoolSize (" + maxPoolSize + "): each write in flight holds a connection");
            }
            return new R2dbcSinkOptions(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }
    }
}
