package dev.spectra.reactive.web.internal;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.Grouping;
import dev.spectra.reactive.r2dbc.RequestFilter;
import dev.spectra.reactive.r2dbc.SpectraRequests;
import dev.spectra.reactive.r2dbc.UsageTotals;
import dev.spectra.reactive.web.SpectraAccess;
import dev.spectra.reactive.web.SpectraWebOptions;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The routes behind {@code SpectraWebRoutes}: the API's handlers, its access check, its read limit and its error
 * answers, and the dashboard's files.
 */
public final class ApiRoutes {

    private static final Logger LOG = Loggers.getLogger(ApiRoutes.class);
    private static final Set<String> NONE = Set.of();
    private static final String ALLOW = "GET, HEAD";
    /** Top groups drawn as their own stack in a chart; the rest is summed as "other". */
    private static final int MAX_STACKS = 6;
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final SpectraWebOptions options;
    private final SpectraRequests requests;
    private final ReadLimiter limiter;
    private final Clock clock;

    private ApiRoutes(SpectraWebOptions options, Clock clock) {
        this.options = options;
        this.requests = options.requests();
        this.limiter = new ReadLimiter(options.maxConcurrentReads());
        this.clock = clock;
    }

    /**
     * @param options what to serve
     * @param clock the clock periods end at
     * @return the routes, paths relative to the mount
     */
    public static RouterFunction<ServerResponse> router(SpectraWebOptions options, Clock clock) {
        return new ApiRoutes(options, clock).build();
    }

    private RouterFunction<ServerResponse> build() {
        RouterFunctions.Builder api = RouterFunctions.route();
        read(api, "/api/requests/{id}", this::findById);
        read(api, "/api/requests", this::search);
        read(api, "/api/stats", this::stats);
        read(api, "/api/costs", this::costs);
        read(api, "/api/tags", this::tags);
        read(api, "/api/trackables", this::trackables);
        get(api, "/api/events", this::events);
        options.apiRoutes().forEach(api::add);
        api.route(RequestPredicates.path("/api/**"), req -> json(HttpStatus.NOT_FOUND,
                ApiJson.error("no such endpoint: " + req.method() + " " + req.path(), null)));
        api.filter((req, next) -> guard(req, () -> Mono.defer(() -> next.handle(req))));
        return Dashboard.routes().and(api.build());
    }

    /** A GET route whose handler reads the database: under the read limit. */
    private void read(RouterFunctions.Builder b, String path, HandlerFunction<ServerResponse> handler) {
        get(b, path, req -> Mono.defer(() -> {
            if (!limiter.tryAcquire()) {
                return busy();
            }
            Mono<ServerResponse> response;
            try {
                response = handler.handle(req);
            } catch (RuntimeException e) {
                limiter.release();
                return Mono.error(e);
            }
            return response.doFinally(s -> limiter.release());
        }));
    }

    private static void get(RouterFunctions.Builder b, String path, HandlerFunction<ServerResponse> handler) {
        RequestPredicate methods = RequestPredicates.method(HttpMethod.GET).or(RequestPredicates.method(HttpMethod.HEAD));
        b.route(RequestPredicates.path(path).and(methods), handler);
        b.route(RequestPredicates.path(path), req -> ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED)
                .header("Allow", ALLOW).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(ApiJson.write(ApiJson.error(req.method() + " is not allowed on " + req.path()
                        + "; this API is read-only: " + ALLOW, null))));
    }

    private Mono<ServerResponse> guard(ServerRequest req, java.util.function.Supplier<Mono<ServerResponse>> next) {
        SpectraAccess access = options.access();
        return Mono.defer(() -> access.allows(req))
                .onErrorResume(e -> {
                    LOG.warn("Spectra API: the access check failed; refusing the request", e);
                    return Mono.just(false);
                })
                .defaultIfEmpty(false)
                .flatMap(allowed -> {
                    if (allowed) {
                        return next.get().onErrorResume(this::failure);
                    }
                    if (access.needsNoCredential()) {
                        return json(HttpStatus.FORBIDDEN, ApiJson.error("this API answers requests to localhost "
                                + "only (Host was " + req.headers().firstHeader("Host") + "); set an API token to "
                                + "serve it under another name", null));
                    }
                    if (access instanceof SpectraAccess.BearerToken) {
                        return ServerResponse.status(HttpStatus.UNAUTHORIZED).header("WWW-Authenticate", "Bearer")
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(ApiJson.write(ApiJson.error("this API needs Authorization: Bearer "
                                        + "<token>", null)));
                    }
                    return json(HttpStatus.UNAUTHORIZED, ApiJson.error("this API needs an authenticated user ("
                            + access + ")", null));
                });
    }

    private Mono<ServerResponse> failure(Throwable e) {
        if (e instanceof BadParameter bad) {
            return json(HttpStatus.BAD_REQUEST, ApiJson.error(bad.getMessage(), bad.parameter()));
        }
        if (e instanceof R2dbcTimeoutException || e instanceof R2dbcTransientResourceException) {
            LOG.debug("Spectra API: a read timed out or found no connection: {}", e.toString());
            return busy();
        }
        if (e instanceof R2dbcException r && r.getSqlState() != null && r.getSqlState().startsWith("22")) {
            // a data exception: a value of the request (a date, a cursor's number) the database cannot take
            return json(HttpStatus.BAD_REQUEST, ApiJson.error("a value of the request is out of range: "
                    + r.getMessage(), null));
        }
        if (e instanceof R2dbcException r && r.getSqlState() != null && r.getSqlState().startsWith("57")) {
            return busy();      // statement timeout, server shutting down
        }
        LOG.warn("Spectra API: a request failed", e);
        return json(HttpStatus.INTERNAL_SERVER_ERROR, ApiJson.error("internal error: " + e.getClass().getSimpleName(),
                null));
    }

    private Mono<ServerResponse> busy() {
        return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header("Retry-After", Long.toString(options.retryAfter().getSeconds()))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(ApiJson.write(ApiJson.error("too many reads at once; retry after "
                        + options.retryAfter().getSeconds() + " s", null)));
    }

    private static Mono<ServerResponse> json(HttpStatus status, JsonNode body) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON)
                .header("Cache-Control", "no-store").bodyValue(ApiJson.write(body));
    }

    private QueryParameters params(ServerRequest req) {
        return new QueryParameters(req.uri().getRawQuery(), clock);
    }

    private Mono<ServerResponse> findById(ServerRequest req) {
        String id = req.pathVariable("id");
        UUID uuid;
        try {
            if (id.length() != 36) {
                throw new IllegalArgumentException("length");
            }
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new BadParameter("id", "id must be a UUID, was \"" + (id.length() > 80 ? id.substring(0, 80) : id)
                    + "\"");
        }
        params(req).allowOnly(NONE, false);
        return requests.findById(uuid)
                .flatMap(r -> json(HttpStatus.OK, ApiJson.record(r)))
                .switchIfEmpty(Mono.defer(() -> json(HttpStatus.NOT_FOUND,
                        ApiJson.error("no request with id " + uuid, "id"))));
    }

    private Mono<ServerResponse> search(ServerRequest req) {
        QueryParameters q = params(req).allowOnly(NONE, true);
        RequestFilter filter = q.filter("all");
        return requests.search(q.query(filter))
                .onErrorMap(e -> e instanceof IllegalArgumentException || e instanceof DateTimeException
                                || e instanceof ArithmeticException,
                        e -> new BadParameter("cursor", "cursor is not one this API gave for this sort and order"))
                .flatMap(page -> {
                    ObjectNode body = ApiJson.object();
                    ArrayNode items = body.putArray("items");
                    page.items().forEach(r -> items.add(ApiJson.record(r)));
                    body.put("count", page.items().size());
                    body.put("next_cursor", page.nextCursor());
                    return json(HttpStatus.OK, body);
                });
    }

    private Mono<ServerResponse> stats(ServerRequest req) {
        RequestFilter filter = params(req).allowOnly(NONE, false).filter("all");
        // one query after another: a request holds at most one connection of the read pool at a time
        ObjectNode body = ApiJson.object();
        return requests.totals(filter).doOnNext(t -> body.set("totals", ApiJson.totals(t, null)))
                .then(requests.totals(filter, Grouping.byProvider()).collectList())
                .doOnNext(rows -> body.set("by_provider", groups(rows, "(none)")))
                .then(requests.totals(filter, Grouping.byModel()).collectList())
                .doOnNext(rows -> body.set("by_model", groups(rows, "(none)")))
                .then(requests.totals(filter, Grouping.byDay()).collectList())
                .doOnNext(rows -> body.set("by_day", groups(rows, "(none)")))
                .then(Mono.defer(() -> json(HttpStatus.OK, body)));
    }

    private Mono<ServerResponse> costs(ServerRequest req) {
        QueryParameters q = params(req).allowOnly(Set.of("groupBy", "stackBy"), false);
        String by = q.single("groupBy");
        String groupBy = by == null ? "provider" : by;
        Grouping grouping = grouping(groupBy);
        String missing = grouping.kind() == Grouping.Kind.METADATA ? "(no " + grouping.metadataKey() + ")"
                : grouping.kind() == Grouping.Kind.TRACKABLE ? "(no trackable)" : "(none)";
        String stackBy = q.single("stackBy");
        if (stackBy != null && !stackBy.equals("provider") && !stackBy.equals("model")) {
            throw new BadParameter("stackBy", "stackBy must be provider or model, was \"" + stackBy + "\"");
        }
        if (stackBy != null && grouping.kind() != Grouping.Kind.DAY) {
            throw new BadParameter("stackBy", "stackBy goes with groupBy=day only");
        }
        RequestFilter filter = q.filter("all");
        ObjectNode body = ApiJson.object();
        body.put("group_by", groupBy);
        Mono<Void> series = stackBy == null ? Mono.empty() : series(filter, stackBy, body);
        return requests.totals(filter, grouping).collectList()
                .doOnNext(rows -> body.set("groups", groups(rows, missing)))
                .then(requests.totals(filter)).doOnNext(total -> body.set("total", ApiJson.totals(total, null)))
                .then(series)
                .then(Mono.defer(() -> json(HttpStatus.OK, body)));
    }

    /**
     * Cost per day of the largest {@value #MAX_STACKS} providers or models, each a series, and the rest as
     * {@code other}: each day's series add up to that day's total.
     */
    private Mono<Void> series(RequestFilter filter, String stackBy, ObjectNode body) {
        boolean byProvider = stackBy.equals("provider");
        body.put("stack_by", stackBy);
        return requests.totals(filter, byProvider ? Grouping.byProvider() : Grouping.byModel()).collectList()
                .flatMap(groups -> {
                    List<UsageTotals> top = new ArrayList<>(groups);
                    top.sort(Comparator.comparing(UsageTotals::totalCost).reversed()
                            .thenComparing(t -> String.valueOf(t.group())));
                    List<UsageTotals> shown = top.subList(0, Math.min(MAX_STACKS, top.size()));
                    Map<String, Map<String, BigDecimal>> perStack = new LinkedHashMap<>();
                    Map<String, BigDecimal> perDay = new LinkedHashMap<>();
                    Mono<Void> days = requests.totals(filter, Grouping.byDay())
                            .doOnNext(t -> perDay.put(String.valueOf(t.group()), t.totalCost())).then();
                    for (UsageTotals stack : shown) {
                        String name = String.valueOf(stack.group());
                        RequestFilter f = byProvider ? filter.toBuilder().providers(name).build()
                                : filter.toBuilder().models(name).build();
                        Map<String, BigDecimal> points = new LinkedHashMap<>();
                        perStack.put(name, points);
                        days = days.then(requests.totals(f, Grouping.byDay())
                                .doOnNext(t -> points.put(String.valueOf(t.group()), t.totalCost())).then());
                    }
                    return days.doOnSuccess(v -> {
                        ArrayNode out = body.putArray("series");
                        Map<String, BigDecimal> rest = new LinkedHashMap<>(perDay);
                        perStack.forEach((name, points) -> {
                            out.add(seriesNode(name, perDay, points));
                            points.forEach((day, cost) -> rest.merge(day, cost.negate(), BigDecimal::add));
                        });
                        if (top.size() > shown.size()) {
                            rest.replaceAll((day, cost) -> cost.signum() < 0 ? BigDecimal.ZERO : cost);
                            out.add(seriesNode("other", perDay, rest));
                        }
                    });
                });
    }

    private static ObjectNode seriesNode(String name, Map<String, BigDecimal> days, Map<String, BigDecimal> points) {
        ObjectNode s = ApiJson.object().put("group", name);
        ArrayNode p = s.putArray("points");
        days.keySet().forEach(day -> p.add(ApiJson.object().put("day", day)
                .put("cost_usd", plain(points.getOrDefault(day, BigDecimal.ZERO)))));
        return s;
    }

    private static BigDecimal plain(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    private static Grouping grouping(String by) {
        return switch (by) {
            case "provider" -> Grouping.byProvider();
            case "model" -> Grouping.byModel();
            case "day" -> Grouping.byDay();
            case "trackable" -> Grouping.byTrackable();
            default -> {
                if (by.startsWith("metadata.") && !by.substring("metadata.".length()).isBlank()) {
                    yield Grouping.byMetadata(by.substring("metadata.".length()));
                }
                throw new BadParameter("groupBy", "groupBy must be provider, model, day, trackable or "
                        + "metadata.<key>, was \"" + (by.length() > 80 ? by.substring(0, 80) : by) + "\"");
            }
        };
    }

    private Mono<ServerResponse> tags(ServerRequest req) {
        RequestFilter filter = params(req).allowOnly(NONE, false).filter("all");
        return requests.tagCounts(filter).collectList().flatMap(tags -> {
            ArrayNode body = ApiJson.array();
            tags.forEach(t -> body.add(ApiJson.tag(t)));
            return json(HttpStatus.OK, body);
        });
    }

    private Mono<ServerResponse> trackables(ServerRequest req) {
        RequestFilter filter = params(req).allowOnly(NONE, false).filter("all");
        return requests.totals(filter, Grouping.byTrackable()).collectList().flatMap(rows -> {
            ArrayNode body = ApiJson.array();
            for (UsageTotals t : rows) {
                ObjectNode n = ApiJson.totals(t, "(no trackable)");
                n.remove("group");
                if (t.group() == null) {
                    n.putNull("trackable_type");
                    n.putNull("trackable_id");
                } else {
                    JsonNode pair = ApiJson.MAPPER.readTree(t.group());
                    n.put("trackable_type", pair.get(0).asString());
                    n.put("trackable_id", pair.get(1).asString());
                    n.put("label", pair.get(0).asString() + ":" + pair.get(1).asString());
                }
                body.add(n);
            }
            return json(HttpStatus.OK, body);
        });
    }

    private Mono<ServerResponse> events(ServerRequest req) {
        params(req).allowOnly(NONE, false);
        Flux<TrackedRequest> source = options.events();
        if (source == null) {
            return json(HttpStatus.NOT_FOUND, ApiJson.error("this server has no live feed of records", null));
        }
        Flux<ServerSentEvent<String>> feed = Flux.defer(() -> {
            AtomicLong count = new AtomicLong();
            AtomicLong tokens = new AtomicLong();
            AtomicLong unpriced = new AtomicLong();
            BigDecimal[] cost = {BigDecimal.ZERO};
            AtomicLong missed = new AtomicLong();
            Flux<ServerSentEvent<String>> records = source
                    .onBackpressureBuffer(options.eventBuffer(), r -> missed.incrementAndGet(),
                            BufferOverflowStrategy.DROP_OLDEST)
                    .map(r -> {
                        ObjectNode n = ApiJson.object();
                        n.set("record", ApiJson.record(r));
                        synchronized (cost) {
                            count.incrementAndGet();
                            Long t = r.totalTokens();
                            tokens.addAndGet(t == null ? 0 : t);
                            BigDecimal c = r.totalCost();
                            if (c == null) {
                                unpriced.incrementAndGet();
                            } else {
                                cost[0] = cost[0].add(c);
                            }
                            n.set("totals", ApiJson.object().put("requests", count.get())
                                    .put("total_tokens", tokens.get()).put("cost_usd", plain(cost[0]))
                                    .put("unpriced_requests", unpriced.get()).put("missed", missed.get()));
                        }
                        return ServerSentEvent.builder(ApiJson.write(n)).event("record").id(r.id().toString())
                                .build();
                    });
            Flux<ServerSentEvent<String>> keepAlive = Flux.interval(KEEP_ALIVE)
                    .map(i -> ServerSentEvent.<String>builder().comment("keep-alive").build());
            ServerSentEvent<String> ready = ServerSentEvent.builder("{}").event("ready").build();
            return Flux.just(ready).concatWith(Flux.merge(records, keepAlive).takeUntilOther(
                    source.ignoreElements().onErrorResume(e -> Mono.empty()).then(Mono.just(1))));
        });
        return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM).header("Cache-Control", "no-store")
                .header("X-Accel-Buffering", "no")
                .body(BodyInserters.fromServerSentEvents(feed));
    }

    private static ArrayNode groups(List<UsageTotals> rows, String missingLabel) {
        ArrayNode a = ApiJson.array();
        rows.forEach(r -> a.add(ApiJson.totals(r, missingLabel)));
        return a;
    }
}
