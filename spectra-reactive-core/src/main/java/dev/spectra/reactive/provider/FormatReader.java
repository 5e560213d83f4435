package dev.spectra.reactive.provider;

import tools.jackson.databind.JsonNode;

/**
 * One API shape: how to read a whole JSON body, and a fresh per-stream state for its streamed events. Stateless
 * and shared; every implementation is package-private and reached through {@link WireFormat}.
 */
abstract class FormatReader {

    /** Reads a whole body (a success or an error body) into {@code out}. Must not throw on odd input. */
    abstract void read(JsonNode body, DetailsBuilder out);

    /** A new state for one stream. */
    abstract FormatStream newStream();

    /** Reads the error members every format shares: {@code error} object or string, Mistral's top level. */
    static void readError(JsonNode body, DetailsBuilder out) {
        JsonNode e = body.get("error");
        if (e != null && e.isObject()) {
            String type = JsonFields.text(e, "type");
            if (type == null) {
                type = JsonFields.text(e, "status");
            }
            if (type == null) {
                type = JsonFields.textOrNumber(e, "code");
            }
            out.error(type, JsonFields.text(e, "message"));
        } else if (e != null && e.isString() && !e.stringValue().isEmpty()) {
            out.error("error", e.stringValue()); // Ollama: {"error":"model 'x' not found"}
        } else if ("error".equals(JsonFields.text(body, "object"))) {
            out.error(JsonFields.textOrNumber(body, "type"), JsonFields.text(body, "message")); // Mistral
        }
    }
}
