package dev.spectra.reactive.web.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.TagCount;
import dev.spectra.reactive.r2dbc.UsageTotals;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API's JSON: a record as {@link RequestColumn#toJson} names it, totals with money as exact decimals in USD
 * and latencies in whole milliseconds.
 */
public final class ApiJson {

    /** The one mapper of the API's JSON. */
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private ApiJson() {
    }

    /**
     * @param r a record
     * @return its JSON
     */
    public static ObjectNode record(TrackedRequest r) {
        return MAPPER.valueToTree(RequestColumn.toJson(r));
    }

    /**
     * Totals; {@code label} names the group for people, also when the group is missing ({@code missingLabel}).
     *
     * @param t the totals
     * @param missingLabel the label of the null group, or null for a total that is no group
     * @return the JSON
     */
    public static ObjectNode totals(UsageTotals t, @Nullable String missingLabel) {
        ObjectNode n = MAPPER.createObjectNode();
        if (missingLabel != null) {
            n.put("group", t.group());
            n.put("label", t.group() == null ? missingLabel : t.group());
        }
        n.put("requests", t.requests());
        n.put("input_tokens", t.inputTokens());
        n.put("output_tokens", t.outputTokens());
        n.put("cached_input_tokens", t.cachedInputTokens());
        n.put("reasoning_tokens", t.reasoningTokens());
        n.put("total_tokens", t.totalTokens());
        n.put("cost_usd", t.totalCost().stripTrailingZeros().scale() < 0
                ? t.totalCost().setScale(0, RoundingMode.UNNECESSARY) : t.totalCost().stripTrailingZeros());
        n.put("unpriced_requests", t.unpricedRequests());
        n.put("failed_requests", t.failedRequests());
        n.put("failure_rate", t.requests() == 0 ? BigDecimal.ZERO
                : BigDecimal.valueOf(t.failedRequests()).divide(BigDecimal.valueOf(t.requests()), 4,
                        RoundingMode.HALF_UP).stripTrailingZeros());
        n.put("average_latency_ms", wholeMillis(t.averageLatencyMs()));
        n.put("p95_latency_ms", wholeMillis(t.p95LatencyMs()));
        return n;
    }

    /**
     * @param t a tag's count
     * @return its JSON
     */
    public static ObjectNode tag(TagCount t) {
        return MAPPER.createObjectNode().put("tag", t.tag()).put("requests", t.requests());
    }

    /**
     * @param message what is wrong
     * @param parameter the parameter at fault, or null
     * @return {@code {"error": ..., "parameter": ...}}
     */
    public static ObjectNode error(String message, @Nullable String parameter) {
        ObjectNode n = MAPPER.createObjectNode().put("error", message);
        if (parameter != null) {
            n.put("parameter", parameter);
        }
        return n;
    }

    /** @return a new array node */
    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** @return a new object node */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * @param node JSON
     * @return its text
     */
    public static String write(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }

    private static @Nullable Long wholeMillis(@Nullable Double ms) {
        return ms == null ? null : Math.round(ms);
    }
}
