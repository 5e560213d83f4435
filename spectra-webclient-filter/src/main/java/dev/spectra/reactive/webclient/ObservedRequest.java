package dev.spectra.reactive.webclient;

import java.util.Optional;

import dev.spectra.reactive.internal.http.HttpBudgetCall;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import dev.spectra.reactive.provider.EndpointMatch;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequestDecorator;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;

/**
 * The outgoing request as the body inserter writes it: each body buffer is shown to the {@link HttpCallObserver}
 * on its way to the connector ({@link ObservedBody#show}) and passes on unchanged (same instance, same read
 * position; the connector releases it as before). A {@code Mono} body stays a {@code Mono}, so the connector's
 * single-buffer path is kept.
 *
 * <p>With {@link #rewrite} (the opt-in {@code includeStreamUsage}), the body is joined and sent as
 * {@link HttpCallObserver#withStreamUsage} gives it back (an OpenAI chat stream request that lacks
 * {@code stream_options.include_usage} gets it), with its {@code Content-Length} corrected.
 *
 * <p>With budgets, the body is joined too, and the call's estimate reserved from it before the delegate is written
 * to: when a hard budget refuses, the joined body is released and the write fails with the refusal, so nothing is
 * committed and no byte of the request reaches the network.
 */
final class ObservedRequest extends ClientHttpRequestDecorator {

    private final HttpCallObserver call;
    private final boolean rewrite;
    private final EndpointMatch match;
    private final @Nullable HttpBudgetCall budget;

    ObservedRequest(ClientHttpRequest delegate, HttpCallObserver call, boolean rewrite, EndpointMatch match,
                    @Nullable HttpBudgetCall budget) {
        super(delegate);
        this.call = call;
        this.rewrite = rewrite;
        this.match = match;
        this.budget = budget;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        HttpBudgetCall b = budget;
        if (b != null) {
            return DataBufferUtils.join(body)
                    .map(Optional::of)
                    .defaultIfEmpty(Optional.empty())
                    .flatMap(joined -> b.reserve(match, joined.map(ObservedRequest::bytes).orElse(new byte[0]))
                            .onErrorResume(e -> {
                                joined.ifPresent(DataBufferUtils::release); // refused: never written
                                return Mono.error(e);
                            })
                            .then(Mono.defer(() -> joined.isEmpty() ? super.writeWith(Mono.empty())
                                    : super.writeWith(Mono.just(rewrite ? withStreamUsage(joined.get())
                                            : shown(joined.get()))))));
        }
        if (rewrite) {
            return DataBufferUtils.join(body)
                    .map(this::withStreamUsage)
                    .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                    .flatMap(joined -> super.writeWith(Mono.just(joined)))
                    .switchIfEmpty(Mono.defer(() -> super.writeWith(Mono.empty())));
        }
        if (body instanceof Mono<? extends DataBuffer> one) {
            return super.writeWith(ShownWhole.of(one, call));
        }
        return super.writeWith(Flux.from(body).doOnNext(this::show));
    }

    /** A request sent without a body: with budgets, the estimate of an empty body is reserved first. */
    @Override
    public Mono<Void> setComplete() {
        HttpBudgetCall b = budget;
        return b == null ? super.setComplete() : b.reserve(match, new byte[0]).then(Mono.defer(super::setComplete));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return super.writeAndFlushWith(Flux.from(body).map(part -> Flux.from(part).doOnNext(this::show)));
    }

    private void show(DataBuffer buffer) {
        ObservedBody.show(buffer, call, ObservedBody.Part.REQUEST);
    }

    private DataBuffer shown(DataBuffer buffer) {
        ObservedBody.show(buffer, call, ObservedBody.Part.WHOLE_REQUEST); // a joined body: all of it
        return buffer;
    }

    private static byte[] bytes(DataBuffer buffer) {
        byte[] bytes = new byte[buffer.readableByteCount()];
        buffer.toByteBuffer(buffer.readPosition(), java.nio.ByteBuffer.wrap(bytes), 0, bytes.length);
        return bytes;
    }

    /**
     * The joined body, or a new one with the include-usage option added (the joined one released). Runs before
     * the delegate commits, so the corrected Content-Length is the one sent.
     */
    private DataBuffer withStreamUsage(DataBuffer joined) {
        byte[] bytes = new byte[joined.readableByteCount()];
        joined.toByteBuffer(joined.readPosition(), java.nio.ByteBuffer.wrap(bytes), 0, bytes.length);
        byte[] out = call.withStreamUsage(bytes);
        if (out == bytes) {
            return joined;
        }
        DataBuffer replaced = bufferFactory().wrap(out);
        DataBufferUtils.release(joined);
        if (getHeaders().getContentLength() >= 0) {
            getHeaders().setContentLength(out.length);
        }
        return replaced;
    }

    /**
     * A body sent as one buffer (a {@code Mono}), shown whole to the call as it passes: one operator and its
     * subscriber, where {@code doOnNext} would add a lambda and a peek with every hook. The buffer, signals,
     * demand and thread are the writer's.
     */
    private static final class ShownWhole extends MonoOperator<DataBuffer, DataBuffer> {

        private final HttpCallObserver call;

        @SuppressWarnings("unchecked") // a Mono of a subtype of DataBuffer emits DataBuffers
        private ShownWhole(Mono<? extends DataBuffer> body, HttpCallObserver call) {
            super((Mono<DataBuffer>) body);
            this.call = call;
        }

        /** The body shown as it passes (through Reactor's assembly hooks, as {@code doOnNext} would be). */
        static Mono<DataBuffer> of(Mono<? extends DataBuffer> body, HttpCallObserver call) {
            return onAssembly(new ShownWhole(body, call));
        }

        @Override
        public void subscribe(CoreSubscriber<? super DataBuffer> actual) {
            source.subscribe(new Shower(actual, call));
        }
    }

    /** Shows the buffer, then passes it on; every other signal passes as it came. */
    private static final class Shower extends ForwardingSubscriber<DataBuffer> {

        private final HttpCallObserver call;

        Shower(CoreSubscriber<? super DataBuffer> actual, HttpCallObserver call) {
            super(actual);
            this.call = call;
        }

        @Override
        public void onNext(DataBuffer buffer) {
            ObservedBody.show(buffer, call, ObservedBody.Part.WHOLE_REQUEST); // never throws
            actual.onNext(buffer);
        }
    }
}
