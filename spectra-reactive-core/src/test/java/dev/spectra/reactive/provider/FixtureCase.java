package dev.spectra.reactive.provider;

import java.util.Map;

import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixture;
import dev.spectra.reactive.testsupport.fixtures.ProviderFixtures;
import org.jspecify.annotations.Nullable;

/**
 * One fixture file and what reading it must give, exactly: a row of the shared table
 * ({@link ProviderFixtures}) in core's types.
 */
record FixtureCase(String file, String provider, String host, String path, boolean streaming,
                   @Nullable String model, @Nullable String id, @Nullable Usage usage, @Nullable String finish,
                   Map<String, Integer> tools, @Nullable PricingTier tier, @Nullable String errorType,
                   @Nullable String errorMessage, @Nullable Usage billed, @Nullable String imageQuality,
                   @Nullable String imageSize) {

    static FixtureCase of(ProviderFixture f) {
        return new FixtureCase(f.file(), f.provider(), f.host(), f.path(), f.streaming(), f.responseModel(),
                f.responseId(), usage(f.usage()), f.finishReason(), f.toolCalls(),
                f.pricingTier() == null ? null : PricingTier.of(f.pricingTier()),
                f.errorType(), f.errorMessage(), usage(f.billedUsage()), f.imageQuality(), f.imageSize());
    }

    static @Nullable Usage usage(ProviderFixture.@Nullable Tokens t) {
        if (t == null) {
            return null;
        }
        return Usage.builder().inputTokens(t.input()).outputTokens(t.output()).cachedInputTokens(t.cachedInput())
                .cacheWriteTokens(t.cacheWrite()).reasoningTokens(t.reasoning()).totalTokens(t.total())
                .images(t.images()).imageInputTokens(t.imageInput()).imageOutputTokens(t.imageOutput())
                .audioInputTokens(t.audioInput()).audioSeconds(t.audioSeconds()).build();
    }

    /** The counts of a usage, for comparing with {@link #countsOnly(Usage)}: a non-zero count is stated. */
    static Usage usage(long in, long out, long cached, long write, long reasoning, long total) {
        return countsOnly(Usage.builder().inputTokens(in).outputTokens(out).cachedInputTokens(cached)
                .cacheWriteTokens(write).reasoningTokens(reasoning).totalTokens(total).build());
    }

    /**
     * The details with every usage reduced to its counts: which details were stated (a stated 0 against one left
     * out) is checked apart, by {@code StatedUsageUnitTests} and by comparing readings of the same bytes in full.
     */
    static ResponseDetails countsOnly(ResponseDetails d) {
        return new ResponseDetails(d.responseModel(), d.responseId(), countsOnly(d.usage()), d.finishReason(),
                d.toolCallCounts(), d.pricingTier(), d.errorType(), d.errorMessage(), countsOnly(d.billedUsage()),
                d.imageQuality(), d.imageSize(), d.readProblem(), d.statedCost());
    }

    static @Nullable Usage countsOnly(@Nullable Usage u) {
        return u == null ? null : new Usage(u.inputTokens(), u.outputTokens(), u.cachedInputTokens(),
                u.cacheWriteTokens(), u.reasoningTokens(), u.totalTokens(), u.images(), u.audioSeconds(),
                u.characters(), u.cacheWrite1hTokens(), u.audioInputTokens(), u.audioOutputTokens(),
                u.imageInputTokens(), u.imageOutputTokens(), java.util.Set.of());
    }

    ResponseDetails expected() {
        return new ResponseDetails(model, id, usage, finish, tools, tier, errorType, errorMessage, billed,
                imageQuality, imageSize, null, ProviderFixtures.statedCost(file));
    }

    byte[] bytes() {
        return load(file);
    }

    static byte[] load(String file) {
        return ProviderFixtures.bytes(file);
    }

    @Override
    public String toString() {
        return file;
    }
}
