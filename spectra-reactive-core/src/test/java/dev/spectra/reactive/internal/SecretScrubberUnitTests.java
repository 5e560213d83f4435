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
        assertThat(SecretScrubber.scrub("yes ".repeat(1250))).hasSize(SecretScrubber.MAX_MESSAGE_LENGTH - 3)
                .endsWith("yes …");
        // one token cut at the limit may be a key: none of it is kept
        assertThat(SecretScrubber.scrub("y".repeat(5000))).isEqualTo("…");
    }

    @Test
    void everyKeyShapeIsRedactedFromAnIdLikeValueAndAValueWithoutOneIsKeptAsItIs() {
        MetadataRedactor names = new MetadataRedactor(MetadataRedactor.DEFAULT_KEYS);
        List<String> keys = List.of("sk-abcdefghijklmnop1234", "sk-ant-abcdefghijklmnop1234", "sk-proj-abcdefghijklmnop12",
                "sk-svcacct-abcdefghijklmnop12", "sk-admin-abcdefghijklmnop12", "sk-or-abcdefghijklmnop1234",
                "sk_live_abcdefghijklmnop1234", "sk_test_abcdefghijklmnop1234", "sk_abcdefghijklmnop1234",
                "AIzaSyA1234567890abcdefghijklmnopqrstu", "gsk_abcdefghijklmnopqrstuvwx", "xai-abcdefghijklmnopqrstuvwx",
                "AKIAABCDEFGHIJKLMNOP", "ASIAABCDEFGHIJKLMNOP", "ABIAABCDEFGHIJKLMNOP", "ACCAABCDEFGHIJKLMNOP",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefgh", "ghp_" + "a".repeat(30),
                "gho_" + "a".repeat(30), "ghu_" + "a".repeat(30), "ghs_" + "a".repeat(30), "ghr_" + "a".repeat(30),
                "github_pat_" + "a".repeat(30), "hf_" + "a".repeat(30), "r8_" + "a".repeat(30),
                "pplx-" + "a".repeat(30), "fw_" + "a".repeat(20), "pa-" + "a".repeat(30), "nvapi-" + "a".repeat(30),
                "glpat-" + "a".repeat(20), "xoxb-1234567890", "xoxp-1234567890", "xapp-1-A0123456789",
                "rk_live_abcdefghijklmnop1234", "rk_test_abcdefghijklmnop1234", "ya29.a0AfH6SMBx1234567890abcdef");
        for (String key : keys) {
            assertThat(SecretScrubber.scrubValue("/v1/models/" + key, names)).as(key)
                    .isEqualTo("/v1/models/[REDACTED]");
            assertThat(SecretScrubber.scrubValue(key, names)).as(key).isEqualTo("[REDACTED]");
            assertThat(SecretScrubber.scrubValue("x/" + key + "/y", names)).as(key).isEqualTo("x/[REDACTED]/y");
        }
        String id = "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG";
        assertThat(SecretScrubber.scrubValue(id, names)).isSameAs(id);
        String path = "/v1/chat/completions";
        assertThat(SecretScrubber.scrubValue(path, names)).isSameAs(path);
    }

    @Test
    void theOnePassSearchForAKeyShapesStartFindsWhatASearchForEachStartFinds() {
        List<String> starts = List.of("sk-", "sk_", "AIza", "xai-", "AKIA", "ASIA", "ABIA", "ACCA", "eyJ", "gh",
                "github_pat_", "hf_", "r8_", "pplx-", "fw_", "pa-", "nvapi-", "glpat-", "xox", "xapp-", "rk_live_",
                "rk_test_", "ya29.");
        java.util.Random random = new java.util.Random(7);
        String alphabet = "skAIzaxiKSBCeyJghubpthfr8_plnvoy29.-/:= é\u2003";
        int found = 0;
        for (int n = 0; n < 20_000; n++) {
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(12); k > 0; k--) { // characters, and starts cut anywhere (or not)
                if (random.nextBoolean()) {
                    b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                } else {
                    String start = starts.get(random.nextInt(starts.size()));
                    b.append(start, 0, 1 + random.nextInt(start.length()));
                }
            }
            String s = b.toString();
            boolean expected = starts.stream().anyMatch(s::contains);
            assertThat(SecretScrubber.holdsKeyShapeStart(s)).as(s).isEqualTo(expected);
            found += expected ? 1 : 0;
        }
        assertThat(found).isBetween(2_000, 18_000); // both answers were asked for often
    }

    @Test
    void credentialsInLessCommonPlacesAreScrubbed() {
        MetadataRedactor names = new MetadataRedactor(MetadataRedactor.DEFAULT_KEYS);
        // a key on a new line of a JSON string: after the escape, not at a word boundary
        assertThat(SecretScrubber.scrub("{\"content\":\"here it is:\\nsk-proj-abcdefghijklmnop1234\"}"))
                .isEqualTo("{\"content\":\"here it is:\\n[REDACTED]\"}");
        // a token as a URL's user name, in a value that is not free text; a user name that reads as words is kept
        assertThat(SecretScrubber.scrubValue("https://Zx8Kq2Lm9Np4Rs7Tv1Wy3@proxy.example.com/v1", names))
                .isEqualTo("https://[REDACTED]@proxy.example.com/v1");
        for (String kept : List.of("ssh://git@github.com/org/repo", "postgres://analytics_readonly_user@db/x")) {
            assertThat(SecretScrubber.scrubValue(kept, names)).isSameAs(kept);
        }
        // a URL's password in JSON, its slashes escaped
        assertThat(SecretScrubber.scrub("dsn \"postgres:\\/\\/admin:hunter2pass@db:5432\""))
                .isEqualTo("dsn \"postgres:\\/\\/admin:[REDACTED]@db:5432\"");
        // a list after a credential's name: headers printed as a map, and JSON
        assertThat(SecretScrubber.scrub("rejected {password=[hunter2pass], accept=[*/*]}"))
                .isEqualTo("rejected {password=[[REDACTED]], accept=[*/*]}");
        assertThat(SecretScrubber.scrub("{\"password\":[\"hunter2pass\"],\"n\":1}"))
                .isEqualTo("{\"password\":[[REDACTED]],\"n\":1}");
        // the whole list, nested lists and brackets in strings included
        assertThat(SecretScrubber.scrub("{\"credentials\":[[\"u\",\"p1\"],[\"u2\",\"p]2\"]],\"n\":1}"))
                .isEqualTo("{\"credentials\":[[REDACTED]],\"n\":1}");
        // scrubbing twice changes nothing
        for (String once : List.of("rejected {password=[[REDACTED]], accept=[*/*]}", "key=[REDACTED]&b=1",
                "Authorization: [REDACTED] rejected")) {
            assertThat(SecretScrubber.scrub(once)).isEqualTo(once);
        }
    }

    @Test
    void aCredentialThatIdentifiesSomethingIsKeptAsItsDigest() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223 b00361a396177a9cb410ff61f20015ad
        assertThat(SecretScrubber.identifying("api_key", "abc")).isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223");
        assertThat(SecretScrubber.identifying("licenseToken", "abc"))
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223");
        // a value shaped like a key, whatever its name
        assertThat(SecretScrubber.identifying("user", "sk-proj-abcdefghijklmnop1234"))
                .startsWith("sha256:").hasSize(39)
                .isNotEqualTo(SecretScrubber.identifying("user", "sk-proj-abcdefghijklmnop1235"));
        String plain = "user-42";
        assertThat(SecretScrubber.identifying("user", plain)).isSameAs(plain);
        // a digest is its own, so that a query may name an owner as it was listed
        String digest = "sha256:ba7816bf8f01cfea414140de5dae2223";
        assertThat(SecretScrubber.identifying("api_key", digest)).isSameAs(digest);
        assertThat(SecretScrubber.identifying("api_key", "sha256:BA7816BF8F01CFEA414140DE5DAE2223")).isNotEqualTo(
                "sha256:BA7816BF8F01CFEA414140DE5DAE2223");
    }

    @Test
    void scrubWithALongerBoundKeepsLongTextAndStillScrubsIt() {
        String body = "{\"model\":\"gpt-4o\",\"api_key\":\"sk-proj-abcdefghijklmnop1234\",\"text\":\""
                + "z".repeat(3000) + "\"}";
        String scrubbed = SecretScrubber.scrub(body, 8192);
        assertThat(scrubbed).hasSize(body.length() - "sk-proj-abcdefghijklmnop1234".length() + "[REDACTED]".length())
                .contains("\"api_key\":\"[REDACTED]\"").doesNotContain("sk-proj");
        // the cut drops the token it lands in (here the run of z), so that no key cut there leaves its start
        assertThat(SecretScrubber.scrub(body, 100)).isEqualTo("{\"model\":\"gpt-4o\",\"api_key\":\"[REDACTED]\",\"text\":\"…");
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
