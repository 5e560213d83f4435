package dev.spectra.reactive.web;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.R2dbcSinkOptions;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.r2dbc.SpectraRequests;
import dev.spectra.reactive.r2dbc.SpectraSchema;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Publisher;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The API over {@link WebSeed} in real PostgreSQL, served on 127.0.0.1 and read with a real HTTP client. */
@ExtendWith(PostgresExtension.class)
class WebApiIntegrationTests {

    /** Connection waits of a test machine shared with other builds: seconds, not milliseconds. */
    private static final Duration SLOW_MACHINE = Duration.ofSeconds(30);

    private static final String TOKEN = "t0ken-for-the-web-tests";
    private static R2dbcSpectraSink sink;
    private static SpectraReadPool reads;
    private static SpectraWebServer open;
    private static SpectraWebServer guarded;
    private static List<TrackedRequest> rows;

    @BeforeAll
    static void seed(TestDatabase db) {
        sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(db.schemaName())
                .maxAcquireTime(SLOW_MACHINE).maxCreateConnectionTime(SLOW_MACHINE).build());
        rows = WebSeed.rows(Instant.now());
        sink.write(rows).block(Duration.ofSeconds(30));
        reads = SpectraReadPool.create(db.url(), SpectraSchema.of(db.schemaName()), 2, Duration.ofSeconds(10),
                SLOW_MACHINE);
        open = SpectraWebServer.start(SpectraWebOptions.builder(reads.requests()).access(SpectraAccess.localOnly())
                .build(), "127.0.0.1", 0);
        guarded = SpectraWebServer.start(SpectraWebOptions.builder(reads.requests()).bearerToken(TOKEN)
                .apiRoutes(RouterFunctions.route(RequestPredicates.GET("/api/extra"),
                        req -> ServerResponse.ok().bodyValue("{\"extra\":true}")))
                .build(), "127.0.0.1", 0);
    }

    @AfterAll
    static void close() {
        open.close();
        guarded.close();
        reads.close();
        sink.close().block(Duration.ofSeconds(10));
    }

    private static JsonNode ok(String path) {
        Http.Answer a = Http.get(open.baseUrl() + path);
        assertThat(a.status()).as(path + " -> " + a.body()).isEqualTo(200);
        return a.json();
    }

    @Test
    void statsEqualTheKnownTotals() {
        JsonNode totals = ok("/api/stats").get("totals");
        Map<String, Object> seen = new LinkedHashMap<>();
        WebSeed.TOTALS.forEach((name, expected) -> seen.put(name, expected instanceof BigDecimal
                ? totals.get(name).decimalValue() : (Object) totals.get(name).asLong()));
        assertThat(seen).isEqualTo(WebSeed.TOTALS);
        assertThat(totals.get("failure_rate").decimalValue()).isEqualByComparingTo("0.1");
        JsonNode byProvider = ok("/api/stats").get("by_provider");
        assertThat(byProvider.get(0).get("group").asString()).isEqualTo("anthropic");
        assertThat(byProvider.get(0).get("cost_usd").decimalValue()).isEqualByComparingTo("0.162");
        assertThat(byProvider.get(1).get("cost_usd").decimalValue()).isEqualByComparingTo("0.318");
    }

    @Test
    void aModelFilterMatchesTheAnsweringModel() {
        JsonNode answered = ok("/api/stats?model=gpt-4o-2024-08-06").get("totals");
        // the 20 openai rows but the two failed ones (9 ... no: 19 and 29), which have no answering model
        assertThat(answered.get("requests").asLong()).isEqualTo(18);
        assertThat(ok("/api/stats?model=gpt-4o").get("totals").get("requests").asLong()).isEqualTo(20);
    }

    @Test
    void costsPerMetadataKeyLabelTheMissingGroup() {
        JsonNode costs = ok("/api/costs?groupBy=metadata.tenant_id");
        Map<String, BigDecimal> byLabel = new LinkedHashMap<>();
        costs.get("groups").forEach(g -> byLabel.put(g.get("label").asString(), g.get("cost_usd").decimalValue()));
        assertThat(byLabel).containsOnlyKeys("acme", "globex", "(no tenant_id)");
        assertThat(byLabel.get("acme")).isEqualByComparingTo("0.264");
        assertThat(byLabel.get("globex")).isEqualByComparingTo("0.2088");
        assertThat(byLabel.get("(no tenant_id)")).isEqualByComparingTo("0.0072");
        assertThat(costs.get("total").get("cost_usd").decimalValue()).isEqualByComparingTo("0.48");
    }

    @Test
    void stackedSeriesAddUpToEachDay() {
        JsonNode costs = ok("/api/costs?groupBy=day&stackBy=provider");
        Map<String, BigDecimal> days = new LinkedHashMap<>();
        costs.get("groups").forEach(g -> days.put(g.get("group").asString(), g.get("cost_usd").decimalValue()));
        Map<String, BigDecimal> stacked = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        costs.get("series").forEach(s -> {
            names.add(s.get("group").asString());
            s.get("points").forEach(p -> stacked.merge(p.get("day").asString(), p.get("cost_usd").decimalValue(),
                    BigDecimal::add));
        });
        assertThat(names).containsExactly("openai", "anthropic");
        assertThat(stacked.keySet()).isEqualTo(days.keySet());
        days.forEach((day, cost) -> assertThat(stacked.get(day)).as(day).isEqualByComparingTo(cost));
    }

    @Test
    void trackablesHaveTheirSpend() {
        JsonNode t = ok("/api/trackables");
        assertThat(t).hasSize(3);
        Map<String, Long> requests = new LinkedHashMap<>();
        t.forEach(n -> requests.put(n.get("trackable_type").asString() + "/" + n.get("trackable_id").asString(),
                n.get("requests").asLong()));
        assertThat(requests).isEqualTo(Map.of("user/u0", 10L, "user/u1", 10L, "user/u2", 10L));
    }

    @Test
    void keysetPagingWalksEveryRowOnce() {
        JsonNode first = ok("/api/requests?limit=20");
        assertThat(first.get("count").asInt()).isEqualTo(20);
        String cursor = first.get("next_cursor").asString();
        JsonNode second = ok("/api/requests?limit=20&cursor=" + cursor);
        assertThat(second.get("count").asInt()).isEqualTo(10);
        assertThat(second.get("next_cursor").isNull()).isTrue();
        Set<String> ids = new HashSet<>();
        first.get("items").forEach(r -> ids.add(r.get("id").asString()));
        second.get("items").forEach(r -> ids.add(r.get("id").asString()));
        assertThat(ids).hasSize(30);
        // newest first: row 0 is the newest
        assertThat(first.get("items").get(0).get("id").asString()).isEqualTo(rows.get(0).id().toString());
    }

    @Test
    void oneRequestByIdWithItsMetadata() {
        TrackedRequest r = rows.get(7);
        JsonNode json = ok("/api/requests/" + r.id());
        assertThat(json.get("metadata").get("tenant_id").asString()).isEqualTo("globex");
        assertThat(json.get("usage").get("cache_write_1h_tokens")).isNotNull();
        assertThat(Http.get(open.baseUrl() + "/api/requests/" + UUID.randomUUID()).status()).isEqualTo(404);
        Http.Answer bad = Http.get(open.baseUrl() + "/api/requests/not-a-uuid");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("parameter").asString()).isEqualTo("id");
    }

    @Test
    void badParametersAre400sNamingThem() {
        Map<String, String> cases = Map.of(
                "/api/stats?period=fortnight", "period",
                "/api/requests?limit=0", "limit",
                "/api/stats?provder=openai", "provder",
                "/api/costs?groupBy=colour", "groupBy",
                "/api/requests?cursor=AAAA", "cursor",
                "/api/stats?from=99999-01-01T00:00:00Z", "from");
        cases.forEach((path, parameter) -> {
            Http.Answer a = Http.get(open.baseUrl() + path);
            assertThat(a.status()).as(path).isEqualTo(400);
            assertThat(a.json().get("parameter").asString()).as(path).isEqualTo(parameter);
        });
    }

    @Test
    void malformedEncodingNulDatesAndCursorsAre400sNever500s() {
        String extremeCursor = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("1|STARTED_AT|d|9223372036854775807|" + UUID.randomUUID()).getBytes());
        String hugeCost = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("1|TOTAL_COST|d|1E+100000|" + UUID.randomUUID()).getBytes());
        for (String target : List.of("/api/stats?provider=%zz", "/api/stats?provider=%", "/api/stats?provider=a%00b",
                "/api/stats?metadata.k%00=v", "/api/stats?from=+1000000-01-01T00:00:00Z",
                "/api/stats?to=0000-12-31", "/api/requests?cursor=" + extremeCursor,
                "/api/requests?sort=cost&cursor=" + hugeCost, "/api/stats?provider=%C3%28")) {
            String answer = Http.rawGet(open.port(), target, "localhost");
            assertThat(answer).as(target).startsWith("HTTP/1.1 400 ");
        }
    }

    @Test
    void wrongMethodsAre405WithAllow() {
        for (String method : List.of("POST", "DELETE", "PUT")) {
            Http.Answer a = Http.send(method, open.baseUrl() + "/api/stats");
            assertThat(a.status()).isEqualTo(405);
            assertThat(a.header("Allow")).isEqualTo("GET, HEAD");
        }
        assertThat(Http.send("HEAD", open.baseUrl() + "/api/stats").status()).isEqualTo(200);
    }

    @Test
    void unknownApiPathsAreJson404s() {
        Http.Answer a = Http.get(open.baseUrl() + "/api/nothing");
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.json().get("error").asString()).contains("/api/nothing");
    }

    @Test
    void theTokenGuardsEveryApiPathTheCatchAllIncluded() {
        for (String path : List.of("/api/stats", "/api/nothing", "/api/extra", "/api/events")) {
            Http.Answer a = Http.get(guarded.baseUrl() + path);
            assertThat(a.status()).as(path).isEqualTo(401);
            assertThat(a.header("WWW-Authenticate")).isEqualTo("Bearer");
        }
        assertThat(Http.get(guarded.baseUrl() + "/api/stats", "Authorization", "Bearer wrong-token-of-length")
                .status()).isEqualTo(401);
        assertThat(Http.get(guarded.baseUrl() + "/api/stats", "Authorization", "Bearer " + TOKEN).status())
                .isEqualTo(200);
        assertThat(Http.get(guarded.baseUrl() + "/api/extra", "Authorization", "Bearer " + TOKEN).body())
                .isEqualTo("{\"extra\":true}");
        assertThat(Http.get(guarded.baseUrl() + "/api/nothing", "Authorization", "Bearer " + TOKEN).status())
                .isEqualTo(404);
        // the page holds no data: served without the token, its reads need it
        assertThat(Http.get(guarded.baseUrl() + "/").status()).isEqualTo(200);
    }

    @Test
    void withoutATokenOnlyLocalHostNamesAreServed() {
        assertThat(Http.rawGet(open.port(), "/api/stats", "localhost:" + open.port())).startsWith("HTTP/1.1 200 ");
        assertThat(Http.rawGet(open.port(), "/api/stats", "127.0.0.1")).startsWith("HTTP/1.1 200 ");
        assertThat(Http.rawGet(open.port(), "/api/stats", "attacker.example:" + open.port()))
                .startsWith("HTTP/1.1 403 ");
        assertThat(Http.rawGet(open.port(), "/api/nothing", "attacker.example")).startsWith("HTTP/1.1 403 ");
    }

    @Test
    void aNonLoopbackAddressWithoutATokenIsRefused() {
        SpectraWebOptions options = SpectraWebOptions.builder(reads.requests()).access(SpectraAccess.localOnly()).build();
        assertThatIllegalStateException().isThrownBy(() -> SpectraWebServer.start(options, "0.0.0.0", 0))
                .withMessageContaining("refusing to serve Spectra's API on 0.0.0.0 without a token");
        try (SpectraWebServer anyone = SpectraWebServer.start(SpectraWebOptions.builder(reads.requests())
                .access(SpectraAccess.anyone()).build(), "0.0.0.0", 0)) {
            assertThat(Http.get("http://127.0.0.1:" + anyone.port() + "/api/tags").status()).isEqualTo(200);
        }
    }

    @Test
    void withSpringSecurityPresentItsAuthenticatedUserIsRequiredByDefault() {
        SpectraWebOptions options = SpectraWebOptions.builder(reads.requests()).build();
        assertThat(options.access()).isSameAs(SpectraAccess.springSecurity());
        // what a SecurityWebFilterChain does: an authenticated user for requests that signed in, else anonymous
        WebFilter security = (exchange, chain) -> {
            Authentication who = exchange.getRequest().getHeaders().containsHeader("X-Signed-In")
                    ? UsernamePasswordAuthenticationToken.authenticated("ada", null, List.of())
                    : new AnonymousAuthenticationToken("key", "anonymous",
                            List.of(new SimpleGrantedAuthority("ROLE_ANONYMOUS")));
            return chain.filter(exchange).contextWrite(ReactiveSecurityContextHolder.withAuthentication(who));
        };
        HttpHandler handler = RouterFunctions.toHttpHandler(SpectraWebRoutes.create(options),
                HandlerStrategies.builder().webFilter(security).build());
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle(new ReactorHttpHandlerAdapter(handler)).bindNow();
        try {
            String base = "http://127.0.0.1:" + server.port();
            Http.Answer anonymous = Http.get(base + "/api/stats");
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(anonymous.json().get("error").asString()).contains("SpectraAccess.springSecurity()");
            assertThat(Http.get(base + "/api/stats", "X-Signed-In", "yes").json().get("totals").get("requests")
                    .asLong()).isEqualTo(30);
        } finally {
            server.disposeNow();
        }
    }

    @Test
    void mountsUnderAPath() {
        try (SpectraWebServer mounted = SpectraWebServer.start(SpectraWebRoutes.create("/spectra",
                SpectraWebOptions.builder(reads.requests()).access(SpectraAccess.localOnly()).build()), "127.0.0.1", 0)) {
            Http.Answer bare = Http.get(mounted.baseUrl() + "/spectra");
            assertThat(bare.status()).isEqualTo(308);
            assertThat(bare.header("Location")).isEqualTo("/spectra/");
            Http.Answer page = Http.get(mounted.baseUrl() + "/spectra/");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("<script src=\"dashboard.js\"");
            assertThat(Http.get(mounted.baseUrl() + "/spectra/dashboard.js").status()).isEqualTo(200);
            assertThat(Http.get(mounted.baseUrl() + "/spectra/api/stats").json().get("totals").get("requests")
                    .asLong()).isEqualTo(30);
            assertThat(Http.get(mounted.baseUrl() + "/api/stats").status()).isEqualTo(404);
        }
    }

    @Test
    void readsPastTheLimitGetA503WithRetryAfter(TestDatabase db) throws InterruptedException {
        Sinks.Empty<Void> gate = Sinks.empty();
        CountDownLatch waiting = new CountDownLatch(1);
        ConnectionFactory held = new GatedConnectionFactory(db.connectionFactory(), gate.asMono(), waiting);
        SpectraRequests slow = SpectraRequests.create(held, SpectraSchema.of(db.schemaName()));
        try (SpectraWebServer one = SpectraWebServer.start(SpectraWebOptions.builder(slow)
                .access(SpectraAccess.localOnly()).maxConcurrentReads(1)
                .retryAfter(Duration.ofSeconds(2)).build(), "127.0.0.1", 0)) {
            var first = Http.CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(one.baseUrl() + "/api/tags")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(waiting.await(10, TimeUnit.SECONDS)).as("the first read waits for its connection").isTrue();
            long start = System.nanoTime();
            Http.Answer second = Http.get(one.baseUrl() + "/api/tags");
            assertThat(second.status()).isEqualTo(503);
            // at once, not after waiting for the held read, which holds its connection until the gate opens below:
            // a bound far below the client's 30 s request timeout, which a slow machine cannot reach
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(second.header("Retry-After")).isEqualTo("2");
            gate.tryEmitEmpty();
            assertThat(first.join().statusCode()).isEqualTo(200);
            assertThat(Http.get(one.baseUrl() + "/api/tags").status()).isEqualTo(200);
        }
    }

    @Test
    void halfSentRequestsAreCutByTheIdleTimeout() {
        long start = System.nanoTime();
        String answer = Http.raw(open.port(), "GET /api/stats HTTP/1.1\r\nHost: localhost\r\n");
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertThat(answer).doesNotContain("HTTP/1.1 200");
        assertThat(seconds).isBetween(SpectraWebServer.IDLE_TIMEOUT.toSeconds() - 1,
                SpectraWebServer.IDLE_TIMEOUT.toSeconds() + 5);
    }

    @Test
    void aRequestQueuedBehindAnUnfinishedResponseAndAnsweredAtOnceLeavesTheConnectionReadable() throws IOException {
        // the hang of Reactor Netty 1.3.7 (reactor/reactor-netty#4361), on one keep-alive connection: a request
        // queued behind an unfinished response (the stats come from the database) and answered at once (a 400)
        // left the connection unread, so the next request on it got no answer
        try (Socket socket = new Socket("127.0.0.1", open.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            out.write((request("/api/stats") + request("/api/requests?limit=0")).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
            assertThat(readResponse(in)).startsWith("HTTP/1.1 400");
            String id = rows.get(0).id().toString();
            out.write(request("/api/requests/" + id).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200").contains(id);
        }
    }

    private static String request(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n";
    }

    /** One HTTP/1.1 response: head and body (by Content-Length, or chunked), as text. */
    private static String readResponse(InputStream in) throws IOException {
        String head = readLine(in);
        StringBuilder text = new StringBuilder(head).append('\n');
        long length = -1;
        boolean chunked = false;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            text.append(line).append('\n');
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring("content-length:".length()).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        text.append('\n');
        if (chunked) {
            for (int size = Integer.parseInt(readLine(in).trim(), 16); size > 0;
                 size = Integer.parseInt(readLine(in).trim(), 16)) {
                text.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
                readLine(in);
            }
            readLine(in);
        } else if (length >= 0) {
            text.append(new String(in.readNBytes((int) length), StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("the connection closed after: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** Hands out connections only once the gate opens: a read that holds its permit as long as the test wants. */
    private record GatedConnectionFactory(ConnectionFactory delegate, Mono<Void> gate, CountDownLatch waiting)
            implements ConnectionFactory {
        @Override
        public Publisher<? extends Connection> create() {
            return Mono.defer(() -> {
                waiting.countDown();
                return gate.then(Mono.from(delegate.create()));
            });
        }

        @Override
        public ConnectionFactoryMetadata getMetadata() {
            return delegate.getMetadata();
        }
    }
}
