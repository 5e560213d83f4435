package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Edge cases of the SSE and JSON-sequence decoders, each fed whole and in every two-piece split. */
class DecoderUnitTests {

    /** Collects events as "name|data" strings. */
    private static final class Events implements EventSink {
        final List<String> got = new ArrayList<>();

        @Override
        public void onEvent(byte[] name, int nameLen, byte[] data, int dataLen) {
            got.add(new String(name, 0, nameLen, StandardCharsets.US_ASCII) + "|"
                    + new String(data, 0, dataLen, StandardCharsets.UTF_8));
        }
    }

    private static List<String> sse(String text, int max) {
        return sse(text.getBytes(StandardCharsets.UTF_8), max);
    }

    /** Decodes whole, byte by byte and at every single cut point; all must agree. */
    private static List<String> sse(byte[] bytes, int max) {
        Events whole = new Events();
        SseDecoder d = new SseDecoder(whole, max);
        d.feed(bytes, 0, bytes.length);
        d.finish();
        for (int cut = 0; cut <= bytes.length; cut++) {
            Events split = new Events();
            SseDecoder s = new SseDecoder(split, max);
            s.feed(bytes, 0, cut);
            s.feed(bytes, cut, bytes.length - cut);
            s.finish();
            assertThat(split.got).as("cut at %d", cut).isEqualTo(whole.got);
        }
        Events single = new Events();
        SseDecoder s = new SseDecoder(single, max);
        for (int i = 0; i < bytes.length; i++) {
            s.feed(bytes, i, 1);
        }
        s.finish();
        assertThat(single.got).as("byte by byte").isEqualTo(whole.got);
        return whole.got;
    }

    @Test
    void lineEndingsCrLfAndCrlfAreAlike() {
        List<String> expected = List.of("|a", "e|b");
        assertThat(sse("data: a\n\nevent: e\ndata: b\n\n", 1024)).isEqualTo(expected);
        assertThat(sse("data: a\r\n\r\nevent: e\r\ndata: b\r\n\r\n", 1024)).isEqualTo(expected);
        assertThat(sse("data: a\r\revent: e\rdata: b\r\r", 1024)).isEqualTo(expected);
        assertThat(sse("data: a\r\n\nevent: e\rdata: b\n\r\n", 1024)).isEqualTo(expected);
    }

    @Test
    void aCrlfSplitAcrossChunksIsOneLineEnd() {
        Events e = new Events();
        SseDecoder d = new SseDecoder(e, 1024);
        byte[] a = "data: one\r".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "\ndata: two\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        d.feed(a, 0, a.length);
        d.feed(b, 0, b.length);
        assertThat(e.got).containsExactly("|one\ntwo");
    }

    @Test
    void multiLineDataIsJoinedWithLf() {
        assertThat(sse("data: {\"a\":\ndata: 1}\n\n", 1024)).containsExactly("|{\"a\":\n1}");
        assertThat(sse("data\ndata\n\n", 1024)).as("fields without colon").containsExactly("|\n");
    }

    @Test
    void onlyOneSpaceAfterTheColonIsDropped() {
        assertThat(sse("data:x\n\ndata:  y\n\n", 1024)).containsExactly("|x", "| y");
    }

    @Test
    void commentsIdsRetriesAndUnknownFieldsAreIgnored() {
        assertThat(sse(": OPENROUTER PROCESSING\n\nid: 7\nretry: 100\nfoo: bar\ndata: x\n: mid\n\n", 1024))
                .containsExactly("|x");
    }

    @Test
    void eventNamesAndEventsWithoutDataAreNotDispatched() {
        assertThat(sse("event: ping\n\nevent: message_start\ndata: {}\n\n", 1024)).containsExactly("message_start|{}");
    }

    @Test
    void aByteOrderMarkAtTheStartIsSkipped() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "data: x\n\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(bom, bom.length + body.length);
        System.arraycopy(body, 0, all, bom.length, body.length);
        assertThat(sse(all, 1024)).containsExactly("|x");
    }

    @Test
    void multiByteCharactersSplitAnywhereArriveWhole() {
        String text = "data: {\"t\":\"Grüße ☕ 𝄞 日本\"}\n\n";
        assertThat(sse(text, 1024)).containsExactly("|{\"t\":\"Grüße ☕ 𝄞 日本\"}");
    }

    @Test
    void anOverLongEventIsSkippedAndCountedAndTheNextOneIsRead() {
        String big = "x".repeat(5000);
        Events e = new Events();
        SseDecoder d = new SseDecoder(e, 1024);
        byte[] b = ("data: small\n\ndata: " + big + "\ndata: more\n\ndata: after\n\n").getBytes(StandardCharsets.US_ASCII);
        d.feed(b, 0, b.length);
        assertThat(e.got).containsExactly("|small", "|after");
        assertThat(d.oversized()).isEqualTo(1);
        assertThat(d.events()).isEqualTo(2);
    }

    @Test
    void anEventWithoutItsBlankLineIsDispatchedAtTheEnd() {
        assertThat(sse("data: a\n\ndata: last", 1024)).containsExactly("|a", "|last");
    }

    @Test
    void theCallersBytesAreNeverWritten() {
        byte[] b = "event: e\r\ndata: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] copy = b.clone();
        SseDecoder d = new SseDecoder(new Events(), 1024);
        d.feed(b, 0, b.length);
        assertThat(b).isEqualTo(copy);
    }

    private static List<String> seq(String text, int max) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Events whole = new Events();
        JsonSeqDecoder d = new JsonSeqDecoder(whole, max);
        d.feed(bytes, 0, bytes.length);
        Random random = new Random(text.hashCode());
        for (int round = 0; round < 50; round++) {
            Events split = new Events();
            JsonSeqDecoder s = new JsonSeqDecoder(split, max);
            for (int at = 0; at < bytes.length; ) {
                int n = 1 + random.nextInt(7);
                s.feed(bytes, at, Math.min(n, bytes.length - at));
                at += n;
            }
            assertThat(split.got).isEqualTo(whole.got);
        }
        return whole.got;
    }

    @Test
    void ndjsonLinesArrayStreamsAndPrettyObjects() {
        assertThat(seq("{\"a\":1}\n{\"b\":2}\n", 1024)).containsExactly("|{\"a\":1}", "|{\"b\":2}");
        assertThat(seq("[{\"a\":1}\r\n,\r\n{\"b\":[1,{\"c\":2}]}]", 1024))
                .containsExactly("|{\"a\":1}", "|{\"b\":[1,{\"c\":2}]}");
        assertThat(seq("{\n  \"a\": {\n    \"b\": 1\n  }\n}\n", 1024)).containsExactly("|{\n  \"a\": {\n    \"b\": 1\n  }\n}");
    }

    @Test
    void bracesAndQuotesInsideStringsDoNotCount() {
        assertThat(seq("{\"t\":\"}{][\\\"\\\\\"}{\"u\":\"ok\"}", 1024))
                .containsExactly("|{\"t\":\"}{][\\\"\\\\\"}", "|{\"u\":\"ok\"}");
    }

    @Test
    void aLineCutInsideAStringIsDroppedAndTheNextLineIsRead() {
        Events e = new Events();
        JsonSeqDecoder d = new JsonSeqDecoder(e, 1024);
        byte[] b = "{\"a\":\"trunc\n{\"done\":true}\n".getBytes(StandardCharsets.US_ASCII);
        d.feed(b, 0, b.length);
        assertThat(e.got).containsExactly("|{\"done\":true}");
        assertThat(d.broken()).isEqualTo(1);
    }

    @Test
    void anOversizedEventOrObjectDoesNotKeepItsMemory() {
        int max = 1024 * 1024;
        Events e = new Events();
        SseDecoder sse = new SseDecoder(e, max);
        byte[] big = ("data: {\"d\":\"" + "x".repeat(max) + "\"}\n\n").getBytes(StandardCharsets.US_ASCII);
        sse.feed(big, 0, big.length - 2);
        assertThat(sse.bufferCapacity()).isLessThanOrEqualTo(SseDecoder.INITIAL);
        sse.feed(big, big.length - 2, 2);
        assertThat(sse.oversized()).isEqualTo(1);
        assertThat(e.got).isEmpty();

        JsonSeqDecoder seq = new JsonSeqDecoder(e, max);
        byte[] object = ("{\"d\":\"" + "y".repeat(max) + "\"}\n").getBytes(StandardCharsets.US_ASCII);
        seq.feed(object, 0, object.length - 3);
        assertThat(seq.bufferCapacity()).isLessThanOrEqualTo(512);
        seq.feed(object, object.length - 3, 3);
        assertThat(seq.oversized()).isEqualTo(1);
        assertThat(e.got).isEmpty();
    }

    @Test
    void anOverLongObjectIsSkippedAndCounted() {
        Events e = new Events();
        JsonSeqDecoder d = new JsonSeqDecoder(e, 1024);
        byte[] b = ("{\"big\":\"" + "y".repeat(3000) + "\"}\n{\"ok\":1}\n").getBytes(StandardCharsets.US_ASCII);
        d.feed(b, 0, b.length);
        assertThat(e.got).containsExactly("|{\"ok\":1}");
        assertThat(d.oversized()).isEqualTo(1);
    }
}
