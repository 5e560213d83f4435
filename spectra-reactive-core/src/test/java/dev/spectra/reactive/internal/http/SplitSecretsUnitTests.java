package dev.spectra.reactive.internal.http;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.spectra.reactive.internal.SecretScrubber;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SplitSecretsUnitTests {

    private static final String KEY = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv";

    private static String chunk(String content) {
        return "data: {\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"choices\":[{\"delta\":{\"content\":\""
                + content + "\"},\"finish_reason\":null}],\"obfuscation\":\"Ui6T7ZRgUUHBz\"}\n\n";
    }

    private static String stream(String... pieces) {
        StringBuilder b = new StringBuilder();
        for (String p : pieces) {
            b.append(chunk(p));
        }
        return b.toString();
    }

    @Test
    void aKeySplitAcrossContentDeltasIsRedactedInEveryPieceAndTheRestKeptAsItCame() {
        String capture = stream("Your key is ", "sk-proj-", "Ab3dEf6hIj9", "kLm2nOp5qRs8tUv", ", keep it safe.");

        assertThat(SplitSecrets.redact(capture, false)).isEqualTo(
                stream("Your key is ", "[REDACTED]", "[REDACTED]", "[REDACTED]", ", keep it safe."));
    }

    @Test
    void aStreamCutInsideASplitKeyLosesEveryPieceOfIt() {
        String whole = stream("Your key is ", "sk-proj-", "Ab3dEf6hIj9", "kLm2nOp5qRs8tUv");
        String cutInPiece = whole.substring(0, whole.indexOf("Ab3dEf6") + 5);
        String cutAfterEvent = whole.substring(0, whole.indexOf(chunk("Ab3dEf6hIj9")));

        assertThat(SplitSecrets.redact(cutInPiece, true)).isEqualTo(
                stream("Your key is ", "[REDACTED]") + cutInPiece.substring(stream("Your key is ", "sk-proj-")
                        .length(), cutInPiece.indexOf("Ab3dE")));
        assertThat(SplitSecrets.redact(cutAfterEvent, true)).isEqualTo(stream("Your key is ", "[REDACTED]"));
        // not cut, the same bytes hold no whole key: the text reads as words
        assertThat(SplitSecrets.redact(cutAfterEvent, false)).isSameAs(cutAfterEvent);
    }

    @Test
    void aCutTextLosesItsLastTokenOnlyWhenItCouldStartAKey() {
        String words = stream("Hello", " there");
        String code = stream("Your code: ", "Xy7", "Qz9a");

        assertThat(SplitSecrets.redact(words, true)).isSameAs(words);
        // the repeated id and the padding are kept
        assertThat(SplitSecrets.redact(code, true)).isEqualTo(stream("Your code: ", "[REDACTED]", "[REDACTED]"));
    }

    @Test
    void aPieceRepeatedInsideAKeyIsJoinedAgain() {
        String capture = stream("Your key ", "AKIA", "IOSF", "ODNN", "77", "77", "EXAM", " now");

        assertThat(SplitSecrets.redact(capture, false)).isEqualTo(stream("Your key ", "[REDACTED]", "[REDACTED]",
                "[REDACTED]", "[REDACTED]", "[REDACTED]", "[REDACTED]", " now"));
    }

    @Test
    void theTextsOfAGeminiJsonArrayStreamAreJoinedAcrossItsElements() {
        String element = "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"%s\"}], \"role\": \"model\"}, "
                + "\"index\": 0}], \"modelVersion\": \"gemini-2.0-flash\"}";
        String capture = "[" + element.formatted("the key AIzaSyA1234") + "\n,\r\n"
                + element.formatted("567890abcdefgh") + "\n,\r\n" + element.formatted("ijklmnopqrstu and more") + "]";

        assertThat(SplitSecrets.redact(capture, false)).isEqualTo("[" + element.formatted("[REDACTED]") + "\n,\r\n"
                + element.formatted("[REDACTED]") + "\n,\r\n" + element.formatted("[REDACTED]") + "]");
    }

    @Test
    void anthropicTextDeltasAndOllamaLinesAreJoinedTheSameWay() {
        String anthropic = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}\n\n";
        String ollama = "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"%s\"},"
                + "\"done\":false}\n";
        for (String format : List.of(anthropic, ollama)) {
            String capture = format.formatted("token: ") + format.formatted(KEY.substring(0, 12))
                    + format.formatted(KEY.substring(12, 24)) + format.formatted(KEY.substring(24))
                    + format.formatted(" end");

            assertThat(SplitSecrets.redact(capture, false)).isEqualTo(format.formatted("token: ")
                    + format.formatted("[REDACTED]").repeat(3) + format.formatted(" end"));
        }
    }

    @Test
    void aKeyBeginningInsideAPieceTakesThatWholePiece() {
        String capture = stream("The key: sk-proj-Ab", "3d", "3d", "Ef6hIj9kLm2nOp5qRs8tUv and more");

        assertThat(SplitSecrets.redact(capture, false)).isEqualTo(stream("[REDACTED]", "[REDACTED]", "[REDACTED]",
                "[REDACTED]"));
    }

    @Test
    void everyValueFromTheFirstToTheLastHoldingAChangedCharacterIsRedacted() {
        String capture = stream("sk-proj-Ab3dEf6h", "Ij9kLm2nOp5q", " is one, ", "this is another: ",
                "xai-Ab3dEf6hIj9k", "Lm2nOp5qRs8t", " done");

        assertThat(SplitSecrets.redact(capture, false)).isEqualTo(stream("[REDACTED]", "[REDACTED]", "[REDACTED]",
                "[REDACTED]", "[REDACTED]", "[REDACTED]", " done"));
    }

    @Test
    void theValuesOfANameAreFoundByQuotesAndColonsInAnyFramingAndKeyedByPathAndItem() {
        String s = "data: {\"a\":\"x\\\"y\",\"list\":[\"not\",\"a value\"],\"n\":1,\"o\":{\"b\" : \"z\"}}\n"
                + "data: {\"index\":2,\"d\":{\"output_index\":0,\"t\":\"w\"}}\n"
                + "[{\"c\":\"open";

        List<SplitSecrets.Value> values = SplitSecrets.values(s);

        assertThat(values).extracting(SplitSecrets.Value::name).containsExactly("a", "b", "t", "c");
        assertThat(values).extracting(SplitSecrets.Value::key)
                .containsExactly("a", "o.b", "d.t#index=2;output_index=0;", "c");
        assertThat(values).extracting(v -> s.substring(v.start(), v.end()))
                .containsExactly("x\\\"y", "z", "w", "open");
        assertThat(values).extracting(SplitSecrets.Value::index).containsExactly(0, 1, 2, 3);
    }

    @Test
    void theTextsOfTwoItemsAreNotJoined() {
        String tool = "data: {\"type\":\"tool-call-start\",\"index\":%d,\"delta\":{\"message\":{\"tool_calls\":"
                + "{\"id\":\"%s\",\"type\":\"function\"}}}}\n\n";
        String capture = tool.formatted(0, "weather_e8p4pn45zt0t") + tool.formatted(1, "cityAttractions_pyxssbwnq9fq");

        assertThat(SplitSecrets.redact(capture, false)).isSameAs(capture);
        // the same two ids in one item would read as one key
        String oneItem = tool.formatted(0, "weather_e8p4pn45zt0t") + tool.formatted(0, "cityAttractions_pyxssbwnq9fq");
        assertThat(SplitSecrets.redact(oneItem, false)).isEqualTo(
                tool.formatted(0, "[REDACTED]") + tool.formatted(0, "[REDACTED]"));
    }

    @Test
    void noStreamFixtureLosesMoreThanTheCapturesOwnScrubbingTakesNorACutCaptureMoreThanItsTextsLastToken() {
        int streams = 0;
        int cuts = 0;
        for (ProviderFixture f : ProviderFixtures.all()) {
            boolean sse = f.file().endsWith(".sse");
            if (!sse && !f.file().endsWith(".ndjson")) {
                continue;
            }
            String text = new String(ProviderFixtures.bytes(f.file()), StandardCharsets.UTF_8);
            int whole = text.length() + 1;
            assertThat(SecretScrubber.scrub(SplitSecrets.redact(text, false), whole, false)).as(f.file())
                    .isEqualTo(SecretScrubber.scrub(text, whole, false));
            streams++;
            String boundary = sse ? "\n\n" : "\n";
            for (int at = text.indexOf(boundary); at > 0 && at < text.length() - boundary.length();
                 at = text.indexOf(boundary, at + 1)) {
                String capture = text.substring(0, at + boundary.length());
                String redacted = SplitSecrets.redact(capture, true);
                List<SplitSecrets.Value> before = SplitSecrets.values(capture);
                List<SplitSecrets.Value> after = SplitSecrets.values(redacted);
                assertThat(after).as(f.file() + " cut at " + at).hasSameSizeAs(before);
                for (int i = 0; i < before.size(); i++) {
                    SplitSecrets.Value v = before.get(i);
                    String was = capture.substring(v.start(), v.end());
                    String is = redacted.substring(after.get(i).start(), after.get(i).end());
                    if (!was.equals(is)) { // only the text being streamed, and only the end of it
                        assertThat(TEXTS).as(f.file() + " cut at " + at + ": " + v.key()).contains(v.name());
                        assertThat(i).as(f.file() + " cut at " + at + ": " + v.key() + " is not near the end")
                                .isGreaterThanOrEqualTo(before.size() - 12);
                    }
                }
                cuts++;
            }
        }
        assertThat(streams).isGreaterThanOrEqualTo(30);
        assertThat(cuts).isGreaterThanOrEqualTo(300);
    }

    /** The members that carry the text a model streams. */
    private static final List<String> TEXTS = List.of("content", "text", "delta", "partial_json", "arguments",
            "thinking", "reasoning_content", "reasoning", "response");
}
