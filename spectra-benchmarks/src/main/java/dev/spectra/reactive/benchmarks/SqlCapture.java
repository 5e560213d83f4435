package dev.spectra.reactive.benchmarks;

import java.util.Map;
import java.util.TreeMap;

import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A connection factory that remembers the last statement run through it, with its bound values, so a benchmark can
 * show the plan of exactly the SQL the query API ran ({@link #explainLast()}).
 */
final class SqlCapture implements ConnectionFactory {

    private final ConnectionFactory delegate;
    private volatile String lastSql = "";
    private volatile Map<Integer, Object> lastBinds = Map.of();

    SqlCapture(ConnectionFactory delegate) {
        this.delegate = delegate;
    }

    void clear() {
        lastSql = "";
        lastBinds = Map.of();
    }

    /** {@code EXPLAIN (ANALYZE, BUFFERS)} of the last statement, with the same bound values. */
    String explainLast() {
        String sql = lastSql;
        Map<Integer, Object> binds = lastBinds;
        return Flux.usingWhen(delegate.create(), c -> {
            Statement s = c.createStatement("EXPLAIN (ANALYZE, BUFFERS) " + sql);
            binds.forEach(s::bind);
            return Flux.from(s.execute()).flatMap(r -> r.map((row, m) -> row.get(0, String.class)));
        }, Connection::close).collectList().map(lines -> String.join("\n", lines)).block();
    }

    @Override
    public Publisher<? extends Connection> create() {
        return Mono.from(delegate.create()).map(Capturing::new);
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return delegate.getMetadata();
    }

    private final class Capturing implements Connection {
        private final Connection c;

        Capturing(Connection c) {
            this.c = c;
        }

        @Override
        public Statement createStatement(String sql) {
            Statement s = c.createStatement(sql);
            Map<Integer, Object> binds = new TreeMap<>();
            return new Statement() {
                @Override
                public Statement add() {
                    s.add();
                    return this;
                }

                @Override
                public Statement bind(int index, Object value) {
                    binds.put(index, value);
                    s.bind(index, value);
                    return this;
                }

                @Override
                public Statement bind(String name, Object value) {
                    s.bind(name, value);
                    return this;
                }

                @Override
                public Statement bindNull(int index, Class<?> type) {
                    s.bindNull(index, type);
                    return this;
                }

                @Override
                public Statement bindNull(String name, Class<?> type) {
                    s.bindNull(name, type);
                    return this;
                }

                @Override
                public Publisher<? extends Result> execute() {
                    lastSql = sql;
                    lastBinds = Map.copyOf(binds);
                    return s.execute();
                }
            };
        }

        @Override
        public Publisher<Void> beginTransaction() {
            return c.beginTransaction();
        }

        @Override
        public Publisher<Void> beginTransaction(TransactionDefinition definition) {
            return c.beginTransaction(definition);
        }

        @Override
        public Publisher<Void> close() {
            return c.close();
        }

        @Override
        public Publisher<Void> commitTransaction() {
            return c.commitTransaction();
        }

        @Override
        public Batch createBatch() {
            return c.createBatch();
        }

        @Override
        public Publisher<Void> createSavepoint(String name) {
            return c.createSavepoint(name);
        }

        @Override
        public boolean isAutoCommit() {
            return c.isAutoCommit();
        }

        @Override
        public io.r2dbc.spi.ConnectionMetadata getMetadata() {
            return c.getMetadata();
        }

        @Override
        public IsolationLevel getTransactionIsolationLevel() {
            return c.getTransactionIsolationLevel();
        }

        @Override
        public Publisher<Void> releaseSavepoint(String name) {
            return c.releaseSavepoint(name);
        }

        @Override
        public Publisher<Void> rollbackTransaction() {
            return c.rollbackTransaction();
        }

        @Override
        public Publisher<Void> rollbackTransactionToSavepoint(String name) {
            return c.rollbackTransactionToSavepoint(name);
        }

        @Override
        public Publisher<Void> setAutoCommit(boolean autoCommit) {
            return c.setAutoCommit(autoCommit);
        }

        @Override
        public Publisher<Void> setLockWaitTimeout(java.time.Duration timeout) {
            return c.setLockWaitTimeout(timeout);
        }

        @Override
        public Publisher<Void> setStatementTimeout(java.time.Duration timeout) {
            return c.setStatementTimeout(timeout);
        }

        @Override
        public Publisher<Void> setTransactionIsolationLevel(IsolationLevel level) {
            return c.setTransactionIsolationLevel(level);
        }

        @Override
        public Publisher<Boolean> validate(ValidationDepth depth) {
            return c.validate(depth);
        }
    }
}
