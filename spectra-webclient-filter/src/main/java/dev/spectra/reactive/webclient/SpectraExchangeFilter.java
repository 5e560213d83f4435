package dev.spectra.reactive.webclient;

import java.util.Map;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.budget.BudgetExceededException;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.internal.http.ByteBudget;
import dev.spectra.reactive.internal.http.HttpBudgetCall;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import dev.spectra.reactive.internal.http.HttpCapture;
import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.ProviderRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Records every AI provider call made through a {@code WebClient}, streams included:
 *
 * <pre>{@code
 * WebClient client = WebClient.builder().filter(SpectraExchangeFilter.create()).build();
 * }</pre>
 *
 * <p><b>Which calls.</b> A request is tracked when the provider registry recognises its host and path as a
 * trackable endpoint ({@code POST https://api.openai.com/v1/chat/completions}, Anthropic's {@code /v1/messages},
 * Gemini's {@code :generateContent} ...). Anything else, including {@code /v1/models} of a known provider, goes to
 * the next filter as it came, after one registry look-up. The registry is the one given to
 * {@link Builder#providers}, else that of the tracker given to {@link Builder#tracker}, else the global tracker's,
 * plus the hosts added with {@link Builder#host}. A tracker bound in the caller's Reactor Context decides where
 * records go and how they are priced, not which hosts are recognised.
 *
 * <p><b>What is read.</b> The requested model and the stream flag from the request body as it is written; the
 * answered model, usage, response id, finish reason and tool calls from the response body as it is read, with
 * the same provider formats and pricing as Spectra's operators. A JSON response is copied as it passes (its
 * first 64 KiB as they are, a longer one pruned of long strings and number arrays, within
 * {@link Builder#maxResponseBytes}) and read when it ends; a stream ({@code text/event-stream}, NDJSON, or a
 * JSON array answering a streaming request) is read event by event in constant memory, and the record gets
 * {@code streaming: true}, the chunk count (the provider's events: SSE events with data, NDJSON lines, array
 * elements; not TCP reads) and the time to first token (from the subscription to the exchange to the arrival of
 * the bytes that complete the first event, so keep-alive comments before it do not count).
 *
 * <p><b>Memory</b> is bounded per exchange and across exchanges: the first 64 KiB of the request body (larger
 * bodies are scanned for {@code model}, {@code stream}, {@code service_tier} and {@code stream_options} in constant
 * memory); the copy of a JSON response, or its pruned copy, at most {@link Builder#maxResponseBytes}; for a
 * stream, the reader's state, which holds one event at a time (events are bounded by the registry's
 * {@code maxEventBytes}) and a copy of one earlier event of at most 4 KiB to compare the next ones with; the
 * captured payloads when on. The copies grow only as bytes arrive, and together they
 * never pass {@link Builder#maxHeldBytes} (by default a process-wide bound, 1/16 of the heap): past it, a call is
 * recorded with its usage unknown, counted and logged, and the caller's bytes pass untouched.
 *
 * <p><b>What is never done.</b> The caller's bytes are never changed, joined, re-emitted, retained, released or
 * moved: each buffer is read in place and passed on as the same instance, on the same thread, with the caller's
 * demand. Tracking failures are logged (rate-limited) and never reach the caller's stream. No header value is
 * read, so {@code Authorization}, {@code x-api-key}, {@code api-key} and {@code x-goog-api-key} never reach a
 * record, and the endpoint is stored without its query string (Gemini's {@code ?key=}). The one exception to
 * "never changed" is the opt-in {@link Builder#includeStreamUsage}.
 *
 * <p><b>One record per exchange</b>, on the first of: the body completes (success, or failure for HTTP 4xx/5xx
 * and for a stream that reports an error event, with the provider's error type and message), the body fails
 * (failure, with the usage that arrived), the caller cancels the body (outcome {@code cancelled}, with the
 * usage that arrived), the caller discards the body ({@code toBodilessEntity}, {@code releaseBody}: Spring
 * drains it, so it is read and recorded as complete), the exchange fails before a response (connection refused,
 * no status) or is cancelled before one. A {@code retry()} records each attempt. The caller's Reactor Context
 * (metadata, tags, trace id, trackable, conversation id, a bound tracker) reaches the record.
 *
 * <p><b>Budgets</b> ({@link Builder#budgets}): once the request body has been written to the filter (and before
 * any byte of it reaches the connection) the call's estimate, read from the body (model, {@code max_tokens}, the
 * size of its text), is reserved against every matching budget; a call a hard budget refuses fails with
 * {@link BudgetExceededException} and is never sent (it is recorded as a failure with that error and no usage).
 * When the call is recorded its cost replaces the reservation. A streamed answer is priced event by event and, when
 * a hard budget refuses more, cut off: the response is cancelled, the bytes holding the event that would cross the
 * limit are not passed on, the caller gets {@link BudgetExceededException} (or the end of the body, with
 * {@link SpectraBudgets.Builder#completeOnCutOff()}), and the record is {@code cancelled} with its usage estimated.
 *
 * <p>Immutable and thread-safe: one instance serves any number of clients and concurrent calls.
 *
 * @since 0.1
 */
public final class SpectraExchangeFilter implements ExchangeFilterFunction {

    /** Default bound on the bytes held to read one JSON response body: {@value} bytes (4 MiB). */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = HttpCapture.DEFAULT_MAX_RESPONSE_BYTES;

    /** Default bound on each captured payload when capture is on without a bound: {@value} bytes. */
    public static final int DEFAULT_CAPTURE_BYTES = HttpCapture.DEFAULT_CAPTURE_BYTES;

    /** Largest bound on each captured payload: {@value} bytes (records keep metadata small). */
    public static final int MAX_CAPTURE_BYTES = HttpCapture.MAX_CAPTURE_BYTES;

    private final HttpCapture capture;
    private final @Nullable SpectraBudgets budgets;

    private SpectraExchangeFilter(HttpCapture capture, @Nullable SpectraBudgets budgets) {
        this.capture = capture;
        this.budgets = budgets;
    }

    /**
     * A filter with the defaults: the global tracker (or one bound in the caller's Context), the built-in
     * providers, no payload capture, requests sent as written.
     *
     * @return the filter
     */
    public static SpectraExchangeFilter create() {
        return builder().build();
    }

    /**
     * @return a builder with the defaults of {@link #create()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Calls this filter passed on untracked because no provider is known at their host, by {@code host[:port]}:
     * where to look when a call was not recorded (each is also logged at DEBUG, once a minute per host). At most
     * {@value HttpCapture#MAX_UNRECOGNISED_HOSTS} hosts are counted apart, the rest together.
     *
     * @return a snapshot of the counts
     */
    public Map<String, Long> unrecognisedHosts() {
        return capture.unrecognisedHosts();
    }

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        EndpointMatch match = capture.match(request.method().name(), request.url());
        if (match == null) {
            return next.exchange(request);
        }
        return ObservedExchange.observe(this, request, next, match);
    }

    /** The budget hold of a call made with this Context, or null when no budget applies. */
    @Nullable HttpBudgetCall startBudget(ContextView view) {
        return budgets == null ? null : HttpBudgetCall.start(budgets, view);
    }

    /** Starts tracking a call now; null when it runs untracked (see {@link HttpCapture#start}). */
    @Nullable HttpCallObserver startCall(EndpointMatch match, ContextView view) {
        return capture.start(match, view);
    }

    /** Whether this endpoint's request bodies get the stream-usage option added. */
    boolean rewritesStreamUsage(EndpointMatch match) {
        return capture.rewritesStreamUsage(match);
    }

    /** Whether a stream a hard budget cuts off completes instead of failing. */
    boolean completesOnCutOff() {
        return budgets != null && budgets.completesOnCutOff();
    }

    /** The budget refusal a failure carries, or null. */
    static @Nullable BudgetExceededException refusalIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BudgetExceededException refusal) {
                return refusal;
            }
        }
        return null;
    }

    /** The response as the caller gets it: its body observed as it is read, everything else as it came. */
    static ClientResponse observe(ClientResponse response, HttpCallObserver call,
                                  @Nullable HttpBudgetCall budget, boolean completeOnCutOff) {
        boolean observing;
        try {
            HttpHeaders headers = response.headers().asHttpHeaders();
            call.upstreamProvider(headers.getFirst(HttpCallObserver.UPSTREAM_PROVIDER_HEADER));
            // -1 when not stated, as ClientResponse.Headers#contentLength reads it, without an OptionalLong
            observing = call.responseStarted(response.statusCode().value(), headers.getFirst(HttpHeaders.CONTENT_TYPE),
                    headers.getContentLength());
        } catch (Throwable e) {
            call.internalError("observing a response", e);
            call.responseCompleted();
            return response;
        }
        return observing ? new ObservedResponse(response, call, budget, completeOnCutOff) : response;
    }

    /**
     * @return the bound on the bytes this filter holds at once across its calls (its own, or the process-wide one)
     */
    ByteBudget heldBytes() {
        return capture.budget();
    }

    @Override
    public String toString() {
        return "SpectraExchangeFilter{" + capture.settings() + (budgets == null ? "" : ", budgets=" + budgets) + '}';
    }

    /** Builds a {@link SpectraExchangeFilter}. Setters check their argument; the filter is immutable. */
    public static final class Builder {
        private final HttpCapture.Builder capture = HttpCapture.builder();
        private @Nullable SpectraBudgets budgets;

        private Builder() {
        }

        /**
         * Records every call into this tracker, whatever the caller's Context says (default: the tracker bound in
         * the caller's Context, else the global one, {@link Spectra#tracker()}). Its provider registry also
         * decides which calls are tracked, unless {@link #providers} is set.
         *
         * @param tracker the tracker
         * @return this builder
         */
        public Builder tracker(SpectraTracker tracker) {
            capture.tracker(tracker);
            return this;
        }

        /**
         * Recognises calls with this registry (default: the tracker's, see the class description).
         *
         * @param registry the providers, hosts and endpoints
         * @return this builder
         */
        public Builder providers(ProviderRegistry registry) {
            capture.providers(registry);
            return this;
        }

        /**
         * Adds a host serving a known provider's API: a gateway, a proxy, a self-hosted copy, e.g.
         * {@code host("openai", "llm-gateway.internal:8080")}. Its calls are read with that provider's formats.
         *
         * @param providerId a provider of the registry, e.g. {@code openai}, {@code anthropic}, {@code ollama}
         * @param hostPattern {@code host}, {@code host:port}, or {@code *.suffix}
         * @return this builder
         * @throws IllegalArgumentException at {@link #build()} when the registry has no such provider
         */
        public Builder host(String providerId, String hostPattern) {
            capture.host(providerId, hostPattern);
            return this;
        }

        /**
         * Captures the first {@value SpectraExchangeFilter#DEFAULT_CAPTURE_BYTES} bytes of each request and
         * response body; see {@link #capturePayloads(int)}.
         *
         * @return this builder
         */
        public Builder capturePayloads() {
            return capturePayloads(DEFAULT_CAPTURE_BYTES);
        }

        /**
         * Captures the first bytes of each request and response body into the record's metadata, as the strings
         * {@code request_body} and {@code response_body} (for a stream, its first bytes as sent), cut at a
         * character boundary and ended with {@code …} when longer. Credentials in them (API key shapes, bearer
         * tokens, {@code key=} parameters, auth headers) are replaced by {@code [REDACTED]}; in a stream, so are
         * the pieces of one the answer sends a few characters an event. Only text is
         * captured: a request body that is not JSON (a multipart upload) and binary answers are left out. The
         * captures count towards the tracker's metadata bound; one that does not fit is left out and logged.
         * Off by default: prompts and answers may hold personal data.
         *
         * @param maxBytes bound on each payload, 1 .. {@value SpectraExchangeFilter#MAX_CAPTURE_BYTES}
         * @return this builder
         */
        public Builder capturePayloads(int maxBytes) {
            capture.capturePayloads(maxBytes);
            return this;
        }

        /**
         * Adds {@code "stream_options":{"include_usage":true}} to OpenAI and Azure OpenAI chat and completion
         * requests that stream and do not say {@code stream_options} themselves, so that their streams end with
         * a usage chunk (without it, such a stream's usage and cost are unknown). The body is joined and the
         * option inserted after its opening brace, every other byte as written, with the Content-Length
         * corrected. Off by default: it changes what is sent, and the caller then receives one more chunk (with
         * {@code choices: []}) at the end of the stream.
         *
         * @param enabled whether to add the option
         * @return this builder
         */
        public Builder includeStreamUsage(boolean enabled) {
            capture.includeStreamUsage(enabled);
            return this;
        }

        /**
         * Bound on the bytes held to read one (non-streamed) JSON response when it ends. Its first 64 KiB are
         * copied as they are; a longer body is never copied but pruned as it passes (string values cut to their
         * first 1,024 characters, 8,192 for error messages; arrays of numbers such as embedding vectors emptied),
         * and read from the pruned copy: a 5 MB chat answer or embeddings batch costs a few KiB. A body whose
         * copy would pass the bound passes to the caller untouched, with its usage unknown (counted in the
         * tracker's {@code readFailures} and logged). Streams are read in constant memory whatever their length.
         *
         * @param bytes at least 1024 (default {@value SpectraExchangeFilter#DEFAULT_MAX_RESPONSE_BYTES})
         * @return this builder
         */
        public Builder maxResponseBytes(int bytes) {
            capture.maxResponseBytes(bytes);
            return this;
        }

        /**
         * Bound on the bytes this filter holds at once, across all its calls in flight, to read them: request
         * body copies, response copies and pruned copies, captured payloads. A copy asks before it grows; past
         * the bound a request is read by a constant-memory scanner (model, stream flag, tier) and a response is
         * recorded with its usage unknown (counted in the tracker's {@code readFailures} and logged,
         * rate-limited). Default: one process-wide bound shared by every filter and interceptor built without this
         * setting, 1/16 of the maximum heap ({@code Runtime.maxMemory()}), at least 8 MiB and at most 256 MiB.
         *
         * @param bytes at least 65536
         * @return this builder
         */
        public Builder maxHeldBytes(long bytes) {
            capture.maxHeldBytes(bytes);
            return this;
        }

        /**
         * Enforces these budgets on every tracked call (default: none): the estimate read from the request body is
         * reserved before it is sent, a call a hard budget refuses fails with {@link BudgetExceededException}
         * without being sent, the recorded cost settles the reservation, and a stream is cut off at a hard limit
         * (see the class description). Calls are enforced only while they are tracked.
         *
         * @param budgets the budgets
         * @return this builder
         */
        public Builder budgets(SpectraBudgets budgets) {
            this.budgets = java.util.Objects.requireNonNull(budgets, "budgets");
            return this;
        }

        /**
         * @return the filter
         * @throws IllegalArgumentException when a {@link #host} names a provider the registry does not know
         */
        public SpectraExchangeFilter build() {
            return new SpectraExchangeFilter(capture.build(), budgets);
        }
    }
}
