package dev.spectra.reactive.testsupport.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import dev.spectra.reactive.testsupport.fuzz.FuzzCorpus.Fixture;
import dev.spectra.reactive.testsupport.fuzz.FuzzCorpus.Kind;

/**
 * One fuzzed body or stream, and the ways a caller may hand it over: the whole value, the payloads a decoding
 * client gives, raw lines, byte chunks. Everything random about it comes from the case's own seed, so it is the
 * same in every run.
 */
public final class FuzzCase {

    private final long corpusSeed;
    private final int index;
    private final long caseSeed;
    private final Fixture fixture;
    private final Set<Category> categories;
    private final byte[] bytes;

    FuzzCase(long corpusSeed, int index, long caseSeed, Fixture fixture, EnumSet<Category> categories, byte[] bytes) {
        this.corpusSeed = corpusSeed;
        this.index = index;
        this.caseSeed = caseSeed;
        this.fixture = fixture;
        this.categories = Collections.unmodifiableSet(categories);
        this.bytes = bytes;
    }

    /**
     * The fixture itself, unchanged: what a legitimate case's usage is compared with.
     *
     * @param fixture the fixture
     * @return a case without changes (index -1)
     */
    public static FuzzCase unchanged(Fixture fixture) {
        return new FuzzCase(0, -1, FuzzCorpus.mix(fixture.file().hashCode()), fixture, EnumSet.noneOf(Category.class),
                fixture.bytes());
    }

    /** @return the case index within its corpus */
    public int index() {
        return index;
    }

    /** @return the fixture it was derived from (its provider, its kind) */
    public Fixture fixture() {
        return fixture;
    }

    /** @return what was done to it */
    public Set<Category> categories() {
        return categories;
    }

    /** @return the bytes; do not change them */
    public byte[] bytes() {
        return bytes;
    }

    /**
     * @return true when the usage must be unknown in every representation; false when it must equal the usage
     *         the unchanged fixture gives in the same representation (legitimate framing changes only)
     */
    public boolean usageUnknown() {
        return categories.stream().anyMatch(Category::killer);
    }

    /**
     * @return true when the usage must also be unknown in every prefix of the case (cut by an error, a dropped
     *         connection, a cancellation); see {@link Category#survivesCuts()}
     */
    public boolean usageUnknownWhenCut() {
        return categories.stream().anyMatch(Category::survivesCuts);
    }

    /**
     * A random generator of the case's own, for the choices a test makes about it (chunking, terminal signal).
     *
     * @param salt distinguishes the generators a test asks for
     * @return a generator, the same for the same case and salt
     */
    public SplittableRandom random(long salt) {
        return new SplittableRandom(FuzzCorpus.mix(caseSeed ^ FuzzCorpus.mix(salt)));
    }

    /** @return the bytes as a String (invalid UTF-8 becomes U+FFFD, as any decoder does) */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * What a decoding client hands over: for SSE the data of each event as the WHATWG spec dispatches it (an event
     * that no blank line ended is discarded at the end); for NDJSON each non-blank line; for JSON the whole body.
     *
     * @return the payloads, decoded as UTF-8
     */
    public List<String> payloads() {
        return payloads(fixture.kind(), bytes);
    }

    /**
     * The payloads of some bytes read as {@code kind}; see {@link #payloads()}.
     *
     * @param kind how the bytes are framed
     * @param b the bytes
     * @return the payloads
     */
    public static List<String> payloads(Kind kind, byte[] b) {
        List<String> out = new ArrayList<>();
        if (kind == Kind.JSON) {
            out.add(new String(b, StandardCharsets.UTF_8));
            return out;
        }
        if (kind == Kind.NDJSON) {
            for (int[] line : FuzzCorpus.lines(b)) {
                String s = new String(b, line[0], line[1] - line[0], StandardCharsets.UTF_8);
                if (!s.isBlank()) {
                    out.add(s);
                }
            }
            return out;
        }
        int start = b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF ? 3 : 0;
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        boolean hasData = false;
        byte[] body = Arrays.copyOfRange(b, start, b.length);
        for (int[] line : FuzzCorpus.lines(body)) {
            int s = line[0];
            int e = line[1];
            boolean terminated = line[2] > line[1];
            if (s == e) {
                if (terminated && hasData) {
                    byte[] d = data.toByteArray();
                    out.add(new String(d, 0, d.length - 1, StandardCharsets.UTF_8)); // without the last LF
                }
                data.reset();
                hasData = false;
                continue;
            }
            if (!terminated) {
                break; // the end of the stream: the open event is discarded
            }
            if (body[s] == ':') {
                continue;
            }
            int colon = s;
            while (colon < e && body[colon] != ':') {
                colon++;
            }
            String field = new String(body, s, colon - s, StandardCharsets.UTF_8);
            int v = colon < e ? colon + 1 : e;
            if (v < e && body[v] == ' ') {
                v++;
            }
            if (field.equals("data")) {
                data.write(body, v, e - v);
                data.write('\n');
                hasData = true;
            }
        }
        return out;
    }

    /**
     * The body as lines, each decoded as UTF-8, split at CRLF, LF and CR.
     *
     * @param keepEnds whether each line keeps its line end (else an empty String is a blank line)
     * @return the lines
     */
    public List<String> lines(boolean keepEnds) {
        List<String> out = new ArrayList<>();
        for (int[] line : FuzzCorpus.lines(bytes)) {
            int end = keepEnds ? line[2] : line[1];
            out.add(new String(bytes, line[0], end - line[0], StandardCharsets.UTF_8));
        }
        return out;
    }

    /**
     * The bytes cut into pieces at random positions (sometimes empty pieces, sometimes one byte each).
     *
     * @param rng the generator deciding the cuts
     * @return fresh arrays, in order, that together are the bytes
     */
    public List<byte[]> byteChunks(SplittableRandom rng) {
        List<byte[]> out = new ArrayList<>();
        int style = rng.nextInt(10);
        int pos = 0;
        while (pos < bytes.length) {
            int n = style == 0 ? 1 : style < 4 ? 1 + rng.nextInt(16) : 1 + rng.nextInt(Math.max(1, bytes.length / 3));
            n = Math.min(n, bytes.length - pos);
            if (rng.nextInt(50) == 0) {
                out.add(new byte[0]);
            }
            out.add(Arrays.copyOfRange(bytes, pos, pos + n));
            pos += n;
        }
        return out;
    }

    /** @return the system properties that run this case alone */
    public String reproduce() {
        return "-Dspectra.fuzz.seed=0x" + Long.toHexString(corpusSeed) + " -Dspectra.fuzz.only=" + index;
    }

    /** @return the case, its categories, its expectation, how to run it alone, and its first bytes */
    public String describe() {
        StringBuilder s = new StringBuilder("fuzz case #").append(index).append(" (").append(reproduce())
                .append("): ").append(fixture.file()).append(' ')
                .append(categories.isEmpty() ? "[UNCHANGED]" : categories.toString()).append(", ")
                .append(bytes.length).append(" bytes, usage expected ")
                .append(usageUnknown() ? "unknown" : "as the original's").append("\n  first bytes: ");
        int n = Math.min(bytes.length, 300);
        for (int i = 0; i < n; i++) {
            int c = bytes[i] & 0xff;
            if (c == '\n') {
                s.append("\\n");
            } else if (c == '\r') {
                s.append("\\r");
            } else if (c < 0x20 || c > 0x7e) {
                s.append(String.format("\\x%02X", c));
            } else {
                s.append((char) c);
            }
        }
        return s.append(bytes.length > n ? "..." : "").toString();
    }

    @Override
    public String toString() {
        return "#" + index + " " + fixture.file() + " " + categories;
    }
}
