package dev.spectra.reactive.spring.boot.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata the IDEs complete from, as the configuration processor writes it from the properties'
 * javadoc: the read pool and budget gauge properties with their types, defaults and descriptions.
 */
class ConfigurationMetadataUnitTests {

    @Test
    void theReadPoolAndBudgetGaugePropertiesAreDescribedWithTheirDefaults() throws IOException {
        Map<String, JsonNode> properties = properties();

        assertThat(properties.get("spectra.metrics.budget-refresh").path("type").asString())
                .isEqualTo("java.time.Duration");
        assertThat(properties.get("spectra.metrics.budget-refresh").path("defaultValue").asString())
                .isEqualTo("30s");
        assertThat(properties.get("spectra.web.read-pool.enabled").path("defaultValue").asBoolean(true)).isFalse();
        assertThat(properties.get("spectra.web.read-pool.max-size").path("defaultValue").asInt()).isEqualTo(4);
        assertThat(properties.get("spectra.web.read-pool.statement-timeout").path("defaultValue").asString())
                .isEqualTo("10s");
        assertThat(properties.get("spectra.web.read-pool.acquire-timeout").path("defaultValue").asString())
                .isEqualTo("5s");
        for (String name : new String[] {"spectra.metrics.budget-refresh", "spectra.web.read-pool.enabled",
                "spectra.web.read-pool.url", "spectra.web.read-pool.username", "spectra.web.read-pool.password",
                "spectra.web.read-pool.max-size", "spectra.web.read-pool.statement-timeout",
                "spectra.web.read-pool.acquire-timeout"}) {
            assertThat(properties).containsKey(name);
            assertThat(properties.get(name).path("description").asString()).as(name).isNotBlank();
        }
    }

    private static Map<String, JsonNode> properties() throws IOException {
        try (InputStream in = ConfigurationMetadataUnitTests.class
                .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("META-INF/spring-configuration-metadata.json").isNotNull();
            Map<String, JsonNode> byName = new LinkedHashMap<>();
            for (JsonNode property : JsonMapper.builder().build().readTree(in).path("properties")) {
                byName.put(property.path("name").asString(), property);
            }
            return byName;
        }
    }
}
