package dev.spectra.reactive.web;

import java.time.Clock;
import java.util.Objects;

import dev.spectra.reactive.web.internal.ApiRoutes;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The read API and the dashboard as WebFlux functional endpoints, for any WebFlux application (a
 * {@code @Bean RouterFunction<ServerResponse>}) or bare Reactor Netty ({@link SpectraWebServer},
 * {@code RouterFunctions.toHttpHandler}). Read-only; every API route is behind {@link SpectraAccess}.
 *
 * <ul>
 *   <li>{@code GET /}: the dashboard (page, {@code dashboard.js}, {@code dashboard.css}).</li>
 *   <li>{@code GET /api/requests}: the records a filter selects, newest first, with keyset paging
 *       ({@code next_cursor}); {@code GET /api/requests/{id}}: one record (404 when unknown).</li>
 *   <li>{@code GET /api/stats}: totals (requests, tokens, cost, failures, unpriced calls, average and p95
 *       latency) and breakdowns by provider, model and day.</li>
 *   <li>{@code GET /api/costs?groupBy=provider|model|day|trackable|metadata.<key>}: totals per group;
 *       with {@code groupBy=day&stackBy=provider|model}, a cost series per provider or model.</li>
 *   <li>{@code GET /api/tags}: tags and how many requests carry each; {@code GET /api/trackables}: spend per
 *       owner.</li>
 *   <li>{@code GET /api/events}: Server-Sent Events, one {@code record} event per call as it is recorded, with
 *       running totals since the client connected.</li>
 * </ul>
 * Filters, paging and periods are query parameters ({@code provider}, {@code model}, {@code outcome}, {@code tag},
 * {@code metadata.<key>}, {@code period}, {@code from}, {@code to}, {@code sort}, {@code limit}, {@code cursor},
 * …). A bad parameter is a 400 naming it ({@code {"error": ..., "parameter": ...}}), a wrong method a 405 with
 * {@code Allow}, an unknown {@code /api/...} path a JSON 404, a read past
 * {@link SpectraWebOptions#maxConcurrentReads()} a 503 with {@code Retry-After}.
 *
 * <pre>{@code
 * @Bean
 * RouterFunction<ServerResponse> spectra(SpectraReadPool reads, SpectraTracker tracker) {
 *     return SpectraWebRoutes.create("/spectra", SpectraWebOptions.builder(reads.requests())
 *             .events(tracker.events()).bearerToken(token).build());
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class SpectraWebRoutes {

    private SpectraWebRoutes() {
    }

    /**
     * The routes at the root of the application: the dashboard at {@code /}, the API under {@code /api}.
     *
     * @param options what to serve
     * @return the routes; compose more with {@link RouterFunction#and} (other {@code /api/...} routes go in
     *         {@link SpectraWebOptions.Builder#apiRoutes}, before the API's 404)
     */
    public static RouterFunction<ServerResponse> create(SpectraWebOptions options) {
        return ApiRoutes.router(Objects.requireNonNull(options, "options"), Clock.systemUTC());
    }

    /**
     * The routes under a path: the dashboard at {@code path} and {@code path/}, the API under {@code path/api}.
     *
     * @param path where to mount, e.g. {@code /spectra}: starts with {@code /}, does not end with one
     * @param options what to serve
     * @return the routes
     */
    public static RouterFunction<ServerResponse> create(String path, SpectraWebOptions options) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || path.endsWith("/") || path.contains("//") || path.contains("*")
                || path.contains("{")) {
            throw new IllegalArgumentException("path must start with / and not end with one, with no pattern: "
                    + "e.g. /spectra; was \"" + path + "\"");
        }
        return RouterFunctions.nest(RequestPredicates.path(path), create(options));
    }
}
