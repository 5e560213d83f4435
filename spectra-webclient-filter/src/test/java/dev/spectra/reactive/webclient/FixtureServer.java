package dev.spectra.reactive.webclient;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A Reactor Netty server on 127.0.0.1 that replays fixture files as a provider would send them, told what to do
 * by request headers: {@code x-fixture} (file under {@code /fixtures/}), {@code x-status} (default 200),
 * {@code x-chunks} (pieces the body is cut into, at arbitrary byte positions; default 4), {@code x-delay-ms}
 * (between pieces; default 5), {@code x-first-delay-ms} (before the first piece, after the headers),
 * {@code x-header-delay-ms} (before the status line and headers), {@code x-repeat} (the file sent that many
 * times in a row, one long stream), {@code x-drop-after} (close the connection after
 * that many pieces). JSON files are sent with a Content-Length, streams chunked. Every request
 * received is kept for assertions.
 */
final class FixtureServer implements AutoCloseable {

    /** A request as the server received it. */
    record Received(String method, String uri, String host, Map<String, String> headers, byte[] body) {
    }

    private static final Map<String, byte[]> FILES = new ConcurrentHashMap<>();

    private final DisposableServer server;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

    private FixtureServer() {
        this.server = HttpServer.create().host("127.0.0.1").port(0).handle(this::handle).bindNow();
    }

    static FixtureServer start() {
        return new FixtureServer();
    }

    int port() {
        return server.port();
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    static byte[] fixture(String file) {
        return FILES.computeIfAbsent(file, f -> {
            try (InputStream in = FixtureServer.class.getResourceAsStream("/fixtures/" + f)) {
                if (in == null) {
                    throw new IllegalArgumentException("no fixture " + f);
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Serves other bytes under a name, as if they were a fixture file (the name's extension and whether it
     * contains {@code stream} decide the content type and the Content-Length, as for a file), until
     * {@link #forget}.
     *
     * @param name the name requests give in {@code x-fixture}
     * @param bytes the body
     */
    static void serve(String name, byte[] bytes) {
        FILES.put(name, bytes);
    }

    /** Stops serving bytes given to {@link #serve}. */
    static void forget(String name) {
        FILES.remove(name);
    }

    private Mono<Void> handle(HttpServerRequest req, HttpServerResponse res) {
        return req.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(body -> {
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            req.requestHeaders().forEach(e -> headers.merge(e.getKey().toLowerCase(java.util.Locale.ROOT),
                    e.getValue(), (a, b) -> a + ", " + b));
            received.add(new Received(req.method().name(), req.uri(), headers.getOrDefault("host", ""), headers,
                    body));
            String file = headers.get("x-fixture");
            if (file == null) {
                return res.status(HttpResponseStatus.OK).header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        // answered off the event loop like every fixture below: Reactor Netty 1.3.7 can stop
                        // reading a keep-alive connection when a queued request is answered at once
                        // (reactor/reactor-netty#4361)
                        .sendString(Mono.delay(Duration.ZERO).thenReturn("{\"object\":\"list\",\"data\":[]}"))
                        .then();
            }
            byte[] bytes = repeat(fixture(file), Integer.parseInt(headers.getOrDefault("x-repeat", "1")));
            int status = Integer.parseInt(headers.getOrDefault("x-status", "200"));
            int chunks = Integer.parseInt(headers.getOrDefault("x-chunks", "4"));
            long delay = Long.parseLong(headers.getOrDefault("x-delay-ms", "5"));
            long first = Long.parseLong(headers.getOrDefault("x-first-delay-ms", "0"));
            int dropAfter = Integer.parseInt(headers.getOrDefault("x-drop-after", "-1"));
            res.status(status).header(HttpHeaderNames.CONTENT_TYPE, contentType(file));
            if (file.endsWith(".json") && dropAfter < 0 && !file.contains("stream")) {
                res.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(bytes.length));
            }
            Flux<ByteBuf> pieces = Flux.range(0, chunks)
                    .concatMap(i -> Mono.delay(Duration.ofMillis(i == 0 ? first : delay))
                            .map(x -> piece(bytes, i, chunks)));
            long headerDelay = Long.parseLong(headers.getOrDefault("x-header-delay-ms", "0"));
            if (headerDelay > 0) {
                return Mono.delay(Duration.ofMillis(headerDelay)).then(res.send(pieces).then());
            }
            if (dropAfter >= 0) {
                return res.send(pieces.take(dropAfter)).then()
                        .then(Mono.<Void>fromRunnable(() -> res.withConnection(Connection::dispose)))
                        .then(Mono.never());
            }
            return res.send(pieces).then();
        });
    }

    private static byte[] repeat(byte[] b, int times) {
        if (times == 1) {
            return b;
        }
        byte[] out = new byte[b.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(b, 0, out, i * b.length, b.length);
        }
        return out;
    }

    private static ByteBuf piece(byte[] bytes, int i, int n) {
        int from = (int) ((long) bytes.length * i / n);
        int to = (int) ((long) bytes.length * (i + 1) / n);
        return Unpooled.wrappedBuffer(bytes, from, to - from);
    }

    static String contentType(String file) {
        if (file.endsWith(".sse")) {
            return "text/event-stream";
        }
        if (file.endsWith(".ndjson")) {
            return "application/x-ndjson";
        }
        return "application/json";
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
