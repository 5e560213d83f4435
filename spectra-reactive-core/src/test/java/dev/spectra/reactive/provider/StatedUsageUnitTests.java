package dev.spectra.reactive.provider;

import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.Set;

import dev.spectra.reactive.Usage;
import dev.spectra.reactive.Usage.Detail;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A count the provider stated as 0 and a count it left out stay apart, from the body to the columns and JSON. */
class StatedUsageUnitTests {

    private static final ProviderRegistry R = ProviderRegistry.builtIn();

    @Test
    void aDetailIsStatedWhenSetEvenToZeroAndWhenNonZero() {
        Usage u = Usage.builder().inputTokens(10).outputTokens(4).cachedInputTokens(0).build();
        assertThat(u.stated()).containsExactly(Detail.CACHED_INPUT_TOKENS);
        assertThat(u.isStated(Detail.REASONING_TOKENS)).isFalse();
        assertThat(u.reasoningTokens()).as("an unstated count reads 0").isZero();
        assertThat(Usage.of(3, 2).stated()).isEmpty();
        Usage canonical = new Usage(10, 4, 3, 0, 0, 14, 0, BigDecimal.ONE, 0, 0, 0, 0, 0, 0, Set.of());
        assertThat(canonical.stated()).as("a non-zero count is stated")
                .containsExactlyInAnyOrder(Detail.CACHED_INPUT_TOKENS, Detail.AUDIO_SECONDS);
        assertThat(u.toBuilder().build()).isEqualTo(u);
        assertThat(u.toBuilder().stated(EnumSet.of(Detail.IMAGES)).build().stated())
                .containsExactlyInAnyOrder(Detail.CACHED_INPUT_TOKENS, Detail.IMAGES);
        assertThat(u).isNotEqualTo(Usage.builder().inputTokens(10).outputTokens(4).build());
    }

    @Test
    void openAiStatesZeroCachedTokensOrNothing() {
        Usage zero = R.read("openai", "/v1/chat/completions", "{\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,"
                + "\"total_tokens\":12,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0}}}").usage();
        assertThat(zero.stated()).containsExactlyInAnyOrder(Detail.CACHED_INPUT_TOKENS, Detail.AUDIO_INPUT_TOKENS);
        Usage none = R.read("openai", "/v1/chat/completions",
                "{\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}").usage();
        assertThat(none.stated()).isEmpty();
    }

    @Test
    void anthropicWithoutCacheFieldsStatesNoCache() {
        Usage u = R.read("anthropic", "/v1/messages", "{\"type\":\"message\",\"id\":\"msg_1\",\"model\":\"claude-x\","
                + "\"usage\":{\"input_tokens\":20,\"output_tokens\":5}}").usage();
        assertThat(u.inputTokens()).isEqualTo(20);
        assertThat(u.stated()).isEmpty();
        Usage withCache = R.read("anthropic", "/v1/messages", "{\"type\":\"message\",\"id\":\"msg_1\","
                + "\"model\":\"claude-x\",\"usage\":{\"input_tokens\":20,\"output_tokens\":5,"
                + "\"cache_read_input_tokens\":0,\"cache_creation_input_tokens\":7}}").usage();
        assertThat(withCache.inputTokens()).isEqualTo(27);
        assertThat(withCache.stated()).containsExactlyInAnyOrder(Detail.CACHED_INPUT_TOKENS, Detail.CACHE_WRITE_TOKENS);
    }

    @Test
    void geminiStatesCachedAndThoughtsOnlyWhenPresent() {
        Usage u = R.read("gemini", null, "{\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":2,"
                + "\"totalTokenCount\":12}}").usage();
        assertThat(u.stated()).isEmpty();
        Usage cached = R.read("gemini", null, "{\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":2,"
                + "\"cachedContentTokenCount\":4,\"thoughtsTokenCount\":0,\"totalTokenCount\":12}}").usage();
        assertThat(cached.stated()).containsExactlyInAnyOrder(Detail.CACHED_INPUT_TOKENS, Detail.REASONING_TOKENS);
    }
}
