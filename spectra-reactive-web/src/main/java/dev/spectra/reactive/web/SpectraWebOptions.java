package dev.spectra.reactive.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.SpectraRequests;
import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;

/**
 * What {@link SpectraWebRoutes} serves and how: the query API to read from, the live feed, who may read, and how
 * many reads may run at once.
 *
 * <pre>{@code
 * SpectraWebOptions options = SpectraWebOptions.builder(readPool.requests())
 *         .events(tracker.events())
 *         .access(SpectraAccess.bearerToken(System.getenv("SPECTRA_API_TOKEN")))
 *         .build();
 * }</pre>
 *
 * @since 0.1
 */
public final class SpectraWebOptions {

    /** Reads running at once by default; more get a 503 with {@code Retry-After}. */
    public static final int DEFAULT_MAX_CONCURRENT_READS = 8;
    /** What {@code Retry-After} says by default when reads are at their limit. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    /** Records a live-feed client may fall behind by before it misses some. */
    public static final int DEFAULT_EVENT_BUFFER = 256;

    private final SpectraRequests requests;
    private final @Nullable Flux<TrackedRequest> events;
    private final SpectraAccess access;
    private final int maxConcurrentReads;
    private final Duration retryAfter;
    private final int eventBuffer;
    private final List<RouterFunction<ServerResponse>> apiRoutes;

    private SpectraWebOptions(Builder b) {
        this.requests = b.requests;
        this.events = b.events;
        this.access = b.access;
        this.maxConcurrentReads = b.maxConcurrentReads;
        this.retryAfter = b.retryAfter;
        this.eventBuffer = b.eventBuffer;
        this.apiRoutes = List.copyOf(b.apiRoutes);
    }

    /**
     * A builder.
     *
     * @param requests the query API the routes read from; give it a pool of its own ({@link SpectraReadPool}) so
     *        that reads never take the sink's connections
     * @return a builder with the defaults: no live feed, {@link SpectraAccess#byDefault()} (Spring Security's
     *         authentication when it is present, else localhost only),
     *         {@value #DEFAULT_MAX_CONCURRENT_READS} concurrent reads
     */
    public static Builder builder(SpectraRequests requests) {
        return new Builder(Objects.requireNonNull(requests, "requests"));
    }

    /** @return the query API read from */
    public SpectraRequests requests() {
        return requests;
    }

    /** @return the records fed to {@code /api/events}, or null when there is no live feed */
    public @Nullable Flux<TrackedRequest> events() {
        return events;
    }

    /** @return who may read */
    public SpectraAccess access() {
        return access;
    }

    /** @return the most reads that run at once */
    public int maxConcurrentReads() {
        return maxConcurrentReads;
    }

    /** @return the {@code Retry-After} of a read refused at the limit */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** @return records a live-feed client may fall behind by */
    public int eventBuffer() {
        return eventBuffer;
    }

    /** @return further API routes, served behind the same access check */
    public List<RouterFunction<ServerResponse>> apiRoutes() {
        return apiRoutes;
    }

    @Override
    public String toString() {
        return "SpectraWebOptions{access=" + access + ", maxConcurrentReads=" + maxConcurrentReads
                + ", retryAfter=" + retryAfter + ", liveFeed=" + (events != null) + ", apiRoutes=" + apiRoutes.size()
                + "}";
    }

    /** Builds {@link SpectraWebOptions}. */
    public static final class Builder {
        private final SpectraRequests requests;
        private @Nullable Flux<TrackedRequest> events;
        private SpectraAccess access = SpectraAccess.byDefault();
        private int maxConcurrentReads = DEFAULT_MAX_CONCURRENT_READS;
        private Duration retryAfter = DEFAULT_RETRY_AFTER;
        private int eventBuffer = DEFAULT_EVENT_BUFFER;
        private final List<RouterFunction<ServerResponse>> apiRoutes = new ArrayList<>();

        private Builder(SpectraRequests requests) {
            this.requests = requests;
        }

        /**
         * @param events the records as they are recorded, e.g. {@code SpectraTracker#events()}: served by
         *        {@code /api/events} and the dashboard's live view
         * @return this builder
         */
        public Builder events(Flux<TrackedRequest> events) {
            this.events = Objects.requireNonNull(events, "events");
            return this;
        }

        /**
         * @param access who may read
         * @return this builder
         */
        public Builder access(SpectraAccess access) {
            this.access = Objects.requireNonNull(access, "access");
            return this;
        }

        /**
         * Shorthand for {@code access(SpectraAccess.bearerToken(token))}.
         *
         * @param token the token API requests must bear
         * @return this builder
         */
        public Builder bearerToken(String token) {
            return access(SpectraAccess.bearerToken(token));
        }

        /**
         * @param maxConcurrentReads reads that run at once, 1 to 1,000; at most the read pool's size is best
         * @return this builder
         */
        public Builder maxConcurrentReads(int maxConcurrentReads) {
            if (maxConcurrentReads < 1 || maxConcurrentReads > 1000) {
                throw new IllegalArgumentException("maxConcurrentReads must be between 1 and 1000, was "
                        + maxConcurrentReads);
            }
            this.maxConcurrentReads = maxConcurrentReads;
            return this;
        }

        /**
         * @param retryAfter what a refused read's {@code Retry-After} says, 1 s to 1 h (whole seconds)
         * @return this builder
         */
        public Builder retryAfter(Duration retryAfter) {
            Objects.requireNonNull(retryAfter, "retryAfter");
            if (retryAfter.getSeconds() < 1 || retryAfter.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("retryAfter must be between 1 s and 1 h, was " + retryAfter);
            }
            this.retryAfter = retryAfter;
            return this;
        }

        /**
         * @param eventBuffer records a live-feed client may fall behind by before it misses some, 1 to 65,536
         * @return this builder
         */
        public Builder eventBuffer(int eventBuffer) {
            if (eventBuffer < 1 || eventBuffer > 65_536) {
                throw new IllegalArgumentException("eventBuffer must be between 1 and 65536, was " + eventBuffer);
            }
            this.eventBuffer = eventBuffer;
            return this;
        }

        /**
         * Adds routes served beside the built-in ones, behind the same access check and before the JSON 404 of
         * unknown {@code /api/...} paths; e.g. {@code route(GET("/api/budgets"), budgetsHandler)}.
         *
         * @param routes the routes, with paths relative to the mount
         * @return this builder
         */
        public Builder apiRoutes(RouterFunction<ServerResponse> routes) {
            apiRoutes.add(Objects.requireNonNull(routes, "routes"));
            return this;
        }

        /** @return the options */
        public SpectraWebOptions build() {
            return new SpectraWebOptions(this);
        }
    }
}
