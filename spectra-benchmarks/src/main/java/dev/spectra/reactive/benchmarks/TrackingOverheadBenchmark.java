package dev.spectra.reactive.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.SpectraTrackerBuilder;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.observability.micrometer.Micrometer;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code .transform(Spectra.tracked(...))} adds to a Mono, next to a bare Mono and the same Mono observed
 * by Micrometer ({@code tap(Micrometer.observation(registry))} with a meter handler, the observation path of
 * Spring AI users). Every variant assembles and subscribes one Mono per operation with the same subscriber.
 *
 * <ul>
 *   <li>{@code delivery=direct}: records go straight to a sink that discards them (capture cost only);
 *       {@code delivery=recorder}: through the real {@code Recorder} (queue offer on the caller, batching on
 *       its own thread) to a discarding sink.</li>
 *   <li>{@code tracked}: the value carries no usage (the operator's own cost);
 *       {@code trackedJson}: the value is an OpenAI chat response ({@code JsonNode}) that is read and priced,
 *       the full work of a real call.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class TrackingOverheadBenchmark {

    @Param({"direct", "recorder"})
    public String delivery;

    private SpectraTracker tracker;
    private Function<Mono<Object>, Mono<Object>> tracked;
    private ObservationRegistry registry;
    private Object opaque;
    private JsonNode chatResponse;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        SpectraTrackerBuilder b = SpectraTracker.builder().sink(batch -> Mono.empty());
        if (delivery.equals("direct")) {
            b.directDelivery();
        } else {
            b.recorder(RecorderOptions.builder().queueCapacity(1 << 16).batchSize(4096).build());
        }
        tracker = b.build();
        tracked = tracker.tracked("openai", "gpt-4o");
        registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry()));
        opaque = new Object();
        chatResponse = JsonMapper.builder().build().readTree(ProviderFixtures.bytes("openai__chat__json__1.json"));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tracker.close(Duration.ofSeconds(10)).block();
        if (tracker.stats().delivery().dropped() > 0) {
            System.out.println("dropped: " + tracker.stats().delivery().dropped());
        }
    }

    @Benchmark
    public void bare(Blackhole bh) {
        Mono.just(opaque).subscribe(new BenchSubscriber<>(bh));
    }

    @Benchmark
    public void tracked(Blackhole bh) {
        Mono.just(opaque).transform(tracked).subscribe(new BenchSubscriber<>(bh));
    }

    @Benchmark
    public void trackedJson(Blackhole bh) {
        Mono.<Object>just(chatResponse).transform(tracked).subscribe(new BenchSubscriber<>(bh));
    }

    @Benchmark
    public void micrometer(Blackhole bh) {
        Mono.just(opaque).name("llm.call").tap(Micrometer.observation(registry)).subscribe(new BenchSubscriber<>(bh));
    }
}
