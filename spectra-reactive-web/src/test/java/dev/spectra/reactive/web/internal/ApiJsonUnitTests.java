package dev.spectra.reactive.web.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON of a record, byte for byte: the API's output is a contract, so any change to it (a renamed field, a
 * number written another way) shows here first. The expected texts are what the API served before its JSON was
 * derived from the column catalog.
 */
class ApiJsonUnitTests {

    private static TrackedRequest full() {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("tenant_id", "acme");
        metadata.put("ratio", new BigDecimal("0.10"));
        metadata.put("nested", Map.of("list", List.of(1, 2.5, "x", true)));
        metadata.put("nothing", null);
        return TrackedRequest.builder()
                .id(UUID.fromString("0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"))
                .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .responseId("chatcmpl-abc")
                .provider("openai").model("gpt-4o").responseModel("gpt-4o-2024-08-06")
                .modelType(ModelType.TEXT).endpoint("/v1/chat/completions").operation("chat").httpStatus(200)
                .outcome(Outcome.FAILURE).errorType("rate_limit").errorMessage("slow \"down\"")
                .finishReason("tool_calls").toolCallCounts(Map.of("function", 2))
                .streaming(true)
                .usage(Usage.builder().inputTokens(1200).outputTokens(345).cachedInputTokens(1000)
                        .cacheWriteTokens(100).reasoningTokens(45).totalTokens(1545).images(2)
                        .audioSeconds(new BigDecimal("12.50")).characters(77).cacheWrite1hTokens(40)
                        .audioInputTokens(60).imageInputTokens(30).audioOutputTokens(70).imageOutputTokens(80)
                        .build())
                .cost(Cost.of(new BigDecimal("0.00000015"), new BigDecimal("1234.5")))
                .pricingTier(PricingTier.PRIORITY)
                .latencyMs(1834).timeToFirstTokenMs(212L).tokensPerSecond(61.25).chunkCount(42)
                .trackable(new Trackable("user", "u-42")).conversationId("conv-7")
                .tags(List.of("billing", "live-chat"))
                .metadata(metadata)
                .startedAt(Instant.parse("2025-03-04T05:06:07.123456789Z"))
                .completedAt(Instant.parse("2025-03-04T05:06:09Z"))
                .parentSpanId("00f067aa0ba902b7").upstreamProvider("Amazon Bedrock")
                .build();
    }

    private static TrackedRequest minimal() {
        return TrackedRequest.builder()
                .id(UUID.fromString("0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6e"))
                .provider("anthropic").model("claude").outcome(Outcome.SUCCESS)
                .startedAt(Instant.parse("2025-03-04T05:06:07Z"))
                .completedAt(Instant.parse("2025-03-04T05:06:07.5Z"))
                .build();
    }

    @Test
    void writesEveryFieldOfAFullRecordUnderItsApiName() {
        assertThat(ApiJson.write(ApiJson.record(full()))).isEqualTo("""
                {"id":"0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",\
                "response_id":"chatcmpl-abc","provider":"openai","model":"gpt-4o",\
                "response_model":"gpt-4o-2024-08-06","model_type":"text","endpoint":"/v1/chat/completions",\
                "operation":"chat","http_status":200,"outcome":"failure","error_type":"rate_limit",\
                "error_message":"slow \\"down\\"","finish_reason":"tool_calls","tool_call_counts":{"function":2},\
                "streaming":true,"usage":{"input_tokens":1200,"output_tokens":345,"cached_input_tokens":1000,\
                "cache_write_tokens":100,"reasoning_tokens":45,"total_tokens":1545,"images":2,"audio_seconds":12.50,\
                "characters":77,"cache_write_1h_tokens":40,"audio_input_tokens":60,"audio_output_tokens":70,\
                "image_input_tokens":30,"image_output_tokens":80},\
                "cost":{"input_usd":1.500E-7,"output_usd":1234.5000000000,"total_usd":1234.5000001500,"source":"catalog","provider_usd":null},\
                "pricing_tier":"priority","pricing_status":"priced","latency_ms":1834,"time_to_first_token_ms":212,\
                "tokens_per_second":61.25,"chunk_count":42,"trackable":{"type":"user","id":"u-42"},\
                "conversation_id":"conv-7","tags":["billing","live-chat"],\
                "metadata":{"tenant_id":"acme","ratio":0.10,"nested":{"list":[1,2.5,"x",true]},"nothing":null},\
                "started_at":"2025-03-04T05:06:07.123456789Z","completed_at":"2025-03-04T05:06:09Z",\
                "parent_span_id":"00f067aa0ba902b7","upstream_provider":"Amazon Bedrock"}""");
    }

    @Test
    void writesNullsAndEmptyCollectionsOfAMinimalRecord() {
        assertThat(ApiJson.write(ApiJson.record(minimal()))).isEqualTo("""
                {"id":"0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6e","trace_id":"0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6e",\
                "response_id":null,"provider":"anthropic","model":"claude","response_model":null,"model_type":null,\
                "endpoint":null,"operation":null,"http_status":null,"outcome":"success","error_type":null,\
                "error_message":null,"finish_reason":null,"tool_call_counts":{},"streaming":false,"usage":null,\
                "cost":null,"pricing_tier":"standard","pricing_status":"usage_unknown","latency_ms":0,\
                "time_to_first_token_ms":null,"tokens_per_second":null,"chunk_count":null,"trackable":null,\
                "conversation_id":null,"tags":[],"metadata":{},"started_at":"2025-03-04T05:06:07Z",\
                "completed_at":"2025-03-04T05:06:07.500Z","parent_span_id":null,"upstream_provider":null}""");
    }
}
