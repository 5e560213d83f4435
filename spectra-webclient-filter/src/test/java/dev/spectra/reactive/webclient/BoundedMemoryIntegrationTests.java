package dev.spectra.reactive.webclient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import dev.spectra.reactive.PricingStatus;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.internal.http.ByteBudget;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many large JSON answers at once, under a small bound on the bytes the filter holds: each caller gets its bytes
 * intact, the held bytes never pass the bound, and every usage is read exactly (from a pruned copy) where the bound
 * allows, else recorded as unknown and counted.
 */
class BoundedMemoryIntegrationTests {

    static final String CHAT_PATH = "/v1/chat/completions";
    static final String EMBEDDINGS_PATH = "/v1/embeddings";
    static final byte[] CHAT_3MB = chatAnswer(3_000_000, 3);
    static final byte[] CHAT_5MB = chatAnswer(5_000_000, 5);
    static final byte[] EMBEDDINGS_5MB = embeddingsAnswer(5_000_000);

    static FixtureServer server;

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
        FixtureServer.serve("large__chat__3mb.json", CHAT_3MB);
        FixtureServer.serve("large__chat__5mb.json", CHAT_5MB);
        FixtureServer.serve("large__embeddings__5mb.json", EMBEDDINGS_5MB);
    }

    @AfterAll
    static void stop() {
        FixtureServer.forget("large__chat__3mb.json");
        FixtureServer.forget("large__chat__5mb.json");
        FixtureServer.forget("large__embeddings__5mb.json");
        server.close();
    }

    /** An OpenAI chat answer of about {@code size} bytes: one huge {@code content}, usage at the end. */
    static byte[] chatAnswer(int size, int tag) {
        String head = "{\n  \"id\": \"chatcmpl-" + tag + "\",\n  \"object\": \"chat.completion\",\n  \"created\": 1757542944,\n"
                + "  \"model\": \"gpt-4o-2024-08-06\",\n  \"choices\": [\n    {\n      \"index\": 0,\n"
                + "      \"message\": {\n        \"role\": \"assistant\",\n        \"content\": \"";
        String tail = "\",\n        \"refusal\": null\n      },\n      \"finish_reason\": \"stop\"\n    }\n  ],\n"
                + "  \"usage\": {\n    \"prompt_tokens\": 57" + tag + ",\n    \"completion_tokens\": " + size / 4 + ",\n"
                + "    \"total_tokens\": " + (570 + tag + size / 4) + ",\n    \"prompt_tokens_details\": {\"cached_tokens\": 128},\n"
                + "    \"completion_tokens_details\": {\"reasoning_tokens\": 64}\n  }\n}\n";
        StringBuilder content = new StringBuilder(size);
        while (content.length() < size - head.length() - tail.length() - 64) {
            content.append("A river is crossed at a ford, \\\"safely\\\" \\u2014 caf\u00e9 \u2615.\\n");
        }
        return (head + content + tail).getBytes(StandardCharsets.UTF_8);
    }

    /** An OpenAI embeddings answer of about {@code size} bytes: 1536-dimension vectors, usage at the end. */
    static byte[] embeddingsAnswer(int size) {
        StringBuilder b = new StringBuilder(size + 40_000).append("{\n  \"object\": \"list\",\n  \"data\": [\n");
        SplittableRandom r = new SplittableRandom(1);
        int items = 0;
        while (b.length() < size - 200) {
            b.append(items == 0 ? "" : ",\n").append("    {\n      \"object\": \"embedding\",\n      \"index\": ")
                    .append(items++).append(",\n      \"embedding\": [");
            for (int k = 0; k < 1536; k++) {
                b.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.9f", r.nextDouble(-0.1, 0.1)));
            }
            b.append("]\n    }");
        }
        b.append("\n  ],\n  \"model\": \"text-embedding-3-small\",\n  \"usage\": {\n    \"prompt_tokens\": ")
                .append(items * 8).append(",\n    \"total_tokens\": ").append(items * 8).append("\n  }\n}\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Usage usageOf(String path, byte[] body) {
        return ProviderRegistry.builtIn().read("openai", path, body).usage();
    }

    /** One call; emits the SHA-256 of the bytes the caller read. */
    private static Mono<String> call(WebClient client, SpectraFake fake, String path, String fixture, int chunks,
                                     int delayMs) {
        return client.post().uri("http://api.openai.com:" + server.port() + path)
                .header("x-fixture", fixture).header("x-chunks", Integer.toString(chunks))
                .header("x-delay-ms", Integer.toString(delayMs)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"" + (path.equals(CHAT_PATH) ? "gpt-4o" : "text-embedding-3-small")
                        + "\",\"input\":\"hi\"}")
                .exchangeToMono(r -> Records.sha256(r.bodyToFlux(DataBuffer.class)))
                .contextWrite(fake.bind());
    }

    @Test
    void manyLargeAnswersAtOnceAreReadExactlyFromPrunedCopiesWithinTheHeldBound() {
        SpectraFake fake = SpectraFake.create();
        SpectraExchangeFilter filter = SpectraExchangeFilter.builder().maxHeldBytes(1024 * 1024).build();
        WebClient client = TestClients.client(filter);
        List<String> digests = Flux.range(0, 40)
                .flatMap(i -> i % 2 == 0
                        ? call(client, fake, CHAT_PATH, "large__chat__5mb.json", 16, 20)
                        : call(client, fake, EMBEDDINGS_PATH, "large__embeddings__5mb.json", 16, 20), 40)
                .collectList().block(Duration.ofSeconds(50));
        assertThat(digests).hasSize(40).containsOnly(Records.sha256(CHAT_5MB), Records.sha256(EMBEDDINGS_5MB));
        assertThat(fake.recorded()).hasSize(40).allSatisfy(r -> {
            byte[] body = CHAT_PATH.equals(r.endpoint()) ? CHAT_5MB : EMBEDDINGS_5MB;
            assertThat(r.usage()).isNotNull().isEqualTo(usageOf(r.endpoint(), body));
            assertThat(r.pricingStatus()).isNotEqualTo(PricingStatus.USAGE_UNKNOWN);
        });
        assertThat(fake.recorded()).filteredOn(r -> CHAT_PATH.equals(r.endpoint())).hasSize(20)
                .allSatisfy(r -> assertThat(r.usage().outputTokens()).isEqualTo(1_250_000));
        assertThat(fake.tracker().stats().readFailures()).isZero();
        ByteBudget held = filter.heldBytes();
        System.out.printf(Locale.ROOT, "40 answers of 5 MB at once: %s%n", held);
        assertThat(held.peak()).as("at most the bound, a fifth of one answer").isPositive()
                .isLessThanOrEqualTo(1024 * 1024);
        assertThat(held.refusals()).isZero();
        assertThat(held.held()).as("all given back").isZero();
    }

    @Test
    void pastTheHeldBoundCallsAreRecordedWithTheirUsageUnknownAndCountedAndTheirBytesIntact() {
        SpectraFake fake = SpectraFake.create();
        SpectraExchangeFilter filter = SpectraExchangeFilter.builder().maxHeldBytes(64 * 1024).build();
        WebClient client = TestClients.client(filter);
        // four pieces 300 ms apart: every call holds its copies while the others do
        List<String> digests = Flux.range(0, 40)
                .flatMap(i -> call(client, fake, CHAT_PATH, "large__chat__3mb.json", 4, 300), 40)
                .collectList().block(Duration.ofSeconds(50));
        assertThat(digests).hasSize(40).containsOnly(Records.sha256(CHAT_3MB));
        List<TrackedRequest> records = fake.recorded();
        assertThat(records).hasSize(40);
        long unknown = records.stream().filter(r -> r.usage() == null).count();
        assertThat(unknown).as("some calls found the bound reached").isPositive().isLessThan(40);
        assertThat(records).filteredOn(r -> r.usage() != null)
                .allSatisfy(r -> assertThat(r.usage()).isEqualTo(usageOf(CHAT_PATH, CHAT_3MB)));
        assertThat(fake.tracker().stats().readFailures()).isEqualTo(unknown);
        ByteBudget held = filter.heldBytes();
        System.out.printf(Locale.ROOT, "40 answers of 3 MB under 64 KiB: %d unknown, %s%n", unknown, held);
        assertThat(held.peak()).isLessThanOrEqualTo(64 * 1024);
        assertThat(held.refusals()).isPositive();
        assertThat(held.held()).isZero();
    }

    @Test
    void theHeldBoundIsCheckedAndShown() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> SpectraExchangeFilter.builder().maxHeldBytes(1000))
                .withMessage("maxHeldBytes must be at least 65536, was 1000");
        assertThat(SpectraExchangeFilter.builder().maxHeldBytes(1 << 20).build().toString())
                .endsWith("maxResponseBytes=4194304, maxHeldBytes=1048576}");
        assertThat(SpectraExchangeFilter.create().heldBytes()).isSameAs(ByteBudget.shared());
        assertThat(ByteBudget.shared().limit()).isEqualTo(ByteBudget.defaultLimit(Runtime.getRuntime().maxMemory()));
        assertThat(ByteBudget.defaultLimit(256L << 20)).isEqualTo(16L << 20);
        assertThat(ByteBudget.defaultLimit(64L << 20)).isEqualTo(8L << 20);
        assertThat(ByteBudget.defaultLimit(Long.MAX_VALUE)).isEqualTo(256L << 20);
    }
}
