package dev.spectra.reactive.samples.api;

import java.util.Map;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.TagCount;
import dev.spectra.reactive.r2dbc.UsageTotals;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API's JSON: a record with the column names of {@code spectra_requests} (snake case), metadata as
 * structured JSON, money as exact decimal numbers in USD, times as ISO-8601.
 */
final class RecordJson {

    static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    private RecordJson() {
    }

    static ObjectNode record(TrackedRequest r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", r.id().toString());
        n.put("trace_id", r.traceId());
        n.put("response_id", r.responseId());
        n.put("provider", r.provider());
        n.put("model", r.model());
        n.put("response_model", r.responseModel());
        n.put("model_type", r.modelType() == null ? null : r.modelType().id());
        n.put("endpoint", r.endpoint());
        n.put("operation", r.operation());
        n.put("http_status", r.httpStatus());
        n.put("outcome", r.outcome().id());
        n.put("error_type", r.errorType());
        n.put("error_message", r.errorMessage());
        n.put("finish_reason", r.finishReason());
        n.set("tool_call_counts", MAPPER.valueToTree(r.toolCallCounts()));
        n.put("streaming", r.streaming());
        n.set("usage", r.usage() == null ? n.nullNode() : MAPPER.valueToTree(r.usage()));
        if (r.cost() == null) {
            n.putNull("cost");
        } else {
            ObjectNode cost = n.putObject("cost");
            cost.put("input_usd", r.cost().input());
            cost.put("output_usd", r.cost().output());
            cost.put("total_usd", r.cost().total());
        }
        n.put("pricing_tier", r.pricingTier().name());
        n.put("pricing_status", r.pricingStatus().id());
        n.put("latency_ms", r.latencyMs());
        n.put("time_to_first_token_ms", r.timeToFirstTokenMs());
        n.put("tokens_per_second", r.tokensPerSecond());
        n.put("chunk_count", r.chunkCount());
        if (r.trackable() == null) {
            n.putNull("trackable");
        } else {
            n.putObject("trackable").put("type", r.trackable().type()).put("id", r.trackable().id());
        }
        n.put("conversation_id", r.conversationId());
        n.set("tags", MAPPER.valueToTree(r.tags()));
        n.set("metadata", MAPPER.valueToTree(r.metadata()));
        n.put("started_at", r.startedAt().toString());
        n.put("completed_at", r.completedAt().toString());
        return n;
    }

    static ObjectNode totals(UsageTotals t) {
        ObjectNode n = MAPPER.createObjectNode();
        if (t.group() != null) {
            n.put("group", t.group());
        }
        n.put("requests", t.requests());
        n.put("input_tokens", t.inputTokens());
        n.put("output_tokens", t.outputTokens());
        n.put("total_tokens", t.totalTokens());
        n.put("cost_usd", t.totalCost());
        n.put("unpriced_requests", t.unpricedRequests());
        n.put("average_latency_ms", t.averageLatencyMs());
        n.put("p95_latency_ms", t.p95LatencyMs());
        return n;
    }

    static ObjectNode tag(TagCount t) {
        return MAPPER.createObjectNode().put("tag", t.tag()).put("requests", t.requests());
    }

    static ObjectNode error(String message, @Nullable String parameter) {
        ObjectNode n = MAPPER.createObjectNode().put("error", message);
        if (parameter != null) {
            n.put("parameter", parameter);
        }
        return n;
    }

    static JsonNode of(Map<String, ?> map) {
        return MAPPER.valueToTree(map);
    }

    static String write(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }
}
