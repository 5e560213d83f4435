package dev.spectra.reactive.testsupport.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import dev.spectra.reactive.testsupport.fuzz.JsonScan.Member;
import dev.spectra.reactive.testsupport.fuzz.JsonScan.Node;
import org.jspecify.annotations.Nullable;

/**
 * A seeded corpus of fuzzed provider bodies and streams, derived from the real fixtures under
 * {@code /fixtures/} on the test classpath (JSON bodies, SSE and NDJSON streams of every provider). Case
 * {@code i} of seed {@code s} is always the same bytes: {@link #get(int)} is a pure function of both, so a failure
 * is reproduced with {@code -Dspectra.fuzz.seed=s -Dspectra.fuzz.only=i}. What each {@link Category} does, and why
 * it leaves the usage unreadable (or, for the legitimate framing changes, unchanged), is documented there.
 *
 * <p>System properties: {@code spectra.fuzz.seed} (default {@link #DEFAULT_SEED}), {@code spectra.fuzz.cases}
 * (the number of cases; each test has its own default), {@code spectra.fuzz.only} (run one case index).
 */
public final class FuzzCorpus {

    /** The member keys through which the built-in formats read usage (see {@link Category}). */
    public static final Set<String> USAGE_KEYS = Set.of("usage", "usageMetadata", "prompt_eval_count", "eval_count",
            "meta", "billed_units", "tokens", "data", "duration");

    /** The default seed: the suite is deterministic unless {@code -Dspectra.fuzz.seed} says otherwise. */
    public static final long DEFAULT_SEED = 0x5EC7_A7F0_2207L;

    private static final Set<String> COUNT_KEYS = Set.of("prompt_eval_count", "eval_count", "duration");
    private static final Set<String> DECIMAL_KEYS = Set.of("duration", "seconds");

    private static final String[] WRONG_FOR_OBJECT = {"\"{\\\"prompt_tokens\\\":12,\\\"completion_tokens\\\":3}\"",
        "[{\"prompt_tokens\":12,\"completion_tokens\":3,\"input_tokens\":12,\"output_tokens\":3}]", "12", "true",
        "false", "null", "\"\"", "[]", "\"usage\""};
    private static final String[] WRONG_FOR_NUMBER = {"\"12\"", "[12]", "{\"value\":12}", "true", "false", "null",
        "\"\"", "\"0x0C\"", "[]"};
    private static final String[] WRONG_FOR_ARRAY = {"\"x\"", "{\"0\":{\"b64_json\":\"x\"}}", "2", "true", "null",
        "\"[]\""};
    private static final String THOUSAND_DIGITS = "9".repeat(1001);
    private static final String[] HUGE = {"1e400", "-1e400", "1E+400", "99999999999999999999999",
        "-99999999999999999999999", "9223372036854775808", "18446744073709551616", "-1", "-9223372036854775808",
        "12.5", "0.5", "-0.5", "1e-400", "1e999999999", "1e-999999999", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
        "\"1e400\"", "NaN", "Infinity", "-Infinity", THOUSAND_DIGITS};
    /** For a duration a fraction is a real value: only what is out of range or not a number. */
    private static final String[] HUGE_DECIMAL = {"1e400", "-1e400", "1E+400", "99999999999999999999999",
        "-99999999999999999999999", "9223372036854775808", "-1", "-0.5", "1e999999999", "1e-999999999", "\"NaN\"",
        "\"Infinity\"", "\"1e400\"", "NaN", "Infinity", "-Infinity", THOUSAND_DIGITS};
    private static final int[][] INVALID_UTF8 = {{0x80}, {0xBF}, {0xC0, 0xAF}, {0xC1, 0xBF}, {0xE0, 0x80, 0xAF},
        {0xF0, 0x80, 0x80, 0xAF}, {0xED, 0xA0, 0x80}, {0xFF}, {0xFE}, {0xF8, 0x88, 0x80, 0x80, 0x80}, {0xC3},
        {0xE2, 0x82}, {0xF4, 0x90, 0x80, 0x80}};
    private static final String[] SSE_PREFIXES = {"", "", "data: ", "data:", "event: message_delta\ndata: ",
        ": ping\n\n", "data: [", "id: 7\nretry: 10\ndata: "};
    private static final byte[] JSONISH = ("\"\"{}[]::,,0123456789-+.eE    \n\n\r\t"
            + "abcdefghijklmnopqrstuvwxyz_usage_tokens_data").getBytes(StandardCharsets.US_ASCII);

    /** The kind of a fixture, from its extension. */
    public enum Kind {
        /** A whole JSON answer ({@code .json}), also Gemini's streamed JSON array. */
        JSON,
        /** A {@code text/event-stream} ({@code .sse}). */
        SSE,
        /** Newline-delimited JSON ({@code .ndjson}). */
        NDJSON;

        static Kind of(String file) {
            return file.endsWith(".sse") ? SSE : file.endsWith(".ndjson") ? NDJSON : JSON;
        }
    }

    /**
     * A fixture the corpus derives cases from.
     *
     * @param file the file name under {@code /fixtures/}
     * @param provider the provider id (the file name's prefix)
     * @param kind JSON, SSE or NDJSON
     * @param bytes the file's bytes
     */
    public record Fixture(String file, String provider, Kind kind, byte[] bytes) {
        @Override
        public String toString() {
            return file;
        }
    }

    private final long seed;
    private final List<Prepared> fixtures;

    /**
     * A corpus over some fixtures.
     *
     * @param seed the seed
     * @param fixtures the fixtures (sorted by file name here: the same fixtures give the same cases, whatever the
     *        order they are given in)
     */
    public FuzzCorpus(long seed, List<Fixture> fixtures) {
        this.seed = seed;
        this.fixtures = fixtures.stream().sorted(Comparator.comparing(Fixture::file)).map(Prepared::new)
                .collect(Collectors.toList());
    }

    /** @return the seed */
    public long seed() {
        return seed;
    }

    /** @return the seed of {@code -Dspectra.fuzz.seed} (decimal or 0x hex), else {@link #DEFAULT_SEED} */
    public static long seedProperty() {
        String s = System.getProperty("spectra.fuzz.seed");
        return s == null || s.isBlank() ? DEFAULT_SEED : Long.decode(s.trim());
    }

    /**
     * @param defaultCases the test's default
     * @return {@code -Dspectra.fuzz.cases}, else the default
     */
    public static int casesProperty(int defaultCases) {
        return Integer.getInteger("spectra.fuzz.cases", defaultCases);
    }

    /** @return {@code -Dspectra.fuzz.only} (one case index to run), else -1 */
    public static int onlyProperty() {
        return Integer.getInteger("spectra.fuzz.only", -1);
    }

    /**
     * The case indexes a test runs: {@code 0 .. cases-1}, or only {@code -Dspectra.fuzz.only}.
     *
     * @param defaultCases the test's default number of cases
     * @return the indexes
     */
    public static int[] indexes(int defaultCases) {
        int only = onlyProperty();
        if (only >= 0) {
            return new int[] {only};
        }
        int n = casesProperty(defaultCases);
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        return all;
    }

    // ------------------------------------------------------------------------------------------ fixtures

    /**
     * Every fixture file under {@code /fixtures/}: the files of {@link ProviderFixtures#all()}.
     *
     * @return the fixtures, sorted by name
     */
    public static List<Fixture> fixtures() {
        return ProviderFixtures.all().stream().map(ProviderFixture::file).sorted().map(FuzzCorpus::fixture)
                .collect(Collectors.toList());
    }

    /**
     * One fixture file, its provider taken from the name ({@code openai__chat__json__1.json} is OpenAI's).
     *
     * @param file the file name
     * @return the fixture
     */
    public static Fixture fixture(String file) {
        return new Fixture(file, file.substring(0, file.indexOf("__")), Kind.of(file), ProviderFixtures.bytes(file));
    }

    /** A fixture with its documents and usage members located. */
    private static final class Prepared {
        final Fixture fixture;
        final List<Member> usage = new ArrayList<>();
        /** SSE: per data line carrying usage, the range of its {@code data:} field name and the optional space. */
        final List<int[]> usageDataFields = new ArrayList<>();
        final List<int[]> otherDataFields = new ArrayList<>();
        int firstUsage = -1;

        Prepared(Fixture f) {
            this.fixture = f;
            byte[] b = f.bytes();
            try {
                if (f.kind() == Kind.JSON) {
                    add(JsonScan.parse(b, 0, b.length));
                } else {
                    for (int[] line : lines(b)) {
                        int s = line[0];
                        int e = line[1];
                        if (f.kind() == Kind.NDJSON) {
                            if (!blank(b, s, e)) {
                                add(JsonScan.parse(b, s, e));
                            }
                            continue;
                        }
                        if (!startsWith(b, s, e, "data:")) {
                            continue;
                        }
                        int v = s + 5 < e && b[s + 5] == ' ' ? s + 6 : s + 5;
                        int before = usage.size();
                        int first = skipWs(b, v, e);
                        if (first < e && (b[first] == '{' || b[first] == '[') && !startsWith(b, first, e, "[DONE]")) {
                            add(JsonScan.parse(b, v, e));
                        }
                        (usage.size() > before ? usageDataFields : otherDataFields).add(new int[] {s, v});
                    }
                }
            } catch (RuntimeException e) {
                throw new IllegalStateException("fixture " + f.file() + " is not what the corpus expects", e);
            }
            for (Member m : usage) {
                if (firstUsage < 0 || m.keyStart() < firstUsage) {
                    firstUsage = m.keyStart();
                }
            }
        }

        private void add(Node doc) {
            JsonScan.members(doc, USAGE_KEYS, usage::add);
        }

        int dataLines() {
            return usageDataFields.size() + otherDataFields.size();
        }
    }

    // ------------------------------------------------------------------------------------------ cases

    /**
     * Case {@code index} of this corpus' seed: the same bytes every time.
     *
     * @param index the case index, 0 or more
     * @return the case
     */
    public FuzzCase get(int index) {
        long caseSeed = mix(seed + 0x9E3779B97F4A7C15L * (index + 1L));
        SplittableRandom rng = new SplittableRandom(caseSeed);
        Prepared p = fixtures.get(rng.nextInt(fixtures.size()));
        Fixture f = p.fixture;
        EnumSet<Category> cats = EnumSet.noneOf(Category.class);
        byte[] out;
        int roll = rng.nextInt(100);
        if (roll < 6) {
            cats.add(Category.RANDOM_BYTES);
            out = randomBytes(rng, f.kind());
        } else if (roll < 14) {
            cats.add(Category.TRUNCATED);
            out = Arrays.copyOf(f.bytes(), cutBeforeUsage(rng, p));
            out = framing(rng, f.kind(), out, cats, true);
        } else if (roll < 20) {
            cats.add(Category.RANDOM_TAIL);
            byte[] head = Arrays.copyOf(f.bytes(), cutBeforeUsage(rng, p));
            out = concat(head, noise(rng, 1 + rng.nextInt(rng.nextBoolean() ? 64 : 2048), (byte) '"'));
        } else if (roll < 30 && f.kind() != Kind.JSON) {
            out = framing(rng, f.kind(), f.bytes(), cats, false); // legitimate changes only (or no blank lines)
        } else {
            out = documentLevel(rng, p, cats);
            boolean killed = cats.stream().anyMatch(Category::killer);
            out = framing(rng, f.kind(), out, cats, killed);
            killed = cats.stream().anyMatch(Category::killer);
            if (cats.stream().anyMatch(Category::survivesCuts) && rng.nextInt(100) < 15) {
                cats.add(Category.TRUNCATED); // anywhere: the other killer already holds
                out = Arrays.copyOf(out, rng.nextInt(out.length + 1));
            }
            if (killed && rng.nextInt(100) < 10) {
                cats.add(Category.RANDOM_TAIL);
                out = concat(out, noise(rng, 1 + rng.nextInt(512), (byte) '"'));
            }
        }
        return new FuzzCase(seed, index, caseSeed, f, cats, out);
    }

    /** Mutations of the documents (usage members, data fields), then nothing else. */
    private static byte[] documentLevel(SplittableRandom rng, Prepared p, EnumSet<Category> cats) {
        Fixture f = p.fixture;
        int mode = rng.nextInt(100);
        boolean sse = f.kind() == Kind.SSE;
        Category member;
        if (mode < 14) {
            member = Category.RANDOM_SPLICE;
        } else if (mode < 28) {
            member = Category.WRONG_TYPE_VALUE;
        } else if (mode < 44) {
            member = Category.WRONG_TYPE_FIELDS;
        } else if (mode < 62) {
            member = Category.HUGE_NUMBERS;
        } else if (mode < 76) {
            member = null; // invalid UTF-8 alone, the data field alone, or framing alone
        } else {
            member = rng.nextBoolean() ? Category.WRONG_TYPE_FIELDS : Category.HUGE_NUMBERS;
            cats.add(rng.nextBoolean() ? Category.WRONG_TYPE_FIELDS : Category.HUGE_NUMBERS); // mixed per number
        }
        boolean utf8 = member != Category.RANDOM_SPLICE
                && (member == null ? f.kind() == Kind.JSON || rng.nextInt(100) < 45 : rng.nextInt(100) < 25);
        boolean noData = sse && (member == null && !utf8 ? rng.nextInt(100) < 45 : rng.nextInt(100) < 15);
        if (member != null) {
            cats.add(member);
        }
        if (utf8) {
            cats.add(Category.INVALID_UTF8);
        }
        if (noData) {
            cats.add(Category.SSE_NO_DATA_FIELD);
        }
        byte[] b = f.bytes();
        List<Edit> edits = new ArrayList<>();
        boolean fields = cats.contains(Category.WRONG_TYPE_FIELDS);
        boolean huge = cats.contains(Category.HUGE_NUMBERS);
        for (Member m : p.usage) {
            Node v = m.value();
            byte[] bad = utf8 ? invalidUtf8(rng) : null;
            if (member == Category.RANDOM_SPLICE) {
                int len = v.end - m.keyStart();
                edits.add(new Edit(m.keyStart(), v.end, noise(rng, rng.nextInt(2 * len + 1), (byte) '"')));
            } else if (member == Category.WRONG_TYPE_VALUE) {
                edits.add(new Edit(v.start, v.end, concat(bad, ascii(pick(rng, wrongFor(m.key()))))));
            } else if (member != null && (COUNT_KEYS.contains(m.key()) || v.type != JsonScan.OBJECT)) {
                // a count or an array (or a usage that is already null): replaced whole
                String with = huge && (!fields || rng.nextBoolean())
                        ? pick(rng, DECIMAL_KEYS.contains(m.key()) ? HUGE_DECIMAL : HUGE) : pick(rng, wrongFor(m.key()));
                edits.add(new Edit(v.start, v.end, concat(bad, ascii(with))));
            } else {
                if (bad != null) {
                    edits.add(new Edit(v.type == JsonScan.OBJECT || v.type == JsonScan.ARRAY ? v.start + 1 : v.start,
                            -1, bad));
                }
                if (member != null) {
                    numbers(v, m.key(), (n, key) -> {
                        boolean h = huge && (!fields || rng.nextBoolean());
                        String with = h ? pick(rng, DECIMAL_KEYS.contains(key) ? HUGE_DECIMAL : HUGE)
                                : pick(rng, WRONG_FOR_NUMBER);
                        edits.add(new Edit(n.start, n.end, ascii(with)));
                    });
                }
            }
        }
        if (noData) {
            for (int[] field : p.usageDataFields) {
                edits.add(new Edit(field[0], rng.nextBoolean() ? field[1] : field[0] + 5, new byte[0]));
            }
            for (int[] field : p.otherDataFields) {
                if (rng.nextInt(100) < 20) {
                    edits.add(new Edit(field[0], field[0] + 5, new byte[0]));
                }
            }
        }
        byte[] out = apply(b, edits);
        if (utf8) {
            for (int k = rng.nextInt(4); k > 0; k--) { // more, anywhere: they can only break more
                int at = rng.nextInt(out.length + 1);
                out = concat(concat(Arrays.copyOf(out, at), invalidUtf8(rng)), Arrays.copyOfRange(out, at, out.length));
            }
        }
        if (noData) {
            int first = skipWs(out, 0, out.length);
            if (first < out.length && (out[first] == '{' || out[first] == '[')) {
                out = concat(ascii(": spectra fuzz\n\n"), out);
            }
        }
        return out;
    }

    /** Framing changes of a stream: comments, blank lines removed or added, line ends. */
    private static byte[] framing(SplittableRandom rng, Kind kind, byte[] b, EnumSet<Category> cats, boolean killed) {
        if (kind == Kind.JSON) {
            return b;
        }
        boolean any = killed;
        for (int attempt = 0; attempt < 4; attempt++) {
            if (kind == Kind.SSE) {
                if (rng.nextInt(100) < 25) {
                    cats.add(Category.SSE_COMMENTS);
                    b = comments(rng, b);
                }
                if (rng.nextInt(100) < 25 && (killed || dataLines(b) >= 2)) {
                    cats.add(Category.SSE_NO_BLANK_LINES);
                    b = withoutBlankLines(b);
                }
                int ends = rng.nextInt(100);
                if (ends < 20) {
                    cats.add(Category.SSE_CR_ONLY);
                    b = lineEnds(b, "\r");
                } else if (ends < 40) {
                    cats.add(Category.CRLF);
                    b = lineEnds(b, "\r\n");
                }
            } else {
                if (rng.nextInt(100) < 40) {
                    cats.add(Category.NDJSON_BLANK_LINES);
                    b = blankLines(rng, b);
                }
                if (rng.nextInt(100) < 40) {
                    cats.add(Category.CRLF);
                    b = lineEnds(b, "\r\n");
                }
            }
            if (any || cats.stream().anyMatch(c -> !c.killer() || c == Category.SSE_NO_BLANK_LINES)) {
                break;
            }
        }
        return b;
    }

    // ------------------------------------------------------------------------------------------ pieces

    private static int cutBeforeUsage(SplittableRandom rng, Prepared p) {
        int limit = p.firstUsage >= 0 ? p.firstUsage : p.fixture.bytes().length;
        return rng.nextInt(limit + 1);
    }

    private static byte[] randomBytes(SplittableRandom rng, Kind kind) {
        int sizeRoll = rng.nextInt(10);
        int len = sizeRoll < 4 ? rng.nextInt(65) : sizeRoll < 8 ? rng.nextInt(1025) : rng.nextInt(8193);
        byte[] body = rng.nextBoolean() ? noise(rng, len, (byte) '{') : jsonish(rng, len);
        String prefix = kind == Kind.SSE ? pick(rng, SSE_PREFIXES) : rng.nextInt(4) == 0 ? "[" : "";
        return concat(ascii(prefix), body);
    }

    /** Uniform random bytes, never {@code excluded}. */
    static byte[] noise(SplittableRandom rng, int len, byte excluded) {
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            byte c;
            do {
                c = (byte) rng.nextInt(256);
            } while (c == excluded);
            out[i] = c;
        }
        return out;
    }

    /** Random bytes from a JSON and SSE-like alphabet (and some above 0x7F), never <code>{</code>. */
    private static byte[] jsonish(SplittableRandom rng, int len) {
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            byte c;
            do {
                c = rng.nextInt(10) == 0 ? (byte) (0x80 + rng.nextInt(128)) : JSONISH[rng.nextInt(JSONISH.length)];
            } while (c == '{');
            out[i] = c;
        }
        return out;
    }

    private static byte[] invalidUtf8(SplittableRandom rng) {
        int[] seq = INVALID_UTF8[rng.nextInt(INVALID_UTF8.length)];
        byte[] out = new byte[seq.length];
        for (int i = 0; i < seq.length; i++) {
            out[i] = (byte) seq[i];
        }
        return out;
    }

    private static String[] wrongFor(String key) {
        if (COUNT_KEYS.contains(key)) {
            return WRONG_FOR_NUMBER;
        }
        return "data".equals(key) ? WRONG_FOR_ARRAY : WRONG_FOR_OBJECT;
    }

    /** Each number inside n with the key of the member that holds it (or holds its array). */
    private static void numbers(Node n, String key, BiConsumer<Node, String> visit) {
        if (n.type == JsonScan.NUMBER) {
            visit.accept(n, key);
        }
        for (Member m : n.members) {
            numbers(m.value(), m.key(), visit);
        }
        for (Node item : n.items) {
            numbers(item, key, visit);
        }
    }

    private static byte[] comments(SplittableRandom rng, byte[] b) {
        List<int[]> lines = lines(b);
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 64);
        int pos = 0;
        for (int[] line : lines) {
            if (rng.nextInt(100) < 20) {
                byte[] c = ascii(rng.nextBoolean() ? ": keep-alive\n" : ":\n");
                out.write(b, pos, line[0] - pos);
                out.write(c, 0, c.length);
                pos = line[0];
            }
        }
        out.write(b, pos, b.length - pos);
        return out.toByteArray();
    }

    private static byte[] withoutBlankLines(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
        for (int[] line : lines(b)) {
            if (line[1] > line[0]) {
                out.write(b, line[0], line[2] - line[0]);
            }
        }
        return out.toByteArray();
    }

    private static byte[] blankLines(SplittableRandom rng, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 16);
        for (int[] line : lines(b)) {
            out.write(b, line[0], line[2] - line[0]);
            if (line[2] > line[1] && rng.nextBoolean()) {
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    private static byte[] lineEnds(byte[] b, String end) {
        byte[] e = ascii(end);
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 64);
        for (int[] line : lines(b)) {
            out.write(b, line[0], line[1] - line[0]);
            if (line[2] > line[1]) {
                out.write(e, 0, e.length);
            }
        }
        return out.toByteArray();
    }

    private static int dataLines(byte[] b) {
        int n = 0;
        for (int[] line : lines(b)) {
            if (startsWith(b, line[0], line[1], "data:")) {
                n++;
            }
        }
        return n;
    }

    /** Lines as {start, end without the line end, start of the next line}; a line ends at CRLF, LF or CR. */
    static List<int[]> lines(byte[] b) {
        List<int[]> out = new ArrayList<>();
        int s = 0;
        int i = 0;
        while (i < b.length) {
            byte c = b[i];
            if (c == '\n' || c == '\r') {
                int next = c == '\r' && i + 1 < b.length && b[i + 1] == '\n' ? i + 2 : i + 1;
                out.add(new int[] {s, i, next});
                s = next;
                i = next;
            } else {
                i++;
            }
        }
        if (s < b.length) {
            out.add(new int[] {s, b.length, b.length});
        }
        return out;
    }

    private static boolean startsWith(byte[] b, int s, int e, String prefix) {
        if (e - s < prefix.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if (b[s + k] != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean blank(byte[] b, int s, int e) {
        return skipWs(b, s, e) == e;
    }

    private static int skipWs(byte[] b, int s, int e) {
        while (s < e && (b[s] == ' ' || b[s] == '\t' || b[s] == '\n' || b[s] == '\r')) {
            s++;
        }
        return s;
    }

    /** A replacement of [start, end) (end -1: an insertion at start). */
    private record Edit(int start, int end, byte[] with) {
        int stop() {
            return end < 0 ? start : end;
        }
    }

    private static byte[] apply(byte[] b, List<Edit> edits) {
        List<Edit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(Edit::start).thenComparingInt(Edit::stop));
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 256);
        int pos = 0;
        for (Edit e : sorted) {
            if (e.start() < pos) {
                throw new IllegalStateException("overlapping edits at " + e.start());
            }
            out.write(b, pos, e.start() - pos);
            out.write(e.with(), 0, e.with().length);
            pos = e.stop();
        }
        out.write(b, pos, b.length - pos);
        return out.toByteArray();
    }

    static byte[] concat(byte @Nullable [] a, byte[] b) {
        if (a == null || a.length == 0) {
            return b;
        }
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String pick(SplittableRandom rng, String[] from) {
        return from[rng.nextInt(from.length)];
    }

    /** SplitMix64's finaliser: neighbouring indexes give unrelated seeds. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
