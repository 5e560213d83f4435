package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;

/** Test records: every field set, or the minimum. */
final class Records {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    /** A fixed start, with microseconds, so that truncation bugs show. */
    static final Instant T0 = Instant.parse("2025-03-04T05:06:07.123456Z");

    private Records() {
    }

    /** A time-ordered id (version 7 layout): millis in the top 48 bits, then a counter, then random bits. */
    static UUID uuid7(Instant at) {
        long millis = at.toEpochMilli();
        long seq = SEQUENCE.incrementAndGet() & 0xFFFL;
        long msb = (millis << 16) | 0x7000L | seq;
        long lsb = (UUID.randomUUID().getLeastSignificantBits() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    /** Only the required fields. */
    static TrackedRequest minimal(Instant startedAt) {
        return TrackedRequest.builder()
                .id(uuid7(startedAt))
                .traceId("trace-min")
                .provider("openai")
                .model("gpt-4o")
                .outcome(Outcome.SUCCESS)
                .startedAt(startedAt)
                .completedAt(startedAt.plusMillis(5))
                .build();
    }

    /** Every field set, with values that are easy to get wrong. */
    static TrackedRequest full(Instant startedAt) {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("deep", List.of(1, 2.5, "three", true, Map.of("x", List.of())));
        nested.put("nothing", null);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("tenant_id", "tenant_123");
        metadata.put("attempt", 2);
        metadata.put("big", 12345678901234L);
        metadata.put("ratio", new BigDecimal("0.1"));
        metadata.put("is_retry", false);
        metadata.put("emoji", "naïve café — 東京 🚀");
        metadata.put("nested", nested);
        return TrackedRequest.builder()
                .id(uuid7(startedAt))
                .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .responseId("chatcmpl-" + UUID.randomUUID())
                .provider("openai")
                .model("gpt-4o")
                .responseModel("gpt-4o-2024-08-06")
                .modelType(ModelType.TEXT)
                .endpoint("/v1/chat/completions")
                .operation("chat")
                .httpStatus(200)
                .outcome(Outcome.SUCCESS)
                .finishReason("tool_calls")
                .toolCallCounts(Map.of("function", 2, "web_search_call", 1))
                .streaming(true)
                .usage(Usage.builder().inputTokens(1200).outputTokens(345).cachedInputTokens(1000)
                        .cacheWriteTokens(100).reasoningTokens(45).totalTokens(1545).images(2)
                        .audioSeconds(new BigDecimal("12.50")).characters(77).cacheWrite1hTokens(40)
                        .audioInputTokens(60).imageInputTokens(30).audioOutputTokens(70).imageOutputTokens(80)
                        .build())
                .cost(Cost.of(new BigDecimal("0.0012345678"), new BigDecimal("1234567890.9876543219"))
                        .withProviderStated(new BigDecimal("1234567890.5")))
                .pricingTier(PricingTier.PRIORITY)
                .parentSpanId("00f067aa0ba902b7").upstreamProvider("Amazon Bedrock")
                .latencyMs(1834)
                .timeToFirstTokenMs(212L)
                .tokensPerSecond(61.25)
                .chunkCount(42)
                .trackable(new Trackable("user", "u-42"))
                .conversationId("conv-7")
                .tags(List.of("billing", "live-chat", "ünïcode"))
                .metadata(metadata)
                .startedAt(startedAt)
                .completedAt(startedAt.plusNanos(1_834_567_000L))
                .build();
    }
}
