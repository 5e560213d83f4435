package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * Every fixture, read every way the library accepts it, gives the same exact details: whole bodies as String,
 * byte[], JsonNode, Map and ByteBuffer; streams fed at once, byte by byte, in random splits (inside lines, CRLFs
 * and multi-byte characters), as decoded SSE payload strings, as JsonNodes and as ServerSentEvent look-alikes.
 */
class FixtureReadingUnitTests {

    private static final ProviderRegistry REGISTRY = ProviderRegistry.builtIn();

    static Stream<FixtureCase> cases() {
        return Stream.concat(FixtureCases.all().stream(), FixtureCases.sdkOnly().stream());
    }

    /** The fixtures of HTTP traffic, whose host and path the registry matches. */
    static Stream<FixtureCase> httpCases() {
        return FixtureCases.all().stream();
    }

    static Stream<FixtureCase> streams() {
        return cases().filter(FixtureCase::streaming);
    }

    static Stream<FixtureCase> bodies() {
        return cases().filter(c -> !c.streaming());
    }

    @ParameterizedTest
    @MethodSource("httpCases")
    void matchesTheRealHostAndPath(FixtureCase c) {
        String host = c.host();
        int port = -1;
        int colon = host.lastIndexOf(':');
        if (colon > 0 && !host.contains("]")) {
            port = Integer.parseInt(host.substring(colon + 1));
            host = host.substring(0, colon);
        }
        if (c.provider().equals("together")) {
            host = "api.together.xyz"; // the fixture was relayed by a router; its native host
        }
        EndpointMatch m = REGISTRY.match(host, port, c.path());
        assertThat(m).as("match of %s%s", c.host(), c.path()).isNotNull();
        assertThat(m.provider()).isEqualTo(c.provider());
        assertThat(m.path()).doesNotContain("?");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void wholeBodyInEveryRepresentation(FixtureCase c) {
        byte[] bytes = c.bytes();
        String text = new String(bytes, StandardCharsets.UTF_8);
        ResponseDetails expected = FixtureCase.countsOnly(c.expected());
        assertThat(FixtureCase.countsOnly(REGISTRY.read(c.provider(), c.path(), text))).isEqualTo(expected);
        assertThat(FixtureCase.countsOnly(REGISTRY.read(c.provider(), c.path(), bytes))).isEqualTo(expected);
        assertThat(FixtureCase.countsOnly(REGISTRY.read(c.provider(), null, bytes))).as("without endpoint").isEqualTo(expected);
        if (!c.streaming()) {
            JsonNode node = JsonFields.MAPPER.readTree(bytes);
            assertThat(FixtureCase.countsOnly(REGISTRY.read(c.provider(), c.path(), node))).isEqualTo(expected);
            Map<String, Object> map = JsonFields.MAPPER.readValue(bytes, new TypeReference<Map<String, Object>>() { });
            assertThat(FixtureCase.countsOnly(REGISTRY.read(c.provider(), c.path(), map))).isEqualTo(expected);
            assertThat(FixtureCase.countsOnly(REGISTRY.read(c.provider(), null, map))).as("map without endpoint").isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @MethodSource("httpCases")
    void wholeBodyFromAReadOnlyDirectBufferLeavesItUntouched(FixtureCase c) {
        byte[] bytes = c.bytes();
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 10);
        direct.position(5);
        direct.put(bytes);
        direct.position(5).limit(5 + bytes.length);
        ByteBuffer ro = direct.asReadOnlyBuffer();
        EndpointMatch m = REGISTRY.match(hostOf(c), portOf(c), c.path());
        assertThat(FixtureCase.countsOnly(m.readResponse(ro))).isEqualTo(FixtureCase.countsOnly(c.expected()));
        assertThat(ro.position()).isEqualTo(5);
        assertThat(ro.limit()).isEqualTo(5 + bytes.length);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void streamedAtOnceByteByByteAndInRandomSplits(FixtureCase c) {
        byte[] bytes = c.bytes();
        ResponseDetails expected = FixtureCase.countsOnly(c.expected());
        StreamReader once = REGISTRY.newChunkReader(c.provider(), c.path());
        once.feed(bytes, 0, bytes.length);
        assertThat(FixtureCase.countsOnly(once.details())).as("at once").isEqualTo(expected);
        assertThat(once.malformedEvents()).isZero();

        StreamReader single = REGISTRY.newChunkReader(c.provider(), c.path());
        for (int i = 0; i < bytes.length; i++) {
            single.feed(ByteBuffer.wrap(bytes, i, 1).asReadOnlyBuffer());
        }
        assertThat(FixtureCase.countsOnly(single.details())).as("byte by byte").isEqualTo(expected);
        assertThat(single.details()).as("byte by byte, stated details included").isEqualTo(once.details());

        Random random = new Random(c.file().hashCode());
        for (int round = 0; round < 40; round++) {
            StreamReader split = round % 2 == 0 ? REGISTRY.newChunkReader(c.provider(), c.path())
                    : REGISTRY.newChunkReader(c.provider(), null);
            List<Integer> cuts = new ArrayList<>();
            for (int at = 0; at < bytes.length; ) {
                int n = 1 + random.nextInt(Math.max(1, Math.min(bytes.length, 300)));
                split.onChunk(java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + n)));
                at += n;
                cuts.add(at);
            }
            assertThat(FixtureCase.countsOnly(split.details())).as("split at %s", cuts).isEqualTo(expected);
            assertThat(split.details()).as("split at %s, stated details included", cuts).isEqualTo(once.details());
        }
    }

    @ParameterizedTest
    @MethodSource("streams")
    void streamedAsDecodedPayloads(FixtureCase c) {
        List<String[]> events = SimpleSse.events(c.bytes());
        ResponseDetails expected = FixtureCase.countsOnly(c.expected());

        StreamReader strings = REGISTRY.newChunkReader(c.provider(), c.path());
        events.forEach(e -> strings.onChunk(e[1]));
        assertThat(FixtureCase.countsOnly(strings.details())).as("payload strings").isEqualTo(expected);

        StreamReader detected = REGISTRY.newChunkReader(c.provider(), null);
        events.forEach(e -> detected.onChunk(e[1]));
        assertThat(FixtureCase.countsOnly(detected.details())).as("payload strings, format detected").isEqualTo(expected);

        StreamReader nodes = REGISTRY.newChunkReader(c.provider(), null);
        events.stream().filter(e -> !e[1].equals("[DONE]"))
                .forEach(e -> nodes.onChunk(JsonFields.MAPPER.readTree(e[1])));
        assertThat(FixtureCase.countsOnly(nodes.details())).as("json nodes").isEqualTo(expected);

        StreamReader sse = REGISTRY.newChunkReader(c.provider(), c.path());
        events.forEach(e -> sse.onChunk(new ServerSentEvent<>(e[0], e[1])));
        assertThat(FixtureCase.countsOnly(sse.details())).as("ServerSentEvent look-alike").isEqualTo(expected);

        StreamReader lines = REGISTRY.newChunkReader(c.provider(), c.path());
        for (String line : new String(c.bytes(), StandardCharsets.UTF_8).split("(?<=\n)")) {
            lines.onChunk(line); // raw SSE text as a String chunk
        }
        assertThat(FixtureCase.countsOnly(lines.details())).as("raw text lines").isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("streams")
    void streamsSkipTheParseOfChunksThatCannotHoldUsage(FixtureCase c) {
        StreamReader r = REGISTRY.newChunkReader(c.provider(), c.path());
        byte[] bytes = c.bytes();
        r.feed(bytes, 0, bytes.length);
        r.details();
        assertThat(r.parsedEvents()).as(r.toString()).isLessThanOrEqualTo(Math.max(4, r.events() / 2));
    }

    static String hostOf(FixtureCase c) {
        if (c.provider().equals("together")) {
            return "api.together.xyz";
        }
        int colon = c.host().lastIndexOf(':');
        return colon > 0 ? c.host().substring(0, colon) : c.host();
    }

    static int portOf(FixtureCase c) {
        int colon = c.host().lastIndexOf(':');
        return colon > 0 ? Integer.parseInt(c.host().substring(colon + 1)) : -1;
    }

    /** Spring's ServerSentEvent in shape: data() and event() accessors, nothing else shared. */
    public static final class ServerSentEvent<T> {
        private final String event;
        private final T data;

        ServerSentEvent(String event, T data) {
            this.event = event;
            this.data = data;
        }

        public T data() {
            return data;
        }

        public String event() {
            return event;
        }
    }
}
