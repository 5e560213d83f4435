package dev.spectra.reactive.samples;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TelemetryUnitTests {

    @Test
    void noEndpointNoTelemetry() {
        assertThat(Telemetry.fromEnvironment(Map.of())).isNull();
        assertThat(Telemetry.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", " "))).isNull();
    }

    @Test
    void anEndpointExportsToItsSignalPathsUnderTheServiceName() {
        try (Telemetry t = Telemetry.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318/",
                "OTEL_SERVICE_NAME", "billing"))) {
            assertThat(t).isNotNull();
            assertThat(t.describe()).isEqualTo("OTLP/HTTP to http://127.0.0.1:4318 as service billing");
        }
        try (Telemetry t = Telemetry.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"))) {
            assertThat(t.describe()).isEqualTo("OTLP/HTTP to http://127.0.0.1:4318 as service spectra-sample");
        }
    }

    @Test
    void badSettingsSayWhatIsExpected() {
        assertThatThrownBy(() -> Telemetry.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("OTEL_EXPORTER_OTLP_ENDPOINT must be the collector's OTLP/HTTP base URL, such as "
                        + "http://localhost:4318, was localhost:4318");
        assertThatThrownBy(() -> Telemetry.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://localhost:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported by the sample");
    }
}
