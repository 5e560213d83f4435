package dev.spectra.reactive.opentelemetry;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Real provider calls for the tests: a WebClient whose resolver sends every host name (api.openai.com ...) to the
 * loopback address, so the filter sees the providers' real hosts, and the {@link FixtureServer} answers with the
 * fixture the request names.
 */
final class ProviderCalls {

    /** Ollama's fixtures are reached under this host, registered with the filter (its real port is not ours). */
    static final String OLLAMA = "ollama.test";

    private ProviderCalls() {
    }

    static WebClient client(ExchangeFilterFunction filter) {
        HttpClient http = HttpClient.create().resolver(new LoopbackResolver()).responseTimeout(Duration.ofSeconds(20));
        return WebClient.builder().clientConnector(new ReactorClientHttpConnector(http)).filter(filter)
                .codecs(c -> c.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)).build();
    }

    /** The call a client of the fixture's API makes, answered with the fixture; its body as a string. */
    static Mono<String> call(WebClient client, FixtureServer server, ProviderFixture f) {
        String host = f.provider().equals("ollama") ? OLLAMA : f.host();
        return client.post()
                .uri("http://" + host + ":" + server.port() + f.path())
                .header("x-fixture", f.file())
                .header("x-status", Integer.toString(f.status()))
                .header("x-chunks", f.streaming() ? "5" : "2")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(requestBody(f))
                .exchangeToMono(r -> r.bodyToMono(String.class).defaultIfEmpty(""));
    }

    /** The request body a client of this API sends. */
    static String requestBody(ProviderFixture f) {
        StringBuilder b = new StringBuilder("{");
        if (f.requestModel() != null) {
            b.append("\"model\":\"").append(f.requestModel()).append("\",");
        }
        if (f.provider().equals("gemini")) {
            return b.append("\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello\"}]}]}").toString();
        }
        if (!f.path().contains(":") && (f.streaming() || f.provider().equals("ollama"))) {
            b.append("\"stream\":").append(f.streaming()).append(',');
        }
        if (f.streaming() && (f.provider().equals("openai") || f.provider().equals("azure"))
                && f.operation().equals("chat")) {
            b.append("\"stream_options\":{\"include_usage\":true},");
        }
        return b.append("\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}").toString();
    }

    /** Resolves any name to the loopback address, keeping the port. */
    static final class LoopbackResolver extends AddressResolverGroup<InetSocketAddress> {
        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
            return new AbstractAddressResolver<InetSocketAddress>(executor) {
                @Override
                protected boolean doIsResolved(InetSocketAddress address) {
                    return !address.isUnresolved();
                }

                @Override
                protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
                    promise.setSuccess(new InetSocketAddress(InetAddress.getLoopbackAddress(), unresolved.getPort()));
                }

                @Override
                protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
                    promise.setSuccess(List.of(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), unresolved.getPort())));
                }
            };
        }
    }
}
