package dev.spectra.reactive.anthropic;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpRequestBody;
import com.anthropic.core.http.HttpResponse;
import com.anthropic.core.http.Interceptor;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import dev.spectra.reactive.internal.http.HttpCapture;
import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.ProviderRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Records every call of the official Anthropic Java SDK ({@code com.anthropic:anthropic-java} 3.x), streams
 * included. The SDK takes interceptors of its own type:
 *
 * <pre>{@code
 * AnthropicClient anthropic = AnthropicOkHttpClient.builder()
 *         .fromEnv()
 *         .addInterceptor(SpectraAnthropicInterceptor.create())
 *         .build();
 * }</pre>
 *
 * <p>It is the same capture as the WebClient filter's and the OkHttp interceptor's, with the same settings,
 * bounds and guarantees: the same bytes give the same record. (Spring AI 2.0's Anthropic model uses an older SDK
 * core without this hook, over OkHttp: record it with {@code SpectraOkHttpInterceptor}.)
 *
 * <p><b>One record per call</b> (each retry of the SDK is one), on the first of: the body is read to its end or
 * to its {@code Content-Length} (success, or failure for HTTP 4xx/5xx and error events), reading it fails, it is
 * closed before its end (complete when the whole answer had arrived: the SDK stops reading a stream at
 * {@code message_stop}; else {@code cancelled} with the usage that arrived, and so is a read that fails because
 * another thread is closing the response: the SDK cancelling a stream), or it is never closed (found by the
 * garbage collector, then recorded the same way). A failure before any response is a failure without status;
 * a cancelled asynchronous call is {@code cancelled}.
 *
 * <p><b>Whose call.</b> The metadata, tags, trace id, trackable and tracker of a record are those the thread
 * that makes the call carries ({@link Spectra#threadContext()}: an open {@link SpectraScope}, or a Reactor
 * Context moved onto the thread by Micrometer context-propagation). The SDK makes an asynchronous call on its
 * completion executor: give it one that carries the caller's, and asynchronous calls are recorded with the
 * metadata of the thread that starts them:
 *
 * <pre>{@code
 * AnthropicOkHttpClient.builder()
 *         .addInterceptor(SpectraAnthropicInterceptor.create())
 *         .completionExecutor(Spectra.withThreadContext(Executors.newCachedThreadPool()))
 *         ...
 * }</pre>
 *
 * <p><b>What is never done.</b> The request and response bytes are never changed, held past the call or
 * consumed on the SDK's behalf; tracking failures are counted and logged, never thrown to the caller. No header
 * is read: the API key the SDK sends ({@code Authorization: Bearer}, {@code x-api-key}) never reaches a record.
 *
 * <p>Immutable and thread-safe: one instance serves any number of clients and concurrent calls.
 *
 * @since 0.1
 */
public final class SpectraAnthropicInterceptor implements Interceptor {

    private final HttpCapture capture;

    private SpectraAnthropicInterceptor(HttpCapture capture) {
        this.capture = capture;
    }

    /**
     * An interceptor with the defaults: the global tracker (or one the calling thread carries), the built-in
     * providers, no payload capture.
     *
     * @return the interceptor
     */
    public static SpectraAnthropicInterceptor create() {
        return builder().build();
    }

    /**
     * An interceptor recording into this tracker, whatever the calling thread carries.
     *
     * @param tracker the tracker
     * @return the interceptor
     */
    public static SpectraAnthropicInterceptor of(SpectraTracker tracker) {
        return builder().tracker(tracker).build();
    }

    /**
     * @return a builder with the defaults of {@link #create()}
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public HttpClient intercept(HttpClient delegate) {
        return new Observing(delegate);
    }

    @Override
    public String toString() {
        return "SpectraAnthropicInterceptor{" + capture.settings() + '}';
    }

    /** The SDK's HTTP client with each tracked call observed. */
    private final class Observing implements HttpClient {
        private final HttpClient delegate;

        Observing(HttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public HttpResponse execute(HttpRequest request, RequestOptions options) {
            HttpCallObserver call = start(request);
            if (call == null) {
                return delegate.execute(request, options);
            }
            HttpResponse response;
            try {
                response = delegate.execute(observed(request, call), options);
            } catch (RuntimeException | Error e) {
                call.exchangeFailed(e);
                throw e;
            }
            return observe(response, call);
        }

        @Override
        public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
            HttpCallObserver call = start(request); // on the caller's thread: its metadata, its start time
            if (call == null) {
                return delegate.executeAsync(request, options);
            }
            CompletableFuture<HttpResponse> sent;
            try {
                sent = delegate.executeAsync(observed(request, call), options);
            } catch (RuntimeException | Error e) {
                call.exchangeFailed(e);
                throw e;
            }
            CompletableFuture<HttpResponse> out = new CompletableFuture<>();
            sent.whenComplete((response, error) -> {
                if (error != null) {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof CancellationException) {
                        call.exchangeCancelled();
                    } else {
                        call.exchangeFailed(cause);
                    }
                    out.completeExceptionally(error);
                    return;
                }
                HttpResponse observed = observe(response, call);
                if (!out.complete(observed)) {
                    observed.close(); // the caller gave up on it: nothing left open, recorded as cancelled
                }
            });
            out.whenComplete((response, error) -> {
                if (out.isCancelled()) {
                    sent.cancel(true);
                    call.exchangeCancelled();
                }
            });
            return out;
        }

        @Override
        public void close() {
            delegate.close();
        }

        private @Nullable HttpCallObserver start(HttpRequest request) {
            URI url;
            try {
                url = URI.create(request.url());
            } catch (RuntimeException e) {
                capture.trackingFailed(null, "reading the URL of a " + request.method() + " request (it runs "
                        + "untracked)", e);
                return null;
            }
            EndpointMatch match = capture.match(request.method().name(), url);
            return match == null ? null : capture.start(match, Spectra.threadContext());
        }
    }

    /** The request to send: the same one, its body shown to the observer (read ahead when small). */
    private static HttpRequest observed(HttpRequest request, HttpCallObserver call) {
        try {
            Optional<HttpRequestBody> maybe = request.body();
            if (maybe.isEmpty()) {
                return request;
            }
            HttpRequestBody body = maybe.get();
            long length = body.contentLength();
            if (body.repeatable() && length >= 0 && length <= HttpCallObserver.REQUEST_COPY_BYTES) {
                ByteArrayOutputStream ahead = new ByteArrayOutputStream((int) length);
                body.writeTo(ahead); // a repeatable body: written again, as it is, to the connection
                call.wholeRequestBody(ahead.toByteArray());
                return request;
            }
            return request.toBuilder().body(new ObservedRequestBody(body, call)).build();
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            call.internalError("reading a request body", e);
            return request;
        }
    }

    /** The response as the SDK gets it: its body observed as it is read, everything else as it came. */
    private static HttpResponse observe(HttpResponse response, HttpCallObserver call) {
        try {
            long length = ObservedResponse.contentLength(response.headers());
            if (!call.responseStarted(response.statusCode(), ObservedResponse.contentType(response.headers()),
                    length)) {
                return response;
            }
            return new ObservedResponse(response, call, length);
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            call.internalError("observing a response", e);
            call.responseCompleted();
            return response;
        }
    }

    /**
     * Builds a {@link SpectraAnthropicInterceptor}. The settings are those of the WebClient filter's builder, with
     * the same defaults and checks; setters check their argument; the interceptor is immutable.
     */
    public static final class Builder {
        private final HttpCapture.Builder capture = HttpCapture.builder();

        private Builder() {
        }

        /**
         * Records every call into this tracker, whatever the calling thread carries (default: the tracker the
         * thread carries, else the global one).
         *
         * @param tracker the tracker
         * @return this builder
         */
        public Builder tracker(SpectraTracker tracker) {
            capture.tracker(tracker);
            return this;
        }

        /**
         * Recognises calls with this registry (default: the tracker's).
         *
         * @param registry the providers, hosts and endpoints
         * @return this builder
         */
        public Builder providers(ProviderRegistry registry) {
            capture.providers(registry);
            return this;
        }

        /**
         * Adds a host serving Anthropic's API (a gateway, a proxy, a local stand-in), e.g.
         * {@code host("anthropic", "llm-gateway.internal:8080")}.
         *
         * @param providerId a provider of the registry, e.g. {@code anthropic}
         * @param hostPattern {@code host}, {@code host:port}, or {@code *.suffix}
         * @return this builder
         * @throws IllegalArgumentException at {@link #build()} when the registry has no such provider
         */
        public Builder host(String providerId, String hostPattern) {
            capture.host(providerId, hostPattern);
            return this;
        }

        /**
         * Captures the first {@value HttpCapture#DEFAULT_CAPTURE_BYTES} bytes of each request and response body
         * into the record's metadata, credentials scrubbed. Off by default.
         *
         * @return this builder
         */
        public Builder capturePayloads() {
            return capturePayloads(HttpCapture.DEFAULT_CAPTURE_BYTES);
        }

        /**
         * Captures the first bytes of each request and response body; see {@link #capturePayloads()}.
         *
         * @param maxBytes bound on each payload, 1 .. {@value HttpCapture#MAX_CAPTURE_BYTES}
         * @return this builder
         */
        public Builder capturePayloads(int maxBytes) {
            capture.capturePayloads(maxBytes);
            return this;
        }

        /**
         * Bound on the bytes held to read one JSON response (a longer one is pruned as it passes).
         *
         * @param bytes at least 1024 (default {@value HttpCapture#DEFAULT_MAX_RESPONSE_BYTES})
         * @return this builder
         */
        public Builder maxResponseBytes(int bytes) {
            capture.maxResponseBytes(bytes);
            return this;
        }

        /**
         * Bound on the bytes this interceptor holds at once across its calls in flight (default: the process-wide
         * bound).
         *
         * @param bytes at least 65536
         * @return this builder
         */
        public Builder maxHeldBytes(long bytes) {
            capture.maxHeldBytes(bytes);
            return this;
        }

        /**
         * @return the interceptor
         * @throws IllegalArgumentException when a {@link #host} names a provider the registry does not know
         */
        public SpectraAnthropicInterceptor build() {
            return new SpectraAnthropicInterceptor(capture.build());
        }
    }
}
