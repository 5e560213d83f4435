package dev.spectra.reactive.samples.boot;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.micrometer.SpectraMeters;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample as its README command runs it: the stand-in, embedded PostgreSQL, the application on a free port; a
 * WebClient call and a Spring AI call, both stored with their tenant, priced, and in the meters.
 */
class BootSampleIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @AfterEach
    void forgetGlobals() {
        Spectra.resetTracker();
    }

    @Test
    void aWebClientCallAndASpringAiCallAreStoredWithTheirTenantAndMetered() {
        try (BootSampleApp.Environment environment = BootSampleApp.Environment.start(0.05)) {
            SpringApplication application = new SpringApplication(BootSampleApp.class);
            Map<String, Object> properties = new java.util.LinkedHashMap<>(environment.properties());
            properties.put("server.port", "0");
            application.setDefaultProperties(properties);
            try (ConfigurableApplicationContext context = application.run()) {
                WebClient self = WebClient.create("http://127.0.0.1:" + context.getEnvironment()
                        .getProperty("local.server.port"));
                String summary = self.get().uri("/summarize?tenant=acme").retrieve().bodyToMono(String.class)
                        .block(Duration.ofSeconds(30));
                JsonNode summaryUsage = JSON.readTree(summary).path("usage");
                long summaryInput = summaryUsage.path("prompt_tokens").asLong();
                long summaryOutput = summaryUsage.path("completion_tokens").asLong();
                assertThat(summaryInput).isPositive();
                JsonNode asked = JSON.readTree(self.get().uri("/ask?tenant=initech&q=Which invoices are overdue?")
                        .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30)));
                long promptTokens = asked.path("prompt_tokens").asLong();
                long completionTokens = asked.path("completion_tokens").asLong();
                assertThat(promptTokens).isPositive();
                assertThat(completionTokens).isPositive();

                List<TrackedRequest> records = BootSampleApp.demo(context);

                // the same request twice (the stand-in's usage follows the request body): two records with the
                // answer's usage and OpenAI's standard price of gpt-4o-mini (0.15 and 0.60 USD per 1M tokens)
                assertThat(records).filteredOn(r -> "acme".equals(r.metadata().get("tenant_id")))
                        .hasSize(2).allSatisfy(r -> {
                            assertThat(r.provider()).isEqualTo("openai");
                            assertThat(r.model()).isEqualTo("gpt-4o-mini");
                            assertThat(r.responseModel()).isEqualTo("gpt-4o-mini-2024-07-18");
                            assertThat(r.usage()).isNotNull();
                            assertThat(r.usage().inputTokens()).isEqualTo(summaryInput);
                            assertThat(r.usage().outputTokens()).isEqualTo(summaryOutput);
                            assertThat(r.totalCost()).isEqualByComparingTo(gpt4oMiniCost(summaryInput, summaryOutput));
                        });
                // the Spring AI call, recorded from its bytes by the OkHttp interceptor (nothing in the sample
                // records it by hand): the facts Spring AI read of the same response, the tenant of the scope
                // around the call, and the price
                assertThat(records).filteredOn(r -> "initech".equals(r.metadata().get("tenant_id")))
                        .singleElement().satisfies(r -> {
                            assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
                            assertThat(r.provider()).isEqualTo("openai");
                            assertThat(r.model()).isEqualTo("gpt-4o-mini");
                            assertThat(r.responseModel()).isEqualTo("gpt-4o-mini-2024-07-18")
                                    .isEqualTo(asked.path("model").asString());
                            assertThat(r.responseId()).startsWith("chatcmpl-")
                                    .isEqualTo(asked.path("id").asString());
                            assertThat(r.operation()).isEqualTo("chat");
                            assertThat(r.endpoint()).isEqualTo("/v1/chat/completions");
                            assertThat(r.streaming()).isFalse();
                            assertThat(r.usage()).isNotNull();
                            assertThat(r.usage().inputTokens()).isEqualTo(promptTokens);
                            assertThat(r.usage().outputTokens()).isEqualTo(completionTokens);
                            assertThat(r.usage().cachedInputTokens()).isZero();
                            assertThat(r.totalCost()).isEqualByComparingTo(gpt4oMiniCost(promptTokens,
                                    completionTokens));
                            assertThat(r.metadata()).containsOnlyKeys("tenant_id");
                        });
                assertThat(records).filteredOn(r -> "globex".equals(r.metadata().get("tenant_id")))
                        .singleElement().satisfies(r -> {
                            assertThat(r.endpoint()).isEqualTo("/v1/chat/completions");
                            assertThat(r.responseModel()).isEqualTo("gpt-4o-mini-2024-07-18");
                            assertThat(r.totalTokens()).isPositive();
                            assertThat(r.totalCost()).isPositive();
                        });
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                assertThat(registry.get(SpectraMeters.RECORDS).tag("tenant_id", "globex").counter().count())
                        .isEqualTo(1.0);
                assertThat(registry.get(SpectraMeters.TOKEN_USAGE).tag("tenant_id", "initech")
                        .tag("gen_ai.token.type", "input").summary().totalAmount()).isEqualTo((double) promptTokens);
                assertThat(registry.get(SpectraMeters.TOKEN_USAGE).tag("tenant_id", "initech")
                        .tag("gen_ai.token.type", "output").summary().totalAmount())
                        .isEqualTo((double) completionTokens);
                JsonNode health = JSON.readTree(self.get().uri("/actuator/health/spectra")
                        .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30)));
                assertThat(health.path("status").asString()).isEqualTo("UP");
            }
        }
    }

    /** OpenAI's standard price of gpt-4o-mini: 0.15 USD per 1M input tokens, 0.60 per 1M output tokens. */
    private static BigDecimal gpt4oMiniCost(long input, long output) {
        return new BigDecimal("0.15").multiply(BigDecimal.valueOf(input))
                .add(new BigDecimal("0.60").multiply(BigDecimal.valueOf(output))).movePointLeft(6);
    }
}
