package dev.spectra.reactive.okhttp;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every shared fixture, whole and cut in pieces, through a plain OkHttpClient whose DNS sends the providers' real
 * host names to the local fixture server: the caller reads exactly the bytes the server sent, the record equals
 * the WebClient filter's record of the same bytes, and no connection is left in use.
 */
class OkHttpFixtureIntegrationTests {

    static final String OLLAMA = "ollama.test";
    static final MediaType JSON = MediaType.get("application/json");

    static FixtureServer server;
    static ConnectionPool pool;
    static OkHttpClient client;
    final SpectraFake fake = SpectraFake.create();

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        pool = new ConnectionPool();
        client = new OkHttpClient.Builder()
                .dns(host -> List.of(InetAddress.getLoopbackAddress()))
                .connectionPool(pool)
                .readTimeout(Duration.ofSeconds(20))
                .addInterceptor(SpectraOkHttpInterceptor.builder().host("ollama", OLLAMA).build())
                .build();
    }

    @AfterAll
    static void stop() {
        client.dispatcher().executorService().shutdown();
        server.close();
    }

    @AfterEach
    void close() {
        fake.close();
    }

    static List<Arguments> fixtures() {
        List<Arguments> out = new ArrayList<>();
        for (ProviderFixture f : ProviderFixtures.all()) {
            out.add(Arguments.of(f, 1));
            out.add(Arguments.of(f, 7));
        }
        return out;
    }

    static String host(ProviderFixture f) {
        return f.provider().equals("ollama") ? OLLAMA : f.host();
    }

    static String body(ProviderFixture f) {
        StringBuilder b = new StringBuilder("{");
        if (f.requestModel() != null) {
            b.append("\"model\":\"").append(f.requestModel()).append("\",");
        }
        if (!f.path().contains(":") && (f.streaming() || f.provider().equals("ollama"))) {
            b.append("\"stream\":").append(f.streaming()).append(',');
        }
        return b.append("\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}").toString();
    }

    @ParameterizedTest(name = "{0} in {1} pieces")
    @MethodSource("fixtures")
    void eachFixtureGivesTheFiltersRecordAndTheCallerReadsTheSameBytes(ProviderFixture f, int pieces)
            throws IOException {
        String url = "http://" + host(f) + ":" + server.port() + f.path();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-fixture", f.file());
        headers.put("x-status", Integer.toString(f.status()));
        headers.put("x-chunks", Integer.toString(pieces));
        Request.Builder request = new Request.Builder().url(url).post(RequestBody.create(body(f), JSON));
        headers.forEach(request::header);
        request.header("Authorization", "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz0123456789");

        byte[] read;
        try (SpectraScope scope = Spectra.scope(fake.bind(), Spectra.metadata("fixture", f.file()));
             Response response = client.newCall(request.build()).execute()) {
            read = response.body().bytes();
        }

        assertThat(read).isEqualTo(FixtureServer.fixture(f.file()));
        assertThat(fake.recorded()).hasSize(1);
        TrackedRequest okhttp = fake.last();
        assertThat(okhttp.outcome()).isEqualTo(f.errorType() != null ? Outcome.FAILURE : Outcome.SUCCESS);
        assertThat(okhttp.toString()).doesNotContain("sk-proj-");
        TrackedRequest filter = FilterReference.record(f.provider(), server.port(), f.path(),
                body(f).getBytes(java.nio.charset.StandardCharsets.UTF_8), headers, Map.of("fixture", f.file()));
        FilterReference.assertSameRecord(okhttp, filter);
        assertThat(pool.connectionCount()).isEqualTo(pool.idleConnectionCount());
    }

    @Test
    void aStreamClosedAfterTwoEventsIsCancelledWithWhatArrived() throws IOException {
        Request request = new Request.Builder()
                .url("http://api.anthropic.com:" + server.port() + "/v1/messages")
                .post(RequestBody.create("{\"model\":\"claude-sonnet-4-20250514\",\"stream\":true}", JSON))
                .header("x-fixture", "anthropic__messages__stream__1.sse")
                .header("x-chunks", "40")
                .header("x-delay-ms", "20")
                .build();
        try (SpectraScope scope = Spectra.scope(fake.bind());
             Response response = client.newCall(request).execute()) {
            InputStream in = response.body().byteStream();
            int blankLines = 0;
            int previous = -1;
            while (blankLines < 2) {
                int c = in.read();
                if (c == '\n' && previous == '\n') {
                    blankLines++;
                }
                previous = c;
            }
        }
        TrackedRequest r = fake.last();
        assertThat(fake.recorded()).hasSize(1);
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.streaming()).isTrue();
        assertThat(r.chunkCount()).isGreaterThanOrEqualTo(2);
        assertThat(r.usage()).isNotNull();
        assertThat(r.usage().inputTokens()).isEqualTo(377);
        assertThat(pool.connectionCount()).isEqualTo(pool.idleConnectionCount());
    }

    @Test
    void aBodyNeverClosedIsStillRecordedOnceAsCancelled() throws Exception {
        Request request = new Request.Builder()
                .url("http://api.openai.com:" + server.port() + "/v1/chat/completions")
                .post(RequestBody.create("{\"model\":\"gpt-4o\",\"stream\":true}", JSON))
                .header("x-fixture", "openai__chat__stream__1.sse")
                .build();
        OkHttpClient own = client.newBuilder().connectionPool(new ConnectionPool()).build();
        try (SpectraScope scope = Spectra.scope(fake.bind())) {
            dropWithoutClosing(own, request);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (fake.recorded().isEmpty() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(fake.recorded()).hasSize(1);
        assertThat(fake.last().outcome()).isEqualTo(Outcome.CANCELLED);
    }

    /** Starts reading a response and drops it: no reference to it is left. */
    private static void dropWithoutClosing(OkHttpClient own, Request request) throws IOException {
        Response response = own.newCall(request).execute();
        assertThat(response.body().source().readByte()).isEqualTo((byte) 'd');
    }

    @Test
    void aFailedConnectionIsRecordedOnceWithoutStatus() {
        Request request = new Request.Builder()
                .url("http://api.openai.com:1/v1/chat/completions")
                .post(RequestBody.create("{\"model\":\"gpt-4o\"}", JSON))
                .build();
        try (SpectraScope scope = Spectra.scope(fake.bind());
             Response response = client.newCall(request).execute()) {
            throw new AssertionError("connected to port 1: " + response);
        } catch (IOException expected) {
            assertThat(expected).isNotNull();
        }
        assertThat(fake.recorded()).hasSize(1);
        assertThat(fake.last().outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(fake.last().httpStatus()).isNull();
        assertThat(fake.last().model()).isEqualTo("gpt-4o");
    }

    @Test
    void otherRequestsPassUntracked() throws IOException {
        Request request = new Request.Builder().url("http://api.openai.com:" + server.port() + "/v1/models").build();
        try (SpectraScope scope = Spectra.scope(fake.bind());
             Response response = client.newCall(request).execute()) {
            assertThat(response.body().string()).isEqualTo("{\"object\":\"list\",\"data\":[]}");
        }
        assertThat(fake.recorded()).isEmpty();
    }
}
