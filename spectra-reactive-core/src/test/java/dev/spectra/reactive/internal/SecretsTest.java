package dev.spectra.reactive.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecretsTest {

    @Test
    void credentialsAreScrubbedFromFreeText() {
        assertThat(Secrets.scrub("GET https://x/v1beta/models/g:generateContent?alt=sse&key=AIzaSyXYZ123&b=1"))
                .isEqualTo("GET https://x/v1beta/models/g:generateContent?alt=sse&key=[REDACTED]&b=1");
        assertThat(Secrets.scrub("header Authorization: Bearer sk-proj-abcdefghijklmnop1234 rejected"))
                .isEqualTo("header Authorization: [REDACTED] rejected");
        assertThat(Secrets.scrub("{\"x-api-key\": \"sk-ant-api03-abcdefghijklmnopqrst\"}"))
                .isEqualTo("{\"x-api-key\": \"[REDACTED]\"}");
        assertThat(Secrets.scrub("Incorrect API key provided: sk-abcdefghijklmnopqrstuvwxyz012345."))
                .isEqualTo("Incorrect API key provided: [REDACTED].");
        assertThat(Secrets.scrub("groq gsk_abcdefghijklmnopqrstuvwx and xai-abcdefghijklmnopqrstuvwx"))
                .isEqualTo("groq [REDACTED] and [REDACTED]");
        assertThat(Secrets.scrub("a plain message with token count 42")).isEqualTo("a plain message with token count 42");
        assertThat(Secrets.scrub(null)).isNull();
        assertThat(Secrets.scrub("y".repeat(5000))).hasSize(Secrets.MAX_MESSAGE_LENGTH).endsWith("…");
    }

    @Test
    void scrubWithALongerBoundKeepsLongTextAndStillScrubsIt() {
        String body = "{\"model\":\"gpt-4o\",\"api_key\":\"sk-proj-abcdefghijklmnop1234\",\"text\":\""
                + "z".repeat(3000) + "\"}";
        String scrubbed = Secrets.scrub(body, 8192);
        assertThat(scrubbed).hasSize(body.length() - "sk-proj-abcdefghijklmnop1234".length() + "[REDACTED]".length())
                .contains("\"api_key\":\"[REDACTED]\"").doesNotContain("sk-proj");
        assertThat(Secrets.scrub(body, 100)).hasSize(100).endsWith("…").doesNotContain("sk-proj");
        assertThat(Secrets.scrub(null, 10)).isNull();
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> Secrets.scrub("x", 0))
                .withMessageContaining("maxLength");
    }

    @Test
    void pathOnlyDropsQueryAndFragment() {
        assertThat(Secrets.pathOnly("/v1beta/models/gemini:generateContent?key=abc")).isEqualTo("/v1beta/models/gemini:generateContent");
        assertThat(Secrets.pathOnly("/v1/messages#x")).isEqualTo("/v1/messages");
        assertThat(Secrets.pathOnly("/v1/chat/completions")).isEqualTo("/v1/chat/completions");
    }

    @Test
    void redactorMatchesKeySuffixesIgnoringCaseAndPunctuation() {
        Redactor r = new Redactor(List.of("api_key", "token", "password"));
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

    @Test
    void jsonEqualityComparesNumbersByValue() {
        assertThat(JsonValues.jsonEquals(2, 2L)).isTrue();
        assertThat(JsonValues.jsonEquals(2, 2.0)).isTrue();
        assertThat(JsonValues.jsonEquals(new java.math.BigDecimal("0.10"), 0.1)).isTrue();
        assertThat(JsonValues.jsonEquals(Map.of("a", List.of(1)), Map.of("a", List.of(1L)))).isTrue();
        assertThat(JsonValues.jsonEquals("2", 2)).isFalse();
        assertThat(JsonValues.jsonEquals(null, 0)).isFalse();
    }

    @Test
    void uuidV7IsTimeOrderedAndVersioned() {
        java.util.UUID a = Uuids.v7(1_700_000_000_000L);
        java.util.UUID b = Uuids.v7(1_700_000_000_001L);
        assertThat(a.version()).isEqualTo(7);
        assertThat(a.variant()).isEqualTo(2);
        assertThat(a.getMostSignificantBits() >>> 16).isEqualTo(1_700_000_000_000L);
        assertThat(a.compareTo(b)).isNegative();
    }
}
