package dev.spectra.reactive.internal.http;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StreamUsageOptionUnitTests {

    @Test
    void insertionKeepsEveryOtherByte() {
        assertThat(new String(StreamUsageOption.insertAfterBrace(" { \"a\":1}".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).isEqualTo(" {\"stream_options\":{\"include_usage\":true}, \"a\":1}");
        assertThat(new String(StreamUsageOption.insertAfterBrace("{ }".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).isEqualTo("{\"stream_options\":{\"include_usage\":true} }");
        assertThat(StreamUsageOption.insertAfterBrace("[1]".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void aBodyThatNamesTheOptionIsLeftAsWritten() {
        assertThat(StreamUsageOption.insert("{\"stream\":true,\"stream_options\":{}}".getBytes(StandardCharsets.UTF_8)))
                .isNull();
        assertThat(new String(StreamUsageOption.insert("{\"stream\":true}".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).isEqualTo("{\"stream_options\":{\"include_usage\":true},\"stream\":true}");
    }
}
