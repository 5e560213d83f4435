package dev.spectra.reactive;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectra.reactive.pricing.PricingCatalog;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDelta;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStart;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseMetrics;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetrics;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.TokenUsage;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlockDelta;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlockStart;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AWS Bedrock Converse and ConverseStream through the operators: the AWS SDK v2's own objects (built with the SDK's
 * builders, as the SDK hands them over) give exactly the record that the same answer as JSON gives, in every JSON
 * representation the operators take.
 */
class BedrockConverseUnitTests {

    private static final String MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    private static final String STREAM_MODEL = "us.anthropic.claude-sonnet-4-20250514-v1:0";
    private static final JsonMapper JACKSON3 = JsonMapper.builder().build();
    private static final ObjectMapper JACKSON2 = new ObjectMapper();

    private final TestTracker tracker = new TestTracker(PricingCatalog.bundled(), ProviderRegistry.builtIn());

    /** The Converse answer of {@code bedrock__converse__json__1.json}, as the SDK builds it. */
    static ConverseResponse converseResponse() {
        return ConverseResponse.builder()
                .output(ConverseOutput.fromMessage(Message.builder().role(ConversationRole.ASSISTANT).content(
                        ContentBlock.fromText("I'll look up the most popular song on WZPZ."),
                        ContentBlock.fromToolUse(ToolUseBlock.builder().toolUseId("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q")
                                .name("top_song").input(Document.mapBuilder().putString("sign", "WZPZ").build())
                                .build()))
                        .build()))
                .stopReason(StopReason.TOOL_USE)
                .usage(TokenUsage.builder().inputTokens(397).outputTokens(61).totalTokens(1482)
                        .cacheReadInputTokens(1024).cacheWriteInputTokens(0).build())
                .metrics(ConverseMetrics.builder().latencyMs(1739L).build())
                .build();
    }

    /** The events of {@code bedrock__converse_stream__stream__1.ndjson}, as the SDK's stream handler gets them. */
    static List<ConverseStreamOutput> streamEvents() {
        return List.of(
                ConverseStreamOutput.messageStartBuilder().role(ConversationRole.ASSISTANT).build(),
                ConverseStreamOutput.contentBlockDeltaBuilder().contentBlockIndex(0)
                        .delta(ContentBlockDelta.fromText("Let me check")).build(),
                ConverseStreamOutput.contentBlockDeltaBuilder().contentBlockIndex(0)
                        .delta(ContentBlockDelta.fromText(" the weather in Seattle.")).build(),
                ConverseStreamOutput.contentBlockStopBuilder().contentBlockIndex(0).build(),
                ConverseStreamOutput.contentBlockStartBuilder().contentBlockIndex(1)
                        .start(ContentBlockStart.fromToolUse(ToolUseBlockStart.builder().name("get_weather")
                                .toolUseId("tooluse_2x7Qm9YvT0a1bC3dE5fG7h").build())).build(),
                ConverseStreamOutput.contentBlockDeltaBuilder().contentBlockIndex(1)
                        .delta(ContentBlockDelta.fromToolUse(ToolUseBlockDelta.builder()
                                .input("{\"city\": \"Seattle\"}").build())).build(),
                ConverseStreamOutput.contentBlockStopBuilder().contentBlockIndex(1).build(),
                ConverseStreamOutput.messageStopBuilder().stopReason(StopReason.TOOL_USE).build(),
                ConverseStreamOutput.metadataBuilder()
                        .usage(TokenUsage.builder().inputTokens(35).outputTokens(48).totalTokens(2251)
                                .cacheReadInputTokens(2048).cacheWriteInputTokens(120).build())
                        .metrics(ConverseStreamMetrics.builder().latencyMs(812L).build()).build());
    }

    @Test
    void aConverseResponseOfTheSdkIsReadLikeItsJsonInEveryRepresentation() {
        String text = fixture("bedrock__converse__json__1.json");
        List<Object> answers = List.of(converseResponse(), text, text.getBytes(StandardCharsets.UTF_8),
                JACKSON3.readTree(text), JACKSON3.readValue(text, new TypeReference<Map<String, Object>>() { }),
                jackson2(text));
        for (Object answer : answers) {
            StepVerifier.create(Mono.just(answer).transform(tracker.tracker.tracked("bedrock", MODEL))).expectNext(answer).verifyComplete();
        }
        List<TrackedRequest> records = tracker.records();
        assertThat(records).hasSize(answers.size());
        TrackedRequest sdk = records.get(0);
        assertThat(sdk.provider()).isEqualTo("bedrock");
        assertThat(sdk.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(sdk.usage()).isEqualTo(Usage.builder().inputTokens(1421).outputTokens(61)
                .cachedInputTokens(1024).cacheWriteTokens(0).totalTokens(1482).build());
        assertThat(sdk.finishReason()).isEqualTo("tool_use");
        assertThat(sdk.toolCallCounts()).isEqualTo(Map.of("function", 1));
        assertThat(sdk.responseModel()).isNull();
        // 397 uncached x $3 + 1024 cache reads x $0.30 + 61 output x $15, per million
        assertThat(sdk.cost().total()).isEqualByComparingTo(new BigDecimal("0.0024132"));
        assertThat(sdk.pricingStatus()).isEqualTo(PricingStatus.PRICED);
        for (TrackedRequest json : records.subList(1, records.size())) {
            assertThat(json).usingRecursiveComparison().ignoringFields("id", "traceId").isEqualTo(sdk);
        }
        assertThat(tracker.tracker.stats().readFailures()).isZero();
    }

    @Test
    void converseStreamEventsOfTheSdkAreReadLikeTheirJson() {
        List<ConverseStreamOutput> events = streamEvents();
        StepVerifier.create(Flux.fromIterable(events).transform(tracker.tracker.stream("bedrock", STREAM_MODEL))).expectNextCount(events.size()).verifyComplete();
        List<String> lines = fixture("bedrock__converse_stream__stream__1.ndjson").lines().toList();
        StepVerifier.create(Flux.fromIterable(lines).transform(tracker.tracker.stream("bedrock", STREAM_MODEL))).expectNextCount(lines.size()).verifyComplete();
        List<Object> jackson2 = new ArrayList<>();
        lines.forEach(l -> jackson2.add(jackson2(l)));
        StepVerifier.create(Flux.fromIterable(jackson2).transform(tracker.tracker.stream("bedrock", STREAM_MODEL))).expectNextCount(lines.size()).verifyComplete();

        List<TrackedRequest> records = tracker.records();
        TrackedRequest sdk = records.get(0);
        assertThat(sdk.streaming()).isTrue();
        assertThat(sdk.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(sdk.usage()).isEqualTo(Usage.builder().inputTokens(2203).outputTokens(48)
                .cachedInputTokens(2048).cacheWriteTokens(120).totalTokens(2251).build());
        assertThat(sdk.finishReason()).isEqualTo("tool_use");
        assertThat(sdk.toolCallCounts()).isEqualTo(Map.of("function", 1));
        assertThat(sdk.chunkCount()).isEqualTo(9);
        // 35 uncached x $3 + 2048 reads x $0.30 + 120 writes x $3.75 + 48 output x $15, per million
        assertThat(sdk.cost().total()).isEqualByComparingTo(new BigDecimal("0.0018894"));
        for (TrackedRequest json : records.subList(1, records.size())) {
            assertThat(json).usingRecursiveComparison().ignoringFields("id", "traceId").isEqualTo(sdk);
        }
    }

    @Test
    void anExceptionEventAndTheSdkExceptionForItGiveTheSameFailure() {
        List<String> lines = fixture("bedrock__converse_stream__stream__error.ndjson").lines().toList();
        StepVerifier.create(Flux.fromIterable(lines).transform(tracker.tracker.stream("bedrock", STREAM_MODEL))).expectNextCount(lines.size()).verifyComplete();

        String message = "Too many tokens, please wait before trying again.";
        ThrottlingException thrown = ThrottlingException.builder().message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("throttlingException").errorMessage(message)
                        .serviceName("BedrockRuntime").build())
                .build();
        Flux<ConverseStreamOutput> sdk = Flux.concat(Flux.fromIterable(streamEvents().subList(0, 2)),
                Flux.error(thrown));
        StepVerifier.create(sdk.transform(tracker.tracker.stream("bedrock", STREAM_MODEL))).expectNextCount(2).verifyErrorSatisfies(
                        e -> assertThat(e).isSameAs(thrown));

        List<TrackedRequest> records = tracker.records();
        for (TrackedRequest r : records) {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(r.errorType()).isEqualTo("ThrottlingException");
            assertThat(r.errorMessage()).isEqualTo(message);
            assertThat(r.usage()).isNull();
            assertThat(r.httpStatus()).isNull();
        }
    }

    @Test
    void aServiceExceptionOfACallGivesTheServicesErrorCodeAndStatus() {
        String message = "The provided model identifier is invalid.";
        RuntimeException thrown = software.amazon.awssdk.services.bedrockruntime.model.ValidationException.builder()
                .message(message).statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationException").errorMessage(message)
                        .build())
                .build();
        StepVerifier.create(Mono.error(thrown).transform(tracker.tracker.tracked("bedrock", MODEL))).verifyErrorSatisfies(e -> assertThat(e).isSameAs(thrown));
        TrackedRequest r = tracker.only();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(r.errorType()).isEqualTo("ValidationException");
        assertThat(r.errorMessage()).isEqualTo(message);
        assertThat(r.httpStatus()).isEqualTo(400);
    }

    @Test
    void inferenceProfileIdsArePricedFromTheCatalog() {
        PricingCatalog catalog = PricingCatalog.bundled();
        Usage usage = Usage.builder().inputTokens(1000).outputTokens(1000).build();
        for (String model : List.of(MODEL, "us." + MODEL, "eu." + MODEL)) {
            assertThat(catalog.cost("aws.bedrock", model, PricingTier.STANDARD, usage).total()).as(model)
                    .isEqualByComparingTo("0.018");
        }
        assertThat(catalog.cost("bedrock", "us.amazon.nova-pro-v1:0", PricingTier.STANDARD, usage).total())
                .isEqualByComparingTo("0.004");
    }

    private static String fixture(String file) {
        return new String(ProviderFixtures.bytes(file), StandardCharsets.UTF_8);
    }

    private static Object jackson2(String json) {
        try {
            return JACKSON2.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
