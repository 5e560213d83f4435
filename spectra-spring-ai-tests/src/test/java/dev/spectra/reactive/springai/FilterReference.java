package dev.spectra.reactive.springai;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference record: what the WebClient filter records for the same request bytes sent to the same server,
 * which answers with the same bytes. A record of another client must equal it, but for ids and times.
 */
final class FilterReference {

    /** The fields that differ from run to run: ids and times. Everything else is compared exactly. */
    static final String[] VOLATILE = {"id", "traceId", "latencyMs", "timeToFirstTokenMs", "tokensPerSecond",
            "startedAt", "completedAt"};

    private FilterReference() {
    }

    /**
     * @param provider the provider the OkHttp call was recognised as
     * @param port the fixture server's port; the filter is told it serves {@code provider} on 127.0.0.1
     * @param pathAndQuery the path (and query) the OkHttp call went to
     * @param body the request body as the server received it
     * @param headers the fixture server's instructions ({@code x-fixture} ...)
     * @param metadata the Context metadata the OkHttp call carried
     */
    static TrackedRequest record(String provider, int port, String pathAndQuery, byte[] body,
                                 Map<String, String> headers, Map<String, Object> metadata) {
        return record(provider, port, pathAndQuery, "application/json", body, headers, metadata);
    }

    /**
     * The same, for a body of another type (a multipart upload).
     *
     * @param contentType the request's content type as the server received it
     */
    static TrackedRequest record(String provider, int port, String pathAndQuery, String contentType, byte[] body,
                                 Map<String, String> headers, Map<String, Object> metadata) {
        try (SpectraFake fake = SpectraFake.create()) {
            WebClient client = WebClient.builder()
                    .clientConnector(new ReactorClientHttpConnector(HttpClient.create()
                            .responseTimeout(Duration.ofSeconds(20))))
                    .filter(SpectraExchangeFilter.builder().host(provider, "127.0.0.1:" + port).build())
                    .build();
            client.post().uri("http://127.0.0.1:" + port + pathAndQuery)
                    .headers(h -> headers.forEach(h::set))
                    .header("Content-Type", contentType)
                    .bodyValue(body)
                    .exchangeToFlux(r -> r.bodyToFlux(DataBuffer.class))
                    .doOnNext(DataBufferUtils::release)
                    .contextWrite(Spectra.metadata(metadata))
                    .contextWrite(fake.bind())
                    .blockLast(Duration.ofSeconds(20));
            assertThat(fake.recorded()).hasSize(1);
            return fake.last();
        }
    }

    /** The record equals the filter's for the same bytes, but for ids and times. */
    static void assertSameRecord(TrackedRequest okhttp, TrackedRequest filter) {
        assertThat(okhttp).usingRecursiveComparison()
                .ignoringFields(VOLATILE)
                .withComparatorForType(BigDecimal::compareTo, BigDecimal.class)
                .isEqualTo(filter);
        if (okhttp.streaming() && okhttp.chunkCount() != null && okhttp.chunkCount() > 0) {
            assertThat(okhttp.timeToFirstTokenMs()).isNotNull().isBetween(0L, okhttp.latencyMs());
        }
    }
}
