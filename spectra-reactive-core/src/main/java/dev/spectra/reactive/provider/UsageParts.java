package dev.spectra.reactive.provider;

import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.Set;

import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;

/**
 * Usage as a provider states it (a detail it leaves out stays null, so the record can tell it from a stated 0), already in OpenTelemetry semantics (input inclusive of cache reads and writes,
 * output inclusive of reasoning), before it is checked into a {@link Usage}. Formats fill what they read;
 * {@link #toUsage()} repairs what a provider got inconsistent instead of throwing.
 */
final class UsageParts {
    long input;
    long output;
    @Nullable Long cached;
    @Nullable Long cacheWrite;
    @Nullable Long reasoning;
    @Nullable Long total;
    @Nullable Long images;
    @Nullable BigDecimal audioSeconds;
    @Nullable Long characters;
    @Nullable Long cacheWrite1h;
    @Nullable Long audioIn;
    @Nullable Long audioOut;
    @Nullable Long imageIn;
    @Nullable Long imageOut;

    /**
     * The usage; counts that break {@link Usage}'s invariants are clamped (cache reads and writes to the input,
     * one-hour writes to the writes, input modalities to the input, reasoning and output modalities to the
     * output), because a provider's odd numbers must never fail a user's call.
     */
    Usage toUsage() {
        long in = Math.max(0, input);
        long out = Math.max(0, output);
        long cr = Math.min(Math.max(0, nz(cached)), in);
        long cw = Math.min(Math.max(0, nz(cacheWrite)), in - cr);
        long rs = Math.min(Math.max(0, nz(reasoning)), out);
        long cw1h = Math.min(Math.max(0, nz(cacheWrite1h)), cw);
        long ai = Math.min(Math.max(0, nz(audioIn)), in);
        long ii = Math.min(Math.max(0, nz(imageIn)), in - ai);
        long ao = Math.min(Math.max(0, nz(audioOut)), out - rs);
        long io = Math.min(Math.max(0, nz(imageOut)), out - rs - ao);
        int stated = (cached != null ? bit(Usage.Detail.CACHED_INPUT_TOKENS) : 0)
                | (cacheWrite != null ? bit(Usage.Detail.CACHE_WRITE_TOKENS) : 0)
                | (reasoning != null ? bit(Usage.Detail.REASONING_TOKENS) : 0)
                | (images != null ? bit(Usage.Detail.IMAGES) : 0)
                | (audioSeconds != null ? bit(Usage.Detail.AUDIO_SECONDS) : 0)
                | (characters != null ? bit(Usage.Detail.CHARACTERS) : 0)
                | (cacheWrite1h != null ? bit(Usage.Detail.CACHE_WRITE_1H_TOKENS) : 0)
                | (audioIn != null ? bit(Usage.Detail.AUDIO_INPUT_TOKENS) : 0)
                | (audioOut != null ? bit(Usage.Detail.AUDIO_OUTPUT_TOKENS) : 0)
                | (imageIn != null ? bit(Usage.Detail.IMAGE_INPUT_TOKENS) : 0)
                | (imageOut != null ? bit(Usage.Detail.IMAGE_OUTPUT_TOKENS) : 0);
        BigDecimal seconds = audioSeconds == null || audioSeconds.signum() < 0 ? BigDecimal.ZERO : audioSeconds;
        return new Usage(in, out, cr, cw, rs, total != null && total >= 0 ? total : in + out,
                Math.max(0, nz(images)), seconds, Math.max(0, nz(characters)), cw1h, ai, ao, ii, io, stated(stated));
    }

    private static int bit(Usage.Detail detail) {
        return 1 << detail.ordinal();
    }

    /** Usage's own shared set of the details of each combination, looked up once per combination. */
    private static final Set<Usage.Detail>[] STATED = newSets();

    @SuppressWarnings({"unchecked", "rawtypes"}) // an array of a generic type
    private static Set<Usage.Detail>[] newSets() {
        return new Set[1 << Usage.Detail.values().length];
    }

    /** The details whose bits are set, as the shared set a {@link Usage} holds them in. */
    private static Set<Usage.Detail> stated(int mask) {
        Set<Usage.Detail> s = STATED[mask];
        if (s == null) {
            EnumSet<Usage.Detail> details = EnumSet.noneOf(Usage.Detail.class);
            for (Usage.Detail d : Usage.Detail.values()) {
                if ((mask & bit(d)) != 0) {
                    details.add(d);
                }
            }
            s = Usage.builder().stated(details).build().stated(); // immutable: a racy cache is safe
            STATED[mask] = s;
        }
        return s;
    }

    /** A copy, so a snapshot can change it. */
    UsageParts copy() {
        UsageParts c = new UsageParts();
        c.input = input;
        c.output = output;
        c.cached = cached;
        c.cacheWrite = cacheWrite;
        c.reasoning = reasoning;
        c.total = total;
        c.images = images;
        c.audioSeconds = audioSeconds;
        c.characters = characters;
        c.cacheWrite1h = cacheWrite1h;
        c.audioIn = audioIn;
        c.audioOut = audioOut;
        c.imageIn = imageIn;
        c.imageOut = imageOut;
        return c;
    }

    static long nz(@Nullable Long v) {
        return v == null ? 0 : v;
    }

    /**
     * Output including reasoning. OpenAI, DeepSeek and Groq count reasoning inside {@code completion_tokens};
     * xAI and Gemini count it outside. The numbers say which: a stated total of exactly input + completion means
     * inside, whatever the reasoning count (OpenRouter has reported reasoning 11 within a completion of 10; the
     * excess is clamped by {@link #toUsage()}); otherwise reasoning beyond the completion count, or a total that
     * is exactly input + completion + reasoning, means it was outside.
     */
    static long outputWithReasoning(long input, long completion, @Nullable Long statedReasoning,
                                    @Nullable Long total) {
        long reasoning = nz(statedReasoning);
        if (reasoning <= 0 || (total != null && total == input + completion)) {
            return completion;
        }
        boolean outside = reasoning > completion || (total != null && total == input + completion + reasoning);
        return outside ? completion + reasoning : completion;
    }
}
