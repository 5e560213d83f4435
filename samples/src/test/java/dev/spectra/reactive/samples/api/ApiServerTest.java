package dev.spectra.reactive.samples.api;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.r2dbc.R2dbcSinkOptions;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API server on its own, over one stored record: every request, whatever its answer, gets exactly one
 * response, and any sequence of them from one client is answered in turn.
 */
@ExtendWith(PostgresExtension.class)
class ApiServerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static R2dbcSpectraSink sink;
    private static ApiServer server;
    private static TrackedRequest stored;

    record Response(int status, JsonNode body) {
    }

    @BeforeAll
    static void start(TestDatabase db) {
        sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(db.schemaName()).build());
        InMemorySink memory = new InMemorySink();
        SpectraTracker tracker = SpectraTracker.builder().sink(memory).directDelivery().build();
        StepVerifier.create(tracker.track("openai", "gpt-4o", call -> {
                    call.usage(Usage.of(12, 3));
                    return Mono.just("ok");
                }).contextWrite(Spectra.metadata(Map.of("tenant_id", "acme"))))
                .expectNext("ok").verifyComplete();
        assertThat(memory.records()).hasSize(1);
        stored = memory.records().get(0);
        StepVerifier.create(sink.write(memory.records())).verifyComplete();
        server = ApiServer.start(sink.requests(), "127.0.0.1", 0, null);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        sink.close().block(TIMEOUT);
    }

    @Test
    void everyKindOfAnswerInTurnEachExactlyOnce() {
        // one connection at a time, reused whenever the server keeps it open
        ConnectionProvider one = ConnectionProvider.builder("api-server-test").maxConnections(1).build();
        try {
            HttpClient client = HttpClient.create(one).baseUrl(server.baseUrl()).responseTimeout(TIMEOUT);
            String id = stored.id().toString();
            for (int round = 0; round < 3; round++) {
                Response found = get(client, "/api/requests/" + id);
                assertThat(found.status()).isEqualTo(200);
                assertThat(found.body().path("id").asString()).isEqualTo(id);
                assertThat(found.body().path("metadata").path("tenant_id").asString()).isEqualTo("acme");
                assertThat(found.body().path("usage").path("total_tokens").asLong()).isEqualTo(15);

                Response missing = get(client, "/api/requests/00000000-0000-0000-0000-000000000001");
                assertThat(missing.status()).isEqualTo(404);
                assertThat(missing.body().path("error").asString())
                        .isEqualTo("no request with id 00000000-0000-0000-0000-000000000001");

                Response bad = get(client, "/api/requests?limit=0");
                assertThat(bad.status()).isEqualTo(400);
                assertThat(bad.body().path("parameter").asString()).isEqualTo("limit");

                Response page = get(client, "/api/requests");
                assertThat(page.status()).isEqualTo(200);
                assertThat(page.body().path("count").asInt()).isEqualTo(1);

                Response stats = get(client, "/api/stats");
                assertThat(stats.status()).isEqualTo(200);
                assertThat(stats.body().path("totals").path("requests").asInt()).isEqualTo(1);
                assertThat(stats.body().path("totals").path("failed_requests").asInt()).isZero();
                assertThat(stats.body().path("totals").path("total_tokens").asLong()).isEqualTo(15);
                assertThat(stats.body().path("by_provider").get(0).path("group").asString()).isEqualTo("openai");
                assertThat(stats.body().path("by_model").get(0).path("group").asString()).isEqualTo("gpt-4o");
                assertThat(stats.body().path("by_day")).hasSize(1);

                Response costs = get(client, "/api/costs?groupBy=metadata.tenant_id");
                assertThat(costs.status()).isEqualTo(200);
                assertThat(costs.body().path("groups")).hasSize(1);
                assertThat(costs.body().path("groups").get(0).path("group").asString()).isEqualTo("acme");
                assertThat(costs.body().path("groups").get(0).path("cost_usd").decimalValue())
                        .isEqualByComparingTo(stored.cost().total());
                assertThat(costs.body().path("total").path("requests").asInt()).isEqualTo(1);
            }
            // a found record used to be answered twice (200, then a 404 into the same response)
            assertThat(server.internalErrors()).isZero();
        } finally {
            one.disposeLater().block(TIMEOUT);
        }
    }

    @Test
    void aRequestQueuedBehindAnUnfinishedResponseAndAnsweredAtOnceLeavesTheConnectionReadable() throws IOException {
        // the hang of Reactor Netty 1.3.7 (reactor/reactor-netty#4361), on one keep-alive connection: a request
        // queued behind an unfinished response (the stats come from the database) and answered at once (a 400)
        // left the connection unread, so the next request on it got no answer
        URI base = URI.create(server.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            out.write((request("/api/stats") + request("/api/requests?limit=0")).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
            assertThat(readResponse(in)).startsWith("HTTP/1.1 400");

            out.write(request("/api/requests/" + stored.id()).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String third = readResponse(in);
            assertThat(third).startsWith("HTTP/1.1 200").contains(stored.id().toString());
        }
        assertThat(server.internalErrors()).isZero();
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

    private static Response get(HttpClient client, String path) {
        return client.get().uri(path)
                .responseSingle((res, body) -> body.asString().defaultIfEmpty("null")
                        .map(text -> new Response(res.status().code(), JSON.readTree(text))))
                .onErrorMap(e -> new AssertionError("GET " + path + " failed: " + e, e))
                .block(TIMEOUT.plusSeconds(5));
    }
}
