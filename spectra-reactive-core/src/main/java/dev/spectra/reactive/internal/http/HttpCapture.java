package dev.spectra.reactive.internal.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.RateLimitedLog;
import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.WireFormat;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * What an HTTP client integration is configured with, and what it asks before each call: which calls are tracked
 * ({@link #match}), by which tracker ({@link #trackerFor}), and the observer of a tracked call ({@link #start}),
 * with the bounds on what is read. One instance per integration (a WebClient filter, an OkHttp interceptor);
 * immutable and thread-safe. The integration's public builder sets it up through {@link Builder}, so that every
 * integration has the same settings, defaults and checks.
 *
 * <p><b>Which calls.</b> A request is tracked when the provider registry recognises its host and path as a
 * trackable endpoint. The registry is the one given to {@link Builder#providers}, else that of the tracker given to
 * {@link Builder#tracker}, else the global tracker's, plus the hosts added with {@link Builder#host}. A tracker
 * bound in the caller's Reactor Context decides where records go and how they are priced, not which hosts are
 * recognised.
 */
public final class HttpCapture {

    /** Default bound on the bytes held to read one (non-streamed) JSON response: {@value} bytes (4 MiB). */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

    /** Default bound on each captured payload when capture is on without a bound: {@value} bytes. */
    public static final int DEFAULT_CAPTURE_BYTES = 2048;

    /** Largest bound on each captured payload: {@value} bytes (records keep metadata small). */
    public static final int MAX_CAPTURE_BYTES = 8192;

    private static final RateLimitedLog LOG = new RateLimitedLog(HttpCapture.class);

    /** Most distinct unrecognised hosts counted apart; calls to further hosts are counted under {@value #OTHER}. */
    public static final int MAX_UNRECOGNISED_HOSTS = 64;

    /** The key under which calls to hosts beyond {@link #MAX_UNRECOGNISED_HOSTS} are counted. */
    public static final String OTHER = "(other hosts)";

    private final ConcurrentHashMap<String, LongAdder> unrecognised = new ConcurrentHashMap<>();

    private final @Nullable SpectraTracker tracker;
    private final @Nullable ProviderRegistry fixedRegistry;
    private final List<String[]> hosts;
    private final int captureBytes;
    private final boolean includeStreamUsage;
    private final int maxResponseBytes;
    private final ByteBudget budget;
    private final boolean ownBudget;
    private volatile @Nullable Derived derived;

    private HttpCapture(Builder b) {
        this.tracker = b.tracker;
        this.hosts = List.copyOf(b.hosts);
        this.captureBytes = b.captureBytes;
        this.includeStreamUsage = b.includeStreamUsage;
        this.maxResponseBytes = b.maxResponseBytes;
        this.ownBudget = b.maxHeldBytes > 0;
        this.budget = ownBudget ? ByteBudget.of(b.maxHeldBytes) : ByteBudget.shared();
        ProviderRegistry base = b.providers != null ? b.providers : b.tracker != null ? b.tracker.providers() : null;
        // unknown provider ids fail here, at configuration, not on a call
        ProviderRegistry checked = withHosts(base != null ? base : ProviderRegistry.builtIn());
        this.fixedRegistry = base != null ? checked : null;
    }

    /**
     * @return a builder with the defaults: the global tracker (or one bound in the caller's Context), the built-in
     *         providers, no payload capture, requests sent as written, the default bounds
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The trackable endpoint a request goes to, or null for any other request (which the integration passes on
     * untouched). Never throws: a failure is counted and the call runs untracked.
     *
     * @param method the HTTP method, for the log
     * @param url the request URL
     * @return the endpoint, or null
     */
    public @Nullable EndpointMatch match(String method, URI url) {
        try {
            ProviderRegistry r = registry();
            EndpointMatch m = r.match(url);
            if (m == null && url.getHost() != null && !r.recognises(url.getHost(), url.getPort())) {
                unrecognised(method, url);
            }
            return m;
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            trackingFailed(null, "matching " + method + " " + url.getHost() + " (the call runs untracked)", e);
            return null;
        }
    }

    /** Counts a call to a host no provider is known at, and says so at DEBUG (rate-limited per host). */
    private void unrecognised(String method, URI url) {
        String host = url.getPort() >= 0 ? url.getHost() + ":" + url.getPort() : url.getHost();
        LongAdder n = unrecognised.get(host);
        if (n == null) {
            n = unrecognised.size() < MAX_UNRECOGNISED_HOSTS
                    ? unrecognised.computeIfAbsent(host, h -> new LongAdder())
                    : unrecognised.computeIfAbsent(OTHER, h -> new LongAdder());
        }
        n.increment();
        LOG.debug("unrecognised:" + (n == unrecognised.get(OTHER) ? OTHER : host), "Spectra does not track " + method
                + " " + host + ": no provider is known at that host (add it with the integration's host(...) or a "
                + "ProviderRegistry)");
    }

    /**
     * Calls passed on untracked because no provider is known at their host, by {@code host[:port]}: at most
     * {@value #MAX_UNRECOGNISED_HOSTS} hosts, the rest under {@value #OTHER}. Calls to a known provider's other
     * paths ({@code /v1/models}) are not counted.
     *
     * @return a snapshot of the counts
     */
    public Map<String, Long> unrecognisedHosts() {
        Map<String, Long> counts = new TreeMap<>();
        unrecognised.forEach((h, n) -> counts.put(h, n.sum()));
        return counts;
    }

    /**
     * The tracker recording a call: the integration's own, else the one bound in the caller's Context, else the
     * global one.
     *
     * @param context the caller's Context
     * @return the tracker
     */
    public SpectraTracker trackerFor(ContextView context) {
        SpectraTracker t = tracker;
        return t != null ? t : Spectra.tracker(context);
    }

    /**
     * Starts tracking a recognised call now: its start time is this moment. Null when tracking is disabled or
     * starting failed (counted and logged): the integration then passes the call on untracked. Never throws.
     *
     * @param match the endpoint, from {@link #match}
     * @param context the caller's Context (metadata, tags, trace id, trackable, a bound tracker)
     * @return the observer of the call, or null
     */
    public @Nullable HttpCallObserver start(EndpointMatch match, ContextView context) {
        SpectraTracker t = null;
        try {
            t = trackerFor(context);
            if (!t.isEnabled()) {
                return null;
            }
            return HttpCallObserver.start(this, t, match, context);
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            trackingFailed(t, "starting to track a " + match.provider() + " call (it runs untracked)", e);
            return null;
        }
    }

    /**
     * Whether the integration adds the include-usage option to this call's body
     * ({@link HttpCallObserver#withStreamUsage}): when asked to, for OpenAI and Azure OpenAI chat and completions,
     * the APIs that accept {@code stream_options}.
     *
     * @param match the endpoint
     * @return whether to rewrite the body
     */
    public boolean rewritesStreamUsage(EndpointMatch match) {
        String p = match.provider();
        return includeStreamUsage && match.endpoint().format() == WireFormat.OPENAI_CHAT
                && ("openai".equals(p) || "azure".equals(p));
    }

    /**
     * Counts a failure of the integration itself in a tracker's {@code trackingErrors} (the given one, else the
     * integration's, else the global one) and logs it; never throws, except a {@link VirtualMachineError}.
     *
     * @param known the tracker of the call, if known
     * @param what what was being done
     * @param e the failure
     */
    public void trackingFailed(@Nullable SpectraTracker known, String what, Throwable e) {
        Fatal.rethrowIfFatal(e);
        try {
            SpectraTracker t = known != null ? known : tracker != null ? tracker : Spectra.tracker();
            t.trackingFailed(what, e);
        } catch (Throwable again) {
            Fatal.rethrowIfFatal(again);
            LOG.warn("internal", "Spectra failed while " + what, e);
        }
    }

    /**
     * @return the bound on each captured payload, 0 when capture is off
     */
    public int captureBytes() {
        return captureBytes;
    }

    /**
     * @return the bound on the bytes held to read one JSON response
     */
    public int maxResponseBytes() {
        return maxResponseBytes;
    }

    /**
     * @return the bound on the bytes held across calls: this integration's own, or the process-wide one
     */
    public ByteBudget budget() {
        return budget;
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
                LOG.warn("hosts", "Spectra could not add the integration's hosts to the global tracker's providers: "
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

    /**
     * The settings as an integration shows them in its {@code toString()}: tracker, providers, hosts, capture,
     * include-usage, response bound, and the held-bytes bound when it is the integration's own.
     *
     * @return the settings, comma separated
     */
    public String settings() {
        StringBuilder hostList = new StringBuilder("[");
        for (String[] h : hosts) {
            hostList.append(hostList.length() > 1 ? ", " : "").append(h[0]).append('=').append(h[1]);
        }
        return "tracker=" + (tracker != null ? "fixed" : "context or global")
                + ", providers=" + (fixedRegistry != null ? fixedRegistry : "global tracker's")
                + ", hosts=" + hostList.append(']') + ", capturePayloads=" + (captureBytes > 0 ? captureBytes
                + " bytes" : "off") + ", includeStreamUsage=" + includeStreamUsage + ", maxResponseBytes="
                + maxResponseBytes + (ownBudget ? ", maxHeldBytes=" + budget.limit() : "");
    }

    @Override
    public String toString() {
        return "HttpCapture{" + settings() + '}';
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

    /**
     * Settings shared by every HTTP integration; each setter checks its argument with the message an
     * integration's own builder passes on. The integrations document the settings on their public builders.
     */
    public static final class Builder {
        private @Nullable SpectraTracker tracker;
        private @Nullable ProviderRegistry providers;
        private final List<String[]> hosts = new ArrayList<>();
        private int captureBytes;
        private boolean includeStreamUsage;
        private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private long maxHeldBytes;

        private Builder() {
        }

        /**
         * @param tracker records every call, whatever the caller's Context says
         * @return this builder
         */
        public Builder tracker(SpectraTracker tracker) {
            this.tracker = Objects.requireNonNull(tracker, "tracker");
            return this;
        }

        /**
         * @param registry recognises calls (default: the tracker's)
         * @return this builder
         */
        public Builder providers(ProviderRegistry registry) {
            this.providers = Objects.requireNonNull(registry, "providers");
            return this;
        }

        /**
         * @param providerId a provider of the registry
         * @param hostPattern {@code host}, {@code host:port}, or {@code *.suffix}
         * @return this builder
         */
        public Builder host(String providerId, String hostPattern) {
            Objects.requireNonNull(providerId, "providerId");
            Objects.requireNonNull(hostPattern, "hostPattern");
            hosts.add(new String[] {providerId, hostPattern});
            return this;
        }

        /**
         * @param maxBytes bound on each captured payload, 1 .. {@value HttpCapture#MAX_CAPTURE_BYTES}
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
         * @param enabled whether to add the include-usage option to OpenAI chat stream requests
         * @return this builder
         */
        public Builder includeStreamUsage(boolean enabled) {
            this.includeStreamUsage = enabled;
            return this;
        }

        /**
         * @param bytes bound on the bytes held to read one JSON response, at least 1024
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
         * @param bytes bound on the bytes held at once across the integration's calls, at least 65536
         * @return this builder
         */
        public Builder maxHeldBytes(long bytes) {
            if (bytes < 64 * 1024) {
                throw new IllegalArgumentException("maxHeldBytes must be at least 65536, was " + bytes);
            }
            this.maxHeldBytes = bytes;
            return this;
        }

        /**
         * @return the settings
         * @throws IllegalArgumentException when a {@link #host} names a provider the registry does not know
         */
        public HttpCapture build() {
            return new HttpCapture(this);
        }
    }
}
