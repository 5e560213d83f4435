package dev.spectra.reactive.provider;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the AWS SDK's model objects into the JSON the service sent: each field under its wire name
 * ({@code SdkField#locationName()}), nested objects, lists and maps alike; binary fields and free-form documents
 * (tool inputs, model-specific fields) are left out, as nothing in them is read. A ConverseStream event of the
 * union type becomes an object keyed by its event type ({@code {"metadata": {...}}}), as the API reference writes
 * events. Loaded only when an SDK value is seen ({@link AwsSdkValues}).
 */
final class AwsSdkTrees {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Deeper nesting than any answer has: a cycle or a hostile object, cut. */
    private static final int MAX_DEPTH = 32;

    private AwsSdkTrees() {
    }

    static JsonNode tree(Object value) {
        if (value instanceof AwsErrorDetails details) {
            ObjectNode n = NODES.objectNode();
            if (details.errorCode() != null) {
                n.put("__type", details.errorCode());
            }
            if (details.errorMessage() != null) {
                n.put("message", details.errorMessage());
            }
            return n;
        }
        SdkPojo pojo = (SdkPojo) value;
        if (value instanceof ConverseStreamOutput event && event.sdkEventType() != null
                && event.sdkEventType() != ConverseStreamOutput.EventType.UNKNOWN_TO_SDK_VERSION) {
            ObjectNode n = NODES.objectNode();
            n.set(event.sdkEventType().toString(), object(pojo, 0));
            return n;
        }
        return object(pojo, 0);
    }

    private static ObjectNode object(SdkPojo pojo, int depth) {
        ObjectNode n = NODES.objectNode();
        for (SdkField<?> field : pojo.sdkFields()) {
            JsonNode v = value(field.getValueOrDefault(pojo), depth + 1);
            if (v != null) {
                n.set(field.locationName(), v);
            }
        }
        return n;
    }

    private static @Nullable JsonNode value(@Nullable Object v, int depth) {
        if (v == null || depth > MAX_DEPTH) {
            return null;
        }
        if (v instanceof SdkPojo p) {
            return object(p, depth);
        }
        if (v instanceof CharSequence s) {
            return NODES.stringNode(s.toString());
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return NODES.numberNode(((Number) v).longValue());
        }
        if (v instanceof Float || v instanceof Double) {
            return NODES.numberNode(((Number) v).doubleValue());
        }
        if (v instanceof BigDecimal d) {
            return NODES.numberNode(d);
        }
        if (v instanceof BigInteger i) {
            return NODES.numberNode(i);
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof Instant t) {
            return NODES.stringNode(t.toString());
        }
        if (v instanceof Collection<?> c) {
            ArrayNode a = NODES.arrayNode();
            for (Object e : c) {
                JsonNode j = value(e, depth + 1);
                if (j != null) {
                    a.add(j);
                }
            }
            return a;
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                JsonNode j = value(e.getValue(), depth + 1);
                if (e.getKey() instanceof String k && j != null) {
                    o.set(k, j);
                }
            }
            return o;
        }
        return null; // SdkBytes, Document: nothing read from them
    }
}
