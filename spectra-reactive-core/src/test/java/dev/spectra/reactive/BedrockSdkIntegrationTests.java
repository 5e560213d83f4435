package dev.spectra.reactive;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.spectra.reactive.pricing.PricingCatalog;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.test.StepVerifier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real AWS SDK v2 Bedrock Runtime async client, pointed at a local server on 127.0.0.1 with fake static
 * credentials: the server answers Converse with the JSON of the fixture and ConverseStream with the fixture's events
 * encoded as AWS event-stream messages by the SDK's own event-stream library. The operators read what the SDK hands
 * over, and the record equals the one the fixture's JSON gives.
 */
class BedrockSdkIntegrationTests {

    private static final String MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    private static final String STREAM_MODEL = "us.anthropic.claude-sonnet-4-20250514-v1:0";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String INVALID_MODEL = "The provided model identifier is invalid.";

    private final TestTracker tracker = new TestTracker(PricingCatalog.bundled(), ProviderRegistry.builtIn());
    private DisposableServer server;
    private BedrockRuntimeAsyncClient client;
    private final List<String> paths = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        // the SDK's Bedrock Runtime client speaks HTTP/2 (prior knowledge on plain HTTP), as Bedrock does
        server = HttpServer.create().host("127.0.0.1").port(0).protocol(HttpProtocol.H2C, HttpProtocol.HTTP11)
                .handle(this::answer).bindNow();
        client = BedrockRuntimeAsyncClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:" + server.port()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")))
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.disposeNow();
    }

    /** Bedrock Runtime as its API reference describes it, answering from the fixtures by path and model. */
    private org.reactivestreams.Publisher<Void> answer(HttpServerRequest request, HttpServerResponse response) {
        String path = request.path();
        paths.add(request.method().name() + " /" + path);
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap(body -> {
            if (path.contains("no-such-model")) {
                return response.status(400).header("Content-Type", "application/json")
                        .header("x-amzn-ErrorType", "ValidationException:http://internal.amazon.com/coral/"
                                + "com.amazon.bedrock/")
                        .header("x-amzn-RequestId", "4a7f2c1e-0b3d-4e5f-8a9b-1c2d3e4f5a6b")
                        .sendString(Mono.just("{\"message\":\"" + INVALID_MODEL + "\"}")).then();
            }
            if (path.endsWith("/converse")) {
                return response.header("Content-Type", "application/json")
                        .header("x-amzn-RequestId", "5b8e3d2f-1c4e-4f6a-9b0c-2d3e4f5a6b7c")
                        .sendByteArray(Mono.just(ProviderFixtures.bytes("bedrock__converse__json__1.json"))).then();
            }
            String file = path.contains("throttled") ? "bedrock__converse_stream__stream__error.ndjson"
                    : "bedrock__converse_stream__stream__1.ndjson";
            return response.header("Content-Type", "application/vnd.amazon.eventstream")
                    .header("x-amzn-RequestId", "6c9f4e3a-2d5f-4a7b-8c1d-3e4f5a6b7c8d")
                    .sendByteArray(Flux.fromIterable(eventStreamMessages(file))).then();
        });
    }

    /** The fixture's events as AWS event-stream messages: the event type (or exception name) becomes a header. */
    private static List<byte[]> eventStreamMessages(String file) {
        String text = new String(ProviderFixtures.bytes(file), StandardCharsets.UTF_8);
        return text.lines().map(line -> {
            JsonNode event = JSON.readTree(line);
            String type = event.propertyNames().iterator().next();
            byte[] payload = JSON.writeValueAsBytes(event.get(type));
            Map<String, HeaderValue> headers = new LinkedHashMap<>();
            if (type.endsWith("Exception")) {
                headers.put(":message-type", HeaderValue.fromString("exception"));
                headers.put(":exception-type", HeaderValue.fromString(type));
            } else {
                headers.put(":message-type", HeaderValue.fromString("event"));
                headers.put(":event-type", HeaderValue.fromString(type));
            }
            headers.put(":content-type", HeaderValue.fromString("application/json"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new Message(headers, payload).encode(out);
            return out.toByteArray();
        }).toList();
    }

    private static ConverseRequest converse(String model) {
        return ConverseRequest.builder().modelId(model).messages(m -> m.role(ConversationRole.USER)
                .content(ContentBlock.fromText("What is the most popular song on WZPZ?"))).build();
    }

    /** A ConverseStream call as a Flux of the events the SDK's handler receives. */
    private Flux<ConverseStreamOutput> converseStream(String model) {
        return Flux.create(sink -> {
            ConverseStreamResponseHandler handler = ConverseStreamResponseHandler.builder()
                    .onEventStream(events -> events.subscribe(sink::next))
                    .onError(sink::error)
                    .onComplete(sink::complete)
                    .build();
            CompletableFuture<Void> call = client.converseStream(ConverseStreamRequest.builder().modelId(model)
                    .messages(m -> m.role(ConversationRole.USER).content(ContentBlock.fromText("Weather?")))
                    .build(), handler);
            sink.onCancel(() -> call.cancel(true));
        });
    }

    @Test
    void aConverseCallOfTheRealClientIsRecordedAsItsJsonIs() {
        StepVerifier.create(Mono.fromFuture(() -> client.converse(converse(MODEL)))
                        .transform(tracker.tracker.tracked("bedrock", MODEL)))
                .assertNext(r -> assertThat(r.usage().cacheReadInputTokens()).isEqualTo(1024))
                .verifyComplete();
        StepVerifier.create(Mono.just(new String(ProviderFixtures.bytes("bedrock__converse__json__1.json"),
                        StandardCharsets.UTF_8)).transform(tracker.tracker.tracked("bedrock", MODEL)))
                .expectNextCount(1).verifyComplete();

        assertThat(paths).containsExactly("POST /model/" + MODEL + "/converse");
        List<TrackedRequest> records = tracker.records();
        TrackedRequest sdk = records.get(0);
        assertThat(sdk.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(sdk.usage()).isEqualTo(Usage.builder().inputTokens(1421).outputTokens(61)
                .cachedInputTokens(1024).cacheWriteTokens(0).totalTokens(1482).build());
        assertThat(sdk.finishReason()).isEqualTo("tool_use");
        assertThat(sdk.toolCallCounts()).isEqualTo(Map.of("function", 1));
        assertThat(sdk.cost().total()).isEqualByComparingTo("0.0024132");
        assertThat(records.get(1)).usingRecursiveComparison().ignoringFields("id", "traceId").isEqualTo(sdk);
        assertThat(tracker.tracker.stats().readFailures()).isZero();
    }

    @Test
    void aConverseStreamOfTheRealClientIsRecordedFromItsMetadataEvent() {
        StepVerifier.create(converseStream(STREAM_MODEL).transform(tracker.tracker.stream("bedrock", STREAM_MODEL)))
                .expectNextCount(9).verifyComplete();
        StepVerifier.create(Flux.fromIterable(new String(ProviderFixtures.bytes(
                        "bedrock__converse_stream__stream__1.ndjson"), StandardCharsets.UTF_8).lines().toList())
                        .transform(tracker.tracker.stream("bedrock", STREAM_MODEL)))
                .expectNextCount(9).verifyComplete();

        assertThat(paths).containsExactly("POST /model/" + STREAM_MODEL + "/converse-stream");
        TrackedRequest sdk = tracker.records().get(0);
        assertThat(sdk.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(sdk.streaming()).isTrue();
        assertThat(sdk.chunkCount()).isEqualTo(9);
        assertThat(sdk.usage()).isEqualTo(Usage.builder().inputTokens(2203).outputTokens(48)
                .cachedInputTokens(2048).cacheWriteTokens(120).totalTokens(2251).build());
        assertThat(sdk.finishReason()).isEqualTo("tool_use");
        assertThat(sdk.toolCallCounts()).isEqualTo(Map.of("function", 1));
        assertThat(sdk.cost().total()).isEqualByComparingTo("0.0018894");
        assertThat(tracker.records().get(1)).usingRecursiveComparison().ignoringFields("id", "traceId")
                .isEqualTo(sdk);
    }

    @Test
    void anExceptionEventOfTheRealStreamIsTheSameFailureAsItsJson() {
        StepVerifier.create(converseStream("throttled." + STREAM_MODEL)
                        .transform(tracker.tracker.stream("bedrock", STREAM_MODEL)))
                .expectNextCount(2).verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(ThrottlingException.class));
        StepVerifier.create(Flux.fromIterable(new String(ProviderFixtures.bytes(
                        "bedrock__converse_stream__stream__error.ndjson"), StandardCharsets.UTF_8).lines().toList())
                        .transform(tracker.tracker.stream("bedrock", STREAM_MODEL)))
                .expectNextCount(3).verifyComplete();

        for (TrackedRequest r : tracker.records()) {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(r.errorType()).isEqualTo("ThrottlingException");
            assertThat(r.errorMessage()).isEqualTo("Too many tokens, please wait before trying again.");
            assertThat(r.usage()).isNull();
        }
    }

    @Test
    void aServiceErrorOfTheRealClientGivesItsErrorCodeAndStatus() {
        StepVerifier.create(Mono.fromFuture(() -> client.converse(converse("no-such-model")))
                        .transform(tracker.tracker.tracked("bedrock", "no-such-model")))
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(ValidationException.class));
        TrackedRequest r = tracker.only();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.httpStatus()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("ValidationException");
        assertThat(r.errorMessage()).isEqualTo(INVALID_MODEL);
    }
}
