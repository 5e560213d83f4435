package dev.spectra.reactive.provider;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Whether a reported reasoning count is inside {@code completion_tokens} (OpenAI, DeepSeek, Groq) or outside it
 * (xAI) is read from the numbers; the provider's own total decides when it is stated.
 */
class ReasoningInsideOrOutsideUnitTests {

    private static final ProviderRegistry R = ProviderRegistry.builtIn();

    @Test
    void aTotalOfInputPlusCompletionKeepsReasoningInsideEvenWhenItExceedsTheCompletion() {
        // OpenRouter (minimax-m2, recorded: openrouter__chat__stream__error.sse) reported reasoning 11 with
        // completion 10 and total 53 = 43 + 10: the 11 is inside the 10 (an inconsistent count, clamped), the
        // output is 10, not 21
        String body = "{\"usage\":{\"prompt_tokens\":43,\"completion_tokens\":10,\"total_tokens\":53,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":11}}}";
        assertThat(FixtureCase.countsOnly(R.read("openrouter", "/api/v1/chat/completions", body).usage()))
                .isEqualTo(FixtureCase.usage(43, 10, 0, 0, 10, 53));
    }

    @Test
    void reasoningBeyondTheCompletionWithoutATotalIsOutside() {
        String body = "{\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":1,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":290}}}";
        assertThat(FixtureCase.countsOnly(R.read("xai", "/v1/chat/completions", body).usage()))
                .isEqualTo(FixtureCase.usage(12, 291, 0, 0, 290, 303));
    }

    @Test
    void aTotalThatCountsTheReasoningAgainMeansOutside() {
        // xai__chat__json__tools.json: 291 + 26 + 189 = 506
        String body = "{\"usage\":{\"prompt_tokens\":291,\"completion_tokens\":26,\"total_tokens\":506,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":189}}}";
        assertThat(FixtureCase.countsOnly(R.read("xai", "/v1/chat/completions", body).usage()))
                .isEqualTo(FixtureCase.usage(291, 215, 0, 0, 189, 506));
    }

    @Test
    void reasoningWithinTheCompletionAndATotalOfInputPlusCompletionIsInside() {
        // deepseek__chat__stream__tools.sse: 374 + 61 = 435, reasoning 17
        String body = "{\"usage\":{\"prompt_tokens\":374,\"completion_tokens\":61,\"total_tokens\":435,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":17}}}";
        assertThat(FixtureCase.countsOnly(R.read("deepseek", "/chat/completions", body).usage()))
                .isEqualTo(FixtureCase.usage(374, 61, 0, 0, 17, 435));
    }
}
