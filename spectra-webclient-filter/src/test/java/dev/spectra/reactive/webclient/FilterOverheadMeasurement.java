package dev.spectra.reactive.webclient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import dev.spectra.reactive.internal.http.HttpCapture;
import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.util.context.Context;

/**
 * What the filter adds, measured on demand (not JMH; steady state after warm-up, one thread for the per-chunk
 * part, the local server for the per-call part):
 *
 * <pre>./mvnw -B -q -pl spectra-webclient-filter -am test -Dtest=FilterOverheadMeasurement \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dspectra.bench=true -Dio.netty.leakDetection.level=disabled</pre>
 *
 * Results print to {@code target/surefire-reports/dev.spectra.reactive.webclient.FilterOverheadMeasurement-output.txt}.
 */
@EnabledIfSystemProperty(named = "spectra.bench", matches = "true")
class FilterOverheadMeasurement {

    @Test
    void perChunk() {
        byte[] sse = FixtureServer.fixture("openai__chat__stream__1.sse");
        String text = new String(sse, java.nio.charset.StandardCharsets.UTF_8);
        String[] events = text.split("\n\n");
        NettyDataBufferFactory factory = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);
        SpectraTracker tracker = SpectraTracker.builder().sink(new InMemorySink()).directDelivery().build();
        EndpointMatch match = ProviderRegistry.builtIn().match("api.openai.com", -1, "/v1/chat/completions");
        HttpCapture capture = HttpCapture.builder().tracker(tracker).maxResponseBytes(1 << 20).build();
        long chunks = 0;
        long plainNanos = 0;
        long observedNanos = 0;
        for (int round = 0; round < 40; round++) {
            boolean measure = round >= 20;
            for (int observed = 0; observed < 2; observed++) {
                long start = System.nanoTime();
                for (int call = 0; call < 200; call++) {
                    List<DataBuffer> buffers = new ArrayList<>(events.length);
                    for (String e : events) {
                        byte[] b = (e + "\n\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        buffers.add(factory.wrap(io.netty.buffer.Unpooled.wrappedBuffer(b)));
                    }
                    Flux<DataBuffer> body = Flux.fromIterable(buffers);
                    if (observed == 1) {
                        HttpCallObserver ex = capture.start(match, Context.empty());
                        ex.responseStarted(200, "text/event-stream", -1);
                        body = new ObservedBody(body, ex);
                    }
                    body.doOnNext(org.springframework.core.io.buffer.DataBufferUtils::release).blockLast();
                    if (measure && observed == 0) {
                        chunks += buffers.size();
                    }
                }
                long took = System.nanoTime() - start;
                if (measure) {
                    if (observed == 0) {
                        plainNanos += took;
                    } else {
                        observedNanos += took;
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "per chunk: plain %.1f ns, observed %.1f ns, added %.1f ns (%d chunks)%n",
                (double) plainNanos / chunks, (double) observedNanos / chunks,
                (double) (observedNanos - plainNanos) / chunks, chunks);
    }

    @Test
    void perCall() {
        try (FixtureServer server = FixtureServer.start()) {
            ExchangeFilterFunction none = (request, next) -> next.exchange(request);
            SpectraTracker tracker = SpectraTracker.builder().sink(new InMemorySink()).build();
            WebClient off = TestClients.client(none);
            WebClient on = TestClients.client(SpectraExchangeFilter.builder().tracker(tracker).build());
            double[] rate = new double[2];
            for (int round = 0; round < 6; round++) {
                for (int i = 0; i < 2; i++) {
                    WebClient c = i == 0 ? off : on;
                    long start = System.nanoTime();
                    long n = Flux.range(0, 400).flatMap(k -> c.post()
                            .uri("http://api.openai.com:" + server.port() + "/v1/chat/completions")
                            .header("x-fixture", "openai__chat__stream__1.sse").header("x-chunks", "8")
                            .header("x-delay-ms", "0").contentType(MediaType.APPLICATION_JSON)
                            .bodyValue("{\"model\":\"gpt-4o\",\"stream\":true}")
                            .retrieve().bodyToFlux(String.class).count(), 16).count().block(Duration.ofMinutes(2));
                    if (round >= 3) {
                        rate[i] += n * 1e9 / (System.nanoTime() - start);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "per call: off %.0f calls/s, on %.0f calls/s, ratio on/off %.3f%n",
                    rate[0] / 3, rate[1] / 3, rate[1] / rate[0]);
            tracker.close(Duration.ofSeconds(10)).block(Duration.ofSeconds(15));
        }
    }
}
