package dev.spectra.reactive.internal;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecretScrubberUnitTests {

    @Test
    void credentialsAreScrubbedFromFreeText() {
        assertThat(SecretScrubber.scrub("GET https://x/v1beta/models/g:generateContent?alt=sse&key=AIzaSyXYZ123&b=1"))
                .isEqualTo("GET https://x/v1beta/models/g:generateContent?alt=sse&key=[REDACTED]&b=1");
        assertThat(SecretScrubber.scrub("header Authorization: Bearer sk-proj-abcdefghijklmnop1234 rejected"))
                .isEqualTo("header Authorization: [REDACTED] rejected");
        assertThat(SecretScrubber.scrub("{\"x-api-key\": \"sk-ant-api03-abcdefghijklmnopqrst\"}"))
                .isEqualTo("{\"x-api-key\": \"[REDACTED]\"}");
        assertThat(SecretScrubber.scrub("Incorrect API key provided: sk-abcdefghijklmnopqrstuvwxyz012345."))
                .isEqualTo("Incorrect API key provided: [REDACTED].");
        assertThat(SecretScrubber.scrub("groq gsk_abcdefghijklmnopqrstuvwx and xai-abcdefghijklmnopqrstuvwx"))
                .isEqualTo("groq [REDACTED] and [REDACTED]");
        assertThat(SecretScrubber.scrub("a plain message with token count 42")).isEqualTo("a plain message with token count 42");
        assertThat(SecretScrubber.scrub(null)).isNull();
        assertThat(SecretScrubber.scrub("y".repeat(5000))).hasSize(SecretScrubber.MAX_MESSAGE_LENGTH).endsWith("…");
    }

    @Test
    void scrubWithALongerBoundKeepsLongTextAndStillScrubsIt() {
        String body = "{\"model\":\"gpt-4o\",\"api_key\":\"sk-proj-abcdefghijklmnop1234\",\"text\":\""
                + "z".repeat(3000) + "\"}";
        String scrubbed = SecretScrubber.scrub(body, 8192);
        assertThat(scrubbed).hasSize(body.length() - "sk-proj-abcdefghijklmnop1234".length() + "[REDACTED]".length())
                .contains("\"api_key\":\"[REDACTED]\"").doesNotContain("sk-proj");
        assertThat(SecretScrubber.scrub(body, 100)).hasSize(100).endsWith("…").doesNotContain("sk-proj");
        assertThat(SecretScrubber.scrub(null, 10)).isNull();
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> SecretScrubber.scrub("x", 0))
                .withMessageContaining("maxLength");
    }

    @Test
    void pathOnlyDropsQueryAndFragment() {
        assertThat(SecretScrubber.pathOnly("/v1beta/models/gemini:generateContent?key=abc")).isEqualTo("/v1beta/models/gemini:generateContent");
        assertThat(SecretScrubber.pathOnly("/v1/messages#x")).isEqualTo("/v1/messages");
        assertThat(SecretScrubber.pathOnly("/v1/chat/completions")).isEqualTo("/v1/chat/completions");
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
