package dev.spectra.reactive.springai;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.okhttp.SpectraOkHttpInterceptor;
import dev.spectra.reactive.springai.SpectraContextAdvisor;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.testsupport.fixtures.FixtureServer;
import okhttp3.Interceptor;
import org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The local stand-in for OpenAI and Anthropic (the fixture server, which answers with the recorded provider
 * bytes), and the application: Spring Boot with Spring AI's starters, recorded by the OkHttp interceptor through
 * Spring AI's own client customizers, exactly as a user adds it.
 */
final class StandIn {

    static final FixtureServer SERVER = FixtureServer.start();
    static final SpectraFake FAKE = SpectraFake.create();

    /** What the stand-in answers next: the fixture server's instructions, sent as request headers. */
    static volatile Map<String, String> next = Map.of();

    private StandIn() {
    }

    static void answerWith(String fixture, String... more) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-fixture", fixture);
        for (int i = 0; i < more.length; i += 2) {
            h.put(more[i], more[i + 1]);
        }
        next = h;
    }

    /** What the stand-in answers to a prompt holding a word, for concurrent calls; else {@link #next}. */
    static volatile Map<String, Map<String, String>> byPrompt = Map.of();

    static void answer(String promptWord, String fixture, String... more) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-fixture", fixture);
        for (int i = 0; i < more.length; i += 2) {
            h.put(more[i], more[i + 1]);
        }
        Map<String, Map<String, String>> all = new LinkedHashMap<>(byPrompt);
        all.put(promptWord, h);
        byPrompt = all;
    }

    /** Tells the stand-in which fixture to answer with; not part of what a user adds. */
    static final Interceptor FIXTURE_HEADERS = chain -> {
        okhttp3.Request.Builder r = chain.request().newBuilder();
        Map<String, String> answer = next;
        okhttp3.RequestBody body = chain.request().body();
        if (body != null && !byPrompt.isEmpty()) {
            okio.Buffer b = new okio.Buffer();
            body.writeTo(b); // the SDKs' bodies are repeatable
            String text = b.readUtf8();
            for (Map.Entry<String, Map<String, String>> e : byPrompt.entrySet()) {
                if (text.contains(e.getKey())) {
                    answer = e.getValue();
                }
            }
        }
        answer.forEach(r::header);
        return chain.proceed(r.build());
    };

    /** The reference record: the WebClient filter's, for the request and answer bytes of the last call. */
    static TrackedRequest filterRecord(String provider, Map<String, Object> metadata) {
        FixtureServer.Received received = SERVER.received().get(SERVER.received().size() - 1);
        return FilterReference.record(provider, SERVER.port(), received.uri(),
                received.headers().get("content-type"), received.body(), next, metadata);
    }

    static FixtureServer.Received lastRequest() {
        List<FixtureServer.Received> all = SERVER.received();
        return all.get(all.size() - 1);
    }

    /** The application. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        /** What a user adds for the caller's Context on streams (the starter adds it itself). */
        @Bean
        ChatClientBuilderCustomizer spectraContext() {
            return b -> b.defaultAdvisors(SpectraContextAdvisor.create());
        }

        /** What a user adds for Spring AI's OpenAI model. */
        @Bean
        OpenAiHttpClientBuilderCustomizer spectraOpenAi() {
            SpectraOkHttpInterceptor spectra = SpectraOkHttpInterceptor.builder().tracker(FAKE.tracker())
                    .host("openai", "127.0.0.1:" + SERVER.port()).build();
            return b -> b.interceptor(FIXTURE_HEADERS).interceptor(spectra);
        }

        /** What a user adds for Spring AI's Anthropic model. */
        @Bean
        AnthropicHttpClientBuilderCustomizer spectraAnthropic() {
            SpectraOkHttpInterceptor spectra = SpectraOkHttpInterceptor.builder().tracker(FAKE.tracker())
                    .host("anthropic", "127.0.0.1:" + SERVER.port()).build();
            return b -> b.interceptor(FIXTURE_HEADERS).interceptor(spectra);
        }
    }
}
