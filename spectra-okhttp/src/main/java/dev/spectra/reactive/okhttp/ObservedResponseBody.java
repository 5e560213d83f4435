package dev.spectra.reactive.okhttp;

import java.io.IOException;
import java.lang.ref.Cleaner;

import dev.spectra.reactive.internal.http.HttpCallObserver;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.jspecify.annotations.Nullable;

/**
 * A response body that shows each read to its {@link HttpCallObserver} as the caller makes it (views of the bytes
 * just read into the caller's buffer, never copied) and tells it how the body ended: read to its end or to its
 * {@code Content-Length} ({@link HttpCallObserver#responseCompleted}), failed
 * ({@link HttpCallObserver#responseFailed}), closed before its end ({@link HttpCallObserver#responseClosed}), or
 * never closed at all: a body that becomes unreachable without being closed (an abandoned async call) is told
 * {@code responseClosed} by a {@link Cleaner}, so that no call goes unrecorded.
 */
final class ObservedResponseBody extends ResponseBody {

    private static final Cleaner CLEANER = Cleaner.create();

    private final ResponseBody delegate;
    private final HttpCallObserver call;
    private final Cleaner.Cleanable abandoned;
    private @Nullable BufferedSource source;

    ObservedResponseBody(ResponseBody delegate, HttpCallObserver call) {
        this.delegate = delegate;
        this.call = call;
        HttpCallObserver observer = call; // the action must not reach this body
        this.abandoned = CLEANER.register(this, observer::responseClosed);
    }

    @Override
    public @Nullable MediaType contentType() {
        return delegate.contentType();
    }

    @Override
    public long contentLength() {
        return delegate.contentLength();
    }

    @Override
    public synchronized BufferedSource source() {
        BufferedSource s = source;
        if (s == null) {
            s = Okio.buffer(new Observer(delegate.source()));
            source = s;
        }
        return s;
    }

    /** The delegate's source, with every read shown and the end told. */
    private final class Observer extends ForwardingSource {
        private final long length = delegate.contentLength();
        private long read;
        private boolean ended;

        Observer(okio.Source delegate) {
            super(delegate);
        }

        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
            long n;
            try {
                n = super.read(sink, byteCount);
            } catch (IOException | RuntimeException e) {
                if (!ended) {
                    call.responseFailed(e);
                    ended();
                }
                throw e;
            }
            if (n == -1) {
                if (!ended) {
                    call.responseCompleted();
                    ended();
                }
            } else if (n > 0) {
                try {
                    Bytes.show(sink, sink.size() - n, n, call::responseBody);
                } catch (Throwable e) {
                    call.internalError("reading a response body", e);
                }
                read += n;
                if (length >= 0 && read >= length && !ended) { // complete, whether or not EOF is read
                    call.responseCompleted();
                    ended();
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                if (!ended) {
                    call.responseClosed();
                    ended();
                }
            }
        }

        /** After the call was told how the body ended: the cleaner's action then does nothing, and is dropped. */
        private void ended() {
            ended = true;
            abandoned.clean();
        }
    }
}
