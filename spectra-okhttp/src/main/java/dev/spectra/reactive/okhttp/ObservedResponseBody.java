package dev.spectra.reactive.okhttp;

import java.io.IOException;
import java.lang.ref.Cleaner;

import dev.spectra.reactive.budget.BudgetExceededException;
import dev.spectra.reactive.internal.http.HttpBudgetCall;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import okhttp3.Call;
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
 *
 * <p>A read that fails because the caller ended the call is the caller's close, not a failure of the provider: the
 * SDKs close a stream's body from the thread that cancels it while another thread is blocked reading it, and that
 * read then fails ({@code closed}, {@code Socket closed}, {@code Canceled}) before the close returns. So a read
 * that fails once the body's close has begun, or once the HTTP call was cancelled (not by its own call timeout), is
 * told {@code responseClosed}.
 *
 * <p>With budgets, each read is made into a buffer of its own and priced before it is moved (not copied) into the
 * caller's: when a hard budget cuts the stream off, the bytes holding the event that would cross the limit are
 * dropped, the body is closed (the call is recorded {@code cancelled}) and the read fails with an
 * {@link IOException} whose cause is the {@link BudgetExceededException}.
 */
final class ObservedResponseBody extends ResponseBody {

    private static final Cleaner CLEANER = Cleaner.create();

    private final ResponseBody delegate;
    private final HttpCallObserver call;
    private final Call httpCall;
    private final long started;
    private final @Nullable HttpBudgetCall budget;
    private final Cleaner.Cleanable abandoned;
    private @Nullable BufferedSource source;

    /**
     * @param delegate the body as it came
     * @param call the call it answers
     * @param httpCall OkHttp's call, asked whether it was cancelled when a read fails
     * @param started {@link System#nanoTime()} when the call reached the interceptor
     * @param budget the budget hold, or null
     */
    ObservedResponseBody(ResponseBody delegate, HttpCallObserver call, Call httpCall, long started,
                         @Nullable HttpBudgetCall budget) {
        this.delegate = delegate;
        this.call = call;
        this.httpCall = httpCall;
        this.started = started;
        this.budget = budget;
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
        private volatile boolean ended;
        /** Set before the delegate is closed: a read failing from then on fails because of the close. */
        private volatile boolean closing;

        Observer(okio.Source delegate) {
            super(delegate);
        }

        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
            HttpBudgetCall b = budget;
            if (b == null || ended) {
                return observedRead(sink, byteCount);
            }
            Buffer priced = new Buffer();
            long n = observedRead(priced, byteCount);
            if (n > 0) {
                BudgetExceededException[] refusal = new BudgetExceededException[1];
                Bytes.show(priced, 0, n, piece -> {
                    if (refusal[0] == null) {
                        refusal[0] = b.responseBody(piece);
                    }
                });
                if (refusal[0] != null) {
                    priced.clear();
                    ended = true; // recorded as cancelled, not as closed or complete
                    try {
                        super.close();
                    } finally {
                        call.responseCancelled();
                        abandoned.clean();
                    }
                    throw new IOException(refusal[0].getMessage(), refusal[0]);
                }
                sink.write(priced, n);
            }
            return n;
        }

        private long observedRead(Buffer sink, long byteCount) throws IOException {
            long n;
            try {
                n = super.read(sink, byteCount);
            } catch (IOException | RuntimeException e) {
                if (!ended) {
                    if (closing || SpectraOkHttpInterceptor.cancelledByCaller(httpCall, started, e)) {
                        call.responseClosed();
                    } else {
                        call.responseFailed(e);
                    }
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
                    if (!closing) { // a close on another thread clears the caller's buffer under this read
                        call.internalError("reading a response body", e);
                    }
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
            closing = true;
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
