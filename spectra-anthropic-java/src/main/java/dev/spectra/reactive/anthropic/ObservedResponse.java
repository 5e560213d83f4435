package dev.spectra.reactive.anthropic;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.List;

import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpResponse;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import org.jspecify.annotations.Nullable;

/**
 * A response whose body shows each read to its {@link HttpCallObserver} (the bytes just read into the caller's
 * array, never copied) and tells it how the body ended: read to its end, or to its {@code Content-Length}
 * ({@link HttpCallObserver#responseCompleted}: the SDK does not close error responses, nor always read past the
 * last byte), failed, closed before its end ({@link HttpCallObserver#responseClosed}), or never closed: a response
 * that becomes unreachable without any of these is told {@code responseClosed} by a {@link Cleaner}, so that no
 * call goes unrecorded.
 *
 * <p>A read that fails once the response or its body is being closed fails because of that close, and is told
 * {@code responseClosed}, not {@code responseFailed}: the SDK cancels a stream by closing its response from the
 * cancelling thread while its reader is blocked on the next bytes, and that read fails before the close returns.
 */
final class ObservedResponse implements HttpResponse {

    private static final Cleaner CLEANER = Cleaner.create();

    private final HttpResponse delegate;
    private final HttpCallObserver call;
    private final long contentLength;
    private final Cleaner.Cleanable abandoned;
    private @Nullable Body body;
    /** Set before the delegate or its body is closed: a read failing from then on fails because of the close. */
    private volatile boolean closing;

    ObservedResponse(HttpResponse delegate, HttpCallObserver call, long contentLength) {
        this.delegate = delegate;
        this.call = call;
        this.contentLength = contentLength;
        HttpCallObserver observer = call; // the action must not reach this response
        this.abandoned = CLEANER.register(this, observer::responseClosed);
    }

    /** The {@code Content-Length} a response states, or -1. */
    static long contentLength(Headers headers) {
        List<String> values = headers.values("Content-Length");
        if (values.size() != 1) {
            return -1;
        }
        try {
            return Long.parseLong(values.get(0).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The {@code Content-Type} a response states, or null. */
    static @Nullable String contentType(Headers headers) {
        List<String> values = headers.values("Content-Type");
        return values.isEmpty() ? null : values.get(0);
    }

    @Override
    public int statusCode() {
        return delegate.statusCode();
    }

    @Override
    public Headers headers() {
        return delegate.headers();
    }

    @Override
    public synchronized InputStream body() {
        Body b = body;
        if (b == null) {
            b = new Body(delegate.body());
            body = b;
        }
        return b;
    }

    @Override
    public void close() {
        closing = true;
        try {
            delegate.close();
        } finally {
            abandoned.clean(); // responseClosed: nothing when the body had already ended
        }
    }

    /** The body as the SDK reads it. */
    private final class Body extends InputStream {
        private final InputStream in;
        private long read;
        private volatile boolean ended;

        Body(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                end(closing ? call::responseClosed : () -> call.responseFailed(e));
                throw e;
            }
            if (n == -1) {
                end(call::responseCompleted);
            } else if (n > 0) {
                call.responseBody(ByteBuffer.wrap(b, off, n).asReadOnlyBuffer());
                read += n;
                if (contentLength >= 0 && read >= contentLength) {
                    end(call::responseCompleted);
                }
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            closing = true;
            try {
                in.close();
            } finally {
                end(call::responseClosed);
            }
        }

        private void end(Runnable signal) {
            if (!ended) {
                ended = true;
                signal.run();
                abandoned.clean(); // the observer already ended: the cleaner's responseClosed does nothing
            }
        }
    }
}
