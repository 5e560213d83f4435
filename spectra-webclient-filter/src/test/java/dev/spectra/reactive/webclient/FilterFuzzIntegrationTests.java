package dev.spectra.reactive.webclient;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.PricingStatus;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import dev.spectra.reactive.testsupport.fuzz.Category;
import dev.spectra.reactive.testsupport.fuzz.FuzzCase;
import dev.spectra.reactive.testsupport.fuzz.FuzzCorpus;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault proof of the WebClient filter: fuzz cases derived from every fixture (see {@link FuzzCorpus};
 * {@value #DEFAULT_CASES} by default, {@code -Dspectra.fuzz.cases=10000} for the long run) are answered over real
 * HTTP on 127.0.0.1 with the fixture's status and content type ({@code application/json},
 * {@code text/event-stream}, {@code application/x-ndjson}), in one to six pieces, sometimes with the connection
 * closed midway. Each is read with {@code bodyToMono(String)}, {@code bodyToFlux(String)} and
 * {@code bodyToFlux(DataBuffer)} (hashed) by a client with {@link SpectraExchangeFilter} and by the same client
 * without it: the same bytes and the same terminal signal; one record per tracked exchange, usage unknown (or, for
 * legitimate framing changes, the fixture's usage); nothing dropped; and, batch by batch, no buffer leaked under
 * paranoid leak detection ({@link LeakDetection}).
 */
class FilterFuzzIntegrationTests {

    static final int DEFAULT_CASES = 1500;
    private static final int BATCH = 100;
    private static final int CONCURRENCY = 4;

    enum Read { MONO_STRING, FLUX_STRING, DATA_BUFFERS }

    private static final ConcurrentLinkedQueue<Object> DROPPED = new ConcurrentLinkedQueue<>();
    private static final AtomicLong NANOS = new AtomicLong();
    private static final AtomicInteger CASES = new AtomicInteger();
    private static final AtomicInteger UNKNOWN = new AtomicInteger();
    private static final AtomicInteger CUT = new AtomicInteger();
    private static final Map<Category, Integer> COUNTS = new EnumMap<>(Category.class);

    static FixtureServer server;
    static WebClient tracked;
    static WebClient plain;
    static FuzzCorpus corpus;
    static Map<String, Fixtures.Fixture> fixtures;

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        tracked = TestClients.client(SpectraExchangeFilter.builder().host("ollama", Fixtures.OLLAMA).build());
        plain = TestClients.client((request, next) -> next.exchange(request));
        fixtures = Fixtures.all().stream().collect(Collectors.toMap(Fixtures.Fixture::file, Function.identity()));
        corpus = new FuzzCorpus(FuzzCorpus.seedProperty(),
                Fixtures.all().stream().map(f -> FuzzCorpus.fixture(f.file())).collect(Collectors.toList()));
        Hooks.onErrorDropped(DROPPED::add);
        Hooks.onNextDropped(DROPPED::add);
    }

    @AfterAll
    static void stop() {
        Hooks.resetOnErrorDropped();
        Hooks.resetOnNextDropped();
        server.close();
        System.out.printf("filter fuzz: seed 0x%x, %d cases x %d reads x 2 clients in %d ms; %d with usage unknown "
                + "(%d cut by a dropped connection), %d legitimate; categories %s%n", corpus.seed(), CASES.get(),
                Read.values().length, NANOS.get() / 1_000_000, UNKNOWN.get(), CUT.get(),
                CASES.get() - UNKNOWN.get(), COUNTS);
    }

    static Stream<Arguments> batches() {
        int[] all = FuzzCorpus.indexes(DEFAULT_CASES);
        return IntStream.range(0, (all.length + BATCH - 1) / BATCH)
                .mapToObj(b -> Arrays.copyOfRange(all, b * BATCH, Math.min(all.length, (b + 1) * BATCH)))
                .map(batch -> Arguments.of(batch[0], batch[batch.length - 1], batch));
    }

    @ParameterizedTest(name = "cases {0} to {1}")
    @MethodSource("batches")
    void fuzzedAnswersReachTheCallerUntouchedAndAreRecordedWithUsageUnknown(int first, int last, int[] indexes) {
        long started = System.nanoTime();
        List<String> problems = Flux.fromArray(Arrays.stream(indexes).boxed().toArray(Integer[]::new))
                .flatMap(i -> run(corpus.get(i)), CONCURRENCY)
                .filter(p -> !p.isEmpty())
                .collectList()
                .block(Duration.ofMinutes(5));
        NANOS.addAndGet(System.nanoTime() - started);
        assertThat(problems).as("seed 0x%x: %d of %d cases failed; the first ones:\n%s", corpus.seed(),
                problems.size(), indexes.length, problems.stream().limit(10).collect(Collectors.joining("\n\n")))
                .isEmpty();
        assertThat(DROPPED).as("signals dropped to the hooks").isEmpty();
    }

    /** One case: the three reads by both clients, then the records. Gives what went wrong, or "". */
    private static Mono<String> run(FuzzCase c) {
        Fixtures.Fixture f = fixtures.get(c.fixture().file());
        SplittableRandom rng = c.random(7);
        String name = "fuzz-" + c.index() + "-" + f.file(); // keeps the extension and "stream": same content type
        int pieces = 1 + rng.nextInt(6);
        int dropAfter = c.usageUnknownWhenCut() && rng.nextInt(100) < 10 ? rng.nextInt(pieces) : -1;
        synchronized (COUNTS) {
            c.categories().forEach(k -> COUNTS.merge(k, 1, Integer::sum));
        }
        CASES.incrementAndGet();
        UNKNOWN.addAndGet(c.usageUnknown() ? 1 : 0);
        CUT.addAndGet(dropAfter >= 0 ? 1 : 0);
        SpectraFake fake = SpectraFake.create();
        FixtureServer.serve(name, c.bytes());
        return Flux.fromArray(Read.values())
                .concatMap(read -> exchange(plain, f, name, pieces, dropAfter, read, null)
                        .zipWith(exchange(tracked, f, name, pieces, dropAfter, read, fake))
                        .map(t -> compare(c, read, dropAfter, t.getT1(), t.getT2())))
                .collect(Collectors.joining())
                .map(p -> p + records(c, f, fake, dropAfter))
                .map(p -> p.isEmpty() ? p : p + "  " + c.describe())
                .doFinally(s -> FixtureServer.forget(name));
    }

    /** What a caller saw: the body (or its hash), and how it ended. */
    record Seen(@Nullable Object body, @Nullable String error) {
    }

    private static Mono<Seen> exchange(WebClient client, Fixtures.Fixture f, String name, int pieces, int dropAfter,
                                       Read read, @Nullable SpectraFake fake) {
        WebClient.RequestHeadersSpec<?> request = client.post()
                .uri("http://" + f.host() + ":" + server.port() + f.path())
                .header("x-fixture", name)
                .header("x-status", Integer.toString(f.status()))
                .header("x-chunks", Integer.toString(pieces))
                .header("x-delay-ms", "0")
                .header("x-drop-after", Integer.toString(dropAfter))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(f.requestBody());
        Mono<Seen> seen;
        switch (read) {
            case MONO_STRING:
                seen = request.exchangeToMono(r -> r.bodyToMono(String.class)).map(s -> new Seen(s, null))
                        .defaultIfEmpty(new Seen("", null));
                break;
            case FLUX_STRING:
                seen = request.exchangeToFlux(r -> r.bodyToFlux(String.class)).collectList()
                        .map(l -> new Seen(l, null));
                break;
            default:
                MessageDigest md = Records.digest();
                AtomicLong bytes = new AtomicLong();
                seen = request.exchangeToFlux(r -> r.bodyToFlux(DataBuffer.class))
                        .doOnNext(buf -> {
                            try (DataBuffer.ByteBufferIterator it = buf.readableByteBuffers()) {
                                it.forEachRemaining(b -> {
                                    bytes.addAndGet(b.remaining());
                                    md.update(b);
                                });
                            } finally {
                                DataBufferUtils.release(buf);
                            }
                        })
                        .then(Mono.fromSupplier(() -> new Seen(HexFormat.of().formatHex(md.digest()), null)))
                        .onErrorResume(e -> Mono.just(new Seen(bytes.get() + " bytes", e.getClass().getName() + ": "
                                + e.getMessage())));
        }
        seen = seen.onErrorResume(e -> Mono.just(new Seen(null, e.getClass().getName() + ": " + e.getMessage())));
        if (fake == null) {
            return seen;
        }
        return seen.contextWrite(Spectra.metadata("read", read.name())).contextWrite(fake.bind());
    }

    private static String compare(FuzzCase c, Read read, int dropAfter, Seen plainSeen, Seen trackedSeen) {
        if (!Objects.equals(plainSeen, trackedSeen)) {
            return read + ": the tracked caller saw " + abbreviate(trackedSeen) + ", the untracked one "
                    + abbreviate(plainSeen) + "\n";
        }
        if (dropAfter < 0 && plainSeen.error() != null) {
            return read + ": failed without a fault: " + plainSeen.error() + "\n";
        }
        if (dropAfter < 0 && read == Read.DATA_BUFFERS && !Records.sha256(c.bytes()).equals(plainSeen.body())) {
            return read + ": the bytes read are not the bytes sent\n";
        }
        return "";
    }

    /** Exactly one record per tracked read, with the usage, outcome and status the case calls for. */
    private static String records(FuzzCase c, Fixtures.Fixture f, SpectraFake fake, int dropAfter) {
        List<TrackedRequest> all = fake.recorded();
        StringBuilder p = new StringBuilder();
        for (Read read : Read.values()) {
            List<TrackedRequest> mine = all.stream().filter(r -> read.name().equals(r.metadata().get("read")))
                    .collect(Collectors.toList());
            if (mine.size() != 1) {
                p.append(read).append(": ").append(mine.size()).append(" records instead of 1\n");
                continue;
            }
            TrackedRequest r = mine.get(0);
            Usage expected = c.usageUnknown() ? null : f.expected().usage();
            // the fixture table gives counts: which details were stated is compared across capture paths
            if (!Objects.equals(counts(r.usage()), counts(expected))) {
                p.append(read).append(": usage ").append(r.usage()).append(" instead of ")
                        .append(expected == null ? "unknown" : expected).append('\n');
            }
            if (expected == null && (r.cost() != null || r.pricingStatus() != PricingStatus.USAGE_UNKNOWN)) {
                p.append(read).append(": usage unknown, yet cost ").append(r.cost()).append(", ")
                        .append(r.pricingStatus()).append('\n');
            }
            // the outcome follows from the case, never from the record: a cut or an error status fails; else the
            // fixture's own outcome (an error event inside a 200 stream fails it), which framing changes keep.
            // Garbage may destroy a fixture's error event (then either outcome is right) but never makes one up.
            Outcome outcome = dropAfter >= 0 || f.status() >= 400 || f.failure() ? Outcome.FAILURE
                    : Outcome.SUCCESS;
            boolean eitherOutcome = dropAfter < 0 && f.status() < 400 && f.failure() && c.usageUnknown();
            if ((r.outcome() != outcome && !eitherOutcome) || !Objects.equals(r.httpStatus(), f.status())
                    || r.streaming() != f.streaming() || !r.provider().equals(f.provider())) {
                p.append(read).append(": outcome ").append(r.outcome()).append(", status ").append(r.httpStatus())
                        .append(", streaming ").append(r.streaming()).append(", provider ").append(r.provider())
                        .append(" instead of ").append(outcome).append(", ").append(f.status()).append(", ")
                        .append(f.streaming()).append(", ").append(f.provider()).append('\n');
            }
        }
        if (all.size() != Read.values().length) {
            p.append(all.size()).append(" records for ").append(Read.values().length).append(" exchanges\n");
        }
        return p.toString();
    }

    private static String abbreviate(Seen s) {
        String body = String.valueOf(s.body());
        return (body.length() > 200 ? body.substring(0, 200) + "..." : body) + (s.error() == null ? ", completed"
                : ", failed with " + s.error());
    }

    private static @Nullable Usage counts(@Nullable Usage u) {
        return u == null ? null : u.toBuilder().stated(java.util.EnumSet.allOf(Usage.Detail.class)).build();
    }
}
