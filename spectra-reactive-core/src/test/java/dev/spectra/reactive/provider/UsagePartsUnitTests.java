package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.SplittableRandom;

import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The usage made of what a provider stated is what the public builder makes of the same counts, clamped the same
 * way: checked on many random statements, every detail stated or left out, in range or not.
 */
class UsagePartsUnitTests {

    /** The usage as the builder makes it of the clamped counts: the reference. */
    private static Usage viaBuilder(UsageParts p) {
        long in = Math.max(0, p.input);
        long out = Math.max(0, p.output);
        long cr = Math.min(Math.max(0, UsageParts.nz(p.cached)), in);
        long cw = Math.min(Math.max(0, UsageParts.nz(p.cacheWrite)), in - cr);
        long rs = Math.min(Math.max(0, UsageParts.nz(p.reasoning)), out);
        long cw1h = Math.min(Math.max(0, UsageParts.nz(p.cacheWrite1h)), cw);
        long ai = Math.min(Math.max(0, UsageParts.nz(p.audioIn)), in);
        long ii = Math.min(Math.max(0, UsageParts.nz(p.imageIn)), in - ai);
        long ao = Math.min(Math.max(0, UsageParts.nz(p.audioOut)), out - rs);
        long io = Math.min(Math.max(0, UsageParts.nz(p.imageOut)), out - rs - ao);
        Usage.Builder b = Usage.builder().inputTokens(in).outputTokens(out);
        if (p.cached != null) {
            b.cachedInputTokens(cr);
        }
        if (p.cacheWrite != null) {
            b.cacheWriteTokens(cw);
        }
        if (p.reasoning != null) {
            b.reasoningTokens(rs);
        }
        if (p.images != null) {
            b.images(Math.max(0, p.images));
        }
        if (p.audioSeconds != null) {
            b.audioSeconds(p.audioSeconds.signum() < 0 ? BigDecimal.ZERO : p.audioSeconds);
        }
        if (p.characters != null) {
            b.characters(Math.max(0, p.characters));
        }
        if (p.cacheWrite1h != null) {
            b.cacheWrite1hTokens(cw1h);
        }
        if (p.audioIn != null) {
            b.audioInputTokens(ai);
        }
        if (p.imageIn != null) {
            b.imageInputTokens(ii);
        }
        if (p.audioOut != null) {
            b.audioOutputTokens(ao);
        }
        if (p.imageOut != null) {
            b.imageOutputTokens(io);
        }
        if (p.total != null && p.total >= 0) {
            b.totalTokens(p.total);
        }
        return b.build();
    }

    private static @Nullable Long maybe(SplittableRandom r) {
        int k = r.nextInt(4);
        return k == 0 ? null : k == 1 ? 0L : r.nextLong(-5, 400);
    }

    @Test
    void aStatementGivesTheUsageTheBuilderGivesOfItsClampedCounts() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 20_000; i++) {
            UsageParts p = new UsageParts();
            p.input = r.nextLong(-5, 500);
            p.output = r.nextLong(-5, 500);
            p.cached = maybe(r);
            p.cacheWrite = maybe(r);
            p.reasoning = maybe(r);
            p.total = maybe(r);
            p.images = maybe(r);
            p.audioSeconds = r.nextInt(3) == 0 ? null : new BigDecimal(r.nextLong(-50, 5000)).movePointLeft(2);
            p.characters = maybe(r);
            p.cacheWrite1h = maybe(r);
            p.audioIn = maybe(r);
            p.audioOut = maybe(r);
            p.imageIn = maybe(r);
            p.imageOut = maybe(r);
            Usage u = p.toUsage();
            assertThat(u).isEqualTo(viaBuilder(p));
            assertThat(u.stated()).isEqualTo(viaBuilder(p).stated()).isSameAs(p.copy().toUsage().stated());
        }
    }
}
