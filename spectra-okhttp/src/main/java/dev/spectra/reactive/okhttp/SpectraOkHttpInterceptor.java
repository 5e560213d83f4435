package dev.spectra.reactive.okhttp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.budget.BudgetExceededException;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.http.HttpBudgetCall;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import dev.spectra.reactive.internal.http.HttpCapture;
import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.ProviderRegistry;
import okhttp3.Call;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * Records every AI provider call made through an {@code OkHttpClient}, streams included. Add it as an application
 * interceptor:
 *
 * <pre>{@code
 * // the official OpenAI Java SDK (com.openai:openai-java)
 * OpenAIClient openAi = OpenAIOkHttpClient.builder()
 *         .fromEnv()
 *         .addInterceptor(SpectraOkHttpInterceptor.create())
 *         .build();
 *
 * // Spring AI 2.0 (OpenAI and Anthropic models): a bean per starter
 * @Bean OpenAiHttpClientBuilderCustomizer spectraOpenAi() {
 *     return builder -> builder.interceptor(SpectraOkHttpInterceptor.create());
 * }
 * @Bean AnthropicHttpClientBuilderCustomizer spectraAnthropic() {
 *     return builder -> builder.interceptor(SpectraOkHttpInterceptor.create());
 * }
 *
 * // any OkHttpClient
 * OkHttpClient client = new OkHttpClient.Builder().addInterceptor(SpectraOkHttpInterceptor.create()).build();
 * }</pre>
 *
 * <p>It is the same capture as the WebClient filter's ({@code SpectraExchangeFilter}), with the same settings,
 * bounds and guarantees: the same bytes give the same record.
 *
 * <p><b>Which calls.</b> A request is tracked when the provider registry recognises its host and path as a
 * trackable endpoint; anything else goes on untouched after one registry look-up. Point a client at a gateway or
 * a local server with {@link Builder#host}.
 *
 * <p><b>What is read.</b> The requested model and the stream flag from the request body (a body of known length
 * up to 64 KiB is read ahead once, from the body itself, and sent as it is; any other body is observed as it is
 * written); the answered model, usage, response id, finish reason and tool calls from the response body as the
 * caller reads it. A JSON answer is copied as it passes within {@link Builder#maxResponseBytes}; a stream
 * ({@code text/event-stream}, NDJSON) is read event by event in constant memory, with the chunk count and the time
 * to first token (from the interceptor's start to the read that completes the first event).
 *
 * <p><b>One record per call</b>, on the first of: the body is read to its end or to its {@code Content-Length}
 * (success, or failure for HTTP 4xx/5xx and error events), reading it fails, it is closed before its end, or it
 * is never closed. A body closed before its end is complete when the whole answer had arrived (the SDKs stop
 * reading at a stream's {@code [DONE]} or {@code message_stop}, and at the end of a JSON value), else
 * {@code cancelled} with the usage that arrived (so is a read that fails because the body is being closed, or the
 * call was cancelled, from another thread: an SDK cancelling a stream; a call that passes its {@code callTimeout}
 * is a failure); a body of which not a byte was read (the
 * answer to an asynchronous call whose future was cancelled, which the SDK drops) is {@code cancelled}, unless its
 * status is an error (a retrying client closes a 503 unread: a failure). A body dropped without being closed (an
 * abandoned asynchronous call) is recorded the same way when the garbage collector finds it. A failure before any
 * response is a failure without status ({@code cancelled} when its caller cancelled it; a call that passes its
 * {@code callTimeout} is a failure). Each attempt of a retrying client passes here and is one record.
 *
 * <p><b>Whose call.</b> OkHttp runs interceptors outside Reactor. The metadata, tags, trace id, trackable and
 * tracker of a record are those the calling thread carries ({@link Spectra#threadContext()}): an open
 * {@link SpectraScope}, or the Reactor Context of the subscription that made a blocking call, moved onto the
 * thread by Micrometer context-propagation ({@code Hooks.enableAutomaticContextPropagation()}). Asynchronous
 * calls run the interceptor on the SDK's and OkHttp's own threads, which carry nothing: a request with the
 * {@link CarriedContext#HEADER} header is recorded with the Context the header stands for instead (the header is
 * removed before the request is sent).
 *
 * <p><b>What is never done.</b> The caller's bytes are never changed (except with the opt-in
 * {@link Builder#includeStreamUsage}), held past the call or consumed on the caller's behalf; tracking failures
 * are counted and logged, never thrown to the caller. No header is read, so {@code Authorization},
 * {@code x-api-key} and other credentials never reach a record, and the endpoint is stored without its query.
 *
 * <p><b>Budgets</b> ({@link Builder#budgets}): before {@code chain.proceed}, the request body is written to a buffer,
 * the call's estimate read from it (model, {@code max_tokens}, the size of its text) and reserved against every
 * matching budget, and the buffered bytes are then sent. A call a hard budget refuses is never sent: the call fails
 * with an {@link IOException} whose cause is the {@link BudgetExceededException} (OkHttp's interceptors fail with
 * {@code IOException}, which an asynchronous call hands to its callback's {@code onFailure}), and is recorded as a
 * failure with no usage. The recorded cost settles the reservation. A streamed answer is priced event by event
 * as it is read and, when a hard budget refuses more, cut off: the bytes holding the event that would cross the
 * limit are dropped, the body closed, the read fails the same way, and the record is {@code cancelled} with its usage
 * estimated. The reservation blocks the calling thread (as every OkHttp interceptor does) for one round trip to the
 * budget store.
 *
 * <p>Immutable and thread-safe: one instance serves any number of clients and concurrent calls.
 *
 * @since 0.1
 */
public final class SpectraOkHttpInterceptor implements Interceptor {

    private final HttpCapture capture;
    private final @Nullable SpectraBudgets budgets;

    private SpectraOkHttpInterceptor(HttpCapture capture, @Nullable SpectraBudgets budgets) {
        this.capture = capture;
        this.budgets = budgets;
    }

    /**
     * An interceptor with the defaults: the global tracker (or one the calling thread carries), the built-in
     * providers, no payload capture, requests sent as written.
     *
     * @return the interceptor
     */
    public static SpectraOkHttpInterceptor create() {
        return builder().build();
    }

    /**
     * An interceptor recording into this tracker, whatever the calling thread carries; its registry recognises
     * the calls. The form a Spring configuration uses: {@code b -> b.interceptor(SpectraOkHttpInterceptor.of(t))}.
     *
     * @param tracker the tracker
     * @return the interceptor
     */
    public static SpectraOkHttpInterceptor of(SpectraTracker tracker) {
        return builder().tracker(tracker).build();
    }

    /**
     * @return a builder with the defaults of {@link #create()}
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        long started = System.nanoTime(); // as near as this interceptor gets to where the call's timeout starts
        Request request = chain.request();
        String carried = request.header(CarriedContext.HEADER);
        ContextView context = null;
        if (carried != null) {
            request = request.newBuilder().removeHeader(CarriedContext.HEADER).build(); // never sent
            context = CarriedContext.lookUp(carried);
        }
        EndpointMatch match = capture.match(request.method(), request.url().uri());
        if (match == null) {
            return chain.proceed(request);
        }
        return intercept(chain, request, match, context != null ? context : Spectra.threadContext(), started);
    }

    private Response intercept(Chain chain, Request request, EndpointMatch match, ContextView context, long started)
            throws IOException {
        HttpBudgetCall budget = budgets == null ? null : HttpBudgetCall.start(budgets, context);
        HttpCallObserver call = capture.start(match, budget == null ? context : budget.context());
        if (call == null) {
            return chain.proceed(request);
        }
        Request sent;
        try {
            sent = budget == null ? observed(request, call, capture.rewritesStreamUsage(match))
                    : budgeted(request, call, capture.rewritesStreamUsage(match), match, budget);
        } catch (BudgetRefusedIOException refused) {
            call.exchangeFailed(refused.refusal);
            throw refused;
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            call.internalError("starting to track a " + match.provider() + " call (it runs untracked)", e);
            call.exchangeFailed(e);
            return chain.proceed(request);
        }
        Response response;
        try {
            response = chain.proceed(sent);
        } catch (IOException | RuntimeException | Error e) {
            if (cancelledByCaller(chain.call(), started, e)) {
                call.exchangeCancelled();
            } else {
                call.exchangeFailed(e);
            }
            throw e;
        }
        return observe(response, call, chain.call(), started, budget);
    }

    /**
     * Whether a call that failed was cancelled by its caller: OkHttp's call was cancelled, and not by its own call
     * timeout ({@code callTimeout}, which cancels the call when it passes: that is a failure). A timed-out call's
     * reads fail with OkHttp's {@code InterruptedIOException("timeout")}; before the response the failure is not
     * yet wrapped, so the call's timeout is compared with the time since the call reached this interceptor. That
     * time starts a little after the timeout's (other interceptors may run first), so a cancel within the last
     * tenth of the timeout, or its last 50 ms, counts as the timeout.
     *
     * @param httpCall OkHttp's call
     * @param started {@link System#nanoTime()} when the call reached this interceptor
     * @param error how the call failed
     * @return true when the caller cancelled the call
     */
    static boolean cancelledByCaller(Call httpCall, long started, Throwable error) {
        if (!httpCall.isCanceled()) {
            return false;
        }
        if (error instanceof InterruptedIOException && "timeout".equals(error.getMessage())) {
            return false;
        }
        long timeout = httpCall.timeout().timeoutNanos();
        long slack = Math.max(TimeUnit.MILLISECONDS.toNanos(50), timeout / 10);
        return timeout == 0 || System.nanoTime() - started < timeout - slack;
    }

    /**
     * The request to send under budgets: its body written to a buffer, its estimate reserved (blocking this
     * thread, as OkHttp's interceptors do), then sent as buffered; nothing is sent when a hard budget refuses.
     */
    private static Request budgeted(Request request, HttpCallObserver call, boolean rewrite, EndpointMatch match,
                                    HttpBudgetCall budget) throws IOException {
        RequestBody body = request.body();
        byte[] bytes = new byte[0];
        if (body != null && !body.isDuplex()) {
            Buffer ahead = new Buffer();
            body.writeTo(ahead);
            bytes = ahead.readByteArray();
        }
        try {
            budget.reserve(match, bytes).block();
        } catch (BudgetExceededException e) {
            throw new BudgetRefusedIOException(e);
        }
        if (body == null || body.isDuplex()) {
            return body == null ? request
                    : request.newBuilder().method(request.method(), new ObservedRequestBody(body, call)).build();
        }
        byte[] out = rewrite ? call.withStreamUsage(bytes) : bytes;
        if (!rewrite) {
            call.wholeRequestBody(bytes);
        }
        return request.newBuilder().method(request.method(), RequestBody.create(out, body.contentType())).build();
    }

    /** A call refused by a hard budget: OkHttp's interceptors fail with an {@link IOException}. */
    private static final class BudgetRefusedIOException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient BudgetExceededException refusal;

        BudgetRefusedIOException(BudgetExceededException refusal) {
            super(refusal.getMessage(), refusal);
            this.refusal = refusal;
        }
    }

    /** The request to send: the same one, with a body that is shown to the observer (or rewritten, opt-in). */
    private static Request observed(Request request, HttpCallObserver call, boolean rewrite) throws IOException {
        RequestBody body = request.body();
        if (body == null) {
            return request;
        }
        if (body.isOneShot() || body.isDuplex()) {
            return request.newBuilder().method(request.method(), new ObservedRequestBody(body, call)).build();
        }
        long length = body.contentLength();
        if (rewrite || length >= 0 && length <= HttpCallObserver.REQUEST_COPY_BYTES) {
            Buffer ahead = new Buffer();
            body.writeTo(ahead); // a repeatable body: written again, as it is, to the connection
            byte[] bytes = ahead.readByteArray();
            if (!rewrite) {
                call.wholeRequestBody(bytes);
                return request;
            }
            byte[] out = call.withStreamUsage(bytes);
            return out == bytes ? request
                    : request.newBuilder().method(request.method(), RequestBody.create(out, body.contentType()))
                            .build();
        }
        return request.newBuilder().method(request.method(), new ObservedRequestBody(body, call)).build();
    }

    /** The response as the caller gets it: its body observed as it is read, everything else as it came. */
    private static Response observe(Response response, HttpCallObserver call, Call httpCall, long started,
                                    @Nullable HttpBudgetCall budget) {
        ResponseBody body = response.body();
        boolean observing;
        try {
            call.upstreamProvider(response.header(HttpCallObserver.UPSTREAM_PROVIDER_HEADER));
            observing = call.responseStarted(response.code(), response.header("Content-Type"),
                    body == null ? 0 : body.contentLength());
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            call.internalError("observing a response", e);
            call.responseCompleted();
            return response;
        }
        if (body == null) {
            call.responseCompleted();
            return response;
        }
        if (!observing) {
            return response;
        }
        try {
            return response.newBuilder().body(new ObservedResponseBody(body, call, httpCall, started, budget)).build();
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            call.internalError("observing a response", e);
            call.responseCompleted();
            return response;
        }
    }

    @Override
    public String toString() {
        return "SpectraOkHttpInterceptor{" + capture.settings() + (budgets == null ? "" : ", budgets=" + budgets) + '}';
    }

    /**
     * Builds a {@link SpectraOkHttpInterceptor}. The settings are those of the WebClient filter's builder, with the
     * same defaults and checks; setters check their argument; the interceptor is immutable.
     */
    public static final class Builder {
        private final HttpCapture.Builder capture = HttpCapture.builder();
        private @Nullable SpectraBudgets budgets;

        private Builder() {
        }

        /**
         * Enforces these budgets on every tracked call (default: none): the request body is buffered and its
         * estimate reserved before it is sent, a call a hard budget refuses fails without being sent, the recorded
         * cost settles the reservation, and a stream is cut off at a hard limit (see the class description). Calls
         * are enforced only while they are tracked.
         *
         * @param budgets the budgets
         * @return this builder
         */
        public Builder budgets(SpectraBudgets budgets) {
            this.budgets = java.util.Objects.requireNonNull(budgets, "budgets");
            return this;
        }

        /**
         * Records every call into this tracker, whatever the calling thread carries (default: the tracker the
         * thread carries, else the global one). Its provider registry also decides which calls are tracked, unless
         * {@link #providers} is set.
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
         * Adds a host serving a known provider's API (a gateway, a proxy, a local stand-in), e.g.
         * {@code host("openai", "llm-gateway.internal:8080")}.
         *
         * @param providerId a provider of the registry, e.g. {@code openai}, {@code anthropic}
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
         * into the record's metadata ({@code request_body}, {@code response_body}), credentials scrubbed. Off by
         * default: prompts and answers may hold personal data.
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
         * Adds {@code "stream_options":{"include_usage":true}} to OpenAI and Azure OpenAI chat stream requests
         * that do not say {@code stream_options} themselves, so that their streams end with a usage chunk. Off by
         * default: it changes what is sent.
         *
         * @param enabled whether to add the option
         * @return this builder
         */
        public Builder includeStreamUsage(boolean enabled) {
            capture.includeStreamUsage(enabled);
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
         * bound shared by every filter and interceptor built without this setting).
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
        public SpectraOkHttpInterceptor build() {
            return new SpectraOkHttpInterceptor(capture.build(), budgets);
        }
    }
}
