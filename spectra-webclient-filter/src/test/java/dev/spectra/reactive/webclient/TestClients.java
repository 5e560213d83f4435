package dev.spectra.reactive.webclient;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * WebClients whose Reactor Netty client resolves every host name (api.openai.com, api.anthropic.com ...) to the
 * loopback address: requests carry the real host names, so the filter matches them exactly as in production,
 * and reach the local {@link FixtureServer} on its own port.
 */
final class TestClients {

    /** Names the resolver was asked for. */
    static final Set<String> RESOLVED = ConcurrentHashMap.newKeySet();

    private TestClients() {
    }

    static WebClient client(ExchangeFilterFunction filter) {
        return client(filter, ConnectionProvider.builder("spectra-test").maxConnections(64)
                .pendingAcquireMaxCount(1000).build());
    }

    static WebClient client(ExchangeFilterFunction filter, ConnectionProvider connections) {
        HttpClient http = HttpClient.create(connections).resolver(LoopbackResolver.INSTANCE)
                .responseTimeout(Duration.ofSeconds(20));
        return WebClient.builder().clientConnector(new ReactorClientHttpConnector(http)).filter(filter)
                .codecs(c -> c.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)).build();
    }

    /** Resolves any name to the loopback address, keeping the port. */
    static final class LoopbackResolver extends AddressResolverGroup<InetSocketAddress> {
        static final LoopbackResolver INSTANCE = new LoopbackResolver();

        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
            return new AbstractAddressResolver<InetSocketAddress>(executor) {
                @Override
                protected boolean doIsResolved(InetSocketAddress address) {
                    return !address.isUnresolved();
                }

                @Override
                protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
                    RESOLVED.add(unresolved.getHostString());
                    promise.setSuccess(new InetSocketAddress(InetAddress.getLoopbackAddress(), unresolved.getPort()));
                }

                @Override
                protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
                    RESOLVED.add(unresolved.getHostString());
                    promise.setSuccess(List.of(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), unresolved.getPort())));
                }
            };
        }
    }
}
