package dev.spectra.reactive.samples.api;

import java.util.Map;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.TagCount;
import dev.spectra.reactive.r2dbc.UsageTotals;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API's JSON: a record as {@link RequestColumn#toJson} gives it (the column names of {@code spectra_requests},
 * usage, cost and trackable as objects), metadata as structured JSON, money as exact decimal numbers in USD, times
 * as ISO-8601.
 */
final class RecordJson {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private RecordJson() {
    }

    static ObjectNode record(TrackedRequest r) {
        return MAPPER.valueToTree(RequestColumn.toJson(r));
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
