package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.JsonToken;

/**
 * The strict reader gives, for every body it reads, exactly the tokens and values Jackson's parser gives for it,
 * and gives up on whatever it is not sure of: checked on every fixture, on bodies made to hit each rule, and on
 * many thousands of bodies mutated from them byte by byte.
 */
class StrictJsonTokensUnitTests {

    /** Every token and value, as text; the failure's class when the tokens end in one. */
    private static List<String> dump(JsonTokens p) {
        List<String> out = new ArrayList<>();
        try {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case PROPERTY_NAME -> out.add("name " + p.currentName());
                    case VALUE_STRING -> {
                        p.checkValue();
                        out.add("string " + p.getString());
                        out.add("shared " + p.getSharedString());
                    }
                    case VALUE_NUMBER_INT -> out.add("int " + p.getNumberType() + " " + p.getLongValue()
                            + " " + p.getDecimalValue());
                    case VALUE_NUMBER_FLOAT -> {
                        p.checkValue();
                        out.add("float " + p.getDecimalValue() + " scale " + p.getDecimalValue().scale());
                    }
                    default -> out.add(t.name());
                }
            }
            out.add("end");
        } catch (RuntimeException e) {
            out.add("failed " + e.getClass().getSimpleName());
        }
        return out;
    }

    private static List<String> jackson(byte[] b) {
        try (JacksonJsonTokens p = new JacksonJsonTokens(b, 0, b.length)) {
            return dump(p);
        } catch (RuntimeException e) {
            return List.of("failed " + e.getClass().getSimpleName());
        }
    }

    /** The strict reader's dump, or null when it gave up. */
    private static @Nullable List<String> strict(byte[] b) {
        List<String> d = dump(new StrictJsonTokens(b, 0, b.length));
        return d.get(d.size() - 1).equals("failed GaveUp") ? null : d;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads alike, or gives up: never a token or value Jackson would not give. */
    private static void readsAsJacksonOrGivesUp(byte[] b) {
        List<String> s = strict(b);
        if (s != null) {
            assertThat(s).as(new String(b, StandardCharsets.ISO_8859_1)).isEqualTo(jackson(b))
                    .last().isEqualTo("end");
        }
    }

    static Stream<FixtureCase> jsonFixtures() {
        return Stream.concat(FixtureCases.all().stream(), FixtureCases.sdkOnly().stream())
                .filter(c -> !c.streaming());
    }

    @ParameterizedTest
    @MethodSource("jsonFixtures")
    void readsEveryJsonFixtureAsJacksonDoes(FixtureCase c) {
        byte[] b = c.bytes();
        if (b[ByteScan.skipWs(b, 0, b.length)] != '{') {
            return;
        }
        List<String> s = strict(b);
        assertThat(s).as("%s read without giving up", c).isNotNull();
        assertThat(s).as(c.toString()).isEqualTo(jackson(b));
    }

    @Test
    void readsStrictJsonOfEveryShapeAsJacksonDoes() {
        for (String json : List.of(
                "{}", "[]", "{\"a\":[]}", " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n",
                "{\"s\":\"\",\"t\":\"plain\",\"u\":\"w\u00f6rld \u4e16\u754c \ud83c\udf0d\"}",
                "{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u4e16\\ud83c\\udf0d\\ud800 lone\"}",
                "{\"\\u006dodel\":\"m\",\"n\\u00e4me\":1,\"w\u00f6rd\":2}",
                "{\"i\":[0,-0,1,-1,2147483647,2147483648,-2147483648,-2147483649,999999999999999999,"
                        + "-999999999999999999,1234567890123456789,9223372036854775807,-9223372036854775808,"
                        + "3859899181302555600]}",
                "{\"f\":[0.5,-0.5,1e5,1E+5,1e-5,2.50e2,0.000894000,-0.0,123.456e-0007,1.0]}",
                "{\"b\":[true,false,null],\"n\":null}",
                "[[[[{\"deep\":[[[1]]]}]]]]", "\"root string\"", "12", "-7.5", "true", "null")) {
            byte[] b = utf8(json);
            assertThat(strict(b)).as(json).isNotNull().isEqualTo(jackson(b));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\":01}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":+1}", "{\"a\":NaN}",
        "{\"a\":1x}", "{\"a\":truex}", "{\"a\":nul}", "{\"a\":1,}", "[1,]", "{,}", "{\"a\" 1}", "{\"a\":1 \"b\":2}",
        "{\"a\":[1}", "{\"a\":{]}", "{'a':1}", "{a:1}", "{\"a\":1}/* c */", "// c\n{}", "{\"a\":1} {}", "{\"a\":1}x",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"tab\there\"}", "{\"a\":\"",
        "{\"a\"", "{", "", "   ", "{\"a\":12345678901234567890}", "{\"a\":9223372036854775808}",
        "{\"a\":-9223372036854775809}",
        "{\"a\":1e12345}", "{\"a\":1e999999999999}"})
    void givesUpOnWhatIsNotStrictJsonOrPastItsBounds(String json) {
        byte[] b = utf8(json);
        assertThat(strict(b)).as(json).isNull();
    }

    @Test
    void givesUpOnUtf8ThatIsNotStrictlyValid() {
        int[][] sequences = {
            {0x80}, {0xBF}, {0xC0, 0xAF}, {0xC1, 0xBF}, {0xC3}, {0xC3, 0x41}, {0xE0, 0x80, 0xAF}, {0xE0, 0x9F, 0xBF},
            {0xED, 0xA0, 0x80}, {0xED, 0xBF, 0xBF}, {0xE4, 0xB8}, {0xF0, 0x80, 0x80, 0xAF}, {0xF0, 0x8F, 0xBF, 0xBF},
            {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0xF8, 0x88, 0x80, 0x80, 0x80}, {0xFE}, {0xFF}};
        for (int[] seq : sequences) {
            for (String where : List.of("value", "name", "start")) {
                byte[] s = new byte[seq.length];
                for (int i = 0; i < seq.length; i++) {
                    s[i] = (byte) seq[i];
                }
                byte[] b = switch (where) {
                    case "value" -> concat(utf8("{\"a\":\"x"), s, utf8("y\"}"));
                    case "name" -> concat(utf8("{\"a"), s, utf8("\":1}"));
                    default -> concat(s, utf8("{\"a\":1}"), new byte[0]);
                };
                assertThat(strict(b)).as("%s in %s", java.util.Arrays.toString(seq), where).isNull();
            }
        }
        // a byte order mark is a character in a string, and left to Jackson before the JSON
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        assertThat(strict(concat(utf8("{\"a\":\""), bom, utf8("\"}")))).isNotNull();
        assertThat(strict(concat(bom, utf8("{\"a\":1}"), new byte[0]))).isNull();
        // the highest and lowest of each strictly valid length are read, as Jackson reads them
        for (String s : List.of("\u0080", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\uffff", "\ud800\udc00",
                "\udbff\udfff")) {
            byte[] b = utf8("{\"" + s + "\":\"" + s + "\"}");
            assertThat(strict(b)).as(s).isNotNull().isEqualTo(jackson(b));
        }
    }

    @Test
    void givesUpPastItsBoundsOfNestingAndLength() {
        String deep = "[".repeat(StrictJsonTokens.MAX_DEPTH) + "]".repeat(StrictJsonTokens.MAX_DEPTH);
        assertThat(strict(utf8(deep))).isNotNull().isEqualTo(jackson(utf8(deep)));
        String deeper = "[" + deep + "]";
        assertThat(strict(utf8(deeper))).isNull();
        assertThat(jackson(utf8(deeper))).last().isEqualTo("end");
        String longName = "{\"" + "n".repeat(StrictJsonTokens.MAX_NAME_LENGTH) + "\":1}";
        assertThat(strict(utf8(longName))).isNotNull();
        assertThat(strict(utf8(longName.replace("\":", "n\":")))).isNull();
        String longNumber = "{\"a\":0." + "1".repeat(StrictJsonTokens.MAX_NUMBER_LENGTH - 2) + "}";
        assertThat(strict(utf8(longNumber))).isNotNull().isEqualTo(jackson(utf8(longNumber)));
        assertThat(strict(utf8(longNumber.replace("}", "1}")))).isNull();
    }

    @Test
    void aNameIsOneSharedStringAcrossReads() {
        byte[] b = utf8("{\"prompt_tokens\":1}");
        StrictJsonTokens first = new StrictJsonTokens(b, 0, b.length);
        first.nextToken();
        first.nextToken();
        StrictJsonTokens second = new StrictJsonTokens(b.clone(), 0, b.length);
        second.nextToken();
        second.nextToken();
        assertThat(second.currentName()).isEqualTo("prompt_tokens").isSameAs(first.currentName());
    }

    @Test
    void namesThatDifferInOneByteAreEachReadAsThemselves() {
        Random random = new Random(5);
        for (int n = 1; n <= StrictJsonTokens.MAX_SHARED_LENGTH + 2; n++) {
            char[] base = new char[n];
            for (int k = 0; k < n; k++) {
                base[k] = (char) ('a' + random.nextInt(26));
            }
            String name = new String(base);
            for (int k = 0; k < n; k++) {
                char[] other = base.clone();
                other[k] = other[k] == 'z' ? 'a' : (char) (other[k] + 1);
                String otherName = new String(other);
                // each read after the other, so that a lookup meets the other's entry in the shared names
                for (int round = 0; round < 2; round++) {
                    byte[] b = utf8("{\"" + name + "\":1,\"" + otherName + "\":2,\"" + name.substring(0, k) + "\":3}");
                    assertThat(strict(b)).as("%s against %s", name, otherName).containsExactly("START_OBJECT",
                            "name " + name, "int INT 1 1", "name " + otherName, "int INT 2 2",
                            "name " + name.substring(0, k), "int INT 3 3", "END_OBJECT", "end");
                }
            }
        }
    }

    @Test
    void stringsWithAnEscapeOrNonAsciiByteAtEveryOffsetReadAsJacksonDoes() {
        List<String> inserts = List.of("\\n", "\\\"", "\\u00e9", "\u00e9", "\ud83c\udf0d", "\u007f", "\\\\");
        for (int n = 0; n <= 20; n++) {
            for (int k = 0; k <= n; k++) {
                for (String insert : inserts) {
                    String text = "x".repeat(k) + insert + "y".repeat(n - k);
                    for (String json : List.of("{\"k\":\"" + text + "\",\"n\":1}", "\"" + text + "\"")) {
                        byte[] b = utf8(json);
                        assertThat(strict(b)).as(json).isNotNull().isEqualTo(jackson(b));
                    }
                }
                // bytes strict JSON does not allow in a string, and a string the body ends inside
                for (String bad : List.of("\u0001", "\u001f", "\t")) {
                    byte[] b = utf8("{\"k\":\"" + "x".repeat(k) + bad + "y".repeat(n - k) + "\"}");
                    assertThat(strict(b)).as("a raw control byte").isNull();
                    List<String> byJackson = jackson(b);
                    assertThat(byJackson.get(byJackson.size() - 1)).startsWith("failed");
                }
                byte[] cut = utf8("{\"k\":\"" + "x".repeat(n));
                assertThat(strict(cut)).isNull();
                byte[] invalid = utf8("{\"k\":\"" + "x".repeat(k) + "?" + "y".repeat(n - k) + "\"}");
                assertThat(invalid[6 + k]).isEqualTo((byte) '?');
                invalid[6 + k] = (byte) 0xC0; // an overlong form's first byte
                readsAsJacksonOrGivesUp(invalid);
                assertThat(strict(invalid)).isNull();
            }
        }
    }

    @Test
    void aShortPlainValueIsOneSharedStringAcrossReadsAndOthersAreTheirOwn() {
        String longValue = "m".repeat(StrictJsonTokens.MAX_SHARED_LENGTH + 1);
        for (String value : List.of("gpt-4o-2024-08-06", "stop", "")) {
            assertThat(valueOf(value, true)).isEqualTo(value).isSameAs(valueOf(value, true));
        }
        for (String value : List.of(longValue, "caf\u00e9", "wörld")) {
            String a = valueOf(value, true);
            assertThat(valueOf(value, true)).isEqualTo(a).isNotSameAs(a);
        }
        assertThat(valueOf("stop", false)).isEqualTo("stop").isNotSameAs(valueOf("stop", false));
    }

    /** The string value of a one-member object, read shared or not. */
    private static String valueOf(String json, boolean shared) {
        byte[] b = utf8("{\"v\":\"" + json + "\"}");
        StrictJsonTokens p = new StrictJsonTokens(b, 0, b.length);
        p.nextToken();
        p.nextToken();
        assertThat(p.nextToken()).isEqualTo(JsonToken.VALUE_STRING);
        return shared ? p.getSharedString() : p.getString();
    }

    @Test
    void readingAValueIntoANodeIsLeftToJackson() {
        byte[] b = utf8("{\"cost\":0.5}");
        StrictJsonTokens p = new StrictJsonTokens(b, 0, b.length);
        p.nextToken();
        p.nextToken();
        p.nextToken();
        assertThatThrownBy(() -> p.readTree(JsonFields.MAPPER.reader()))
                .isInstanceOf(StrictJsonTokens.GaveUp.class);
    }

    /** Bytes that JSON's grammar and UTF-8 turn on, put in by the mutations. */
    private static final byte[] INTERESTING = {'{', '}', '[', ']', '"', '\\', ',', ':', ' ', '\n', '\t', 0, 0x1F,
        '0', '1', '9', '-', '+', '.', 'e', 'E', 'u', 'n', 't', 'f', 'a', 'x', '/', '*', (byte) 0x80, (byte) 0xBF,
        (byte) 0xC0, (byte) 0xC3, (byte) 0xE0, (byte) 0xED, (byte) 0xEF, (byte) 0xF0, (byte) 0xF4, (byte) 0xF5,
        (byte) 0xFF};

    @Test
    void bodiesMutatedByteByByteReadAsJacksonReadsThemOrAreGivenUp() {
        List<byte[]> seeds = new ArrayList<>();
        jsonFixtures().map(FixtureCase::bytes).filter(b -> b.length < 4096).limit(40).forEach(seeds::add);
        seeds.add(utf8("{\"id\":\"x\",\"n\":[0,-12,3.5e-2,true,false,null],\"s\":\"a\\u00e9\\n\u00f6\ud83c\udf0d\"}"));
        Random random = new Random(20261206L);
        int read = 0;
        int mutants = 0;
        for (byte[] seed : seeds) {
            for (int round = 0; round < 400; round++) {
                byte[] b = mutate(seed, random);
                mutants++;
                List<String> s = strict(b);
                if (s != null) {
                    read++;
                    assertThat(s).as(new String(b, StandardCharsets.ISO_8859_1)).isEqualTo(jackson(b))
                            .last().isEqualTo("end");
                }
            }
        }
        // both outcomes are exercised: enough mutants stay valid JSON, and enough do not
        assertThat(read).isBetween(mutants / 20, mutants - mutants / 20);
    }

    /** One to three edits: a byte replaced, inserted or removed, or the body cut short. */
    private static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed;
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = random.nextInt(b.length);
            byte x = INTERESTING[random.nextInt(INTERESTING.length)];
            switch (random.nextInt(4)) {
                case 0 -> {
                    b = b.clone();
                    b[at] = x;
                }
                case 1 -> b = concat(java.util.Arrays.copyOf(b, at), new byte[] {x},
                        java.util.Arrays.copyOfRange(b, at, b.length));
                case 2 -> b = concat(java.util.Arrays.copyOf(b, at), java.util.Arrays.copyOfRange(b, at + 1, b.length),
                        new byte[0]);
                default -> b = java.util.Arrays.copyOf(b, at);
            }
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] out = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }
}
