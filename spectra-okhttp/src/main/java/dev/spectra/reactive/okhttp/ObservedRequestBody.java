package dev.spectra.reactive.okhttp;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.spectra.reactive.internal.http.HttpCallObserver;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.Buffer;
import okio.BufferedSink;
import okio.ForwardingSink;
import okio.Okio;
import org.jspecify.annotations.Nullable;

/**
 * A request body that shows its bytes to the {@link HttpCallObserver} as the delegate writes them, and passes
 * them on unchanged. Used for bodies that cannot be read ahead (one-shot, duplex, or of unknown or large size):
 * only the first write is shown (OkHttp writes a body again on a retried connection; the bytes are the same).
 */
final class ObservedRequestBody extends RequestBody {

    private final RequestBody delegate;
    private final HttpCallObserver call;
    private final AtomicBoolean shown = new AtomicBoolean();

    ObservedRequestBody(RequestBody delegate, HttpCallObserver call) {
        this.delegate = delegate;
        this.call = call;
    }

    @Override
    public @Nullable MediaType contentType() {
        return delegate.contentType();
    }

    @Override
    public long contentLength() throws IOException {
        return delegate.contentLength();
    }

    @Override
    public boolean isOneShot() {
        return delegate.isOneShot();
    }

    @Override
    public boolean isDuplex() {
        return delegate.isDuplex();
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        if (!shown.compareAndSet(false, true)) {
            delegate.writeTo(sink);
            return;
        }
        BufferedSink observed = Okio.buffer(new ForwardingSink(sink) {
            @Override
            public void write(Buffer source, long byteCount) throws IOException {
                try {
                    Bytes.show(source, 0, byteCount, call::requestBody);
                } catch (Throwable e) {
                    call.internalError("reading a request body", e);
                }
                super.write(source, byteCount);
            }
        });
        delegate.writeTo(observed);
        observed.emit(); // what the delegate wrote reaches the connection's sink; the sink itself stays open
    }
}
