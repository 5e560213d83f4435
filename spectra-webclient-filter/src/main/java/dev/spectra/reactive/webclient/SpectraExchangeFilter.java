package dev.spectra.reactive.webclient;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.RateLimitedLog;
import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.WireFormat;
import org.jspecify.annotations.Nullable;
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
 * the same provider formats and pricing as Spectra's operators. A JSON response is copied as it passes (at most
 * {@link Builder#maxResponseBytes}) and read when it ends; a stream ({@code text/event-stream}, NDJSON, or a
 * JSON array answering a streaming request) is read event by event in constant memory, and the record gets
 * {@code streaming: true}, the chunk count (the provider's events: SSE events with data, NDJSON lines, array
 * elements; not TCP reads) and the time to first token (from the subscription to the exchange to the arrival of
 * the bytes that complete the first event, so keep-alive comments before it do not count).
 *
 * <p><b>Memory per exchange</b> is bounded: the first 64 KiB of the request body (larger bodies are scanned for
 * {@code model}, {@code stream}, {@code service_tier} and {@code stream_options} in constant memory); the copy of
 * a JSON response, at most {@link Builder#maxResponseBytes}; for a stream, the reader's state, which holds one
 * event at a time (events are bounded by the registry's {@code maxEventBytes}); the captured payloads when on.
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
 * <p>Immutable and thread-safe: one instance serves any number of clients and concurrent calls.
 *
 * @since 0.1
 */
public final class SpectraExchangeFilter implements ExchangeFilterFunction {

    /** Default bound on the copy of a JSON response body read for usage: {@value} bytes (4 MiB). */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

    /** Default bound on each captured payload when capture is on without a bound: {@value} bytes. */
    public static final int DEFAULT_CAPTURE_BYTES = 2048;

    /** Largest bound on each captured payload: {@value} bytes (records keep metadata small). */
    public static final int MAX_CAPTURE_BYTES = 8192;

    private static final RateLimitedLog LOG = new RateLimitedLog(SpectraExchangeFilter.class);

    private final @Nullable SpectraTracker tracker;
    private final @Nullable ProviderRegistry fixedRegistry;
    private final List<String[]> hosts;
    private final int captureBytes;
    private final boolean includeStreamUsage;
    private final int maxResponseBytes;
    private volatile @Nullable Derived derived;

    private SpectraExchangeFilter(Builder b) {
        this.tracker = b.tracker;
        this.hosts = List.copyOf(b.hosts);
        this.captureBytes = b.captureBytes;
        this.includeStreamUsage = b.includeStreamUsage;
        this.maxResponseBytes = b.maxResponseBytes;
        ProviderRegistry base = b.providers != null ? b.providers : b.tracker != null ? b.tracker.providers() : null;
        // unknown provider ids fail here, at configuration, not on a call
        ProviderRegistry checked = withHosts(base != null ? base : ProviderRegistry.builtIn());
        this.fixedRegistry = base != null ? checked : null;
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

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        EndpointMatch match;
        try {
            match = registry().match(request.url());
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            failed(null, "matching " + request.method() + " " + request.url().getHost() + " (the call runs untracked)",
                    e);
            match = null;
        }
        if (match == null) {
            return next.exchange(request);
        }
        EndpointMatch m = match;
        return Mono.deferContextual(view -> exchange(request, next, m, view));
    }

    private Mono<ClientResponse> exchange(ClientRequest request, ExchangeFunction next, EndpointMatch match,
                                          ContextView view) {
        Exchange exchange;
        ClientRequest observed;
        SpectraTracker t = null;
        try {
            t = trackerFor(view);
            if (!t.isEnabled()) {
                return next.exchange(request);
            }
            exchange = Exchange.start(t, match, view, captureBytes, maxResponseBytes);
            boolean rewrite = includeStreamUsage && rewritable(match);
            observed = ClientRequest.from(request)
                    .body((message, context) -> request.body().insert(
                            new ObservedRequest(message, exchange, rewrite), context))
                    .build();
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            failed(t, "starting to track a " + match.provider() + " call (it runs untracked)", e);
            return next.exchange(request);
        }
        return next.exchange(observed)
                .map(exchange::onResponse)
                .doOnSuccess(response -> {
                    if (response == null) { // a filter downstream answered nothing: still one record
                        exchange.onExchangeError(new IllegalStateException("the exchange completed without a response"));
                    }
                })
                .doOnError(exchange::onExchangeError)
                .doOnCancel(exchange::onExchangeCancel);
    }

    /** OpenAI and Azure OpenAI chat and completions: the APIs that accept {@code stream_options}. */
    private static boolean rewritable(EndpointMatch m) {
        String p = m.provider();
        return m.endpoint().format() == WireFormat.OPENAI_CHAT && ("openai".equals(p) || "azure".equals(p));
    }

    /**
     * Counts a failure of the filter itself in the tracker's {@code trackingErrors} (this filter's tracker, else the
     * given one, else the global one) and logs it; never throws.
     */
    private void failed(@Nullable SpectraTracker known, String what, Throwable e) {
        try {
            SpectraTracker t = known != null ? known : tracker != null ? tracker : Spectra.tracker();
            t.trackingFailed(what, e);
        } catch (Throwable again) {
            Fatal.rethrowIfFatal(again);
            LOG.warn("internal", "Spectra failed while " + what, e);
        }
    }

    private SpectraTracker trackerFor(ContextView view) {
        if (tracker != null) {
            return tracker;
        }
        return Spectra.tracker(view);
    }

    /** The registry matching requests now; derived from the global tracker's when none is fixed, and cached. */
    private ProviderRegistry registry() {
        ProviderRegistry fixed = fixedRegistry;
        if (fixed != null) {
            return fixed;
        }
        ProviderRegistry base = Spectra.tracker().providers();
        if (hosts.isEmpty()) {
            return base;
        }
        Derived d = derived;
        if (d == null || d.base != base) {
            ProviderRegistry r;
            try {
                r = withHosts(base);
            } catch (IllegalArgumentException e) {
                LOG.warn("hosts", "Spectra could not add the filter's hosts to the global tracker's providers: "
                        + e.getMessage(), null);
                r = base;
            }
            d = new Derived(base, r);
            derived = d;
        }
        return d.registry;
    }

    private ProviderRegistry withHosts(ProviderRegistry base) {
        if (hosts.isEmpty()) {
            return base;
        }
        ProviderRegistry.Builder b = base.toBuilder();
        for (String[] h : hosts) {
            b.host(h[0], h[1]);
        }
        return b.build();
    }

    @Override
    public String toString() {
        StringBuilder hostList = new StringBuilder("[");
        for (String[] h : hosts) {
            hostList.append(hostList.length() > 1 ? ", " : "").append(h[0]).append('=').append(h[1]);
        }
        return "SpectraExchangeFilter{tracker=" + (tracker != null ? "fixed" : "context or global")
                + ", providers=" + (fixedRegistry != null ? fixedRegistry : "global tracker's")
                + ", hosts=" + hostList.append(']') + ", capturePayloads=" + (captureBytes > 0 ? captureBytes
                + " bytes" : "off") + ", includeStreamUsage=" + includeStreamUsage + ", maxResponseBytes="
                + maxResponseBytes + '}';
    }

    /** A registry derived from a base one, remembered with it. */
    private static final class Derived {
        final ProviderRegistry base;
        final ProviderRegistry registry;

        Derived(ProviderRegistry base, ProviderRegistry registry) {
            this.base = base;
            this.registry = registry;
        }
    }

    /** Builds a {@link SpectraExchangeFilter}. Setters check their argument; the filter is immutable. */
    public static final class Builder {
        private @Nullable SpectraTracker tracker;
        private @Nullable ProviderRegistry providers;
        private final List<String[]> hosts = new ArrayList<>();
        private int captureBytes;
        private boolean includeStreamUsage;
        private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;

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
            this.tracker = Objects.requireNonNull(tracker, "tracker");
            return this;
        }

        /**
         * Recognises calls with this registry (default: the tracker's, see the class description).
         *
         * @param registry the providers, hosts and endpoints
         * @return this builder
         */
        public Builder providers(ProviderRegistry registry) {
            this.providers = Objects.requireNonNull(registry, "providers");
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
            Objects.requireNonNull(providerId, "providerId");
            Objects.requireNonNull(hostPattern, "hostPattern");
            hosts.add(new String[] {providerId, hostPattern});
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
         * tokens, {@code key=} parameters, auth headers) are replaced by {@code [REDACTED]}. Only text is
         * captured: a request body that is not JSON (a multipart upload) and binary answers are left out. The
         * captures count towards the tracker's metadata bound; one that does not fit is left out and logged.
         * Off by default: prompts and answers may hold personal data.
         *
         * @param maxBytes bound on each payload, 1 .. {@value SpectraExchangeFilter#MAX_CAPTURE_BYTES}
         * @return this builder
         */
        public Builder capturePayloads(int maxBytes) {
            if (maxBytes < 1 || maxBytes > MAX_CAPTURE_BYTES) {
                throw new IllegalArgumentException("capturePayloads maxBytes must be in 1.." + MAX_CAPTURE_BYTES
                        + ", was " + maxBytes);
            }
            this.captureBytes = maxBytes;
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
            this.includeStreamUsage = enabled;
            return this;
        }

        /**
         * Bound on the copy of a (non-streamed) JSON response kept to read its usage when it ends. A larger
         * answer (a big embeddings batch, base64 images) passes to the caller untouched, but its usage is
         * unknown and a warning is logged. Streams are read in constant memory whatever their length.
         *
         * @param bytes at least 1024 (default {@value SpectraExchangeFilter#DEFAULT_MAX_RESPONSE_BYTES})
         * @return this builder
         */
        public Builder maxResponseBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxResponseBytes must be at least 1024, was " + bytes);
            }
            this.maxResponseBytes = bytes;
            return this;
        }

        /**
         * @return the filter
         * @throws IllegalArgumentException when a {@link #host} names a provider the registry does not know
         */
        public SpectraExchangeFilter build() {
            return new SpectraExchangeFilter(this);
        }
    }
}
