package dev.spectra.reactive.samples;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SampleConfigUnitTests {

    @Test
    void defaultsRunTheWholeDemoOnTheEmbeddedDatabaseAndServeTheApi() {
        SampleConfig c = SampleConfig.parse(new String[0], Map.of());

        assertThat(c.databaseUrl()).isNull();
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.requests()).isEqualTo(40);
        assertThat(c.serve()).isTrue();
        assertThat(c.apiToken()).isNull();
        assertThat(c.openai().standIn()).isTrue();
    }

    @Test
    void flagsWinOverTheEnvironment() {
        SampleConfig c = SampleConfig.parse(new String[] {"--once", "--port", "0", "--requests", "5",
                "--openai-base-url", "https://api.openai.com/"}, Map.of("SPECTRA_API_PORT", "9000",
                "SPECTRA_R2DBC_URL", "r2dbc:postgresql://app:pw@db:5432/spectra", "OPENAI_API_KEY", "sk-live",
                "SPECTRA_API_TOKEN", "t"));

        assertThat(c.serve()).isFalse();
        assertThat(c.port()).isZero();
        assertThat(c.requests()).isEqualTo(5);
        assertThat(c.databaseUrl()).isEqualTo("r2dbc:postgresql://app:pw@db:5432/spectra");
        assertThat(c.openai()).isEqualTo(new SampleConfig.Endpoint("https://api.openai.com", "sk-live"));
        assertThat(c.apiToken()).isEqualTo("t");
        assertThat(c.toString()).contains("database=r2dbc:postgresql://app:****@db:5432/spectra", "apiToken=set")
                .doesNotContain("pw", "sk-live");
        assertThat(c.openai().toString()).isEqualTo("Endpoint{https://api.openai.com, key set}");
    }

    @Test
    void badValuesNameTheirFlag() {
        assertThatThrownBy(() -> SampleConfig.parse(new String[] {"--port", "http"}, Map.of()))
                .hasMessage("--port: \"http\" is not a port (1-65535, or 0 for any free port)");
        assertThatThrownBy(() -> SampleConfig.parse(new String[] {"--requests", "0"}, Map.of()))
                .hasMessage("--requests: \"0\" is not a number of requests (1-100000)");
        assertThatThrownBy(() -> SampleConfig.parse(new String[] {"--requests"}, Map.of()))
                .hasMessage("--requests needs a value");
        assertThatThrownBy(() -> SampleConfig.parse(new String[] {"--db-url", "postgres://u:secret@h/db"}, Map.of()))
                .hasMessage("--db-url: \"postgres://u:****@h/db\" is not an r2dbc:postgresql:// URL");
        assertThatThrownBy(() -> SampleConfig.parse(new String[0], Map.of("SPECTRA_API_PORT", "-1")))
                .hasMessage("SPECTRA_API_PORT: \"-1\" is not a port (1-65535, or 0 for any free port)");
        assertThatThrownBy(() -> SampleConfig.parse(new String[] {"--verbose"}, Map.of()))
                .hasMessage("unknown flag \"--verbose\" (see --help)");
        assertThatThrownBy(() -> SampleConfig.parse(new String[] {"--gemini-base-url", "ftp://x"}, Map.of()))
                .hasMessage("--gemini-base-url: \"ftp://x\" is not an http(s) URL");
    }
}
