package dev.spectra.reactive.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which metadata keys are secret, and how their values are replaced at any depth. */
class MetadataRedactorUnitTests {

    @Test
    void keysMatchBySuffixIgnoringCaseAndPunctuationAndValuesAreReplacedAtAnyDepth() {
        MetadataRedactor r = new MetadataRedactor(List.of("api_key", "token", "password"));
        assertThat(r.isSecret("OPENAI_API_KEY")).isTrue();
        assertThat(r.isSecret("apiKey")).isTrue();
        assertThat(r.isSecret("x-api-key")).isTrue();
        assertThat(r.isSecret("auth_token")).isTrue();
        assertThat(r.isSecret("max_tokens")).isFalse();
        assertThat(r.isSecret("token_count")).isFalse();
        assertThat(r.isSecret("passwordHint")).isFalse();

        Map<String, Object> in = new LinkedHashMap<>();
        in.put("user", "ada");
        in.put("items", List.of(Map.of("token", "t1"), "plain"));
        Map<String, Object> frozen = JsonValues.freezeObject("m", in);
        Map<String, Object> out = r.redact(frozen);
        assertThat(out).isEqualTo(Map.of("user", "ada", "items", List.of(Map.of("token", "[REDACTED]"), "plain")));
        Map<String, Object> clean = JsonValues.freezeObject("m", Map.of("a", 1));
        assertThat(r.redact(clean)).isSameAs(clean);
    }
}
