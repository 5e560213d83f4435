package dev.spectra.reactive.testsupport.postgres;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The database a test class runs against, given by {@link PostgresExtension}: the server's URL, an unpooled
 * {@link ConnectionFactory}, the class's own schema, and a few blocking helpers for arranging and checking data
 * in tests (never use them on a reactive thread).
 */
public final class TestDatabase {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String url;
    private final ConnectionFactory connectionFactory;
    private final String schemaName;
    private final List<String> schemas = new CopyOnWriteArrayList<>();

    TestDatabase(String url, String schemaName) {
        this.url = url;
        this.connectionFactory = ConnectionFactories.get(url);
        this.schemaName = schemaName;
        this.schemas.add(schemaName);
    }

    /** @return the R2DBC URL of the server's database, without pool */
    public String url() {
        return url;
    }

    /** @return an unpooled connection factory to the database */
    public ConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    /** @return the name of this class's schema (not created yet: the code under test creates it) */
    public String schemaName() {
        return schemaName;
    }

    /**
     * Another schema name for this class, dropped with the class's own after its last test.
     *
     * @param hint readable part of the name
     * @return a fresh, unused name
     */
    public String newSchemaName(String hint) {
        String name = PostgresExtension.uniqueName(hint);
        schemas.add(name);
        return name;
    }

    /**
     * Registers a schema name chosen by the test (for example one that needs quoting) to be dropped afterwards.
     *
     * @param name the exact schema name
     * @return the name
     */
    public String registerSchema(String name) {
        schemas.add(name);
        return name;
    }

    /**
     * Runs SQL (blocking) and returns the rows updated, for arranging data.
     *
     * @param sql the statement, {@code $1}-style placeholders
     * @param binds values of the placeholders
     * @return the rows updated
     */
    public long update(String sql, Object... binds) {
        Long n = Flux.usingWhen(connectionFactory.create(),
                        c -> Flux.from(bind(c.createStatement(sql), binds).execute()).flatMap(Result::getRowsUpdated),
                        Connection::close)
                .reduce(0L, Long::sum)
                .block(TIMEOUT);
        return n == null ? 0 : n;
    }

    /**
     * Runs a query (blocking) and returns the first column of every row.
     *
     * @param sql the query, {@code $1}-style placeholders
     * @param type the Java type of the column
     * @param binds values of the placeholders
     * @param <T> the type
     * @return the values, in row order
     */
    public <T> List<T> column(String sql, Class<T> type, Object... binds) {
        List<T> values = Flux.usingWhen(connectionFactory.create(),
                        c -> Flux.from(bind(c.createStatement(sql), binds).execute())
                                .flatMap(r -> r.map((row, meta) -> row.get(0, type))),
                        Connection::close)
                .collectList()
                .block(TIMEOUT);
        return values == null ? List.of() : values;
    }

    /**
     * Runs a query (blocking) expected to return one row and one column.
     *
     * @param sql the query
     * @param type the Java type of the value
     * @param binds values of the placeholders
     * @param <T> the type
     * @return the value
     */
    public <T> T single(String sql, Class<T> type, Object... binds) {
        List<T> values = column(sql, type, binds);
        if (values.size() != 1) {
            throw new AssertionError("expected one row from " + sql + ", got " + values);
        }
        return values.get(0);
    }

    /** @return every schema this test class asked for */
    List<String> schemas() {
        return List.copyOf(schemas);
    }

    void dropSchemas() {
        List<String> names = new ArrayList<>(schemas);
        for (String name : names) {
            update("DROP SCHEMA IF EXISTS \"" + name.replace("\"", "\"\"") + "\" CASCADE");
        }
    }

    private static Statement bind(Statement statement, Object... binds) {
        for (int i = 0; i < binds.length; i++) {
            statement.bind(i, binds[i]);
        }
        return statement;
    }

    @Override
    public String toString() {
        return "TestDatabase{schema=" + schemaName + "}";
    }
}
