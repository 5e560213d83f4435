package dev.spectra.reactive.provider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately naive, independent cut of a whole SSE or NDJSON fixture into {event, data} pairs, as a
 * decoding client (WebClient's ServerSentEvent reader, an NDJSON line splitter) would hand them over.
 */
final class SimpleSse {

    private SimpleSse() {
    }

    static List<String[]> events(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n").replace('\r', '\n');
        List<String[]> out = new ArrayList<>();
        if (text.stripLeading().startsWith("[")) {
            for (tools.jackson.databind.JsonNode element : JsonFields.MAPPER.readTree(text).values()) {
                out.add(new String[] {"", element.toString()});
            }
            return out;
        }
        if (text.stripLeading().startsWith("{")) {
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    out.add(new String[] {"", line});
                }
            }
            return out;
        }
        for (String block : text.split("\n\n")) {
            String event = "";
            StringBuilder data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    String v = line.substring(5);
                    if (v.startsWith(" ")) {
                        v = v.substring(1);
                    }
                    data = data == null ? new StringBuilder(v) : data.append('\n').append(v);
                }
            }
            if (data != null) {
                out.add(new String[] {event, data.toString()});
            }
        }
        return out;
    }
}
