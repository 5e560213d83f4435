package dev.spectra.reactive.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import dev.spectra.reactive.Usage;
import dev.spectra.reactive.testsupport.fuzz.FuzzCase;
import dev.spectra.reactive.testsupport.fuzz.FuzzCorpus;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.ResponseDetails;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pruned copy reads exactly as the body it was cut from: the same details for every fixture, every fuzz case
 * and randomly damaged bodies, whatever the split into pieces; it parses exactly when the body parses (UTF-8,
 * escapes, numbers and separators in the parts left out are checked as Jackson checks them); and it is small.
 */
class JsonPrunerUnitTests {

    private static final ProviderRegistry REGISTRY = ProviderRegistry.builtIn();
    /** The provider package's parser settings. */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    // ------------------------------------------------------------------ helpers

    /** Pruned with bounds small enough that fixtures of a few KiB are pruned as hard as large bodies are. */
    private static byte[] pruneHard(byte[] body, int... splits) {
        return prune(new JsonPruner(1 << 22, n -> true, 64, 1024, 16), body, splits);
    }

    private static byte[] prune(JsonPruner p, byte[] body, int... splits) {
        int from = 0;
        for (int at : splits) {
            p.feed(body, from, at - from);
            from = at;
        }
        p.feed(body, from, body.length - from);
        assertThat(p.stopped()).as("stopped: %s", p).isFalse();
        return Arrays.copyOf(p.bytes(), p.length());
    }

    private static boolean parses(byte[] b) {
        try {
            MAPPER.readTree(b);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String pathOf(String file) {
        String api = file.split("__")[1];
        switch (api) {
            case "embeddings":
                return "/v1/embeddings";
            case "images":
                return "/v1/images/generations";
            case "responses":
                return "/v1/responses";
            case "audio_transcription":
                return "/v1/audio/transcriptions";
            default:
                return null;
        }
    }

    private static ResponseDetails read(String provider, String file, byte[] body) {
        return REGISTRY.read(provider, pathOf(file), body);
    }

    /** The body and its pruned copy (in random pieces) read and parse alike. */
    private static void assertReadsAlike(String what, String provider, String file, byte[] body, SplittableRandom r) {
        int[] splits = splits(body.length, r);
        byte[] pruned = pruneHard(body, splits);
        assertThat(pruned).as("%s: the same copy whatever the pieces", what).isEqualTo(pruneHard(body));
        assertThat(parses(pruned)).as("%s parses as its body does:%n%s%n%s", what,
                new String(body, StandardCharsets.ISO_8859_1), new String(pruned, StandardCharsets.ISO_8859_1))
                .isEqualTo(parses(body));
        assertThat(read(provider, file, pruned)).as("%s reads as its body does", what)
                .isEqualTo(read(provider, file, body));
    }

    private static int[] splits(int length, SplittableRandom r) {
        int n = r.nextInt(0, 6);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = r.nextInt(0, length + 1);
        }
        Arrays.sort(s);
        return s;
    }

    private static String chatAnswer(String content, String usage) {
        return "{\n  \"id\": \"chatcmpl-CENUmtwDD0HdvTUYL6lUeijDtxrZL\",\n  \"object\": \"chat.completion\",\n"
                + "  \"created\": 1757542944,\n  \"model\": \"gpt-4o-2024-08-06\",\n  \"choices\": [\n    {\n"
                + "      \"index\": 0,\n      \"message\": {\n        \"role\": \"assistant\",\n        \"content\": \""
                + content + "\",\n        \"refusal\": null,\n        \"annotations\": []\n      },\n"
                + "      \"logprobs\": null,\n      \"finish_reason\": \"stop\"\n    }\n  ],\n  \"usage\": " + usage
                + ",\n  \"service_tier\": \"default\",\n  \"system_fingerprint\": \"fp_6c43dcef8c\"\n}\n";
    }

    private static final String CHAT_USAGE = "{\n    \"prompt_tokens\": 577,\n    \"completion_tokens\": 2320,\n"
            + "    \"total_tokens\": 2897,\n    \"prompt_tokens_details\": {\"cached_tokens\": 128, \"audio_tokens\": 0},\n"
            + "    \"completion_tokens_details\": {\"reasoning_tokens\": 1792, \"audio_tokens\": 0}\n  }";

    // ------------------------------------------------------------------ what is kept and what is left out

    @Test
    void aThreeMegabyteChatAnswerIsReadFromAFewKilobytes() {
        StringBuilder content = new StringBuilder();
        while (content.length() < 3_000_000) {
            content.append("Cross at a ford \\\"only\\\" when it is safe \\u2014 caf\u00e9 \u2615 \ud834\udd1e.\\n");
        }
        byte[] body = chatAnswer(content.toString(), CHAT_USAGE).getBytes(StandardCharsets.UTF_8);
        JsonPruner p = new JsonPruner(1 << 20, n -> true);
        byte[] pruned = prune(p, body, 1, 7, 4096, 1_000_001, 2_999_999);
        assertThat(pruned.length).isLessThan(JsonPruner.KEPT_CHARS * 3 + 1024);
        ResponseDetails d = read("openai", "openai__chat__json", pruned);
        assertThat(d).isEqualTo(read("openai", "openai__chat__json", body));
        assertThat(d.usage().inputTokens()).isEqualTo(577);
        assertThat(d.usage().outputTokens()).isEqualTo(2320);
        assertThat(d.usage().cachedInputTokens()).isEqualTo(128);
        assertThat(d.usage().reasoningTokens()).isEqualTo(1792);
        JsonNode content0 = MAPPER.readTree(pruned).get("choices").get(0).get("message").get("content");
        assertThat(content0.stringValue()).hasSize(JsonPruner.KEPT_CHARS)
                .isEqualTo(MAPPER.readTree(body).get("choices").get(0).get("message").get("content").stringValue()
                        .substring(0, JsonPruner.KEPT_CHARS));
        assertThat(p.reservedBytes()).isLessThanOrEqualTo(4096); // the copy's array, doubled from 1 KiB
    }

    @Test
    void embeddingVectorsAreEmptiedAndEveryItemKept() {
        StringBuilder b = new StringBuilder("{\n  \"object\": \"list\",\n  \"data\": [\n");
        SplittableRandom r = new SplittableRandom(7);
        int items = 160;
        for (int i = 0; i < items; i++) {
            b.append("    {\n      \"object\": \"embedding\",\n      \"index\": ").append(i)
                    .append(",\n      \"embedding\": [\n");
            for (int k = 0; k < 1536; k++) {
                b.append("        ").append(String.format(java.util.Locale.ROOT, "%.10f", r.nextDouble(-1, 1)))
                        .append(k < 1535 ? ",\n" : "\n");
            }
            b.append("      ]\n    }").append(i < items - 1 ? ",\n" : "\n");
        }
        b.append("  ],\n  \"model\": \"text-embedding-3-small\",\n  \"usage\": {\"prompt_tokens\": 4096, "
                + "\"total_tokens\": 4096}\n}\n");
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(body.length).isGreaterThan(5_000_000);
        byte[] pruned = prune(new JsonPruner(1 << 20, n -> true), body, 3, 65536, 65537, 3_000_000);
        assertThat(pruned.length).isLessThan(items * 200);
        JsonNode tree = MAPPER.readTree(pruned);
        assertThat(tree.get("data").size()).isEqualTo(items);
        assertThat(tree.get("data").get(items - 1).get("embedding").size()).isZero();
        assertThat(tree.get("data").get(items - 1).get("index").intValue()).isEqualTo(items - 1);
        ResponseDetails d = read("openai", "openai__embeddings__json", pruned);
        assertThat(d).isEqualTo(read("openai", "openai__embeddings__json", body));
        assertThat(d.usage().inputTokens()).isEqualTo(4096);
    }

    @Test
    void imagesAreCountedWithoutTheirBase64AndShortArraysOfNumbersStay() {
        String image = "{\"b64_json\":\"" + "iVBORw0KGgo".repeat(300_000) + "\",\"revised_prompt\":\"a cat\"}";
        byte[] body = ("{\"created\":1,\"data\":[" + image + "," + image + "," + image + "],\"size\":\"1024x1024\","
                + "\"quality\":\"high\",\"bytes\":[1,2,3],\"usage\":{\"input_tokens\":10,\"output_tokens\":4160,"
                + "\"total_tokens\":4170,\"input_tokens_details\":{\"text_tokens\":10,\"image_tokens\":0}}}")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] pruned = prune(new JsonPruner(1 << 20, n -> true), body);
        assertThat(pruned.length).isLessThan(4 * JsonPruner.KEPT_CHARS);
        assertThat(MAPPER.readTree(pruned).get("bytes").size()).isEqualTo(3);
        ResponseDetails d = REGISTRY.read("openai", "/v1/images/generations", pruned);
        assertThat(d).isEqualTo(REGISTRY.read("openai", "/v1/images/generations", body));
        assertThat(d.usage().images()).isEqualTo(3);
    }

    @Test
    void errorMessagesKeepTheirFirstEightThousandCharacters() {
        String message = "Invalid request: ".repeat(1000);
        byte[] body = ("{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\",\"other\":\""
                + message + "\"}}").getBytes(StandardCharsets.US_ASCII);
        JsonNode pruned = MAPPER.readTree(prune(new JsonPruner(1 << 20, n -> true), body));
        assertThat(pruned.get("error").get("message").stringValue())
                .isEqualTo(message.substring(0, JsonPruner.KEPT_MESSAGE_CHARS));
        assertThat(pruned.get("error").get("other").stringValue()).hasSize(JsonPruner.KEPT_CHARS);
        byte[] ollama = ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.US_ASCII);
        assertThat(MAPPER.readTree(prune(new JsonPruner(1 << 20, n -> true), ollama)).get("error").stringValue())
                .hasSize(JsonPruner.KEPT_MESSAGE_CHARS);
    }

    // ------------------------------------------------------------------ exact on real and damaged bodies

    @Test
    void everyFixtureReadsTheSameFromItsPrunedCopy() {
        SplittableRandom r = new SplittableRandom(11);
        for (FuzzCorpus.Fixture f : FuzzCorpus.fixtures()) {
            for (int round = 0; round < 20; round++) {
                assertReadsAlike(f.file(), f.provider(), f.file(), f.bytes(), r);
            }
        }
    }

    @Test
    void everyFuzzCaseReadsTheSameFromItsPrunedCopy() {
        FuzzCorpus corpus = new FuzzCorpus(FuzzCorpus.seedProperty(), FuzzCorpus.fixtures());
        SplittableRandom r = new SplittableRandom(13);
        for (int i : FuzzCorpus.indexes(3000)) {
            FuzzCase c = corpus.get(i);
            assertReadsAlike("fuzz case " + i + " " + c, c.fixture().provider(), c.fixture().file(), c.bytes(), r);
        }
    }

    private static final byte[] DAMAGE = ("\"\"{}[]::,,0123456789-+.eE \n\r\t\\u/bfnrtxyz_lrsa"
            + "\u00e9\u2615").getBytes(StandardCharsets.UTF_8);

    @Test
    void randomlyDamagedBodiesReadAndFailAlike() {
        SplittableRandom r = new SplittableRandom(Long.getLong("spectra.prune.seed", 17));
        int rounds = Integer.getInteger("spectra.prune.rounds", 6000);
        List<FuzzCorpus.Fixture> json = new ArrayList<>();
        for (FuzzCorpus.Fixture f : FuzzCorpus.fixtures()) {
            if (f.kind() == FuzzCorpus.Kind.JSON) {
                json.add(f);
            }
        }
        int broken = 0;
        for (int round = 0; round < rounds; round++) {
            FuzzCorpus.Fixture f = json.get(r.nextInt(json.size()));
            byte[] b = f.bytes().clone();
            int edits = r.nextInt(1, 4);
            for (int e = 0; e < edits; e++) {
                b = damage(b, r);
            }
            if (!parses(b)) {
                broken++;
            }
            assertReadsAlike(f.file() + " damaged in round " + round, f.provider(), f.file(), b, r);
        }
        assertThat(broken).as("most damaged bodies do not parse: the failures are compared too").isGreaterThan(rounds / 2);
    }

    private static byte[] damage(byte[] b, SplittableRandom r) {
        int at = r.nextInt(b.length + 1);
        byte x = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : DAMAGE[r.nextInt(DAMAGE.length)];
        switch (r.nextInt(4)) {
            case 0: { // insert
                byte[] out = new byte[b.length + 1];
                System.arraycopy(b, 0, out, 0, at);
                out[at] = x;
                System.arraycopy(b, at, out, at + 1, b.length - at);
                return out;
            }
            case 1: // delete
                if (at == b.length) {
                    return b;
                }
                byte[] out = new byte[b.length - 1];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + 1, out, at, b.length - at - 1);
                return out;
            case 2: // truncate
                return Arrays.copyOf(b, at);
            default: // replace
                if (at < b.length) {
                    b[at] = x;
                }
                return b;
        }
    }

    @Test
    void aSequenceOfObjectsIsPrunedObjectByObjectAndReadAsTheBodyIs() {
        String line = "{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"" + "x".repeat(500)
                + "\"},\"done\":false}\n";
        String last = "{\"model\":\"llama3\",\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":26,"
                + "\"eval_count\":290}\n";
        byte[] body = (line + line + last).getBytes(StandardCharsets.US_ASCII);
        byte[] pruned = pruneHard(body);
        assertThat(new String(pruned, StandardCharsets.US_ASCII)).contains("}\n{").hasSizeLessThan(600);
        ResponseDetails d = REGISTRY.read("ollama", "/api/chat", pruned);
        assertThat(d).isEqualTo(REGISTRY.read("ollama", "/api/chat", body));
        assertThat(d.usage()).isEqualTo(Usage.of(26, 290));
    }

    // ------------------------------------------------------------------ the parts left out are checked as Jackson checks them

    @Test
    void charactersLeftOutOfAStringAreCheckedAsJacksonChecksThem() {
        int checked = 0;
        for (int a = 0; a < 256; a++) {
            for (int c = 0; c < 256; c++) {
                checked += compareInsideString(new byte[] {(byte) a, (byte) c});
            }
        }
        SplittableRandom r = new SplittableRandom(19);
        for (int lead = 0xC0; lead <= 0xFF; lead++) {
            for (int k = 0; k < 400; k++) {
                checked += compareInsideString(new byte[] {(byte) lead, (byte) r.nextInt(0x70, 0xD0),
                        (byte) r.nextInt(0x70, 0xD0), (byte) r.nextInt(0x70, 0xD0), (byte) r.nextInt(256)});
            }
        }
        for (int c = 0; c < 256; c++) {
            checked += compareInsideString(new byte[] {'\\', (byte) c, 'a'});
            checked += compareInsideString(new byte[] {'\\', 'u', '0', 'a', (byte) c, 'F'});
            checked += compareInsideString(new byte[] {'\\', 'u', 'D', '8', '0', (byte) c});
        }
        assertThat(checked).isGreaterThan(140_000); // cases times the two places of the cut
    }

    /** The bytes inside a string, where the string is cut and past it; returns the number of bodies compared. */
    private static int compareInsideString(byte[] inside) {
        for (String head : new String[] {"abcde", "abcdefghijklmn"}) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.writeBytes(("[\"" + head).getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(inside);
            out.writeBytes("xyz\",\"q\",1]".getBytes(StandardCharsets.US_ASCII));
            byte[] body = out.toByteArray();
            byte[] h = head.getBytes(StandardCharsets.US_ASCII);
            JsonPruner p = new JsonPruner(1 << 16, n -> true, 6, 6, 16);
            byte[] pruned = prune(p, body, h.length + 2 + inside.length / 2);
            assertThat(parses(pruned)).as("%s in %s", Arrays.toString(inside), head).isEqualTo(parses(body));
        }
        return 2;
    }

    @Test
    void numbersLeftOutOfAnArrayAreCheckedAsJacksonChecksThem() {
        String[] numbers = {"0", "-0", "12", "-12.5", "1e5", "1E+5", "1e-5", "0.000123", "1.5e2147483647", "1e9999",
            "1e99999", "1e999999999", "1e9999999999", "01", "-", "-a", "1.", "1.e5", ".5", "+1", "1e", "1e+", "0x10",
            "NaN", "Infinity", "-Infinity", "1,", ",1", "1 2", "1]", "true", "null", "\"s\"", "{}", "[]", "[1,2]",
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890", "9".repeat(1001),
            "1\n,{\"a\":1}", "1\n{\"a\":1}", "1,\n{\"a\":1}", "1\u000b", "1 ,", "\t1", "1.5E-3"};
        for (String n : numbers) {
            for (int before = 0; before < 3; before++) {
                String body = "{\"v\":[" + "0.5,".repeat(before * 10 + 10) + n + ",0.25],\"after\":\n{\"x\":1}}";
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                byte[] pruned = prune(new JsonPruner(1 << 16, n2 -> true, 6, 6, 16), b, b.length / 2);
                assertThat(parses(pruned)).as(body).isEqualTo(parses(b));
                if (parses(b) && n.length() <= 64 && n.matches("-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]{1,4})?")) {
                    assertThat(new String(pruned, StandardCharsets.UTF_8)).as(body).startsWith("{\"v\":[]");
                }
                String ndjson = "{\"v\":[" + "0.5,".repeat(before * 10 + 10) + n + "]}\n{\"usage\":1}";
                byte[] nb = ndjson.getBytes(StandardCharsets.UTF_8);
                byte[] np = prune(new JsonPruner(1 << 16, n2 -> true, 6, 6, 16), nb);
                assertThat(indexOf(np, "\n{") >= 0).as(ndjson).isEqualTo(indexOf(nb, "\n{") >= 0);
            }
        }
    }

    private static int indexOf(byte[] b, String what) {
        return new String(b, StandardCharsets.ISO_8859_1).indexOf(what);
    }

    @Test
    void nestingDeeperThanJacksonAcceptsFailsAlike() {
        for (int depth : new int[] {499, 500, 501, 511, 512, 513, 600}) {
            byte[] b = ("[".repeat(depth) + "1" + "]".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
            assertThat(parses(pruneHard(b))).as("depth %d", depth).isEqualTo(parses(b));
        }
    }

    // ------------------------------------------------------------------ bounds

    @Test
    void theCopyStopsAtItsBoundOrWhenTheBudgetRefuses() {
        byte[] body = chatAnswer("x".repeat(5000), CHAT_USAGE).getBytes(StandardCharsets.US_ASCII);
        JsonPruner small = new JsonPruner(1000, n -> true);
        small.feed(body, 0, body.length);
        assertThat(small.stopReason()).isEqualTo(JsonPruner.Stop.BOUND);
        assertThat(small.length()).isLessThanOrEqualTo(1000);

        long[] granted = {0};
        JsonPruner refused = new JsonPruner(1 << 20, n -> {
            if (granted[0] + n > 1500) {
                return false;
            }
            granted[0] += n;
            return true;
        });
        refused.feed(body, 0, body.length);
        assertThat(refused.stopReason()).isEqualTo(JsonPruner.Stop.MEMORY);
        assertThat(refused.reservedBytes()).isEqualTo(granted[0]).isEqualTo(1024);
    }

    @Test
    void directBuffersAreReadInPlaceAndGiveTheSameCopy() {
        byte[] body = chatAnswer("y\\u00e9".repeat(20_000), CHAT_USAGE).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer direct = ByteBuffer.allocateDirect(body.length + 10);
        direct.position(5);
        direct.put(body);
        direct.position(5).limit(5 + body.length);
        JsonPruner p = new JsonPruner(1 << 20, n -> true);
        p.feed(direct);
        assertThat(direct.position()).isEqualTo(5);
        assertThat(direct.limit()).isEqualTo(5 + body.length);
        assertThat(Arrays.copyOf(p.bytes(), p.length())).isEqualTo(prune(new JsonPruner(1 << 20, n -> true), body));
        assertThat(p.seen()).isEqualTo(body.length);
    }
}
