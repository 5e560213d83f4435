package dev.spectra.reactive.samples.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;

import dev.spectra.reactive.r2dbc.Grouping;
import dev.spectra.reactive.r2dbc.RequestFilter;
import dev.spectra.reactive.r2dbc.SpectraRequests;
import dev.spectra.reactive.r2dbc.UsageTotals;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.util.Logger;
import reactor.util.Loggers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The sample's read API over what Spectra stored, on Reactor Netty, JSON via Jackson:
 *
 * <ul>
 *   <li>{@code GET /api/requests/{id}}: one record, metadata as structured JSON; 404 when unknown.</li>
 *   <li>{@code GET /api/requests}: the records a filter selects, newest first by default, with keyset paging
 *       ({@code next_cursor}).</li>
 *   <li>{@code GET /api/stats}: totals (requests, tokens, cost, average and p95 latency, failures) and breakdowns by
 *       provider, model and day.</li>
 *   <li>{@code GET /api/costs?groupBy=provider|model|day|metadata.<key>}: cost and tokens per group, e.g. per
 *       {@code metadata.tenant_id}.</li>
 *   <li>{@code GET /api/tags}: tags with their request counts, most used first.</li>
 * </ul>
 * Every endpoint takes the filters of {@link QueryParameters}; {@code stats}, {@code costs} and {@code tags}
 * default to {@code period=all}. A bad parameter is a 400 with {@code {"error": ..., "parameter": ...}}. When a
 * token is configured, every request needs {@code Authorization: Bearer <token>} (401 otherwise).
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = Loggers.getLogger(ApiServer.class);
    private static final Set<String> NONE = Set.of();

    private final SpectraRequests requests;
    private final byte @Nullable [] token;
    private final DisposableServer server;
    private final LongAdder internalErrors = new LongAdder();

    private ApiServer(SpectraRequests requests, String host, int port, @Nullable String token) {
        this.requests = requests;
        this.token = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.server = HttpServer.create().host(host).port(port)
                .route(r -> r.get("/api/requests/{id}", guard(this::findById))
                        .get("/api/requests", guard(this::search))
                        .get("/api/stats", guard(this::stats))
                        .get("/api/costs", guard(this::costs))
                        .get("/api/tags", guard(this::tags))
                        .route(req -> true, (req, res) -> send(res, HttpResponseStatus.NOT_FOUND,
                                RecordJson.error("no such endpoint: " + req.method() + " " + req.path(), null))))
                .bindNow(Duration.ofSeconds(10));
    }

    /**
     * Starts the API.
     *
     * @param requests the query API to serve
     * @param host the bind address (127.0.0.1 keeps it local)
     * @param port the port, 0 for any free one
     * @param token a bearer token to require, or null
     * @return the running server
     */
    public static ApiServer start(SpectraRequests requests, String host, int port, @Nullable String token) {
        return new ApiServer(requests, host, port, token);
    }

    /** @return the base URL, e.g. {@code http://127.0.0.1:8080} */
    public String baseUrl() {
        return "http://" + server.host() + ":" + server.port();
    }

    /** @return the bound port */
    public int port() {
        return server.port();
    }

    /**
     * @return how many requests failed inside the server (answered 500, or broken off after their response had
     *         started); bad input (400), unknown ids (404) and refused tokens (401) are not counted
     */
    public long internalErrors() {
        return internalErrors.sum();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }

    private BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> guard(
            BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> handler) {
        return (req, res) -> {
            if (token != null) {
                String auth = req.requestHeaders().get("Authorization");
                if (auth == null || !MessageDigest.isEqual(token, auth.getBytes(StandardCharsets.UTF_8))) {
                    return send(res.header("WWW-Authenticate", "Bearer"), HttpResponseStatus.UNAUTHORIZED,
                            RecordJson.error("this API needs Authorization: Bearer <SPECTRA_API_TOKEN>", null));
                }
            }
            try {
                return handler.apply(req, res).onErrorResume(e -> failure(res, e));
            } catch (RuntimeException e) {
                return failure(res, e);
            }
        };
    }

    private Mono<Void> findById(HttpServerRequest req, HttpServerResponse res) {
        String id = req.param("id");
        UUID uuid;
        try {
            uuid = UUID.fromString(String.valueOf(id));
        } catch (IllegalArgumentException e) {
            return send(res, HttpResponseStatus.BAD_REQUEST, RecordJson.error("id must be a UUID, was \"" + id + "\"", "id"));
        }
        new QueryParameters(req.uri()).allowOnly(NONE, false);
        // one response either way: send() completes empty, so it must come after the empty-check, never before it
        return requests.findById(uuid)
                .map(r -> send(res, HttpResponseStatus.OK, RecordJson.record(r)))
                .defaultIfEmpty(Mono.defer(() -> send(res, HttpResponseStatus.NOT_FOUND,
                        RecordJson.error("no request with id " + uuid, "id"))))
                .flatMap(response -> response);
    }

    private Mono<Void> search(HttpServerRequest req, HttpServerResponse res) {
        QueryParameters q = new QueryParameters(req.uri());
        q.allowOnly(NONE, true);
        RequestFilter filter = q.filter("all");
        return requests.search(q.query(filter)).flatMap(page -> {
            ObjectNode body = RecordJson.MAPPER.createObjectNode();
            ArrayNode items = body.putArray("items");
            page.items().forEach(r -> items.add(RecordJson.record(r)));
            body.put("count", page.items().size());
            body.put("next_cursor", page.nextCursor());
            return send(res, HttpResponseStatus.OK, body);
        });
    }

    private Mono<Void> stats(HttpServerRequest req, HttpServerResponse res) {
        QueryParameters q = new QueryParameters(req.uri());
        q.allowOnly(NONE, false);
        RequestFilter filter = q.filter("all");
        RequestFilter failed = filter.toBuilder().outcomes(dev.spectra.reactive.Outcome.FAILURE).build();
        // one query after another: a request holds at most one pooled connection, so readers never take the
        // whole pool from the sink's writes
        ObjectNode body = RecordJson.MAPPER.createObjectNode();
        return requests.totals(filter).doOnNext(t -> body.set("totals", RecordJson.totals(t)))
                .then(requests.totals(failed))
                .doOnNext(f -> ((ObjectNode) body.get("totals")).put("failed_requests", f.requests()))
                .then(requests.totals(filter, Grouping.byProvider()).collectList())
                .doOnNext(rows -> body.set("by_provider", groups(rows)))
                .then(requests.totals(filter, Grouping.byModel()).collectList())
                .doOnNext(rows -> body.set("by_model", groups(rows)))
                .then(requests.totals(filter, Grouping.byDay()).collectList())
                .doOnNext(rows -> body.set("by_day", groups(rows)))
                .then(Mono.defer(() -> send(res, HttpResponseStatus.OK, body)));
    }

    private Mono<Void> costs(HttpServerRequest req, HttpServerResponse res) {
        QueryParameters q = new QueryParameters(req.uri());
        q.allowOnly(Set.of("groupBy"), false);
        String by = q.single("groupBy");
        Grouping grouping;
        if (by == null || by.equals("provider")) {
            grouping = Grouping.byProvider();
        } else if (by.equals("model")) {
            grouping = Grouping.byModel();
        } else if (by.equals("day")) {
            grouping = Grouping.byDay();
        } else if (by.startsWith("metadata.") && by.length() > "metadata.".length()) {
            grouping = Grouping.byMetadata(by.substring("metadata.".length()));
        } else {
            return send(res, HttpResponseStatus.BAD_REQUEST, RecordJson.error(
                    "groupBy must be provider, model, day or metadata.<key>, was \"" + by + "\"", "groupBy"));
        }
        RequestFilter filter = q.filter("all");
        String groupBy = by == null ? "provider" : by;
        ObjectNode body = RecordJson.MAPPER.createObjectNode();
        body.put("group_by", groupBy);
        return requests.totals(filter, grouping).collectList().doOnNext(rows -> body.set("groups", groups(rows)))
                .then(requests.totals(filter)).doOnNext(total -> body.set("total", RecordJson.totals(total)))
                .then(Mono.defer(() -> send(res, HttpResponseStatus.OK, body)));
    }

    private Mono<Void> tags(HttpServerRequest req, HttpServerResponse res) {
        QueryParameters q = new QueryParameters(req.uri());
        q.allowOnly(NONE, false);
        return requests.tagCounts(q.filter("all")).collectList().flatMap(tags -> {
            ArrayNode body = RecordJson.MAPPER.createArrayNode();
            tags.forEach(t -> body.add(RecordJson.tag(t)));
            return send(res, HttpResponseStatus.OK, body);
        });
    }

    private static ArrayNode groups(List<UsageTotals> rows) {
        ArrayNode a = RecordJson.MAPPER.createArrayNode();
        rows.forEach(r -> a.add(RecordJson.totals(r)));
        return a;
    }

    private Mono<Void> failure(HttpServerResponse res, Throwable e) {
        if (res.hasSentHeaders()) {
            // a response is already on the wire: a second one would corrupt the connection, so close it instead
            internalErrors.increment();
            LOG.warn("API request failed after its response started; closing the connection", e);
            return Mono.error(e);
        }
        if (e instanceof QueryParameters.BadParameter bad) {
            return send(res, HttpResponseStatus.BAD_REQUEST, RecordJson.error(bad.getMessage(), bad.parameter));
        }
        internalErrors.increment();
        LOG.warn("API request failed", e);
        return send(res, HttpResponseStatus.INTERNAL_SERVER_ERROR, RecordJson.error("internal error: "
                + e.getClass().getSimpleName(), null));
    }

    private static Mono<Void> send(HttpServerResponse res, HttpResponseStatus status, JsonNode body) {
        byte[] bytes = RecordJson.write(body).getBytes(StandardCharsets.UTF_8);
        return res.status(status).header("Content-Type", "application/json")
                .header("Cache-Control", "no-store")
                .sendByteArray(Mono.just(bytes)).then();
    }
}
