package dev.spectra.reactive.webclient;

import java.util.List;

import dev.spectra.reactive.internal.http.HttpBudgetCall;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.http.client.reactive.ClientHttpResponseDecorator;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyExtractor;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeStrategies;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The response as the caller gets it, as a view instead of a copy: status, headers, cookies, strategies, request
 * and log prefix are the original's, and every way of reading the body reads it through an {@link ObservedBody}.
 *
 * <p>The body is read as Spring's own response reads it, through the original's {@link #body(BodyExtractor)}
 * (its extractor context, log prefix hint and checkpoint), with the extractor given the original's
 * {@link ClientHttpResponse} whose {@code getBody()} is observed. The other reading methods are built on that one
 * as Spring builds them: {@code bodyToMono}, {@code bodyToFlux} ({@code DataBuffer} elements passed as they come),
 * {@code releaseBody} (each buffer released), {@code toEntity}, {@code toEntityList} and
 * {@code toBodilessEntity}. So a buffer is released exactly when it would be with the copy
 * {@code response.mutate().body(observed).build()}, and a cancelled read cancels the original body.
 *
 * <p>{@link #createException()}, {@link #createError()} and {@link #mutate()}, paths of failed calls and of
 * filters that replace the body, use that copy itself, made when they are called, so that their exception
 * messages, decoding and request are exactly Spring's.
 */
final class ObservedResponse implements ClientResponse {

    /** Stands for an empty body while an entity is made. */
    private static final Object NO_BODY = new Object();

    private final ClientResponse original;
    private final HttpCallObserver call;
    private final @Nullable HttpBudgetCall budget;
    private final boolean completeOnCutOff;

    ObservedResponse(ClientResponse original, HttpCallObserver call, @Nullable HttpBudgetCall budget,
                     boolean completeOnCutOff) {
        this.original = original;
        this.call = call;
        this.budget = budget;
        this.completeOnCutOff = completeOnCutOff;
    }

    private Flux<DataBuffer> observed(Flux<DataBuffer> body) {
        return new ObservedBody(body, call, budget, completeOnCutOff);
    }

    /** The copy Spring would make, with the observed body: for the paths that need Spring's own response. */
    private ClientResponse copy() {
        return original.mutate().body(this::observed).build();
    }

    @Override
    public HttpStatusCode statusCode() {
        return original.statusCode();
    }

    @Override
    public Headers headers() {
        return original.headers();
    }

    @Override
    public MultiValueMap<String, ResponseCookie> cookies() {
        return original.cookies();
    }

    @Override
    public ExchangeStrategies strategies() {
        return original.strategies();
    }

    @Override
    public HttpRequest request() {
        return original.request();
    }

    @Override
    public String logPrefix() {
        return original.logPrefix();
    }

    @Override
    public <T> T body(BodyExtractor<T, ? super ClientHttpResponse> extractor) {
        return original.body((response, context) -> extractor.extract(new Message(response), context));
    }

    @Override
    public <T> Mono<T> bodyToMono(Class<? extends T> elementClass) {
        return body(BodyExtractors.toMono(elementClass));
    }

    @Override
    public <T> Mono<T> bodyToMono(ParameterizedTypeReference<T> elementTypeRef) {
        return body(BodyExtractors.toMono(elementTypeRef));
    }

    @Override
    @SuppressWarnings("unchecked") // the elements are DataBuffers
    public <T> Flux<T> bodyToFlux(Class<? extends T> elementClass) {
        return elementClass.equals(DataBuffer.class) ? (Flux<T>) body(BodyExtractors.toDataBuffers())
                : body(BodyExtractors.toFlux(elementClass));
    }

    @Override
    public <T> Flux<T> bodyToFlux(ParameterizedTypeReference<T> elementTypeRef) {
        return body(BodyExtractors.toFlux(elementTypeRef));
    }

    @Override
    public Mono<Void> releaseBody() {
        return body(BodyExtractors.toDataBuffers()).map(DataBufferUtils::release).then();
    }

    @Override
    public Mono<ResponseEntity<Void>> toBodilessEntity() {
        return releaseBody().then(entity(Mono.empty()));
    }

    @Override
    public <T> Mono<ResponseEntity<T>> toEntity(Class<T> bodyType) {
        return entity(bodyToMono(bodyType));
    }

    @Override
    public <T> Mono<ResponseEntity<T>> toEntity(ParameterizedTypeReference<T> bodyTypeReference) {
        return entity(bodyToMono(bodyTypeReference));
    }

    @Override
    public <T> Mono<ResponseEntity<List<T>>> toEntityList(Class<T> elementClass) {
        return entityList(bodyToFlux(elementClass));
    }

    @Override
    public <T> Mono<ResponseEntity<List<T>>> toEntityList(ParameterizedTypeReference<T> elementTypeRef) {
        return entityList(bodyToFlux(elementTypeRef));
    }

    /** The body (null when there is none) with this response's headers and status, once the body is read. */
    @SuppressWarnings("unchecked") // NO_BODY stands for an empty body and is never handed out
    private <T> Mono<ResponseEntity<T>> entity(Mono<T> body) {
        return ((Mono<Object>) body).defaultIfEmpty(NO_BODY).map(b ->
                new ResponseEntity<>(b == NO_BODY ? null : (T) b, headers().asHttpHeaders(), statusCode()));
    }

    private <T> Mono<ResponseEntity<List<T>>> entityList(Flux<T> body) {
        return body.collectList().map(list -> new ResponseEntity<>(list, headers().asHttpHeaders(), statusCode()));
    }

    @Override
    public Mono<WebClientResponseException> createException() {
        return copy().createException();
    }

    @Override
    public <T> Mono<T> createError() {
        return copy().createError();
    }

    @Override
    public Builder mutate() {
        return copy().mutate();
    }

    /** The original's response message with its body observed. */
    private final class Message extends ClientHttpResponseDecorator {

        Message(ClientHttpResponse delegate) {
            super(delegate);
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return observed(getDelegate().getBody());
        }
    }
}
