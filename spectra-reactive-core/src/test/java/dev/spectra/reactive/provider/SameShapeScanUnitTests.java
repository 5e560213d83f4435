package dev.spectra.reactive.provider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event read through the shape of an earlier one finds exactly the keys a whole scan finds, on every stream
 * fixture and on mutants of a real chunk at every byte; the shape is used for the events that share it, and given
 * up on streams whose events do not.
 */
class SameShapeScanUnitTests {

    /** The OpenAI chat reader's keys. */
    private static final KeyScan CHAT = new KeyScan("usage", "{", "finish_reason", "\"", "tool_calls", "[",
            "function_call", "{", "error", "");
    /**
     * Keys that start at a closing quote ({@code ,"}) or accept any value: they find what the quotes around a
     * differing string see, which the chat keys never do.
     */
    private static final KeyScan AROUND = new KeyScan(",", "}", "delta", "[", "error", "", "e", "", "x", "");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A chat chunk as OpenAI sends it today: a delta's text and a random padding differ from chunk to chunk. */
    private static String chunk(String text, String padding) {
        return "{\"id\":\"chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1727346168,\"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"default\","
                + "\"system_fingerprint\":\"fp_5050236cbd\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text
                + "\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"" + padding + "\"}";
    }

    private static void agrees(KeyScan keys, List<byte[]> events) {
        SameShapeScan scan = new SameShapeScan(keys);
        for (int i = 0; i < events.size(); i++) {
            byte[] e = events.get(i);
            assertThat(scan.scan(e, 0, e.length)).as("event %d: %s", i, new String(e, StandardCharsets.UTF_8))
                    .isEqualTo(keys.scan(e, 0, e.length, 0));
        }
    }

    @Test
    void findsWhatAWholeScanFindsInEveryStreamFixture() {
        int streams = 0;
        for (ProviderFixture fixture : ProviderFixtures.all()) {
            String file = fixture.file();
            if (!file.endsWith(".sse") && !file.endsWith(".ndjson")) {
                continue;
            }
            List<byte[]> events = new ArrayList<>();
            for (String[] event : SimpleSse.events(ProviderFixtures.bytes(file))) {
                events.add(ascii(event[1]));
            }
            agrees(CHAT, events);
            agrees(AROUND, events);
            streams++;
        }
        assertThat(streams).isGreaterThanOrEqualTo(6);
    }

    @Test
    void readsEveryChunkOfATypicalStreamButTheFirstAndTheLastTwoThroughTheShape() {
        List<byte[]> events = new ArrayList<>();
        events.add(ascii(chunk("", "x")));
        for (int i = 0; i < 100; i++) {
            String text = " word" + i + (i % 7 == 0 ? "\\n\\\"quoted\\\"" : ""); // some with escapes
            events.add(ascii(chunk(text, "Ui6T7ZRgUUHB".substring(i % 10))));
        }
        events.add(ascii(chunk("", "x").replace("\"content\":\"\"", "").replace("\"finish_reason\":null",
                "\"finish_reason\":\"stop\"")));
        events.add(ascii("{\"id\":\"chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL\",\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":14,\"completion_tokens\":100,\"total_tokens\":114}}"));
        SameShapeScan scan = new SameShapeScan(CHAT);
        int[] found = new int[events.size()];
        for (int i = 0; i < events.size(); i++) {
            found[i] = scan.scan(events.get(i), 0, events.get(i).length);
        }
        assertThat(scan.sameShapeEvents()).isEqualTo(100);
        assertThat(found[101]).isEqualTo(0b10); // the finish reason
        assertThat(found[102]).isEqualTo(0b1); // the usage
        for (int i = 0; i <= 100; i++) {
            assertThat(found[i]).as("chunk %d", i).isZero();
        }
    }

    @Test
    void findsAKeyThatTakesThePlaceOfAnotherString() {
        assertThat(throughTheShape(CHAT, "{\"x\":1,\"a\":[]}", "{\"x\":1,\"tool_calls\":[]}")).isEqualTo(0b100);
    }

    @Test
    void findsAKeyThatTheQuoteBeforeADifferingStringReadsIntoIt() {
        // the key ," needs a colon and a brace after it: here they stand inside the second string
        assertThat(throughTheShape(AROUND, "[\"a\",\":x\"]", "[\"a\",\":}\"]")).isEqualTo(0b1);
    }

    @Test
    void findsAKeyAtAnEscapedQuoteInsideADifferingString() {
        // a whole scan looks at every quote, escaped ones too: here one is followed by usage", a colon and a brace
        assertThat(throughTheShape(CHAT, "{\"a\":{}}", "{\"\\\"usage\":{}}")).isEqualTo(0b1);
    }

    @Test
    void findsWhatAWholeScanFindsInEveryMutantOfAChunk() {
        byte[] shape = ascii(chunk("Hello", "Ui6T7ZRgUUHBz"));
        byte[] values = ascii("\"\\:{}[],ufte 0x");
        long throughShape = 0;
        int mutants = 0;
        for (KeyScan keys : new KeyScan[] {CHAT, AROUND}) {
            assertThat(keys.scan(shape, 0, shape.length, 0)).isZero();
            for (int at = 0; at <= shape.length; at++) {
                List<byte[]> variants = new ArrayList<>();
                if (at < shape.length) {
                    variants.add(without(shape, at));
                }
                for (byte v : values) {
                    variants.add(inserted(shape, at, v));
                    if (at < shape.length) {
                        byte[] replaced = shape.clone();
                        replaced[at] = v;
                        variants.add(replaced);
                    }
                }
                for (byte[] mutant : variants) {
                    throughShape += afterTheShape(keys, shape, mutant);
                    mutants++;
                }
            }
        }
        // most mutants differ only inside a string, and those are read through the shape
        assertThat(throughShape).isGreaterThan(mutants / 2);
    }

    @Test
    void findsWhatAWholeScanFindsWhenSeveralStringsDiffer() {
        byte[] shape = ascii(chunk("Hello", "Ui6T7ZRgUUHBz"));
        byte[] alphabet = ascii("\"\\:{}[],ufte 0xusage_calls");
        SplittableRandom r = new SplittableRandom(5);
        long throughShape = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] mutant = shape;
            for (int k = 1 + r.nextInt(4); k > 0; k--) {
                int at = r.nextInt(mutant.length);
                byte v = alphabet[r.nextInt(alphabet.length)];
                mutant = switch (r.nextInt(3)) {
                    case 0 -> without(mutant, at);
                    case 1 -> inserted(mutant, at, v);
                    default -> {
                        byte[] m = mutant.clone();
                        m[at] = v;
                        yield m;
                    }
                };
            }
            throughShape += afterTheShape(r.nextBoolean() ? CHAT : AROUND, shape, mutant);
        }
        assertThat(throughShape).isGreaterThan(2_000);
    }

    @Test
    void scansAStreamWholeOnceItsEventsKeepChangingShape() {
        byte[] a = ascii("{\"a\":\"x\",\"b\":1}");
        byte[] b = ascii("{\"c\":[1],\"d\":\"y\"}");
        SameShapeScan scan = new SameShapeScan(CHAT);
        for (int i = 0; i < 2 * SameShapeScan.MAX_MISSES; i++) {
            byte[] e = i % 2 == 0 ? a : b;
            assertThat(scan.scan(e, 0, e.length)).isZero();
        }
        for (int i = 0; i < 4; i++) {
            assertThat(scan.scan(a, 0, a.length)).isZero();
        }
        assertThat(scan.sameShapeEvents()).isZero();
    }

    @Test
    void neverKeepsAnEventLongerThanTheBound() {
        String text = "y".repeat(SameShapeScan.MAX_SHAPE_BYTES);
        byte[] e = ascii("{\"text\":\"" + text + "\"}");
        SameShapeScan scan = new SameShapeScan(CHAT);
        for (int i = 0; i < 3; i++) {
            assertThat(scan.scan(e, 0, e.length)).isZero();
        }
        assertThat(scan.sameShapeEvents()).isZero();
    }

    @Test
    void readsAnEventWhereItStandsInALargerArray() {
        byte[] shape = ascii(chunk("Hi", "abc"));
        byte[] event = ascii("data: " + chunk("there", "abcdef").replace("\"finish_reason\":null",
                "\"finish_reason\":\"length\"") + "\n\n");
        SameShapeScan scan = new SameShapeScan(CHAT);
        assertThat(scan.scan(shape, 0, shape.length)).isZero();
        // "finish_reason":"length" differs outside the strings of the shape: scanned whole, found
        assertThat(scan.scan(event, 6, event.length - 8)).isEqualTo(0b10);
        byte[] plain = ascii("data: " + chunk("there", "abcdef") + "\n\n");
        assertThat(scan.scan(plain, 6, plain.length - 8)).isZero();
        assertThat(scan.sameShapeEvents()).isEqualTo(1);
    }

    /**
     * The keys found in {@code event} read after the key-less {@code shape}; fails unless it went through the shape
     * and found what a whole scan finds.
     */
    private static int throughTheShape(KeyScan keys, String shape, String event) {
        byte[] s = ascii(shape);
        byte[] e = ascii(event);
        SameShapeScan scan = new SameShapeScan(keys);
        assertThat(keys.scan(s, 0, s.length, 0)).isZero();
        assertThat(scan.scan(s, 0, s.length)).isZero();
        int found = scan.scan(e, 0, e.length);
        assertThat(found).isEqualTo(keys.scan(e, 0, e.length, 0));
        assertThat(scan.sameShapeEvents()).isEqualTo(1);
        return found;
    }

    /** 1 when the mutant, read after the shape, went through the shape; fails when it finds other keys. */
    private static int afterTheShape(KeyScan keys, byte[] shape, byte[] mutant) {
        SameShapeScan scan = new SameShapeScan(keys);
        assertThat(scan.scan(shape, 0, shape.length)).isZero();
        // the mutant in a larger array, bytes before and after it that a scan must not read
        byte[] framed = new byte[mutant.length + 4];
        framed[0] = '"';
        framed[1] = 'e';
        System.arraycopy(mutant, 0, framed, 2, mutant.length);
        framed[framed.length - 2] = '"';
        framed[framed.length - 1] = 'e';
        assertThat(scan.scan(framed, 2, mutant.length)).as(new String(mutant, StandardCharsets.UTF_8))
                .isEqualTo(keys.scan(mutant, 0, mutant.length, 0));
        return (int) scan.sameShapeEvents();
    }

    private static byte[] without(byte[] b, int at) {
        byte[] out = new byte[b.length - 1];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + 1, out, at, b.length - at - 1);
        return out;
    }

    private static byte[] inserted(byte[] b, int at, byte v) {
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, at);
        out[at] = v;
        System.arraycopy(b, at, out, at + 1, b.length - at);
        return out;
    }
}
