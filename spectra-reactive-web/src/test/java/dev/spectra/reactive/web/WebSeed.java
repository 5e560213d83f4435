package dev.spectra.reactive.web;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;

/**
 * Thirty calls over the last thirty hours, whose totals are written down in {@link #TOTALS}; row {@code i}:
 *
 * <pre>
 * provider/model   i % 3 == 0: anthropic claude-sonnet-4-5; else openai gpt-4o answered by gpt-4o-2024-08-06
 * outcome          i = 9, 19, 29: failure (HTTP 500, no usage, no cost); else success
 * usage            input 100·(i+1), output 10·(i+1), cached 20·(i+1) when i is even, reasoning 5·(i+1) when
 *                  i % 3 == 1
 * cost             input $0.001·(i+1), output $0.0002·(i+1); none for i = 4 (unpriced) and the failures
 * latency          100 + 12·i ms
 * tenant_id        i even: acme, odd: globex; i = 5 has no tenant_id
 * tags             i % 4 == 0: billing, else chat
 * trackable        user/u(i % 3)
 * started          i hours and one minute before the seed was made
 * </pre>
 */
final class WebSeed {

    /**
     * Known answers over all 30 rows, worked out by hand from the table:
     * <ul>
     *   <li>27 successes, 3 failures (rate 0.1).</li>
     *   <li>input tokens: 100·(sum of i+1 over the 27 successes) = 100·(465 − 10 − 20 − 30) = 40,500;
     *       output 4,050; total 44,550.</li>
     *   <li>cached: 20·(sum of i+1, i even, not a failure; all even i succeed) = 20·(1+3+…+29) = 20·225 = 4,500.</li>
     *   <li>reasoning: 5·(sum of i+1 for i % 3 == 1, not 19) = 5·(2+5+8+11+14+17+23+26+29) = 5·135 = 675.</li>
     *   <li>cost: 0.0012·(sum of i+1 over priced rows: 405 − 5) = 0.0012·400 = $0.48.</li>
     *   <li>unpriced: 4 (i = 4, 9, 19, 29).</li>
     *   <li>p95 latency: latencies 100..448 step 12, rank 0.95·29 = 27.55 → 424 + 0.55·12 = 430.6 → 431 ms;
     *       average 274 ms.</li>
     *   <li>per provider: anthropic 10 calls, $0.162 (n = 1, 4, …, 28 without the failed 10: 135 × 0.0012);
     *       openai 20 calls, $0.318.</li>
     *   <li>per tenant_id: acme $0.264 (odd n up to 29 without 5: 220), globex $0.2088 (even n without 6, 10, 20,
     *       30: 174), no tenant_id $0.0072 (n = 6).</li>
     * </ul>
     */
    static final Map<String, Object> TOTALS = Map.ofEntries(
            Map.entry("requests", 30L), Map.entry("input_tokens", 40_500L), Map.entry("output_tokens", 4_050L),
            Map.entry("total_tokens", 44_550L), Map.entry("cached_input_tokens", 4_500L),
            Map.entry("reasoning_tokens", 675L), Map.entry("failed_requests", 3L),
            Map.entry("unpriced_requests", 4L), Map.entry("cost_usd", new BigDecimal("0.48")),
            Map.entry("p95_latency_ms", 431L), Map.entry("average_latency_ms", 274L));

    private WebSeed() {
    }

    static List<TrackedRequest> rows(Instant now) {
        List<TrackedRequest> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rows.add(row(i, now.truncatedTo(ChronoUnit.MILLIS).minus(i * 60L + 1, ChronoUnit.MINUTES)));
        }
        return rows;
    }

    static TrackedRequest row(int i, Instant start) {
        boolean anthropic = i % 3 == 0;
        boolean failed = i % 10 == 9;
        int n = i + 1;
        Usage usage = failed ? null : Usage.builder().inputTokens(100L * n).outputTokens(10L * n)
                .cachedInputTokens(i % 2 == 0 ? 20L * n : 0).reasoningTokens(i % 3 == 1 ? 5L * n : 0)
                .totalTokens(110L * n).build();
        Cost cost = failed || i == 4 ? null
                : Cost.of(new BigDecimal("0.001").multiply(BigDecimal.valueOf(n)),
                        new BigDecimal("0.0002").multiply(BigDecimal.valueOf(n)));
        Map<String, @Nullable Object> metadata = new LinkedHashMap<>();
        if (i != 5) {
            metadata.put("tenant_id", i % 2 == 0 ? "acme" : "globex");
        }
        metadata.put("row", i);
        return TrackedRequest.builder()
                .id(uuid7(start, i))
                .traceId("trace-" + i)
                .provider(anthropic ? "anthropic" : "openai")
                .model(anthropic ? "claude-sonnet-4-5" : "gpt-4o")
                .responseModel(anthropic || failed ? null : "gpt-4o-2024-08-06")
                .outcome(failed ? Outcome.FAILURE : Outcome.SUCCESS)
                .httpStatus(failed ? 500 : 200)
                .errorType(failed ? "http_500" : null)
                .usage(usage)
                .cost(cost)
                .tags(List.of(i % 4 == 0 ? "billing" : "chat"))
                .metadata(metadata)
                .trackable(new Trackable("user", "u" + (i % 3)))
                .latencyMs(100 + 12L * i)
                .startedAt(start)
                .completedAt(start.plusMillis(100 + 12L * i))
                .build();
    }

    /** A time-ordered id: millis in the top 48 bits, version 7, the row number, variant bits. */
    static UUID uuid7(Instant at, int n) {
        long msb = (at.toEpochMilli() << 16) | 0x7000L | (n & 0xFFF);
        return new UUID(msb, 0x8000000000000000L | (UUID.randomUUID().getLeastSignificantBits() >>> 2));
    }
}
