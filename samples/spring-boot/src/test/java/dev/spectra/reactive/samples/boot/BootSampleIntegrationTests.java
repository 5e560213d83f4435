package dev.spectra.reactive.samples.boot;

import java.time.Duration;
import java.util.List;
import java.util.Map;

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
                long reportedTokens = JsonMapper.builder().build().readTree(summary).path("usage")
                        .path("total_tokens").asLong();

                List<TrackedRequest> records = BootSampleApp.demo(context);

                assertThat(records).filteredOn(r -> "acme".equals(r.metadata().get("tenant_id")))
                        .hasSize(2).allSatisfy(r -> {
                            assertThat(r.provider()).isEqualTo("openai");
                            assertThat(r.model()).isEqualTo("gpt-4o-mini");
                            assertThat(r.totalCost()).isNotNull();
                        }).extracting(TrackedRequest::totalTokens).contains(reportedTokens);
                assertThat(records).filteredOn(r -> "globex".equals(r.metadata().get("tenant_id")))
                        .singleElement().satisfies(r -> {
                            // recorded from the bytes by the OkHttp interceptor, not by hand: the answer's id, the
                            // path and the answering model are there
                            assertThat(r.operation()).isEqualTo("chat");
                            assertThat(r.endpoint()).isEqualTo("/v1/chat/completions");
                            assertThat(r.responseId()).isNotNull();
                            assertThat(r.responseModel()).isNotNull();
                            assertThat(r.totalTokens()).isPositive();
                            assertThat(r.totalCost()).isNotNull();
                        });
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                assertThat(registry.get(SpectraMeters.RECORDS).tag("tenant_id", "globex").counter().count())
                        .isEqualTo(1.0);
                JsonNode health = JsonMapper.builder().build().readTree(self.get().uri("/actuator/health/spectra")
                        .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30)));
                assertThat(health.path("status").asString()).isEqualTo("UP");
            }
        }
    }
}
