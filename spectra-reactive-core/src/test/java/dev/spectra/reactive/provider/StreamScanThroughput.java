package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Throughput of stream reading on one thread: a long stream of the fixture's shape (text deltas, then the
 * usage event), fed in 8 KiB read-only direct buffers as Netty hands them over. Not a JMH benchmark (the core
 * module has no JMH set-up yet); a steady-state measurement after warm-up, run on demand:
 *
 * <pre>./mvnw -B -q -pl spectra-reactive-core test -Dtest=StreamScanThroughput -Dspectra.bench=true</pre>
 *
 * Results print to target/surefire-reports/dev.spectra.reactive.provider.StreamScanThroughput-output.txt.
 */
@EnabledIfSystemProperty(named = "spectra.bench", matches = "true")
class StreamScanThroughput {

    private static final int TARGET_BYTES = 64 * 1024 * 1024;
    private static final int CHUNK = 8192;

    @Test
    void openAiChat() {
        measure("openai chat", "openai", "/v1/chat/completions", "openai__chat__stream__1.sse");
    }

    @Test
    void anthropic() {
        measure("anthropic", "anthropic", "/v1/messages", "anthropic__messages__stream__1.sse");
    }

    @Test
    void responses() {
        measure("openai responses", "openai", "/v1/responses", "openai__responses__stream__1.sse");
    }

    @Test
    void gemini() {
        measure("gemini", "gemini", "/v1beta/models/m:streamGenerateContent", "gemini__generateContent__stream__1.sse");
    }

    @Test
    void ollama() {
        measure("ollama ndjson", "ollama", "/api/chat", "ollama__chat__stream__2.ndjson");
    }

    /** Repeats the fixture's middle events until the stream is TARGET_BYTES long, keeping its first and last. */
    private static byte[] longStream(String fixture) {
        String text = new String(FixtureCase.load(fixture), StandardCharsets.UTF_8);
        String sep = text.contains("\r\n\r\n") ? "\r\n\r\n" : text.endsWith(".ndjson") || !text.contains("\n\n")
                ? "\n" : "\n\n";
        String[] events = text.split(sep);
        ByteArrayOutputStream out = new ByteArrayOutputStream(TARGET_BYTES + 65536);
        // the middle: text deltas (the fixture's events between its first and its last few, or its first)
        int middleFrom = events.length > 4 ? 1 : 0;
        int middleTo = events.length > 4 ? events.length - 3 : 1;
        if (middleFrom == 1) {
            byte[] first = (events[0] + sep).getBytes(StandardCharsets.UTF_8);
            out.write(first, 0, first.length);
        }
        while (out.size() < TARGET_BYTES) {
            for (int i = middleFrom; i < middleTo; i++) {
                byte[] e = (events[i] + sep).getBytes(StandardCharsets.UTF_8);
                out.write(e, 0, e.length);
            }
        }
        for (int i = Math.max(middleTo, 1); i < events.length; i++) {
            byte[] e = (events[i] + sep).getBytes(StandardCharsets.UTF_8);
            out.write(e, 0, e.length);
        }
        return out.toByteArray();
    }

    private static void measure(String name, String provider, String path, String fixture) {
        byte[] stream = longStream(fixture);
        ByteBuffer direct = ByteBuffer.allocateDirect(stream.length);
        direct.put(stream).flip();
        ProviderRegistry registry = ProviderRegistry.builtIn();
        double best = 0;
        for (int round = 0; round < 12; round++) {
            StreamReader r = registry.newChunkReader(provider, path);
            long t0 = System.nanoTime();
            for (int at = 0; at < stream.length; at += CHUNK) {
                ByteBuffer slice = direct.duplicate();
                slice.position(at).limit(Math.min(stream.length, at + CHUNK));
                r.feed(slice.asReadOnlyBuffer());
            }
            ResponseDetails d = r.details();
            long nanos = System.nanoTime() - t0;
            assertThat(d.usage()).isNotNull();
            double mbps = stream.length / (nanos / 1e9) / (1024 * 1024);
            if (round >= 4) {
                best = Math.max(best, mbps);
            }
            if (round == 11) {
                System.out.printf(Locale.ROOT, "%-18s %6.1f MiB stream, %,d events, %,d parsed: best %,.0f MiB/s%n",
                        name, stream.length / 1048576.0, r.events(), r.parsedEvents(), best);
            }
        }
    }
}
