package dev.spectra.reactive.okhttp;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.budget.Budget;
import dev.spectra.reactive.budget.BudgetDimension;
import dev.spectra.reactive.budget.BudgetExceededException;
import dev.spectra.reactive.budget.BudgetStatus;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Budgets enforced by the interceptor against the fixture server: the body is buffered and its estimate reserved
 * before {@code chain.proceed}; a refused call never reaches the server; the recorded cost settles; a stream is cut
 * off at the event that would cross a hard limit.
 */
class OkHttpBudgetIntegrationTests {

    static final MediaType JSON = MediaType.get("application/json");
    /** One streamed chat event of eight characters of text (two tokens); every event is this long. */
    static final String EVENT = "data: {\"id\":\"chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL\",\"object\":"
            + "\"chat.completion.chunk\",\"created\":1727346168,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\"%08d\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    static final int EVENTS = 20;
    static final String STREAM_FILE = "budget__okhttp__openai__chat__stream.sse";

    static FixtureServer server;
    final SpectraFake fake = SpectraFake.create();
    OkHttpClient client;

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        StringBuilder sse = new StringBuilder();
        for (int i = 1; i <= EVENTS; i++) {
            sse.append(EVENT.formatted(i));
        }
        FixtureServer.serve(STREAM_FILE, sse.toString().getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        FixtureServer.forget(STREAM_FILE);
        server.close();
    }

    @AfterEach
    void close() {
        fake.close();
        if (client != null) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }

    private OkHttpClient client(SpectraBudgets budgets) {
        client = new OkHttpClient.Builder()
                .dns(host -> List.of(InetAddress.getLoopbackAddress()))
                .readTimeout(Duration.ofSeconds(20))
                .addInterceptor(SpectraOkHttpInterceptor.builder().budgets(budgets).build())
                .build();
        return client;
    }

    /** "user" and "Hello": 9 characters, 3 input tokens. */
    private static String body(boolean stream, int maxTokens) {
        return "{\"model\":\"gpt-4o\"," + (stream ? "\"stream\":true," : "") + "\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
    }

    private static Request request(String fixture, String marker, String body, int chunks) {
        return new Request.Builder().url("http://api.openai.com:" + server.port() + "/v1/chat/completions")
                .header("x-fixture", fixture).header("x-marker", marker).header("x-chunks", Integer.toString(chunks))
                .header("x-delay-ms", "20").post(RequestBody.create(body, JSON)).build();
    }

    private static long receivedWith(String marker) {
        return server.received().stream().filter(r -> marker.equals(r.headers().get("x-marker"))).count();
    }

    private static BudgetStatus.Line line(SpectraBudgets budgets, String name, BudgetDimension d) {
        return budgets.status(name, "").block(Duration.ofSeconds(10)).line(d);
    }

    @Test
    void aCallOverAHardLimitFailsWithoutReachingTheServer() {
        SpectraBudgets budgets = SpectraBudgets.builder()
                .budget(Budget.builder("fifty-tokens").tokens(50).build()).build();
        OkHttpClient c = client(budgets);

        try (SpectraScope scope = Spectra.scope(fake.bind())) {
            assertThatThrownBy(() -> c.newCall(request("openai__chat__json__1.json", "ok-refused", body(false, 100), 1))
                    .execute().close())
                    .isInstanceOf(IOException.class)
                    .hasCauseInstanceOf(BudgetExceededException.class)
                    .cause().satisfies(e -> {
                        BudgetExceededException x = (BudgetExceededException) e;
                        assertThat(x.budget()).isEqualTo("fifty-tokens");
                        assertThat(x.dimension()).isEqualTo(BudgetDimension.TOKENS);
                    });
        }

        assertThat(receivedWith("ok-refused")).isZero();
        assertThat(budgets.refusedCalls()).isEqualTo(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.errorType()).isEqualTo(BudgetExceededException.class.getName());
        assertThat(line(budgets, "fifty-tokens", BudgetDimension.TOKENS).reserved()).isEqualByComparingTo("0");
    }

    @Test
    void aCallUnderTheLimitIsSentAsWrittenAndSettlesToItsRecordedCost() throws IOException {
        SpectraBudgets budgets = SpectraBudgets.builder()
                .budget(Budget.builder("daily").usd("1.00").tokens(1_000).requests(10).build()).build();
        OkHttpClient c = client(budgets);
        String body = body(false, 100);

        String answer;
        try (SpectraScope scope = Spectra.scope(fake.bind());
             Response response = c.newCall(request("openai__chat__json__1.json", "ok-passed", body, 1)).execute()) {
            answer = response.body().string();
        }

        assertThat(answer).contains("I'm unable to provide real-time weather updates");
        assertThat(server.received().stream().filter(r -> "ok-passed".equals(r.headers().get("x-marker")))
                .findFirst().orElseThrow().body()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.usage().totalTokens()).isEqualTo(51);
        assertThat(line(budgets, "daily", BudgetDimension.USD).spent()).isEqualByComparingTo(r.cost().total());
        assertThat(line(budgets, "daily", BudgetDimension.USD).reserved()).isEqualByComparingTo("0");
        assertThat(line(budgets, "daily", BudgetDimension.TOKENS).spent()).isEqualByComparingTo("51");
        assertThat(line(budgets, "daily", BudgetDimension.REQUESTS).spent()).isEqualByComparingTo("1");
    }

    @Test
    void aStreamIsCutOffAtTheEventThatWouldCrossAHardLimit() throws IOException {
        SpectraBudgets budgets = SpectraBudgets.builder()
                .budget(Budget.builder("twenty-tokens").tokens(20).build()).build();
        OkHttpClient c = client(budgets);

        // 3 input tokens and 4 reserved for output; each event adds 2 output tokens: the 9th would make 21 > 20
        Buffer read = new Buffer();
        IOException failure = null;
        try (SpectraScope scope = Spectra.scope(fake.bind());
             Response response = c.newCall(request(STREAM_FILE, "ok-cut", body(true, 4), EVENTS)).execute()) {
            BufferedSource source = response.body().source();
            try {
                while (source.read(read, 8192) != -1) {
                    // keep reading
                }
            } catch (IOException e) {
                failure = e;
            }
        }

        StringBuilder firstEight = new StringBuilder();
        for (int i = 1; i <= 8; i++) {
            firstEight.append(EVENT.formatted(i));
        }
        assertThat(read.readUtf8()).isEqualTo(firstEight.toString());
        assertThat(failure).isNotNull().hasCauseInstanceOf(BudgetExceededException.class);
        assertThat(budgets.cutOffStreams()).isEqualTo(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.usage()).isEqualTo(Usage.of(3, 18));
        assertThat(r.metadata()).containsEntry(SpectraBudgets.USAGE_ESTIMATED_KEY, true)
                .containsEntry(SpectraBudgets.CUT_OFF_KEY, "twenty-tokens");
        assertThat(line(budgets, "twenty-tokens", BudgetDimension.TOKENS).spent()).isEqualByComparingTo("21");
        assertThat(line(budgets, "twenty-tokens", BudgetDimension.TOKENS).reserved()).isEqualByComparingTo("0");
    }
}
