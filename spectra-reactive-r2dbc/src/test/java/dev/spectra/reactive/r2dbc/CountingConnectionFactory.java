package dev.spectra.reactive.r2dbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.Statement;
import reactor.core.publisher.Mono;

/** Observes what the sink does with its connections: statements created and executed, and any Statement.add(). */
final class CountingConnectionFactory implements ConnectionFactory {

    final List<String> executed = new CopyOnWriteArrayList<>();
    final AtomicInteger adds = new AtomicInteger();
    final AtomicInteger binds = new AtomicInteger();
    private final ConnectionFactory delegate;

    CountingConnectionFactory(ConnectionFactory delegate) {
        this.delegate = delegate;
    }

    /** Executed statements whose SQL contains the text. */
    long executedContaining(String text) {
        return executed.stream().filter(s -> s.contains(text)).count();
    }

    @Override
    public Mono<Connection> create() {
        return Mono.from(delegate.create()).map(c -> proxy(Connection.class, c, (proxy, method, args) -> {
            Object result = invoke(method, c, args);
            if (method.getName().equals("createStatement")) {
                return statement((Statement) result, (String) args[0]);
            }
            return result;
        }));
    }

    private Statement statement(Statement target, String sql) {
        return proxy(Statement.class, target, (proxy, method, args) -> {
            switch (method.getName()) {
                case "add" -> adds.incrementAndGet();
                case "bind", "bindNull" -> binds.incrementAndGet();
                case "execute" -> executed.add(sql);
                default -> {
                }
            }
            Object result = invoke(method, target, args);
            return result == target ? proxy : result;
        });
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return delegate.getMetadata();
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(CountingConnectionFactory.class.getClassLoader(), new Class<?>[] {type},
                handler);
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
