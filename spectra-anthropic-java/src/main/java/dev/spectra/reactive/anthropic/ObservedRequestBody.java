package dev.spectra.reactive.anthropic;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

import com.anthropic.core.http.HttpRequestBody;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import org.jspecify.annotations.Nullable;

/**
 * A request body shown to the {@link HttpCallObserver} as the delegate writes it, passed on unchanged. For bodies
 * that are not read ahead (not repeatable, or of unknown or large size): only the first write is shown.
 */
final class ObservedRequestBody implements HttpRequestBody {

    private final HttpRequestBody delegate;
    private final HttpCallObserver call;
    private final AtomicBoolean shown = new AtomicBoolean();

    ObservedRequestBody(HttpRequestBody delegate, HttpCallObserver call) {
        this.delegate = delegate;
        this.call = call;
    }

    @Override
    public void writeTo(OutputStream out) {
        if (!shown.compareAndSet(false, true)) {
            delegate.writeTo(out);
            return;
        }
        delegate.writeTo(new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                call.requestBody(ByteBuffer.wrap(b, off, len).asReadOnlyBuffer());
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // the connection's stream is the SDK's to close
            }
        });
    }

    @Override
    public @Nullable String contentType() {
        return delegate.contentType();
    }

    @Override
    public long contentLength() {
        return delegate.contentLength();
    }

    @Override
    public boolean repeatable() {
        return delegate.repeatable();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
