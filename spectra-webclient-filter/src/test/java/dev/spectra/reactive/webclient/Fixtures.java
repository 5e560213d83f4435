package dev.spectra.reactive.webclient;

import java.util.List;
import java.util.Locale;

import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.provider.ResponseDetails;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.jspecify.annotations.Nullable;

/**
 * Every provider fixture ({@link ProviderFixtures}, the table every module's tests read), as this module's tests
 * send and record it: the request that gets it (real host, path, requested model) and what the record must say.
 * Two things differ from the table, both on purpose: Ollama is reached under {@link #OLLAMA} (a host the filter is
 * told about, since the real {@code localhost:11434} would need that port), and every Gemini request carries its
 * API key in the query string, as Gemini clients do, so that each Gemini exchange also checks that it is not stored.
 */
final class Fixtures {

    /** One fixture and its exchange. {@code requestModel} null: the body names none, the path does. */
    record Fixture(String file, String provider, String host, String path, @Nullable String requestModel,
                   String model, String operation, ModelType modelType, int status, boolean streaming, int events,
                   ResponseDetails expected, @Nullable String upstreamProvider) {

        boolean failure() {
            return expected.errorType() != null;
        }

        /** The request body a client of this API would send (without {@code stream_options}). */
        String requestBody() {
            StringBuilder b = new StringBuilder("{");
            if (requestModel != null) {
                b.append("\"model\":\"").append(requestModel).append("\",");
            }
            if (provider.equals("gemini")) {
                return b.append("\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello\"}]}]}").toString();
            }
            if (!path.contains(":") && (streaming || provider.equals("ollama"))) {
                b.append("\"stream\":").append(streaming).append(',');
            }
            if (streaming && (provider.equals("openai") || provider.equals("azure")) && operation.equals("chat")) {
                b.append("\"stream_options\":{\"include_usage\":true},");
            }
            return b.append("\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}").toString();
        }

        @Override
        public String toString() {
            return file;
        }
    }

    static final String OPENAI = "api.openai.com";
    static final String OLLAMA = "ollama.test"; // added with SpectraExchangeFilter.Builder#host
    static final String GEMINI = "generativelanguage.googleapis.com";
    static final String GEMINI_KEY = "AIzaSyD0ntL00kAtMeThisIsAFakeKey1234567";

    private static final List<Fixture> ALL = ProviderFixtures.all().stream().map(Fixtures::of).toList();

    private Fixtures() {
    }

    static List<Fixture> all() {
        return ALL;
    }

    static Fixture named(String file) {
        return ALL.stream().filter(f -> f.file().equals(file)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no fixture case " + file));
    }

    private static Fixture of(ProviderFixture f) {
        String host = f.provider().equals("ollama") ? OLLAMA : f.host();
        String path = f.provider().equals("gemini") ? f.path() + (f.path().contains("?") ? "&" : "?") + "key="
                + GEMINI_KEY : f.path();
        ResponseDetails expected = new ResponseDetails(f.responseModel(), f.responseId(), usage(f.usage()),
                f.finishReason(), f.toolCalls(), f.pricingTier() == null ? null : PricingTier.of(f.pricingTier()),
                f.errorType(), f.errorMessage(), usage(f.billedUsage()), f.imageQuality(), f.imageSize());
        return new Fixture(f.file(), f.provider(), host, path, f.requestModel(), f.model(), f.operation(),
                ModelType.valueOf(f.modelType().toUpperCase(Locale.ROOT)), f.status(), f.streaming(), f.events(),
                expected, f.upstreamProvider());
    }

    private static @Nullable Usage usage(ProviderFixture.@Nullable Tokens t) {
        if (t == null) {
            return null;
        }
        return Usage.builder().inputTokens(t.input()).outputTokens(t.output()).cachedInputTokens(t.cachedInput())
                .cacheWriteTokens(t.cacheWrite()).reasoningTokens(t.reasoning()).totalTokens(t.total())
                .images(t.images()).imageInputTokens(t.imageInput()).imageOutputTokens(t.imageOutput())
                .audioInputTokens(t.audioInput()).audioSeconds(t.audioSeconds()).build();
    }
}
