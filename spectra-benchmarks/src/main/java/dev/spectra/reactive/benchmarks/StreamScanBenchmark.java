package dev.spectra.reactive.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.ResponseDetails;
import dev.spectra.reactive.provider.StreamReader;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How fast a provider stream is scanned for its usage on one core, in bytes per second. Each stream is a
 * real fixture whose content events are repeated to about 4 MiB (first and usage-carrying events kept), fed in
 * 8 KiB read-only direct buffers as a WebClient body would arrive.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class StreamScanBenchmark {

    private static final int TARGET_BYTES = 4 * 1024 * 1024;
    private static final int BUFFER_BYTES = 8 * 1024;

    /** The stream format: the fixture and the event repeated to fill it. */
    @Param({"openai-sse", "anthropic-sse", "gemini-sse", "ollama-ndjson"})
    public String stream;

    private EndpointMatch match;
    private List<ByteBuffer> buffers;
    private int streamBytes;

    /** Bytes scanned, reported by JMH as bytes per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Scanned {
        /** bytes scanned in this iteration */
        public long bytes;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        ProviderRegistry registry = ProviderRegistry.builtIn();
        String fixture;
        String separator;
        int repeat; // index of the content event to repeat
        switch (stream) {
            case "openai-sse" -> {
                match = registry.match("api.openai.com", 443, "/v1/chat/completions");
                fixture = "openai__chat__stream__1.sse";
                separator = "\n\n";
                repeat = 2;
            }
            case "anthropic-sse" -> {
                match = registry.match("api.anthropic.com", 443, "/v1/messages");
                fixture = "anthropic__messages__stream__1.sse";
                separator = "\n\n";
                repeat = 3;
            }
            case "gemini-sse" -> {
                match = registry.match("generativelanguage.googleapis.com", 443,
                        "/v1beta/models/gemini-2.0-flash:streamGenerateContent");
                fixture = "gemini__generateContent__stream__1.sse";
                separator = "\r\n\r\n";
                repeat = 0;
            }
            case "ollama-ndjson" -> {
                match = registry.match("localhost", 11434, "/api/chat");
                fixture = "ollama__chat__stream__2.ndjson";
                separator = "\n";
                repeat = 0;
            }
            default -> throw new IllegalArgumentException(stream);
        }
        String text = resource(fixture);
        String[] events = text.split(separator, -1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i <= repeat; i++) {
            out.add(events[i]);
        }
        int size = String.join(separator, out).length();
        while (size < TARGET_BYTES) {
            out.add(events[repeat]);
            size += events[repeat].length() + separator.length();
        }
        for (int i = repeat + 1; i < events.length; i++) {
            out.add(events[i]);
        }
        byte[] all = String.join(separator, out).getBytes(StandardCharsets.UTF_8);
        streamBytes = all.length;
        buffers = new ArrayList<>();
        for (int off = 0; off < all.length; off += BUFFER_BYTES) {
            int n = Math.min(BUFFER_BYTES, all.length - off);
            ByteBuffer b = ByteBuffer.allocateDirect(n);
            b.put(all, off, n).flip();
            buffers.add(b.asReadOnlyBuffer());
        }
        ResponseDetails check = scanOnce();
        if (check.usage() == null) {
            throw new IllegalStateException(stream + ": the generated stream lost its usage: " + check);
        }
    }

    private ResponseDetails scanOnce() {
        StreamReader reader = match.newStreamReader();
        for (ByteBuffer b : buffers) {
            reader.feed(b);
        }
        return reader.details();
    }

    /**
     * Scans the whole stream once.
     *
     * @param scanned the byte counter
     * @return the details, for the blackhole
     */
    @Benchmark
    public ResponseDetails scan(Scanned scanned) {
        ResponseDetails d = scanOnce();
        scanned.bytes += streamBytes;
        return d;
    }

    private static String resource(String name) {
        return new String(ProviderFixtures.bytes(name), StandardCharsets.UTF_8);
    }
}
