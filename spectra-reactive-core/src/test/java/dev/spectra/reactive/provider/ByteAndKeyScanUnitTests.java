package dev.spectra.reactive.provider;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The key pre-check: its word-at-a-time quote search finds exactly what a byte loop finds. */
class KeyScanUnitTests {

    private static int naive(byte[] b, int i, int end) {
        while (i < end && b[i] != '"') {
            i++;
        }
        return i;
    }

    @Test
    void nextQuoteAgreesWithAByteLoopAtEveryPositionAndAlignment() {
        SplittableRandom r = new SplittableRandom(42);
        for (int round = 0; round < 2_000; round++) {
            byte[] b = new byte[1 + r.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                // bytes around the quote's value and above 0x7F, where a sloppy word test errs
                int pick = r.nextInt(6);
                b[i] = (byte) (pick == 0 ? '"' : pick == 1 ? 0x21 : pick == 2 ? 0x23 : pick == 3 ? 0xA2 : pick == 4 ? 0xFF
                        : r.nextInt(256));
            }
            for (int from = 0; from <= b.length; from++) {
                for (int end = from; end <= b.length; end++) {
                    assertThat(KeyScan.nextQuote(b, from, end)).as("round %d from %d end %d", round, from, end)
                            .isEqualTo(naive(b, from, end));
                }
            }
        }
    }

    @Test
    void findsKeysWithTheirValuesAcrossOddAlignments() {
        KeyScan scan = new KeyScan("usage", "{", "finish_reason", "\"", "error", "");
        for (int pad = 0; pad < 16; pad++) {
            String json = " ".repeat(pad) + "{\"id\":\"x\",\"finish_reason\":null,\"usage\":{\"prompt_tokens\":1},"
                    + "\"note\":\"an error in text is no key\"}";
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            assertThat(scan.scan(b, 0, b.length, 0)).as("pad %d", pad).isEqualTo(0b001);
            byte[] withFinish = json.replace("\"finish_reason\":null", "\"finish_reason\":\"stop\"")
                    .replace("\"note\"", "\"error\"").getBytes(StandardCharsets.UTF_8);
            assertThat(scan.scan(withFinish, 0, withFinish.length, 0)).as("pad %d", pad).isEqualTo(0b111);
        }
    }
}
