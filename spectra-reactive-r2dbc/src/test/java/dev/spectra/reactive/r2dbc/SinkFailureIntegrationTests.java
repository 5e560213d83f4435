package dev.spectra.reactive.r2dbc;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.RejectedRecordsException;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** What the sink reports when the database is slow, gone or refusing, and that a retry then stores once. */
@ExtendWith(PostgresExtension.class)
class SinkFailureIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @BeforeAll
    static void createSchema(TestDatabase db) {
        SpectraSchema.of(db.schemaName()).createOrUpgrade(db.connectionFactory()).block(TIMEOUT);
    }

    /**
     * The statement timeout also bounds the writes after the lock is gone, which must succeed: 2 s, which the
     * locked write always reaches and a free one does not reach even on a loaded machine.
     */
    @Test
    void aStatementTimeoutIsTransientAndTheRetryStoresTheBatchOnce(TestDatabase db) {
        R2dbcSpectraSink sink = sink(db, b -> b.statementTimeout(Duration.ofSeconds(2)));
        try {
            List<TrackedRequest> batch = batch(5);
            try (TableLock lock = TableLock.take(db)) {
                sink.write(batch).as(StepVerifier::create)
                        .expectErrorSatisfies(e -> {
                            assertThat(e).isInstanceOf(R2dbcException.class);
                            assertThat(((R2dbcException) e).getSqlState()).isEqualTo("57014");   // query_canceled
                            assertThat(sink.isTransient(e)).isTrue();
                        })
                        .verify(TIMEOUT);
            }
            sink.write(batch).as(StepVerifier::create).verifyComplete();
            sink.write(batch).as(StepVerifier::create).verifyComplete();
            assertThat(R2dbcSpectraSinkIntegrationTests.countIn(db, batch)).isEqualTo(5);
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    /**
     * The acquire time also bounds the first write's acquire, which opens the pool's connection and must succeed:
     * 2 s, more than a new connection takes even on a loaded machine.
     */
    @Test
    void aSaturatedPoolFailsTheWriteAfterMaxAcquireTimeTransiently(TestDatabase db) {
        R2dbcSpectraSink sink = sink(db, b -> b.maxPoolSize(1).initialPoolSize(1)
                .maxAcquireTime(Duration.ofSeconds(2)));
        try {
            sink.write(batch(1)).block(TIMEOUT);                                  // schema checked, pool warm
            List<TrackedRequest> first = batch(3);
            List<TrackedRequest> second = batch(3);
            try (TableLock lock = TableLock.take(db)) {
                CompletableFuture<Void> holding = sink.write(first).toFuture();      // subscribes now
                lock.awaitWaiter("spectra-failure-test");                          // the only connection is stuck
                sink.write(second).as(StepVerifier::create)
                        .expectErrorSatisfies(e -> {
                            assertThat(e).isInstanceOf(R2dbcTimeoutException.class)
                                    .hasMessageContaining("Connection acquisition timed out after 2000ms");
                            assertThat(sink.isTransient(e)).isTrue();
                        })
                        .verify(TIMEOUT);
                lock.close();
                assertThat(holding).succeedsWithin(TIMEOUT);
            }
            sink.write(second).as(StepVerifier::create).verifyComplete();
            assertThat(R2dbcSpectraSinkIntegrationTests.countIn(db, first)).isEqualTo(3);
            assertThat(R2dbcSpectraSinkIntegrationTests.countIn(db, second)).isEqualTo(3);
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void aTerminatedSessionIsTransientAndTheRetryStoresTheBatchOnce(TestDatabase db) {
        R2dbcSpectraSink sink = sink(db, b -> b);
        try {
            sink.write(batch(1)).block(TIMEOUT);
            List<TrackedRequest> batch = batch(4);
            try (TableLock lock = TableLock.take(db)) {
                CompletableFuture<Void> write = sink.write(batch).toFuture();        // subscribes now
                lock.awaitWaiter("spectra-failure-test");
                assertThat(db.single("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE application_name = 'spectra-failure-test'", Long.class)).isEqualTo(1L);
                assertThat(write).failsWithin(TIMEOUT).withThrowableThat()
                        .satisfies(e -> assertThat(sink.isTransient(e.getCause())).as("%s is transient", e.getCause())
                                .isTrue());
            }
            sink.write(batch).as(StepVerifier::create).verifyComplete();            // a fresh connection from the pool
            assertThat(R2dbcSpectraSinkIntegrationTests.countIn(db, batch)).isEqualTo(4);
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void anUnreachableServerIsTransient() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();                                       // closed again: nobody listens
        }
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder()
                .url("r2dbc:postgresql://spectra:secret@127.0.0.1:" + port + "/nowhere")
                .maxCreateConnectionTime(Duration.ofSeconds(2)).build());

        try {
            sink.write(batch(1)).as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(sink.isTransient(e)).as("%s is transient", e).isTrue())
                    .verify(TIMEOUT);
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void aMissingTableIsNeitherTransientNorBisected(TestDatabase db) {
        CountingConnectionFactory counting = new CountingConnectionFactory(db.connectionFactory());
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().connectionFactory(counting)
                .schema(db.newSchemaName("missing")).createSchema(false).build());

        try {
            sink.write(batch(8)).as(StepVerifier::create)
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isNotInstanceOf(RejectedRecordsException.class)
                                .isInstanceOf(R2dbcException.class);
                        assertThat(((R2dbcException) e).getSqlState()).isEqualTo("42P01");   // undefined_table
                        assertThat(sink.isTransient(e)).isFalse();
                    })
                    .verify(TIMEOUT);
            assertThat(counting.executedContaining("INSERT INTO")).isEqualTo(1);
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void aClosedSinkRefusesWritesPermanently(TestDatabase db) {
        R2dbcSpectraSink sink = sink(db, b -> b);
        sink.close().as(StepVerifier::create).verifyComplete();

        sink.write(batch(1)).as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(sink.isTransient(e)).as("%s is transient", e).isFalse())
                .verify(TIMEOUT);
    }

    private static R2dbcSpectraSink sink(TestDatabase db,
                                         java.util.function.UnaryOperator<R2dbcSinkOptions.Builder> options) {
        return R2dbcSpectraSink.create(options.apply(R2dbcSinkOptions.builder().url(db.url())
                .schema(db.schemaName()).applicationName("spectra-failure-test")).build());
    }

    private static List<TrackedRequest> batch(int n) {
        List<TrackedRequest> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(Records.full(Records.T0.plusMillis(i)));
        }
        return batch;
    }

    /** An ACCESS EXCLUSIVE lock on the class's table, held by another session until closed. */
    static final class TableLock implements AutoCloseable {
        private final TestDatabase db;
        private Connection connection;

        private TableLock(TestDatabase db, Connection connection) {
            this.db = db;
            this.connection = connection;
        }

        static TableLock take(TestDatabase db) {
            Connection c = Mono.from(db.connectionFactory().create()).block(TIMEOUT);
            Mono.from(c.beginTransaction()).block(TIMEOUT);
            Flux.from(c.createStatement("LOCK TABLE \"" + db.schemaName() + "\".spectra_requests IN ACCESS EXCLUSIVE MODE")
                    .execute()).flatMap(Result::getRowsUpdated).blockLast(TIMEOUT);
            return new TableLock(db, c);
        }

        /** Waits until a session of that application name waits on a lock. */
        void awaitWaiter(String applicationName) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (db.single("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"
                    + " AND wait_event_type = 'Lock'", Long.class, applicationName) == 0) {
                assertThat(System.nanoTime()).as("a waiter within %s", TIMEOUT).isLessThan(deadline);
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // the session being waited for has the cores
            }
        }

        @Override
        public void close() {
            if (connection != null) {
                Mono.from(connection.rollbackTransaction()).then(Mono.from(connection.close())).block(TIMEOUT);
                connection = null;
            }
        }
    }
}
