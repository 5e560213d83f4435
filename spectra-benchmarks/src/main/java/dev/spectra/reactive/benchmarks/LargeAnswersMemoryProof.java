package dev.spectra.reactive.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import io.netty.buffer.Unpooled;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The proof that the WebClient filter holds bounded memory whatever the size of the answers: a local Reactor Netty
 * server on 127.0.0.1 serves provider-shaped JSON answers of 3 MB and 5 MB (an OpenAI chat completion with one huge
 * {@code content}, an OpenAI embeddings answer with hundreds of 1,536-dimension vectors; usage at the end of both),
 * 100 at once, to a WebClient that reads each body as a stream of buffers and hashes it. The same run with and
 * without {@link SpectraExchangeFilter}, each in its own JVM with the heap given (e.g. {@code -Xmx256m}):
 *
 * <pre>
 * ./mvnw -B -q -pl spectra-benchmarks -am package -DskipTests
 * java -Xmx256m -cp spectra-benchmarks/target/benchmarks.jar dev.spectra.reactive.benchmarks.LargeAnswersMemoryProof
 * </pre>
 *
 * <p>Per phase it reports: callers whose bytes were intact (SHA-256 against the served body), records and how many
 * carry exactly the usage the body states, and the heap: the peak of the heap pools' usage
 * ({@code MemoryPoolMXBean} peaks, summed: an upper bound of the heap in use) and the largest heap left after a
 * garbage collection (the live data). A JVM that runs out of memory exits ({@code -XX:+ExitOnOutOfMemoryError}) and
 * is reported as such.
 */
public final class LargeAnswersMemoryProof {

    private static final int CONCURRENT = 100;

    private LargeAnswersMemoryProof() {
    }

    /**
     * With no argument: starts the server in a JVM of its own, then the caller without and with the filter, each in
     * a JVM with this JVM's maximum heap, and prints what they report. {@code server} runs the server (it prints
     * its port); {@code off <port>} and {@code on <port>} run the caller.
     *
     * @param args nothing, {@code server}, or the mode and the server's port
     * @throws Exception when the run cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 1 && "server".equals(args[0])) {
            serve();
            return;
        }
        if (args.length == 2) {
            call("on".equals(args[0]), Integer.parseInt(args[1]));
            return;
        }
        long heap = Runtime.getRuntime().maxMemory();
        System.out.printf(Locale.ROOT, "java %s, %d cores, caller heap -Xmx%dm%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), heap >> 20);
        Process server = new ProcessBuilder(java("-Xmx1g", "server")).redirectErrorStream(true).start();
        try {
            BufferedReader serverOut = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            String port = serverOut.readLine();
            for (String mode : new String[] {"off", "on"}) {
                Process p = new ProcessBuilder(java("-Xmx" + (heap >> 20) + "m", mode, port)).redirectErrorStream(true)
                        .start();
                try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.startsWith("|") || line.startsWith("filter") || line.contains("OutOfMemoryError")) {
                            System.out.println(line);
                        }
                    }
                }
                int exit = p.waitFor();
                if (exit != 0) {
                    System.out.printf(Locale.ROOT, "filter %s: the JVM exited with status %d%s%n", mode, exit,
                            exit == 3 ? " (OutOfMemoryError)" : "");
                }
            }
        } finally {
            server.destroy();
        }
    }

    private static List<String> java(String heap, String... args) {
        List<String> command = new ArrayList<>(List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap,
                "-XX:+ExitOnOutOfMemoryError", "-Dio.netty.leakDetection.level=disabled",
                "-cp", System.getProperty("java.class.path"), LargeAnswersMemoryProof.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** The answers, by name. */
    private static Map<String, byte[]> bodies() {
        return Map.of("chat-3", chat(3_000_000, 3), "chat-5", chat(5_000_000, 5),
                "embeddings-3", embeddings(3_000_000, 3), "embeddings-5", embeddings(5_000_000, 5));
    }

    private static String pathOf(String name) {
        return name.startsWith("chat") ? "/v1/chat/completions" : "/v1/embeddings";
    }

    /** Serves the answers in 64 KiB pieces (sent as the connection can take them) until killed. */
    private static void serve() throws InterruptedException {
        Map<String, byte[]> bodies = bodies();
        int piece = 64 * 1024;
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                // answered off the event loop: Reactor Netty 1.3.7 can stop reading a keep-alive connection whose
                // next request is answered at once (reactor/reactor-netty#4361, see docs/reliability.md)
                .handle((req, res) -> req.receive().then(Mono.delay(Duration.ZERO)).then(Mono.defer(() -> {
                    byte[] b = bodies.get(req.requestHeaders().get("x-answer"));
                    return res.header("content-type", "application/json")
                            .header("content-length", Integer.toString(b.length))
                            .send(Flux.range(0, (b.length + piece - 1) / piece).map(i ->
                                    Unpooled.wrappedBuffer(b, i * piece, Math.min(piece, b.length - i * piece))))
                            .then();
                })))
                .bindNow(Duration.ofSeconds(10));
        System.out.println(server.port());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** What the caller expects of one answer: its path, the SHA-256 of its bytes and the usage they state. */
    private record Answer(String name, String path, String sha256, Usage usage) {
    }

    private static void call(boolean filtered, int port) throws Exception {
        Map<String, Answer> answers = new java.util.HashMap<>();
        bodies().forEach((name, b) -> answers.put(name, new Answer(name, pathOf(name), sha256(b),
                ProviderRegistry.builtIn().read("openai", pathOf(name), b).usage())));
        GcWatch gc = GcWatch.start();
        ConcurrentLinkedQueue<TrackedRequest> records = new ConcurrentLinkedQueue<>();
        SpectraTracker tracker = SpectraTracker.builder().sink(batch -> {
            records.addAll(batch);
            return Mono.empty();
        }).directDelivery().build();
        ConnectionProvider connections = ConnectionProvider.builder("proof").maxConnections(2 * CONCURRENT)
                .pendingAcquireMaxCount(-1).build();
        WebClient.Builder client = WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)
                        .responseTimeout(Duration.ofMinutes(2))));
        if (filtered) {
            client.filter(SpectraExchangeFilter.builder().tracker(tracker).host("openai", "127.0.0.1:" + port).build());
        }
        WebClient web = client.build();
        System.out.printf(Locale.ROOT, "filter %s: heap max %d MiB, held-bytes bound %s%n", filtered ? "on" : "off",
                Runtime.getRuntime().maxMemory() >> 20, heldBound());
        System.out.println("| filter | answers at once | callers with intact bytes | records | usage exact | "
                + "heap peak (pools) | largest heap after GC | GCs |");
        phase(web, answers, records, gc, filtered, "100 x 3 MB", List.of("chat-3", "embeddings-3"), CONCURRENT);
        phase(web, answers, records, gc, filtered, "100 x 5 MB", List.of("chat-5", "embeddings-5"), CONCURRENT);
        phase(web, answers, records, gc, filtered, "100 x 3 MB + 100 x 5 MB",
                List.of("chat-3", "embeddings-3", "chat-5", "embeddings-5"), 2 * CONCURRENT);
        System.out.printf(Locale.ROOT, "filter %s: tracker %s; held bytes %s%n", filtered ? "on" : "off",
                tracker.stats(), heldNow());
        connections.disposeLater().block(Duration.ofSeconds(10));
    }

    private static void phase(WebClient web, Map<String, Answer> answers, ConcurrentLinkedQueue<TrackedRequest> records,
                              GcWatch gc, boolean filtered, String label, List<String> names, int calls)
            throws InterruptedException {
        System.gc();
        Thread.sleep(200);
        records.clear();
        gc.reset();
        List<Long> intact = Flux.range(0, calls)
                .flatMap(i -> {
                    Answer a = answers.get(names.get(i % names.size()));
                    return web.post().uri(a.path()).header("x-answer", a.name()).contentType(MediaType.APPLICATION_JSON)
                            .bodyValue("{\"model\":\"" + (a.path().contains("chat") ? "gpt-4o" : "text-embedding-3-small")
                                    + "\",\"input\":\"hi\"}")
                            .exchangeToMono(r -> digest(r.bodyToFlux(DataBuffer.class)))
                            .map(sha -> sha.equals(a.sha256()) ? 1L : 0L);
                }, calls)
                .collectList().block(Duration.ofMinutes(5));
        long ok = intact.stream().mapToLong(Long::longValue).sum();
        long exact = 0;
        for (TrackedRequest r : records) {
            for (Answer a : answers.values()) {
                if (a.path().equals(r.endpoint()) && a.usage().equals(r.usage())) {
                    exact++;
                    break;
                }
            }
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %d / %d | %s | %s | %.1f MiB | %.1f MiB | %d |%n",
                filtered ? "on" : "off", label, ok, calls, filtered ? Integer.toString(records.size()) : "-",
                filtered ? exact + " / " + calls : "-", gc.poolPeak() / 1048576.0, gc.afterGcPeak() / 1048576.0,
                gc.collections());
    }

    private static Mono<String> digest(Flux<DataBuffer> body) {
        return body.reduce(newDigest(), (md, buf) -> {
            try (DataBuffer.ByteBufferIterator it = buf.readableByteBuffers()) {
                it.forEachRemaining(md::update);
            } finally {
                DataBufferUtils.release(buf);
            }
            return md;
        }).map(md -> HexFormat.of().formatHex(md.digest()));
    }

    private static String sha256(byte[] b) {
        return HexFormat.of().formatHex(newDigest().digest(b));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The filter's held-bytes bound, when this build has one (read reflectively: the proof also runs on older builds). */
    private static String heldBound() {
        try {
            Object shared = Class.forName("dev.spectra.reactive.internal.http.ByteBudget").getMethod("shared")
                    .invoke(null);
            return (((Long) shared.getClass().getMethod("limit").invoke(shared)) >> 20) + " MiB (process-wide default)";
        } catch (ReflectiveOperationException e) {
            return "none";
        }
    }

    private static String heldNow() {
        try {
            return Class.forName("dev.spectra.reactive.internal.http.ByteBudget").getMethod("shared").invoke(null)
                    .toString();
        } catch (ReflectiveOperationException e) {
            return "n/a";
        }
    }

    /** An OpenAI chat completion of about {@code size} bytes: one huge {@code content}, usage at the end. */
    static byte[] chat(int size, int tag) {
        String head = "{\n  \"id\": \"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG" + tag + "\",\n  \"object\": "
                + "\"chat.completion\",\n  \"created\": 1727346163,\n  \"model\": \"gpt-4o-2024-08-06\",\n  \"choices\": [\n"
                + "    {\n      \"index\": 0,\n      \"message\": {\n        \"role\": \"assistant\",\n"
                + "        \"content\": \"";
        String tail = "\",\n        \"refusal\": null\n      },\n      \"logprobs\": null,\n      \"finish_reason\": "
                + "\"stop\"\n    }\n  ],\n  \"usage\": {\n    \"prompt_tokens\": 1" + tag + ",\n    \"completion_tokens\": "
                + size / 4 + ",\n    \"total_tokens\": " + (10 + tag + size / 4) + ",\n    \"prompt_tokens_details\": {\n"
                + "      \"cached_tokens\": 0,\n      \"audio_tokens\": 0\n    },\n    \"completion_tokens_details\": {\n"
                + "      \"reasoning_tokens\": 0,\n      \"audio_tokens\": 0\n    }\n  },\n  \"system_fingerprint\": "
                + "\"fp_5050236cbd\"\n}\n";
        StringBuilder content = new StringBuilder(size);
        while (content.length() < size - head.length() - tail.length() - 80) {
            content.append("To cross a river safely, find a bridge or a \\\"shallow\\\" ford \\u2014 caf\u00e9 "
                    + "\u2615 \ud834\udd1e.\\n");
        }
        return (head + content + tail).getBytes(StandardCharsets.UTF_8);
    }

    /** An OpenAI embeddings answer of about {@code size} bytes: 1,536-dimension vectors, usage at the end. */
    static byte[] embeddings(int size, int tag) {
        StringBuilder b = new StringBuilder(size + 40_000).append("{\n  \"object\": \"list\",\n  \"data\": [\n");
        SplittableRandom r = new SplittableRandom(tag);
        int items = 0;
        while (b.length() < size - 200) {
            b.append(items == 0 ? "" : ",\n").append("    {\n      \"object\": \"embedding\",\n      \"index\": ")
                    .append(items++).append(",\n      \"embedding\": [\n");
            for (int k = 0; k < 1536; k++) {
                b.append("        ").append(String.format(Locale.ROOT, "%.10f", r.nextDouble(-0.1, 0.1)))
                        .append(k < 1535 ? ",\n" : "\n");
            }
            b.append("      ]\n    }");
        }
        b.append("\n  ],\n  \"model\": \"text-embedding-3-small\",\n  \"usage\": {\n    \"prompt_tokens\": ")
                .append(items * 10 + tag).append(",\n    \"total_tokens\": ").append(items * 10 + tag).append("\n  }\n}\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Heap figures: pool peaks (reset per phase) and the largest heap in use right after a collection. */
    private static final class GcWatch {
        private final List<MemoryPoolMXBean> pools = new ArrayList<>();
        private final java.util.Set<String> heapPools = new java.util.HashSet<>();
        private final AtomicLong afterGc = new AtomicLong();
        private final AtomicLong collections = new AtomicLong();

        static GcWatch start() {
            GcWatch w = new GcWatch();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP) {
                    w.pools.add(p);
                    w.heapPools.add(p.getName());
                }
            }
            for (var bean : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) bean).addNotificationListener((n, h) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
                                .from((CompositeData) n.getUserData());
                        long used = 0;
                        for (Map.Entry<String, MemoryUsage> u : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                            if (w.heapPools.contains(u.getKey())) {
                                used += u.getValue().getUsed();
                            }
                        }
                        w.collections.incrementAndGet();
                        w.afterGc.accumulateAndGet(used, Math::max);
                    }
                }, null, null);
            }
            return w;
        }

        void reset() {
            pools.forEach(MemoryPoolMXBean::resetPeakUsage);
            afterGc.set(0);
            collections.set(0);
        }

        long poolPeak() {
            long sum = 0;
            for (MemoryPoolMXBean p : pools) {
                sum += p.getPeakUsage().getUsed();
            }
            return sum;
        }

        long afterGcPeak() {
            return afterGc.get();
        }

        long collections() {
            return collections.get();
        }
    }
}
