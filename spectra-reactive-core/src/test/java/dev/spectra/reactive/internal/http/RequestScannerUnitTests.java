package dev.spectra.reactive.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestScannerUnitTests {

    private static String scan(String json, int... splits) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        RequestScanner s = new RequestScanner();
        int from = 0;
        for (int at : splits) {
            s.feed(b, from, at - from);
            from = at;
        }
        s.feed(ByteBuffer.wrap(b), from, b.length);
        byte[] summary = s.summary();
        return summary == null ? null : new String(summary, StandardCharsets.UTF_8);
    }

    @Test
    void findsTopLevelValuesWhateverTheSplit() {
        String json = "{\"messages\":[{\"role\":\"user\",\"model\":\"inner\",\"content\":\"a \\\"model\\\": \\\"x\\\"\"}],"
                + " \"stream\" : true , \"stream_options\":{\"nested\":{\"include_usage\":false},\"include_usage\":true},"
                + "\"service_tier\":\"priority\",\"model\":\"gpt-4o\\u002dmini\",\"n\":1}";
        String expected = "{\"model\":\"gpt-4o\\u002dmini\",\"stream\":true,\"service_tier\":\"priority\","
                + "\"stream_options\":{\"include_usage\":true}}";
        for (int i = 0; i <= json.length(); i++) {
            assertThat(scan(json, i)).as("split at %d", i).isEqualTo(expected);
        }
        assertThat(scan(json, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160)).isEqualTo(expected);
    }

    @Test
    void aLiteralAtTheEndOfATruncatedBodyCounts() {
        assertThat(scan("{\"model\":\"m\",\"stream\":false")).isEqualTo("{\"model\":\"m\",\"stream\":false}");
    }

    @Test
    void notAnObjectGivesNothingAndOverlongValuesAreDropped() {
        assertThat(scan("[{\"model\":\"m\"}]")).isNull();
        assertThat(scan("--boundary\r\nContent-Disposition: form-data; name=\"model\"")).isNull();
        assertThat(scan("{\"model\":\"" + "m".repeat(300) + "\",\"stream\":true}")).isEqualTo("{\"stream\":true}");
        assertThat(scan("{}")).isEqualTo("{}");
        assertThat(scan("   ")).isNull();
    }
}
