package dev.spectra.reactive.r2dbc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.Recorder;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.sink.RecorderStats;
import dev.spectra.reactive.testsupport.postgres.EmbeddedServer;
import io.r2dbc.spi.ConnectionFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sink's start-up check against a real server that asks for passwords: it passes when the sink can write, and
 * otherwise fails at once (within the pool's acquire timeout when nothing answers) with a message that names the
 * host, port, database and user, never the password, and says why. Also: a role without CREATE rights writes to a
 * schema that is already current, with the default options.
 */
class StartupCheckIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String PASSWORD = "s3cret-Startup-9";
    private static final String WRITER_PASSWORD = "wr1ter-Pass-7";
    private static final String PARTIAL_PASSWORD = "part1al-Pass-3";

    private static EmbeddedServer server;

    @BeforeAll
    static void start() {
        server = EmbeddedServer.start(Map.of("fsync", "off"));
        server.requirePasswords();
        // a role that may log in, and nothing more (no CREATE on the database or on schema public)
        server.execute("postgres", "CREATE ROLE spectra_app LOGIN PASSWORD '" + PASSWORD + "'");
        // a database whose tables an administrator created; its writer can insert and read, never create
        server.execute("postgres", "CREATE DATABASE spectra_prod");
        server.execute("postgres", "CREATE ROLE spectra_writer LOGIN PASSWORD '" + WRITER_PASSWORD + "'");
        SpectraSchema.defaultSchema().createOrUpgrade(ConnectionFactories.get(url("postgres", null,
                "spectra_prod"))).block(TIMEOUT);
        server.execute("spectra_prod", "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        server.execute("spectra_prod", "REVOKE CREATE ON DATABASE spectra_prod FROM PUBLIC");
        server.execute("spectra_prod", "GRANT INSERT, SELECT ON public.spectra_requests TO spectra_writer");
        server.execute("spectra_prod", "GRANT SELECT ON public.spectra_schema_version TO spectra_writer");
        server.execute("spectra_prod",
                "GRANT INSERT, SELECT, UPDATE ON public.spectra_spend_daily TO spectra_writer");
        server.execute("spectra_prod",
                "GRANT INSERT, SELECT, UPDATE ON public.spectra_spend_daily_metadata TO spectra_writer");
        server.execute("spectra_prod", "GRANT SELECT ON public.spectra_metadata_dimensions TO spectra_writer");
        server.execute("spectra_prod", "GRANT INSERT, SELECT ON public.spectra_response_ids TO spectra_writer");
        server.execute("spectra_prod",
                "GRANT EXECUTE ON FUNCTION public.spectra_create_partitions(integer) TO spectra_writer");
        // a writer granted everything but the response ids and the partition upkeep
        server.execute("postgres", "CREATE ROLE spectra_partial LOGIN PASSWORD '" + PARTIAL_PASSWORD + "'");
        server.execute("spectra_prod", "GRANT INSERT, SELECT ON public.spectra_requests TO spectra_partial");
        server.execute("spectra_prod", "GRANT SELECT ON public.spectra_schema_version TO spectra_partial");
        server.execute("spectra_prod",
                "GRANT INSERT, SELECT, UPDATE ON public.spectra_spend_daily TO spectra_partial");
        server.execute("spectra_prod",
                "GRANT INSERT, SELECT, UPDATE ON public.spectra_spend_daily_metadata TO spectra_partial");
        server.execute("spectra_prod", "GRANT SELECT ON public.spectra_metadata_dimensions TO spectra_partial");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String url(String user, String password, String database) {
        return "r2dbc:postgresql://" + user + (password == null ? "" : ":" + password) + "@localhost:" + server.port()
                + "/" + database;
    }

    private static R2dbcSpectraSink sink(String url, UnaryOperator<R2dbcSinkOptions.Builder> options) {
        return R2dbcSpectraSink.create(options.apply(R2dbcSinkOptions.builder().url(url)).build());
    }

    /** Runs the check and returns its failure, or null when it passed. */
    private static Throwable check(R2dbcSpectraSink sink) {
        try {
            List<Throwable> failure = new ArrayList<>();
            StepVerifier.create(sink.checkStartup())
                    .expectErrorSatisfies(failure::add)
                    .verify(TIMEOUT);
            return failure.get(0);
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void passesAndPreparesTheSchemaWhenTheSinkCanWrite() {
        R2dbcSpectraSink sink = sink(url("postgres", null, "postgres"), b -> b.schema("startup_ready"));
        try {
            StepVerifier.create(sink.checkStartup()).expectComplete().verify(TIMEOUT);
            StepVerifier.create(SpectraSchema.of("startup_ready").installedVersion(
                            ConnectionFactories.get(url("postgres", null, "postgres"))))
                    .expectNext(SpectraSchema.CURRENT_VERSION).verifyComplete();
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void anUnreachableDatabaseIsNamedAtOnce() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        long start = System.nanoTime();
        Throwable e = check(sink("r2dbc:postgresql://spectra_app:" + PASSWORD + "@127.0.0.1:" + closed + "/billing",
                b -> b));

        assertThat(e).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Spectra cannot write to PostgreSQL at 127.0.0.1:" + closed
                        + ", database \"billing\", user \"spectra_app\", schema \"public\": unreachable: ")
                .hasMessageNotContaining(PASSWORD);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(R2dbcSinkOptions.DEFAULT_MAX_ACQUIRE_TIME);
    }

    @Test
    void aServerThatNeverAnswersFailsWithinTheAcquireTimeout() throws IOException {
        // accepts the TCP connection (the kernel does), never says a word
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            long start = System.nanoTime();
            Throwable e = check(sink("r2dbc:postgresql://spectra_app:" + PASSWORD + "@127.0.0.1:"
                    + silent.getLocalPort() + "/postgres", b -> b.maxAcquireTime(Duration.ofSeconds(1))
                    .maxCreateConnectionTime(Duration.ofSeconds(1))));

            assertThat(e).hasMessageStartingWith("Spectra cannot write to PostgreSQL at 127.0.0.1:"
                            + silent.getLocalPort() + ", database \"postgres\", user \"spectra_app\", schema \"public\": "
                            + "no answer in time (unreachable or overloaded)")
                    .hasMessageNotContaining(PASSWORD);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aWrongPasswordIsNamed() {
        Throwable e = check(sink(url("spectra_app", "not-the-password", "postgres"), b -> b));

        assertThat(e).hasMessageStartingWith("Spectra cannot write to PostgreSQL at localhost:" + server.port()
                        + ", database \"postgres\", user \"spectra_app\", schema \"public\": authentication failed: ")
                .hasMessageContaining("28P01")
                .hasMessageNotContaining("not-the-password");
    }

    @Test
    void aMissingDatabaseIsNamed() {
        Throwable e = check(sink(url("spectra_app", PASSWORD, "no_such_db"), b -> b));

        assertThat(e).hasMessageStartingWith("Spectra cannot write to PostgreSQL at localhost:" + server.port()
                        + ", database \"no_such_db\", user \"spectra_app\", schema \"public\": database does not exist: ")
                .hasMessageContaining("3D000")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void aRoleThatMayNotCreateTheMissingSchemaIsTold() {
        Throwable e = check(sink(url("spectra_app", PASSWORD, "postgres"), b -> b.schema("spectra")));

        assertThat(e).hasMessageStartingWith("Spectra cannot write to PostgreSQL at localhost:" + server.port()
                        + ", database \"postgres\", user \"spectra_app\", schema \"spectra\": permission denied: ")
                .hasMessageContaining("42501");
    }

    @Test
    void withoutCreateSchemaAMissingSchemaIsTold() {
        Throwable e = check(sink(url("postgres", null, "postgres"), b -> b.schema("never_created")
                .createSchema(false)));

        assertThat(e).hasMessage("Spectra cannot write to PostgreSQL at localhost:" + server.port() + ", database "
                + "\"postgres\", user \"postgres\", schema \"never_created\": schema \"never_created\" is at version 0, "
                + "not " + SpectraSchema.CURRENT_VERSION + ", and createSchema is off: create it with "
                + "SpectraSchema#createOrUpgrade or its ddl()");
    }

    @Test
    void aWriterWithoutRightsOnTheResponseIdsOrThePartitionsIsToldWhichItLacks() {
        Throwable e = check(sink(url("spectra_partial", PARTIAL_PASSWORD, "spectra_prod"), b -> b));

        assertThat(e).hasMessage("Spectra cannot write to PostgreSQL at localhost:" + server.port() + ", database "
                + "\"spectra_prod\", user \"spectra_partial\", schema \"public\": permission denied: the user lacks "
                + "INSERT on spectra_response_ids, SELECT on spectra_response_ids, "
                + "EXECUTE on spectra_create_partitions(integer) (grant them as the README's Rights section lists)"
                + " (42501)");
    }

    @Test
    void aRoleWithoutCreateRightsWritesToACurrentSchemaWithTheDefaultOptions() {
        R2dbcSpectraSink sink = sink(url("spectra_writer", WRITER_PASSWORD, "spectra_prod"), b -> b);
        Recorder recorder = Recorder.create(sink, RecorderOptions.builder().maxDelay(Duration.ofHours(1)).build());
        try {
            StepVerifier.create(sink.checkStartup()).expectComplete().verify(TIMEOUT);
            Instant t = Instant.parse("2026-12-01T08:00:00Z");
            for (int i = 0; i < 25; i++) {
                assertThat(recorder.deliver(Records.full(t.plusMillis(i)))).isTrue();
            }
            TrackedRequest last = Records.minimal(t.plusSeconds(1));
            recorder.deliver(last);
            recorder.flush().block(TIMEOUT);

            assertThat(recorder.stats()).isEqualTo(new RecorderStats(26, 26, 0, 0, 0, 0));
            StepVerifier.create(sink.requests().findById(last.id()).map(TrackedRequest::id))
                    .expectNext(last.id()).verifyComplete();
        } finally {
            recorder.close(TIMEOUT).block(TIMEOUT);
        }
    }
}
