package dev.spectra.reactive.opentelemetry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * A local OTLP/HTTP receiver on 127.0.0.1: keeps the protobuf body of every POST ({@code /v1/traces},
 * {@code /v1/metrics}) and answers 200, or, as a collector that hangs, holds every request until closed.
 */
final class OtlpReceiver implements AutoCloseable {

    /** A request as received. */
    record Post(String path, String contentType, byte[] body) {
    }

    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private final AtomicInteger arrived = new AtomicInteger();
    private final Sinks.Empty<Void> release = Sinks.empty();
    /** Its own event loop: other tests' clients dispose Reactor Netty's shared resources when they close. */
    private final LoopResources loops = LoopResources.create("otlp-receiver", 1, true);
    private final DisposableServer server;

    private OtlpReceiver(boolean hang) {
        Mono<Void> answer = hang ? release.asMono() : Mono.empty();
        this.server = HttpServer.create().runOn(loops).host("127.0.0.1").port(0)
                .handle((req, res) -> Mono.fromRunnable(arrived::incrementAndGet).then(req.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
                        .flatMap(body -> {
                            posts.add(new Post(req.fullPath(), String.valueOf(req.requestHeaders().get("Content-Type")),
                                    body));
                            return answer.then(Mono.from(res.status(200)
                                    .header("Content-Type", "application/x-protobuf").send()));
                        })))
                .bindNow(Duration.ofSeconds(10));
    }

    static OtlpReceiver start() {
        return new OtlpReceiver(false);
    }

    /** A receiver that accepts connections and requests and never answers until closed. */
    static OtlpReceiver hanging() {
        return new OtlpReceiver(true);
    }

    String endpoint(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    List<Post> posts(String path) {
        return posts.stream().filter(p -> p.path().equals(path)).toList();
    }

    /** Requests whose headers arrived, answered or not. */
    int requests() {
        return arrived.get();
    }

    @Override
    public void close() {
        release.tryEmitEmpty();
        server.disposeNow(Duration.ofSeconds(5));
        loops.disposeLater().block(Duration.ofSeconds(5));
    }
}
