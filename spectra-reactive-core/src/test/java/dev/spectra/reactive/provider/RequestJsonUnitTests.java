package dev.spectra.reactive.provider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class RequestJsonUnitTests {

    private static final ProviderRegistry REGISTRY = ProviderRegistry.builtIn();
    /** Endpoints of each kind the read tells apart: chat, images, speech, and a model named by the path. */
    private static final List<EndpointMatch> ENDPOINTS = List.of(
            REGISTRY.match("api.openai.com", 443, "/v1/chat/completions"),
            REGISTRY.match("api.openai.com", 443, "/v1/images/generations"),
            REGISTRY.match("api.openai.com", 443, "/v1/audio/speech"),
            REGISTRY.match("generativelanguage.googleapis.com", 443,
                    "/v1beta/models/gemini-1.5-pro:streamGenerateContent"));

    /** What a tree of the whole body says for the endpoint: the reference the streaming read must equal. */
    private static @Nullable RequestDetails fromTree(byte[] body, EndpointMatch m) {
        JsonNode json = JsonFields.parse(body, 0, body.length);
        if (json == null || !json.isObject()) {
            return null;
        }
        String model = JsonFields.text(json, "model");
        Boolean stream = JsonFields.bool(json, "stream");
        JsonNode input = json.get("input");
        String text = input != null && input.isString() ? input.stringValue() : null;
        ModelType type = m.endpoint().modelType();
        boolean image = type == ModelType.IMAGE;
        return new RequestDetails(model != null ? model : m.pathModel(),
                stream != null ? stream : m.endpoint().streamsByDefault(),
                JsonFields.bool(JsonFields.obj(json, "stream_options"), "include_usage"),
                DetailsBuilder.servedTier(JsonFields.text(json, "service_tier")),
                type == ModelType.TTS && text != null
                        ? Usage.builder().characters(text.codePointCount(0, text.length())).build() : null,
                image ? JsonFields.text(json, "quality") : null, image ? JsonFields.text(json, "size") : null);
    }

    /** The streaming read, which gives the same from the strict reader and from Jackson's parser alone. */
    private static @Nullable RequestDetails streamed(byte[] body, EndpointMatch m) {
        RequestDetails s = RequestJson.read(body, 0, body.length, m);
        RequestDetails j;
        try (JacksonJsonTokens p = new JacksonJsonTokens(body, 0, body.length)) {
            j = RequestJson.read(p, m);
        } catch (RuntimeException e) {
            j = null;
        }
        assertThat(s).as("read with Jackson's parser alone").isEqualTo(j);
        return s;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsWhatATreeOfTheBodyReadsForEveryShapeOfMember() {
        List<byte[]> bodies = new ArrayList<>(List.of(
                utf8("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                utf8("{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.7,\"n\":1}"),
                utf8("  {\"stream\":false,\"stream_options\":{\"include_usage\":false,\"x\":[1,{\"a\":2}]}}  "),
                utf8("{\"model\":\"\",\"stream\":\"true\",\"stream_options\":[true],\"service_tier\":\"flex\"}"),
                utf8("{\"model\":\"a\",\"model\":\"b\",\"stream\":true,\"stream\":null}"),
                utf8("{\"model\":\"a\",\"model\":5,\"service_tier\":{\"x\":1},\"quality\":[\"hd\"],\"size\":\"1024x1024\"}"),
                utf8("{\"stream_options\":{\"include_usage\":true},\"stream_options\":{\"other\":true}}"),
                utf8("{\"stream_options\":{\"include_usage\":true,\"include_usage\":\"yes\"}}"),
                utf8("{\"stream_options\":{\"include_usage\":true},\"stream_options\":7}"),
                utf8("{\"model\":\"tts-1\",\"input\":\"Hello, w\u00f6rld \ud83c\udf0d\",\"voice\":\"alloy\"}"),
                utf8("{\"input\":\"\"}"),
                utf8("{\"input\":[\"a\",\"b\"],\"quality\":\"hd\",\"quality\":\"\"}"),
                utf8("{\"nested\":{\"model\":\"inner\",\"stream\":true},\"model\":\"outer\"}"),
                utf8("{}"),
                utf8("{\"model\":\"gpt-4o\"} {\"model\":\"second\"}"), // trailing tokens
                utf8("{\"model\":\"gpt-4o\","), // truncated
                utf8("{\"model\":\"gpt-4o\",\"messages\":[}"), // wrong nesting
                utf8("{\"model\":\"gpt-4o\",\"x\":1e999999999999}"), // a decimal no tree can hold
                utf8("{\"model\":\"gpt-4o\",\"x\":12345678901234567890123456789,\"y\":-0.5e-3}"),
                utf8("{\"model\":\"gpt-4o\",\"x\":NaN}"),
                utf8("{\"model\":\"gpt-4o\",\"x\":\"\\u00e9\\n\\\"\"}"),
                utf8("{\"model\":\"gpt-4o\"]"),
                utf8("{\"model\":\"gpt-4o\",\"deep\":" + "[".repeat(2000) + "]".repeat(2000) + "}")));
        // invalid UTF-8 inside a string the request does not name, and inside a member name
        byte[] badValue = utf8("{\"model\":\"gpt-4o\",\"messages\":[{\"content\":\"ab\"}]}");
        badValue[badValue.length - 6] = (byte) 0xC3;
        bodies.add(badValue);
        byte[] badName = utf8("{\"model\":\"gpt-4o\",\"xx\":1}");
        badName[19] = (byte) 0xFF;
        bodies.add(badName);
        for (EndpointMatch m : ENDPOINTS) {
            for (byte[] body : bodies) {
                assertThat(streamed(body, m)).as("%s at %s", new String(body, StandardCharsets.UTF_8), m.path())
                        .isEqualTo(fromTree(body, m));
            }
        }
        EndpointMatch chat = ENDPOINTS.get(0);
        assertThat(streamed(bodies.get(1), chat)).isEqualTo(new RequestDetails("gpt-4o", true, true, null, null));
        assertThat(streamed(bodies.get(3), chat).pricingTier()).isEqualTo(PricingTier.FLEX);
        assertThat(streamed(bodies.get(5), ENDPOINTS.get(1)).imageSize()).isEqualTo("1024x1024");
        assertThat(streamed(bodies.get(9), ENDPOINTS.get(2)).usage().characters()).isEqualTo(14);
        assertThat(streamed(bodies.get(13), ENDPOINTS.get(3)).model()).isEqualTo("gemini-1.5-pro");
        assertThat(streamed(bodies.get(0), chat)).isNotNull();
        assertThat(streamed(bodies.get(14), chat)).isNull();
        assertThat(streamed(badValue, chat)).isNull();
    }

    @Test
    void readsAPartOfAnArray() {
        byte[] framed = utf8("xx{\"model\":\"gpt-4o\",\"stream\":true}yy");
        RequestDetails r = RequestJson.read(framed, 2, framed.length - 4, ENDPOINTS.get(0));
        assertThat(r).isNotNull();
        assertThat(r.model()).isEqualTo("gpt-4o");
        assertThat(r.stream()).isTrue();
    }
}
