package dev.spectra.reactive.webclient;

import dev.spectra.reactive.internal.http.HttpCallObserver;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequestDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The outgoing request as the body inserter writes it: each body buffer is shown to the {@link HttpCallObserver}
 * on its way to the connector (as views of its readable bytes) and passes on unchanged (same instance, same read
 * position; the connector releases it as before). A {@code Mono} body stays a {@code Mono}, so the connector's
 * single-buffer path is kept.
 *
 * <p>With {@link #rewrite} (the opt-in {@code includeStreamUsage}), the body is joined and sent as
 * {@link HttpCallObserver#withStreamUsage} gives it back (an OpenAI chat stream request that lacks
 * {@code stream_options.include_usage} gets it), with its {@code Content-Length} corrected.
 */
final class ObservedRequest extends ClientHttpRequestDecorator {

    private final HttpCallObserver call;
    private final boolean rewrite;

    ObservedRequest(ClientHttpRequest delegate, HttpCallObserver call, boolean rewrite) {
        super(delegate);
        this.call = call;
        this.rewrite = rewrite;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        if (rewrite) {
            return DataBufferUtils.join(body)
                    .map(this::withStreamUsage)
                    .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                    .flatMap(joined -> super.writeWith(Mono.just(joined)))
                    .switchIfEmpty(Mono.defer(() -> super.writeWith(Mono.empty())));
        }
        if (body instanceof Mono) {
            return super.writeWith(Mono.from(body).doOnNext(this::show));
        }
        return super.writeWith(Flux.from(body).doOnNext(this::show));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return super.writeAndFlushWith(Flux.from(body).map(part -> Flux.from(part).doOnNext(this::show)));
    }

    private void show(DataBuffer buffer) {
        ObservedBody.show(buffer, call, true);
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
}
