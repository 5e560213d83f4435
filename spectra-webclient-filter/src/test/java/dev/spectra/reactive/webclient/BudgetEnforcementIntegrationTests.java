package dev.spectra.reactive.webclient;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.budget.Budget;
import dev.spectra.reactive.budget.BudgetDimension;
import dev.spectra.reactive.budget.BudgetExceededException;
import dev.spectra.reactive.budget.BudgetStatus;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Budgets enforced by the filter against the fixture server: the estimate is read from the body as it is written
 * and reserved before a byte is sent; a refused call never reaches the server; the recorded cost settles; a stream
 * is cut off at the event that would cross a hard limit.
 */
class BudgetEnforcementIntegrationTests {

    static FixtureServer server;

    /** One streamed chat event of eight characters of text (two tokens); every event is this long. */
    static final String EVENT = "data: {\"id\":\"chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL\",\"object\":"
            + "\"chat.completion.chunk\",\"created\":1727346168,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\"%08d\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    static final int EVENTS = 20;
    static final String STREAM_FILE = "budget__openai__chat__stream.sse";

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

    /** "user" and "Hello": 9 characters, 3 input tokens. */
    private static String body(boolean stream, int maxTokens) {
        return "{\"model\":\"gpt-4o\"," + (stream ? "\"stream\":true," : "") + "\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
    }

    private static WebClient.RequestHeadersSpec<?> call(WebClient client, String fixture, String marker, String body,
                                                      int chunks) {
        return client.post().uri("http://api.openai.com:" + server.port() + "/v1/chat/completions")
                .header("x-fixture", fixture).header("x-marker", marker).header("x-chunks", Integer.toString(chunks))
                .header("x-delay-ms", "20").contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }

    private static long receivedWith(String marker) {
        return server.received().stream().filter(r -> marker.equals(r.headers().get("x-marker"))).count();
    }

    private static BudgetStatus.Line line(SpectraBudgets budgets, String name, BudgetDimension d) {
        return budgets.status(name, "").block(Duration.ofSeconds(10)).line(d);
    }

    @Test
    void aCallOverAHardLimitFailsWithoutSendingAByte() {
        SpectraFake fake = SpectraFake.create();
        SpectraBudgets budgets = SpectraBudgets.builder()
                .budget(Budget.builder("fifty-tokens").tokens(50).build()).build();
        WebClient client = TestClients.client(SpectraExchangeFilter.builder().budgets(budgets).build());

        call(client, "openai__chat__json__1.json", "refused", body(false, 100), 1).retrieve()
                .bodyToMono(String.class).contextWrite(fake.bind())
                .as(StepVerifier::create)
                .verifyErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(BudgetExceededException.class);
                    BudgetExceededException x = (BudgetExceededException) e;
                    assertThat(x.budget()).isEqualTo("fifty-tokens");
                    assertThat(x.dimension()).isEqualTo(BudgetDimension.TOKENS);
                    assertThat(x.spent()).isEqualByComparingTo("0");
                });

        assertThat(receivedWith("refused")).isZero();
        assertThat(budgets.refusedCalls()).isEqualTo(1);
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.errorType()).isEqualTo(BudgetExceededException.class.getName());
        assertThat(r.usage()).isNull();
        assertThat(line(budgets, "fifty-tokens", BudgetDimension.TOKENS).reserved()).isEqualByComparingTo("0");
    }

    @Test
    void aCallUnderTheLimitIsSentAndSettlesToItsRecordedCost() {
        SpectraFake fake = SpectraFake.create();
        SpectraBudgets budgets = SpectraBudgets.builder()
                .budget(Budget.builder("daily").usd("1.00").tokens(1_000).requests(10).build()).build();
        WebClient client = TestClients.client(SpectraExchangeFilter.builder().budgets(budgets).build());
        String body = body(false, 100);

        call(client, "openai__chat__json__1.json", "passed", body, 1).retrieve().bodyToMono(String.class)
                .contextWrite(fake.bind())
                .as(StepVerifier::create)
                .assertNext(answer -> assertThat(answer).contains("I'm unable to provide real-time weather updates"))
                .verifyComplete();

        assertThat(receivedWith("passed")).isEqualTo(1);
        assertThat(server.received().stream().filter(r -> "passed".equals(r.headers().get("x-marker")))
                .findFirst().orElseThrow().body()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(r.usage().inputTokens()).isEqualTo(14);
        assertThat(r.usage().outputTokens()).isEqualTo(37);
        BigDecimal cost = r.cost().total();
        assertThat(cost).isPositive();
        assertThat(line(budgets, "daily", BudgetDimension.USD).spent()).isEqualByComparingTo(cost);
        assertThat(line(budgets, "daily", BudgetDimension.USD).reserved()).isEqualByComparingTo("0");
        assertThat(line(budgets, "daily", BudgetDimension.TOKENS).spent()).isEqualByComparingTo("51");
        assertThat(line(budgets, "daily", BudgetDimension.REQUESTS).spent()).isEqualByComparingTo("1");
    }

    @Test
    void aStreamIsCutOffAtTheEventThatWouldCrossAHardLimit() {
        SpectraFake fake = SpectraFake.create();
        SpectraBudgets budgets = SpectraBudgets.builder()
                .budget(Budget.builder("twenty-tokens").tokens(20).build()).build();
        WebClient client = TestClients.client(SpectraExchangeFilter.builder().budgets(budgets).build());

        // 3 input tokens and 4 reserved for output; each event adds 2 output tokens: the 9th would make 21 > 20
        List<String> events = call(client, STREAM_FILE, "cut", body(true, 4), EVENTS).retrieve()
                .bodyToFlux(DataBuffer.class)
                .map(b -> {
                    String s = b.toString(StandardCharsets.UTF_8);
                    DataBufferUtils.release(b);
                    return s;
                })
                .contextWrite(fake.bind())
                // Spring wraps a body's error in a WebClientResponseException: the refusal is its cause
                .onErrorResume(e -> e.getCause() instanceof BudgetExceededException,
                        e -> Flux.just("refused by " + ((BudgetExceededException) e.getCause()).budget()))
                .collectList().block(Duration.ofSeconds(30));

        StringBuilder firstEight = new StringBuilder();
        for (int i = 1; i <= 8; i++) {
            firstEight.append(EVENT.formatted(i));
        }
        assertThat(events).last().isEqualTo("refused by twenty-tokens");
        assertThat(String.join("", events.subList(0, events.size() - 1))).isEqualTo(firstEight.toString());
        assertThat(budgets.cutOffStreams()).isEqualTo(1);

        TrackedRequest r = fake.last();
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        // the ninth event arrived (the provider generated it) though it was not passed on: 9 × 2 output tokens
        assertThat(r.usage()).isEqualTo(Usage.of(3, 18));
        assertThat(r.metadata()).containsEntry(SpectraBudgets.USAGE_ESTIMATED_KEY, true)
                .containsEntry(SpectraBudgets.CUT_OFF_KEY, "twenty-tokens");
        BudgetStatus.Line tokens = line(budgets, "twenty-tokens", BudgetDimension.TOKENS);
        assertThat(tokens.spent()).isEqualByComparingTo("21");
        assertThat(tokens.reserved()).isEqualByComparingTo("0");
    }
}
