package dev.spectra.reactive.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The routes served on bare Reactor Netty, without Spring Boot, with the limits an exposed server needs: half-sent
 * requests are cut ({@linkplain #READ_TIMEOUT read}, {@linkplain #REQUEST_TIMEOUT request} and
 * {@linkplain #IDLE_TIMEOUT idle} timeouts), headers and URLs are bounded, and a server on a non-loopback address
 * without a credential is refused unless {@link SpectraAccess#anyone()} says so on purpose.
 *
 * @since 0.1
 */
public final class SpectraWebServer implements AutoCloseable {

    /** Longest wait for the next bytes of a request's body, once its headers are in. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    /** Longest time to receive a whole request's body, once its headers are in. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Longest a connection waits for a whole request head: an idle keep-alive connection, or one whose request
     * stopped half-way through its headers, is closed after it.
     */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(15);

    private final DisposableServer server;

    private SpectraWebServer(DisposableServer server) {
        this.server = server;
    }

    /**
     * Serves {@link SpectraWebRoutes#create(SpectraWebOptions)} at the root.
     *
     * @param options what to serve
     * @param host the address to bind, e.g. {@code 127.0.0.1}
     * @param port the port, 0 for any free one
     * @return the running server
     * @throws IllegalStateException when the address is not loopback and {@link SpectraAccess#localOnly()} is
     *         the access rule: set a token, or {@link SpectraAccess#anyone()} to serve without one on purpose
     */
    public static SpectraWebServer start(SpectraWebOptions options, String host, int port) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(host, "host");
        if (options.access() == SpectraAccess.localOnly() && !isLoopback(host)) {
            throw new IllegalStateException("refusing to serve Spectra's API on " + host + " without a token: set "
                    + "one (SpectraAccess.bearerToken), or choose SpectraAccess.anyone() to serve it unauthenticated "
                    + "on purpose");
        }
        return start(SpectraWebRoutes.create(options), host, port);
    }

    /**
     * Serves any routes (e.g. {@link SpectraWebRoutes#create(String, SpectraWebOptions)} composed with others).
     *
     * @param routes the routes
     * @param host the address to bind
     * @param port the port, 0 for any free one
     * @return the running server
     */
    public static SpectraWebServer start(RouterFunction<ServerResponse> routes, String host, int port) {
        Objects.requireNonNull(routes, "routes");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        HttpHandler handler = RouterFunctions.toHttpHandler(routes);
        DisposableServer server = HttpServer.create().host(host).port(port)
                .readTimeout(READ_TIMEOUT)
                .requestTimeout(REQUEST_TIMEOUT)
                .idleTimeout(IDLE_TIMEOUT)
                .httpRequestDecoder(spec -> spec.maxInitialLineLength(8192).maxHeaderSize(16_384))
                .handle(new ReactorHttpHandlerAdapter(handler))
                .bindNow(Duration.ofSeconds(10));
        return new SpectraWebServer(server);
    }

    /** @return the base URL, e.g. {@code http://127.0.0.1:8080} */
    public String baseUrl() {
        String host = server.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
    }

    /** @return the bound port */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return "SpectraWebServer{" + baseUrl() + "}";
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
