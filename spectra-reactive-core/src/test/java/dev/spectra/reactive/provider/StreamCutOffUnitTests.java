package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * Recorded streams cut off before their usage arrived: the usage is unknown (null), never zeros. Streams cut at an
 * event boundary are fixtures (the {@code __cut} files and the Azure stream without usage); these cut recorded
 * bytes where no fixture can: inside the first event of providers whose first event already carries usage
 * (Anthropic's {@code message_start}, every Gemini chunk), and right before an OpenAI-compatible usage chunk.
 */
class StreamCutOffUnitTests {

    private static final ProviderRegistry R = ProviderRegistry.builtIn();

    @Test
    void anthropicStreamTornInsideMessageStartHasNoUsage() {
        String text = text("anthropic__messages__stream__1.sse");
        ResponseDetails d = cutAt(text, text.indexOf("\"usage\""), "anthropic", "/v1/messages");
        assertThat(d.usage()).isNull();
        assertThat(d.responseId()).isNull(); // the torn event is not read at all
    }

    @Test
    void geminiStreamTornInsideItsFirstChunkHasNoUsage() {
        String text = text("gemini__generateContent__stream__1.sse");
        ResponseDetails d = cutAt(text, text.indexOf("\"usageMetadata\""), "gemini",
                "/v1beta/models/gemini-2.0-flash-exp:streamGenerateContent");
        assertThat(d.usage()).isNull();
    }

    @Test
    void xaiStreamCutBeforeItsUsageChunkHasNoUsage() {
        String text = text("xai__chat__stream__1.sse");
        int usageChunk = text.lastIndexOf("data: ");
        StreamReader r = R.newChunkReader("xai", "/v1/chat/completions");
        byte[] head = text.substring(0, usageChunk).getBytes(StandardCharsets.UTF_8);
        r.feed(head, 0, head.length);
        ResponseDetails d = r.finish();
        assertThat(d.usage()).isNull();
        assertThat(d.finishReason()).isEqualTo("stop");
        assertThat(d.responseModel()).isEqualTo("grok-3-mini");
        assertThat(r.malformedEvents()).isZero();
    }

    private static ResponseDetails cutAt(String text, int at, String provider, String path) {
        assertThat(at).isPositive();
        StreamReader r = R.newChunkReader(provider, path);
        byte[] head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
        r.feed(head, 0, head.length);
        return r.finish();
    }

    private static String text(String fixture) {
        return new String(FixtureCase.load(fixture), StandardCharsets.UTF_8);
    }
}
