package dev.spectra.reactive.provider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;

/**
 * One fixture file and what reading it must give, exactly. Token numbers are the payload's own (see
 * fixtures/INDEX.tsv), normalised as DESIGN.md section 5 says.
 */
record FixtureCase(String file, String provider, String host, String path, boolean streaming,
                   @Nullable String model, @Nullable String id, @Nullable Usage usage, @Nullable String finish,
                   Map<String, Integer> tools, @Nullable PricingTier tier, @Nullable String errorType,
                   @Nullable String errorMessage, @Nullable Usage billed, @Nullable String imageQuality,
                   @Nullable String imageSize) {

    FixtureCase(String file, String provider, String host, String path, boolean streaming, @Nullable String model,
                @Nullable String id, @Nullable Usage usage, @Nullable String finish, Map<String, Integer> tools,
                @Nullable PricingTier tier, @Nullable String errorType, @Nullable String errorMessage) {
        this(file, provider, host, path, streaming, model, id, usage, finish, tools, tier, errorType, errorMessage,
                null, null, null);
    }

    /** This case with a billed usage (Cohere's billed_units). */
    FixtureCase billed(Usage b) {
        return new FixtureCase(file, provider, host, path, streaming, model, id, usage, finish, tools, tier,
                errorType, errorMessage, b, imageQuality, imageSize);
    }

    /** This case with the image quality and size the answer states. */
    FixtureCase image(String quality, String size) {
        return new FixtureCase(file, provider, host, path, streaming, model, id, usage, finish, tools, tier,
                errorType, errorMessage, billed, quality, size);
    }

    static Usage usage(long in, long out, long cached, long write, long reasoning, long total) {
        return Usage.builder().inputTokens(in).outputTokens(out).cachedInputTokens(cached).cacheWriteTokens(write)
                .reasoningTokens(reasoning).totalTokens(total).build();
    }

    static FixtureCase ok(String file, String provider, String host, String path, boolean streaming,
                          @Nullable String model, @Nullable String id, @Nullable Usage usage,
                          @Nullable String finish, Map<String, Integer> tools) {
        return new FixtureCase(file, provider, host, path, streaming, model, id, usage, finish, tools, null, null,
                null);
    }

    static FixtureCase error(String file, String provider, String host, String path, String type, String message) {
        return new FixtureCase(file, provider, host, path, false, null, null, null, null, Map.of(), null, type,
                message);
    }

    FixtureCase withTier(PricingTier t) {
        return new FixtureCase(file, provider, host, path, streaming, model, id, usage, finish, tools, t, errorType,
                errorMessage, billed, imageQuality, imageSize);
    }

    ResponseDetails expected() {
        return new ResponseDetails(model, id, usage, finish, tools, tier, errorType, errorMessage, billed,
                imageQuality, imageSize);
    }

    byte[] bytes() {
        return load(file);
    }

    static byte[] load(String file) {
        try (InputStream in = FixtureCase.class.getResourceAsStream("/fixtures/" + file)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return file;
    }
}
