package dev.spectra.reactive.spring.boot.autoconfigure;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraScope;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.micrometer.SpectraMeters;
import dev.spectra.reactive.micrometer.SpectraTrackerMetrics;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import dev.spectra.reactive.testsupport.postgres.EmbeddedServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter in a real WebFlux application on Reactor Netty: the application's {@code WebClient.Builder} and Spring
 * AI's {@code ChatClient} (OpenAI model, over OkHttp) call a local OpenAI stand-in; each record lands in embedded
 * PostgreSQL with the caller's metadata, the meters hold the calls' exact values, and the health indicator goes
 * DOWN when PostgreSQL stops and UP when it is back.
 */
@SpringBootTest(classes = SpectraStarterIntegrationTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spectra.r2dbc.schema=tracking", "spectra.metrics.metadata-tags=tenant_id",
                "spectra.recorder.max-delay=50ms", "spectra.recorder.retry-min-backoff=50ms",
                "spectra.recorder.retry-max-backoff=200ms",
                "management.endpoint.health.show-details=always",
                "spring.ai.openai.api-key=sk-proj-StarterTestKeyNeverStored0123456789",
                "spring.ai.openai.chat.options.model=gpt-4o"})
class SpectraStarterIntegrationTests {

    private static final ProviderFixture CHAT = ProviderFixtures.named("openai__chat__json__1.json");
    /** Another answer: the sink stores a response id once, so each test makes a call of its own. */
    private static final ProviderFixture OTHER_CHAT = ProviderFixtures.named("openai__chat__json__4.json");
    /** The first answer again under another id, for the Spring AI call. */
    private static final String SPRING_AI_CHAT = "spring-ai-chat.json";
    private static final String SPRING_AI_RESPONSE_ID = "chatcmpl-SpringAiChatClientAnswer00001";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedServer postgres;
    private static FixtureServer provider;

    @Autowired
    private WebClient.Builder webClients;
    @Autowired
    private SpectraTracker tracker;
    @Autowired
    private MeterRegistry registry;
    @LocalServerPort
    private int port;

    @Autowired
    private ChatClient.Builder chatClients;

    @SpringBootApplication
    static class App {

        /** Tells the stand-in which answer to send; not part of what a user adds. */
        @Bean
        OpenAiHttpClientBuilderCustomizer fixtureHeader() {
            return builder -> builder.interceptor(chain -> chain.proceed(chain.request().newBuilder()
                    .header("x-fixture", SPRING_AI_CHAT).build()));
        }
    }

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry properties) {
        postgres = EmbeddedServer.start(Map.of("fsync", "off"));
        provider = FixtureServer.start();
        properties.add("spectra.r2dbc.url", () -> postgres.r2dbcUrl("postgres"));
        properties.add("spring.r2dbc.url", () -> postgres.r2dbcUrl("postgres"));
        properties.add("spectra.hosts.openai", () -> "127.0.0.1:" + provider.port());
        properties.add("spring.ai.openai.base-url", () -> "http://127.0.0.1:" + provider.port() + "/v1");
        FixtureServer.serve(SPRING_AI_CHAT, new String(CHAT.bytes(), StandardCharsets.UTF_8)
                .replace(Objects.requireNonNull(CHAT.responseId()), SPRING_AI_RESPONSE_ID)
                .getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stopServers() {
        FixtureServer.forget(SPRING_AI_CHAT);
        if (provider != null) {
            provider.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aWebClientCallLandsInTheTableWithItsContextMetadataAndTheMetersHoldItsExactValues() {
        String answer = chat("acme", CHAT);
        assertThat(answer).contains("\"total_tokens\"");
        tracker.flush().block(TIMEOUT);

        List<Map<String, Object>> rows = rows("acme");
        assertThat(rows).hasSize(1);
        Map<String, Object> row = rows.get(0);
        assertThat(row).containsEntry("provider", "openai").containsEntry("model", "gpt-4o")
                .containsEntry("response_model", CHAT.responseModel()).containsEntry("outcome", "success")
                .containsEntry("input_tokens", CHAT.usage().input()).containsEntry("output_tokens",
                        CHAT.usage().output());
        BigDecimal cost = (BigDecimal) row.get("total_cost");
        assertThat(cost).isPositive();

        assertThat(registry.get(SpectraMeters.TOKEN_USAGE).tag("tenant_id", "acme").tag("gen_ai.token.type", "input")
                .summary().totalAmount()).isEqualTo((double) CHAT.usage().input());
        assertThat(registry.get(SpectraMeters.TOKEN_USAGE).tag("tenant_id", "acme")
                .tag("gen_ai.token.type", "output").summary().totalAmount()).isEqualTo((double) CHAT.usage().output());
        assertThat(registry.get(SpectraMeters.OPERATION_DURATION).tag("tenant_id", "acme")
                .tag("gen_ai.provider.name", "openai").tag("gen_ai.request.model", "gpt-4o")
                .tag("gen_ai.operation.name", "chat").timer().count()).isEqualTo(1);
        assertThat(registry.get(SpectraMeters.COST).tag("tenant_id", "acme").counter().count())
                .isEqualTo(cost.doubleValue());
        assertThat(registry.get(SpectraMeters.RECORDS).tag("tenant_id", "acme").tag("outcome", "success")
                .counter().count()).isEqualTo(1.0);
        assertThat(registry.get(SpectraTrackerMetrics.WRITTEN).tag("destination", "primary").functionCounter()
                .count()).isGreaterThanOrEqualTo(1.0);
        assertThat(registry.get(SpectraTrackerMetrics.DROPPED).tag("destination", "primary").functionCounter()
                .count()).isZero();
    }

    /**
     * Nothing records this call by hand: the starter's customizer puts the OkHttp interceptor on Spring AI's OpenAI
     * client, which reads the call from its bytes on the calling thread, where the scope holds the tenant.
     */
    @Test
    @SuppressWarnings("try") // the scope is held for the call's duration, not referenced
    void aSpringAiCallLandsInTheTableWithTheScopesMetadataAndTheMetersHoldItsExactValues() {
        ChatResponse response;
        try (SpectraScope scope = Spectra.scope(Spectra.metadata("tenant_id", "initech"))) {
            response = chatClients.build().prompt().user("What is the weather in San Francisco?").call()
                    .chatResponse();
        }
        assertThat(response).isNotNull();
        assertThat(response.getMetadata().getId()).isEqualTo(SPRING_AI_RESPONSE_ID);
        tracker.flush().block(TIMEOUT);

        assertThat(rows("initech")).singleElement().satisfies(row -> {
            assertThat(row).containsEntry("provider", "openai").containsEntry("model", "gpt-4o")
                    .containsEntry("response_model", CHAT.responseModel()).containsEntry("outcome", "success")
                    .containsEntry("input_tokens", CHAT.usage().input())
                    .containsEntry("output_tokens", CHAT.usage().output());
            // OpenAI's standard price of gpt-4o: 2.50 USD per 1M input tokens, 10.00 per 1M output tokens
            assertThat((BigDecimal) row.get("total_cost")).isEqualByComparingTo(new BigDecimal("2.50")
                    .multiply(BigDecimal.valueOf(CHAT.usage().input()))
                    .add(new BigDecimal("10.00").multiply(BigDecimal.valueOf(CHAT.usage().output())))
                    .movePointLeft(6));
        });
        assertThat(registry.get(SpectraMeters.TOKEN_USAGE).tag("tenant_id", "initech")
                .tag("gen_ai.token.type", "input").summary().totalAmount()).isEqualTo((double) CHAT.usage().input());
        assertThat(registry.get(SpectraMeters.TOKEN_USAGE).tag("tenant_id", "initech")
                .tag("gen_ai.token.type", "output").summary().totalAmount())
                .isEqualTo((double) CHAT.usage().output());
        assertThat(registry.get(SpectraMeters.RECORDS).tag("tenant_id", "initech").tag("outcome", "success")
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void healthGoesDownWhenPostgresStopsAndUpWhenItReturnsAndTheQueuedRecordIsThenStored() {
        assertThat(health()).containsEntry("status", "UP");

        postgres.stop();
        try {
            chat("during-outage", OTHER_CHAT);
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(health()).containsEntry("status", "DOWN"));
            assertThat(details()).containsKey("error");
        } finally {
            postgres.restart();
        }
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(health()).containsEntry("status", "UP"));
        tracker.flush().block(TIMEOUT);
        assertThat(rows("during-outage")).singleElement().satisfies(row -> assertThat(row)
                .containsEntry("model", OTHER_CHAT.requestModel())
                .containsEntry("input_tokens", OTHER_CHAT.usage().input()));
    }

    private String chat(String tenant, ProviderFixture fixture) {
        WebClient client = webClients.baseUrl("http://127.0.0.1:" + provider.port()).build();
        return client.post().uri("/v1/chat/completions").header("x-fixture", fixture.file())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"" + fixture.requestModel()
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .retrieve().bodyToMono(String.class)
                .contextWrite(Spectra.metadata("tenant_id", tenant))
                .block(TIMEOUT);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> health() {
        return WebClient.create("http://127.0.0.1:" + port).get().uri("/actuator/health/spectra")
                .exchangeToMono(response -> response.bodyToMono(Map.class)).map(m -> (Map<String, Object>) m)
                .block(TIMEOUT);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> details() {
        return (Map<String, Object>) health().get("details");
    }

    private static List<Map<String, Object>> rows(String tenant) {
        return Flux.usingWhen(ConnectionFactories.get(postgres.r2dbcUrl("postgres")).create(),
                        (Connection c) -> Flux.from(c.createStatement("SELECT provider, model, response_model, "
                                        + "outcome, input_tokens, output_tokens, total_cost FROM tracking.spectra_requests "
                                        + "WHERE metadata->>'tenant_id' = $1").bind("$1", tenant).execute())
                                .flatMap(result -> result.map((r, meta) -> {
                                    Map<String, Object> row = new java.util.LinkedHashMap<>();
                                    for (String column : List.of("provider", "model", "response_model", "outcome",
                                            "input_tokens", "output_tokens", "total_cost")) {
                                        row.put(column, r.get(column));
                                    }
                                    return row;
                                })),
                        c -> Mono.from(c.close()))
                .collectList().block(TIMEOUT);
    }
}
