package dev.spectra.reactive.r2dbc.internal;

import java.time.Duration;
import java.util.Objects;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import reactor.core.publisher.Mono;

/**
 * Sets the server-side statement timeout once on every new physical connection ({@code SET statement_timeout}),
 * so a statement stuck on a lock or a sick server is cancelled by PostgreSQL itself, whichever factory the user
 * gave. The pool calls {@link #create} only when it opens a connection, not on every acquire.
 */
public final class StatementTimeoutConnectionFactory implements ConnectionFactory {

    private final ConnectionFactory delegate;
    private final Duration timeout;

    /**
     * @param delegate the factory opening connections
     * @param timeout the statement timeout
     */
    public StatementTimeoutConnectionFactory(ConnectionFactory delegate, Duration timeout) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public Mono<Connection> create() {
        return Mono.from(delegate.create()).flatMap(connection -> Mono.from(connection.setStatementTimeout(timeout))
                .thenReturn(connection)
                .onErrorResume(e -> Mono.from(connection.close()).onErrorResume(x -> Mono.empty()).then(Mono.error(e))));
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return delegate.getMetadata();
    }

    @Override
    public String toString() {
        return "StatementTimeoutConnectionFactory{" + delegate.getMetadata().getName() + ", timeout=" + timeout + "}";
    }
}
