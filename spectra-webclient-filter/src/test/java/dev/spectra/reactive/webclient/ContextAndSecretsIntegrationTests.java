package dev.spectra.reactive.webclient;

import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** What the caller's Context gives a record, which tracker records, and what never reaches a record. */
class ContextAndSecretsIntegrationTests {

    static FixtureServer server;
    static final Fixtures.Fixture CHAT = Fixtures.named("openai__chat__json__1.json");
    static final Fixtures.Fixture GEMINI = Fixtures.named("gemini__generateContent__json__1.json");
    static final String OPENAI_KEY = "sk-proj-Sup3rS3cretValue0123456789abcdef";
    static final String ANTHROPIC_KEY = "sk-ant-api03-An0therS3cretValue0123456789";
    static final String AZURE_KEY = "0123456789abcdef0123456789abcdef";

    @BeforeAll
    static void start() {
        server = FixtureServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String get(WebClient client, Fixtures.Fixture f, SpectraFake fake) {
        return client.post().uri("http://" + f.host() + ":" + server.port() + f.path())
                .header("x-fixture", f.file())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(f.requestBody())
                .retrieve().bodyToMono(String.class)
                .contextWrite(Spectra.metadata(Map.of("tenant_id", "tenant_123", "feature", "summary")))
                .contextWrite(Spectra.tags("billing", "beta"))
                .contextWrite(Spectra.traceId("4bf92f3577b34da6a3ce929d0e0e4736"))
                .contextWrite(Spectra.trackable("user", "u-42"))
                .contextWrite(Spectra.conversationId("conv-7"))
                .contextWrite(fake.bind())
                .block(java.time.Duration.ofSeconds(10));
    }

    @Test
    void theCallersContextReachesTheRecord() {
        SpectraFake fake = SpectraFake.create();
        get(TestClients.client(SpectraExchangeFilter.create()), CHAT, fake);
        TrackedRequest r = fake.last();
        assertThat(fake.recorded()).hasSize(1);
        assertThat(r.metadata()).isEqualTo(Map.of("tenant_id", "tenant_123", "feature", "summary"));
        assertThat(r.tags()).containsExactly("billing", "beta");
        assertThat(r.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(r.trackable()).isEqualTo(new Trackable("user", "u-42"));
        assertThat(r.conversationId()).isEqualTo("conv-7");
        assertThat(r).usingRecursiveComparison()
                .ignoringFields(Records.VOLATILE).ignoringFields("tags", "trackable", "conversationId", "usage.stated")
                .isEqualTo(Records.expected(CHAT, Outcome.SUCCESS, Map.of("tenant_id", "tenant_123",
                        "feature", "summary"), fake.tracker().pricing()));
    }

    @Test
    void aTrackerGivenToTheBuilderWinsOverTheOneInTheContext() {
        SpectraFake fixed = SpectraFake.create();
        SpectraFake bound = SpectraFake.create();
        get(TestClients.client(SpectraExchangeFilter.builder().tracker(fixed.tracker()).build()), CHAT, bound);
        assertThat(fixed.recorded()).hasSize(1);
        bound.assertNothingTracked();
        assertThat(fixed.last().metadata()).containsEntry("tenant_id", "tenant_123");
    }

    @Test
    void withoutABoundTrackerTheGlobalOneRecords() {
        try (SpectraFake global = SpectraFake.install()) {
            WebClient client = TestClients.client(SpectraExchangeFilter.create());
            StepVerifier.create(client.post().uri("http://api.openai.com:" + server.port() + CHAT.path())
                            .header("x-fixture", CHAT.file()).contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(CHAT.requestBody()).retrieve().bodyToMono(String.class))
                    .expectNextCount(1).verifyComplete();
            assertThat(global.recorded()).hasSize(1);
            assertThat(global.last().responseId()).isEqualTo(CHAT.expected().responseId());
        }
    }

    @Test
    void hostsAddedToTheBuilderAreReadWithTheProvidersFormats() {
        SpectraFake fake = SpectraFake.create();
        WebClient client = TestClients.client(SpectraExchangeFilter.builder()
                .host("openai", "llm-gateway.internal:" + server.port()).build());
        StepVerifier.create(client.post().uri("http://llm-gateway.internal:" + server.port() + CHAT.path())
                        .header("x-fixture", CHAT.file()).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(CHAT.requestBody()).retrieve().bodyToMono(String.class).contextWrite(fake.bind()))
                .expectNextCount(1).verifyComplete();
        assertThat(fake.last().provider()).isEqualTo("openai");
        assertThat(fake.last().usage().totalTokens()).isEqualTo(51);
        assertThat(TestClients.RESOLVED).contains("llm-gateway.internal");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> SpectraExchangeFilter.builder().host("nope", "x.internal").build())
                .withMessageContaining("\"nope\" is not registered");
        SpectraFake registryFake = SpectraFake.create();
        WebClient custom = TestClients.client(SpectraExchangeFilter.builder()
                .providers(ProviderRegistry.builtIn().toBuilder().remove("openai").build()).build());
        StepVerifier.create(custom.post().uri("http://api.openai.com:" + server.port() + CHAT.path())
                        .header("x-fixture", CHAT.file()).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(CHAT.requestBody()).retrieve().bodyToMono(String.class)
                        .contextWrite(registryFake.bind()))
                .expectNextCount(1).verifyComplete();
        registryFake.assertNothingTracked();
    }

    @Test
    void realHostNamesAreResolvedToTheLocalServerAndMatchedAsInProduction() {
        SpectraFake fake = SpectraFake.create();
        WebClient client = TestClients.client(SpectraExchangeFilter.create());
        for (String file : List.of("openai__chat__json__1.json", "anthropic__messages__json__1.json",
                "gemini__generateContent__json__1.json")) {
            Fixtures.Fixture f = Fixtures.named(file);
            assertThat(f.host()).doesNotContain("127.0.0.1").doesNotContain("localhost");
            StepVerifier.create(client.post().uri("http://" + f.host() + ":" + server.port() + f.path())
                            .header("x-fixture", f.file()).contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(f.requestBody()).retrieve().bodyToMono(String.class)
                            .contextWrite(fake.bind()))
                    .expectNextCount(1).verifyComplete();
        }
        assertThat(fake.recorded()).extracting(TrackedRequest::provider)
                .containsExactly("openai", "anthropic", "gemini");
        assertThat(TestClients.RESOLVED).contains("api.openai.com", "api.anthropic.com", Fixtures.GEMINI);
        assertThat(server.received()).extracting(FixtureServer.Received::host)
                .contains("api.openai.com:" + server.port(), "api.anthropic.com:" + server.port(),
                        Fixtures.GEMINI + ":" + server.port());
    }

    @Test
    void noCredentialReachesARecordEvenWithPayloadCapture() {
        SpectraFake fake = SpectraFake.create();
        WebClient client = TestClients.client(SpectraExchangeFilter.builder().capturePayloads(4096).build());
        String body = "{\"model\":\"gpt-4o\",\"api_key\":\"" + OPENAI_KEY + "\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"my key is " + ANTHROPIC_KEY + "\"}]}";
        StepVerifier.create(client.post().uri("http://api.openai.com:" + server.port() + CHAT.path() + "?key="
                                + Fixtures.GEMINI_KEY)
                        .header("x-fixture", CHAT.file())
                        .header("Authorization", "Bearer " + OPENAI_KEY)
                        .header("x-api-key", ANTHROPIC_KEY)
                        .header("api-key", AZURE_KEY)
                        .header("x-goog-api-key", Fixtures.GEMINI_KEY)
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                        .retrieve().bodyToMono(String.class).contextWrite(fake.bind()))
                .expectNextCount(1).verifyComplete();

        TrackedRequest r = fake.last();
        String all = r.toString();
        for (String secret : List.of(OPENAI_KEY, ANTHROPIC_KEY, AZURE_KEY, Fixtures.GEMINI_KEY)) {
            assertThat(all).doesNotContain(secret);
        }
        assertThat(r.endpoint()).isEqualTo("/v1/chat/completions");
        assertThat((String) r.metadata().get("request_body"))
                .isEqualTo("{\"model\":\"gpt-4o\",\"api_key\":\"[REDACTED]\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"my key is [REDACTED]\"}]}");
        assertThat((String) r.metadata().get("response_body"))
                .isEqualTo(new String(FixtureServer.fixture(CHAT.file()), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(server.received()).anySatisfy(req -> {
            assertThat(req.headers()).containsEntry("authorization", "Bearer " + OPENAI_KEY);
            assertThat(req.body()).isEqualTo(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
    }

    @Test
    void capturedPayloadsAreCutAtTheBound() {
        SpectraFake fake = SpectraFake.create();
        WebClient client = TestClients.client(SpectraExchangeFilter.builder().capturePayloads(40).build());
        Fixtures.Fixture stream = Fixtures.named("anthropic__messages__stream__cache.sse");
        StepVerifier.create(client.post().uri("http://api.anthropic.com:" + server.port() + stream.path())
                        .header("x-fixture", stream.file()).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(stream.requestBody()).retrieve().bodyToFlux(String.class).contextWrite(fake.bind()))
                .expectNextCount(11).verifyComplete();
        TrackedRequest r = fake.last();
        assertThat((String) r.metadata().get("request_body")).isEqualTo(cutAt(stream.requestBody(), 40));
        String sse = new String(FixtureServer.fixture(stream.file()), java.nio.charset.StandardCharsets.UTF_8);
        assertThat((String) r.metadata().get("response_body")).isEqualTo(cutAt(sse, 40));
        assertThat(r.usage().totalTokens()).isEqualTo(4958);
        assertThat(r.metadata()).containsEntry("streaming", true);
    }

    /** The first {@code n} characters without the token the cut lands in (it may be a key), and an ellipsis. */
    private static String cutAt(String text, int n) {
        return text.substring(0, n).replaceAll("[A-Za-z0-9+/=_.~-]+$", "") + "…";
    }

    @Test
    void builderChecksItsArgumentsAndShowsItsConfiguration() {
        assertThatIllegalArgumentException().isThrownBy(() -> SpectraExchangeFilter.builder().capturePayloads(0));
        assertThatIllegalArgumentException().isThrownBy(() -> SpectraExchangeFilter.builder().capturePayloads(8193));
        assertThatIllegalArgumentException().isThrownBy(() -> SpectraExchangeFilter.builder().maxResponseBytes(10));
        SpectraTracker t = SpectraFake.create().tracker();
        assertThat(SpectraExchangeFilter.builder().tracker(t).host("openai", "gw:8080").capturePayloads()
                .includeStreamUsage(true).build().toString())
                .isEqualTo("SpectraExchangeFilter{tracker=fixed, providers=" + t.providers().toBuilder()
                        .host("openai", "gw:8080").build() + ", hosts=[openai=gw:8080], capturePayloads=2048 bytes, "
                        + "includeStreamUsage=true, maxResponseBytes=4194304}");
        assertThat(SpectraExchangeFilter.create().toString()).isEqualTo("SpectraExchangeFilter{tracker=context or "
                + "global, providers=global tracker's, hosts=[], capturePayloads=off, includeStreamUsage=false, "
                + "maxResponseBytes=4194304}");
    }
}
