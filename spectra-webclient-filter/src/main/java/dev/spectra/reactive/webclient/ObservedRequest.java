package dev.spectra.reactive.webclient;

import java.nio.charset.StandardCharsets;

import dev.spectra.reactive.provider.RequestDetails;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequestDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The outgoing request as the body inserter writes it: each body buffer is shown to the {@link Exchange} on its
 * way to the connector and passes on unchanged (same instance, same read position; the connector releases it as
 * before). A {@code Mono} body stays a {@code Mono}, so the connector's single-buffer path is kept.
 *
 * <p>With {@link #rewrite} (the opt-in {@code includeStreamUsage}), an OpenAI chat stream request that lacks
 * {@code stream_options.include_usage} is joined, given {@code "stream_options":{"include_usage":true}} right
 * after its opening brace (every other byte as written), and sent with its {@code Content-Length} corrected.
 */
final class ObservedRequest extends ClientHttpRequestDecorator {

    private static final byte[] STREAM_OPTIONS = "\"stream_options\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INCLUDE_USAGE = "\"stream_options\":{\"include_usage\":true}"
            .getBytes(StandardCharsets.US_ASCII);

    private final Exchange exchange;
    private final boolean rewrite;

    ObservedRequest(ClientHttpRequest delegate, Exchange exchange, boolean rewrite) {
        super(delegate);
        this.exchange = exchange;
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
            return super.writeWith(Mono.from(body).doOnNext(exchange::onRequestBuffer));
        }
        return super.writeWith(Flux.from(body).doOnNext(exchange::onRequestBuffer));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return super.writeAndFlushWith(Flux.from(body).map(part -> Flux.from(part).doOnNext(exchange::onRequestBuffer)));
    }

    /**
     * The joined body, or a new one with the include-usage option added (the joined one released). Runs before
     * the delegate commits, so the corrected Content-Length is the one sent.
     */
    private DataBuffer withStreamUsage(DataBuffer joined) {
        byte[] bytes = new byte[joined.readableByteCount()];
        joined.toByteBuffer(joined.readPosition(), java.nio.ByteBuffer.wrap(bytes), 0, bytes.length);
        byte[] out = null;
        try {
            RequestDetails d = exchange.match().readRequest(bytes, 0, bytes.length);
            if (d.stream() && d.includeUsage() == null && indexOf(bytes, STREAM_OPTIONS) < 0) {
                out = insertAfterBrace(bytes);
            }
        } catch (RuntimeException e) {
            out = null; // leave the body as written
        }
        if (out == null) {
            exchange.onRequestBytes(bytes);
            return joined;
        }
        exchange.onRequestBytes(out);
        DataBuffer replaced = bufferFactory().wrap(out);
        DataBufferUtils.release(joined);
        if (getHeaders().getContentLength() >= 0) {
            getHeaders().setContentLength(out.length);
        }
        return replaced;
    }

    /** {@code {...}} becomes <code>{"stream_options":{"include_usage":true},...}</code>; null when no object. */
    static byte[] insertAfterBrace(byte[] body) {
        int open = skipWs(body, 0);
        if (open >= body.length || body[open] != '{') {
            return null;
        }
        int next = skipWs(body, open + 1);
        boolean empty = next < body.length && body[next] == '}';
        int extra = INCLUDE_USAGE.length + (empty ? 0 : 1);
        byte[] out = new byte[body.length + extra];
        System.arraycopy(body, 0, out, 0, open + 1);
        System.arraycopy(INCLUDE_USAGE, 0, out, open + 1, INCLUDE_USAGE.length);
        int at = open + 1 + INCLUDE_USAGE.length;
        if (!empty) {
            out[at++] = ',';
        }
        System.arraycopy(body, open + 1, out, at, body.length - open - 1);
        return out;
    }

    private static int skipWs(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] b, byte[] what) {
        outer:
        for (int i = 0; i <= b.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
