package dev.spectra.reactive.samples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.spectra.reactive.r2dbc.SpectraSchema;
import dev.spectra.reactive.testsupport.postgres.EmbeddedServer;
import io.r2dbc.spi.ConnectionFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample run as a process, as the README's command runs it: a database it cannot use, or a port in use, ends
 * it with a failed exit within 10 seconds and one line saying what is wrong; and Spectra's warnings reach its
 * console under the log level Maven's {@code -q} sets.
 */
class SampleProcessIntegrationTests {

    private static final String PASSWORD = "Sample-pass-42";
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(10);

    private static EmbeddedServer server;

    record Run(int exit, String output) {
    }

    @BeforeAll
    static void start() {
        server = EmbeddedServer.start(Map.of("fsync", "off"));
        server.requirePasswords();
        server.execute("postgres", "CREATE ROLE sample_app LOGIN PASSWORD '" + PASSWORD + "'");
        // a database whose writer holds every right the start-up check asks for, but whose row-level security lets
        // it only read the requests: every write fails for good, and says so
        server.execute("postgres", "CREATE DATABASE sample_readonly");
        server.execute("postgres", "CREATE ROLE sample_reader LOGIN PASSWORD '" + PASSWORD + "'");
        SpectraSchema.defaultSchema().createOrUpgrade(ConnectionFactories.get(server.r2dbcUrl("sample_readonly")))
                .block(Duration.ofSeconds(30));
        server.execute("sample_readonly",
                "GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO sample_reader");
        server.execute("sample_readonly",
                "GRANT EXECUTE ON FUNCTION public.spectra_create_partitions(integer) TO sample_reader");
        server.execute("sample_readonly", "ALTER TABLE public.spectra_requests ENABLE ROW LEVEL SECURITY");
        server.execute("sample_readonly", "CREATE POLICY reads ON public.spectra_requests FOR SELECT USING (true)");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String url(String user, String password, int port, String database) {
        return "r2dbc:postgresql://" + user + ":" + password + "@127.0.0.1:" + port + "/" + database;
    }

    /** Runs the sample's main in a JVM of its own, with this test's class path; waits at most {@code within}. */
    private static Run run(Duration within, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SampleApp.class.getName());
        command.addAll(List.of(args));
        Path output = Files.createTempFile("spectra-sample", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("SPECTRA_") || k.endsWith("_BASE_URL"));
            Process process = builder.start();
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("the sample still ran after " + within + ":\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static Run runOnce(String dbUrl) throws IOException, InterruptedException {
        return run(EXIT_WITHIN, List.of(), "--once", "--port", "0", "--db-url", dbUrl);
    }

    @Test
    void anUnreachableDatabaseEndsTheSampleAtOnceSayingWhere() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        Run run = runOnce(url("sample_app", PASSWORD, closed, "billing"));

        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("error: Spectra cannot write to PostgreSQL at 127.0.0.1:" + closed
                + ", database \"billing\", user \"sample_app\", schema \"public\": unreachable: ")
                .doesNotContain(PASSWORD);
    }

    @Test
    void aWrongPasswordEndsTheSampleAtOnceSayingSo() throws Exception {
        Run run = runOnce(url("sample_app", "wrong-" + PASSWORD, server.port(), "postgres"));

        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("error: Spectra cannot write to PostgreSQL at 127.0.0.1:" + server.port()
                + ", database \"postgres\", user \"sample_app\", schema \"public\": authentication failed: ")
                .doesNotContain(PASSWORD);
    }

    @Test
    void aMissingDatabaseEndsTheSampleAtOnceSayingSo() throws Exception {
        Run run = runOnce(url("sample_app", PASSWORD, server.port(), "no_such_db"));

        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("error: Spectra cannot write to PostgreSQL at 127.0.0.1:" + server.port()
                + ", database \"no_such_db\", user \"sample_app\", schema \"public\": database does not exist: ")
                .doesNotContain(PASSWORD);
    }

    @Test
    void aPortInUseEndsTheSampleNamingTheFlagThatPicksAnother() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Run run = run(EXIT_WITHIN, List.of(), "--once", "--port", String.valueOf(taken.getLocalPort()),
                    "--db-url", server.r2dbcUrl("postgres"));

            assertThat(run.exit()).as(run.output()).isEqualTo(1);
            assertThat(run.output()).contains("error: the API cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + " (in use?): pick another port with --port N or SPECTRA_API_PORT");
        }
    }

    @Test
    void spectrasWarningsShowUnderTheLogLevelThatMavensQuietFlagSets() throws Exception {
        // `./mvnw -q ... exec:java` runs the sample in Maven's JVM, where -q has set this system property
        Run run = run(Duration.ofMinutes(2), List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=error"),
                "--once", "--requests", "3", "--port", "0", "--speed", "0.05",
                "--db-url", url("sample_reader", PASSWORD, server.port(), "sample_readonly"));

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output().lines())
                .as(run.output())
                .anyMatch(l -> l.startsWith("WARN Recorder - Spectra sink failed to write ")
                        && l.endsWith(" records; they are lost"));
    }
}
