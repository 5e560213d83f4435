package dev.spectra.reactive.provider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class RequestJsonUnitTests {

    /** What the members read from a tree of the whole body say: the reference the streaming read must equal. */
    private static @Nullable List<Object> fromTree(byte[] body) {
        JsonNode json = JsonFields.parse(body, 0, body.length);
        if (json == null || !json.isObject()) {
            return null;
        }
        JsonNode input = json.get("input");
        return Arrays.asList(JsonFields.text(json, "model"), JsonFields.bool(json, "stream"),
                JsonFields.bool(JsonFields.obj(json, "stream_options"), "include_usage"),
                JsonFields.text(json, "service_tier"), JsonFields.text(json, "quality"), JsonFields.text(json, "size"),
                input != null && input.isString() ? input.stringValue() : null);
    }

    /** The streaming read, which gives the same from the strict reader and from Jackson's parser alone. */
    private static @Nullable List<Object> streamed(byte[] body) {
        List<Object> s = members(RequestJson.read(body, 0, body.length));
        List<Object> j;
        try (JacksonJsonTokens p = new JacksonJsonTokens(body, 0, body.length)) {
            j = members(RequestJson.read(p));
        } catch (RuntimeException e) {
            j = null;
        }
        assertThat(s).as("read with Jackson's parser alone").isEqualTo(j);
        return s;
    }

    private static @Nullable List<Object> members(@Nullable RequestJson r) {
        return r == null ? null : Arrays.asList(r.model, r.stream, r.includeUsage, r.serviceTier, r.quality, r.size,
                r.input);
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
        for (byte[] body : bodies) {
            assertThat(streamed(body)).as(new String(body, StandardCharsets.UTF_8)).isEqualTo(fromTree(body));
        }
        assertThat(streamed(bodies.get(1))).containsExactly("gpt-4o", true, true, null, null, null, null);
        assertThat(streamed(bodies.get(0))).isNotNull();
        assertThat(streamed(bodies.get(14))).isNull();
        assertThat(streamed(badValue)).isNull();
    }

    @Test
    void readsAPartOfAnArray() {
        byte[] framed = utf8("xx{\"model\":\"gpt-4o\",\"stream\":true}yy");
        RequestJson r = RequestJson.read(framed, 2, framed.length - 4);
        assertThat(r).isNotNull();
        assertThat(r.model).isEqualTo("gpt-4o");
        assertThat(r.stream).isTrue();
    }
}
