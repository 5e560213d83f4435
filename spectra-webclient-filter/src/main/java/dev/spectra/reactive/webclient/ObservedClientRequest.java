package dev.spectra.reactive.webclient;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.spectra.reactive.internal.http.HttpBudgetCall;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import dev.spectra.reactive.provider.EndpointMatch;
import org.jspecify.annotations.Nullable;
import org.springframework.core.codec.Hints;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeStrategies;
import reactor.core.publisher.Mono;

/**
 * The caller's request with its body observed, as a view instead of a copy: method, URL, headers, cookies,
 * attributes, the {@code httpRequest} consumer and the log prefix are the original's own (nothing copied), and
 * only the body differs: it is the original's inserter writing into an {@link ObservedRequest}, so that the bytes
 * are seen as they are written.
 *
 * <p>{@link #writeTo} does what the request {@code ClientRequest.from(original).body(observed).build()} would:
 * headers the connector has not set are added, cookies and attributes are handed to the connector's request, the
 * {@code httpRequest} consumer gets the connector's own request (not a decorator, so a consumer may still look at
 * its type), then the observed body is inserted, with the log prefix as hint. So the wire, the log lines and what a
 * downstream filter sees are those of the copy, without building the copy's headers, cookies and attributes.
 */
final class ObservedClientRequest implements ClientRequest {

    private final ClientRequest original;
    private final BodyInserter<?, ? super ClientHttpRequest> body;

    ObservedClientRequest(ClientRequest original, HttpCallObserver call, boolean rewrite, EndpointMatch match,
                          @Nullable HttpBudgetCall budget) {
        this.original = original;
        BodyInserter<?, ? super ClientHttpRequest> inserter = original.body();
        this.body = (message, context) -> inserter.insert(
                new ObservedRequest(message, call, rewrite, match, budget), context);
    }

    @Override
    public HttpMethod method() {
        return original.method();
    }

    @Override
    public URI url() {
        return original.url();
    }

    @Override
    public HttpHeaders headers() {
        return original.headers();
    }

    @Override
    public MultiValueMap<String, String> cookies() {
        return original.cookies();
    }

    /** The original inserter, writing into a request that shows each body buffer to the call as it passes. */
    @Override
    public BodyInserter<?, ? super ClientHttpRequest> body() {
        return body;
    }

    @Override
    public Optional<Object> attribute(String name) {
        return original.attribute(name);
    }

    @Override
    public Map<String, Object> attributes() {
        return original.attributes();
    }

    @Override
    public @Nullable Consumer<ClientHttpRequest> httpRequest() {
        return original.httpRequest();
    }

    @Override
    public String logPrefix() {
        return original.logPrefix();
    }

    @Override
    public Mono<Void> writeTo(ClientHttpRequest request, ExchangeStrategies strategies) {
        HttpHeaders requestHeaders = request.getHeaders();
        HttpHeaders headers = headers();
        if (!headers.isEmpty()) {
            headers.forEach(requestHeaders::putIfAbsent);
        }
        MultiValueMap<String, String> cookies = cookies();
        if (!cookies.isEmpty()) {
            MultiValueMap<String, HttpCookie> requestCookies = request.getCookies();
            cookies.forEach((name, values) -> values.forEach(value ->
                    requestCookies.add(name, new HttpCookie(name, value))));
        }
        request.getAttributes().putAll(attributes());
        Consumer<ClientHttpRequest> consumer = httpRequest();
        if (consumer != null) {
            consumer.accept(request);
        }
        return body.insert(request, new Context(strategies, logPrefix()));
    }

    /** What the body inserter is given: the strategies' writers, and the log prefix as hint. */
    private record Context(ExchangeStrategies strategies, String logPrefix) implements BodyInserter.Context {

        @Override
        public List<HttpMessageWriter<?>> messageWriters() {
            return strategies.messageWriters();
        }

        @Override
        public Optional<ServerHttpRequest> serverRequest() {
            return Optional.empty();
        }

        @Override
        public Map<String, Object> hints() {
            return Hints.from(Hints.LOG_PREFIX_HINT, logPrefix);
        }
    }
}
