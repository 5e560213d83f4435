package dev.spectra.reactive.provider;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The word-at-a-time searches (quote, line end, the end of a string's plain run) and word reads find exactly what
 * a byte loop finds, and the key pre-check finds keys with their values.
 */
class ByteAndKeyScanUnitTests {

    private static int naive(byte[] b, int i, int end, IntPredicate matches) {
        while (i < end && !matches.test(b[i] & 0xFF)) {
            i++;
        }
        return i;
    }

    /** Random bytes around the searched values and above 0x7F, where a sloppy word test errs. */
    private static byte[] near(SplittableRandom r, int... values) {
        byte[] b = new byte[1 + r.nextInt(40)];
        for (int i = 0; i < b.length; i++) {
            int pick = r.nextInt(values.length + 4);
            b[i] = (byte) (pick < values.length ? values[pick] : pick == values.length ? 0xA2
                    : pick == values.length + 1 ? 0xFF : pick == values.length + 2 ? values[0] + 1 : r.nextInt(256));
        }
        return b;
    }

    /** A word-at-a-time search: the index of the first searched byte in {@code [from, end)}, or {@code end}. */
    private interface Search {
        int next(byte[] b, int from, int end);
    }

    /**
     * Checks a search against a byte loop for the bytes it {@code matches} (given unsigned), on random bytes drawn
     * around the values {@code around}, at every start and end.
     */
    private static void agreesWithAByteLoop(Search search, long seed, IntPredicate matches, int... around) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < 2_000; round++) {
            byte[] b = near(r, around);
            for (int from = 0; from <= b.length; from++) {
                for (int end = from; end <= b.length; end++) {
                    assertThat(search.next(b, from, end)).as("round %d from %d end %d", round, from, end)
                            .isEqualTo(naive(b, from, end, matches));
                }
            }
        }
    }

    @Test
    void nextQuoteAgreesWithAByteLoopAtEveryPositionAndAlignment() {
        agreesWithAByteLoop(ByteScan::nextQuote, 42, c -> c == '"', '"', 0x21, 0x23);
    }

    @Test
    void nextLineEndAgreesWithAByteLoopAtEveryPositionAndAlignment() {
        // CR and LF, the other bytes below 0x0E that the word test also flags (a tab, 0x00, 0x0B, 0x0C) before,
        // between and after them, 0x0E, and CR and LF with the high bit set
        agreesWithAByteLoop(ByteScan::nextLineEnd, 7, c -> c == '\n' || c == '\r', '\n', '\r', 0x0B, 0x0C, 0x0E, 0x09,
                0x00, 0x8A, 0x8D);
    }

    @Test
    void nextLineEndAgreesWithAByteLoopOverLongRunsWhereAControlByteIsRare() {
        // runs of up to 160 bytes where a byte below 0x0E is rare, so that whole 32-byte blocks are skipped and the
        // block holding one is searched word by word, from every start to every end
        SplittableRandom r = new SplittableRandom(11);
        int[] rare = {'\n', '\r', 0x09, 0x00, 0x0B, 0x0C};
        for (int round = 0; round < 300; round++) {
            byte[] b = new byte[1 + r.nextInt(160)];
            for (int i = 0; i < b.length; i++) {
                int pick = r.nextInt(60);
                b[i] = (byte) (pick == 0 ? rare[r.nextInt(rare.length)] : pick == 1 ? 0x8A : pick == 2 ? 0x0E
                        : 0x20 + r.nextInt(0x5F));
            }
            for (int from = 0; from <= b.length; from++) {
                for (int end = from; end <= b.length; end++) {
                    assertThat(ByteScan.nextLineEnd(b, from, end)).as("round %d from %d end %d", round, from, end)
                            .isEqualTo(naive(b, from, end, c -> c == '\n' || c == '\r'));
                }
            }
        }
    }

    @Test
    void nextStringSpecialAgreesWithAByteLoopAtEveryPositionAndAlignment() {
        // a quote, a backslash, the edges of the control bytes and of ASCII, and their neighbours
        agreesWithAByteLoop(ByteScan::nextStringSpecial, 11, c -> c == '"' || c == '\\' || c < 0x20 || c >= 0x80,
                'a', '"', '\\', 0x00, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0x5B, 0x5D);
    }

    @Test
    void aWordIsTheBytesReadLittleEndianWithZerosAboveThemAlsoAtTheArraysEnd() {
        SplittableRandom r = new SplittableRandom(3);
        for (int round = 0; round < 500; round++) {
            byte[] b = new byte[1 + r.nextInt(24)];
            r.nextBytes(b);
            for (int i = 0; i < b.length; i++) {
                for (int n = 0; n <= Math.min(8, b.length - i); n++) {
                    long expected = 0;
                    for (int k = 0; k < n; k++) {
                        expected |= (b[i + k] & 0xFFL) << (8 * k);
                    }
                    assertThat(ByteScan.word(b, i, n)).as("round %d at %d, %d bytes", round, i, n).isEqualTo(expected);
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

    /** The scan one quote at a time, byte by byte: the reference the word-at-a-time scan must equal. */
    private static int quoteByQuote(String[] spec, byte[] b, int off, int len, int stopMask) {
        int end = off + len;
        int found = 0;
        int all = (1 << (spec.length / 2)) - 1;
        for (int i = off; i < end; i++) {
            if (b[i] != '"' || i + 1 >= end) {
                continue;
            }
            for (int k = 0; k < spec.length / 2; k++) {
                byte[] key = (spec[2 * k] + "\"").getBytes(StandardCharsets.US_ASCII);
                if ((found & 1 << k) != 0 || i + 1 + key.length > end
                        || !Arrays.equals(b, i + 1, i + 1 + key.length, key, 0, key.length)) {
                    continue;
                }
                int v = i + 1 + key.length;
                if (!spec[2 * k + 1].isEmpty()) {
                    while (v < end && (b[v] == ' ' || b[v] == '\t' || b[v] == '\n' || b[v] == '\r')) {
                        v++;
                    }
                    if (v >= end || b[v] != ':') {
                        continue;
                    }
                    v++;
                    while (v < end && (b[v] == ' ' || b[v] == '\t' || b[v] == '\n' || b[v] == '\r')) {
                        v++;
                    }
                    if (v >= end || b[v] != spec[2 * k + 1].charAt(0)) {
                        continue;
                    }
                }
                found |= 1 << k;
                if ((stopMask != 0 && (found & stopMask) == stopMask) || found == all) {
                    return found;
                }
            }
        }
        return found;
    }

    @Test
    void theWordAtATimeScanFindsWhatAQuoteByQuoteScanFindsInEveryRange() {
        String[][] specs = {
            {"usage", "{", "finish_reason", "\"", "tool_calls", "[", "function_call", "{", "error", ""},
            {"tool_use", "", "server_tool_use", "", "mcp_tool_use", ""},
            {"done", "t", "tool_calls", "[", "error", ""},
            {"a", "", "ab", "{", "b", "\""},
        };
        // fragments of keys, quotes, separators and values, so that keys, near-keys and splits are common
        String[] pieces = {"\"", "\"", ":", " ", "{", "[", "t", "\"usage\"", "\"finish_reason\"", "usage", "\"error",
            "tool_calls\"", "\"tool_use\"", "\"done\":", "\"a\"", "\"ab\":", "b\"", "\\\"", "x", "\u00e9", "\n"};
        SplittableRandom r = new SplittableRandom(11);
        for (int round = 0; round < 1_500; round++) {
            String[] spec = specs[r.nextInt(specs.length)];
            KeyScan scan = new KeyScan(spec);
            StringBuilder text = new StringBuilder();
            int parts = r.nextInt(14);
            for (int p = 0; p < parts; p++) {
                text.append(pieces[r.nextInt(pieces.length)]);
            }
            byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
            int stopMask = r.nextInt(3) == 0 ? 0 : r.nextInt(1 << (spec.length / 2));
            for (int off = 0; off <= b.length; off++) {
                for (int len = 0; off + len <= b.length; len++) {
                    assertThat(scan.scan(b, off, len, stopMask))
                            .as("%s in [%s] from %d, %d bytes, stop %d", Arrays.toString(spec), text, off, len, stopMask)
                            .isEqualTo(quoteByQuote(spec, b, off, len, stopMask));
                }
            }
        }
    }
}
