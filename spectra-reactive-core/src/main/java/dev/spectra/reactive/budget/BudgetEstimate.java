package dev.spectra.reactive.budget;

/**
 * What a call is expected to consume at most, known from its request: the input size and the maximum output the
 * request allows ({@code max_tokens}, {@code max_output_tokens}). It is priced with the budgets' pricing to get the
 * amount reserved before the call.
 *
 * @param inputTokens the input tokens (an estimate: see {@link #ofText})
 * @param maxOutputTokens the most output tokens the request allows
 * @since 0.2
 */
public record BudgetEstimate(long inputTokens, long maxOutputTokens) {

    /** Characters per token of the text estimate: {@value}, the usual figure for English text. */
    public static final int CHARS_PER_TOKEN = 4;

    /**
     * @param inputTokens the input tokens, not negative
     * @param maxOutputTokens the most output tokens, not negative
     */
    public BudgetEstimate {
        if (inputTokens < 0 || maxOutputTokens < 0) {
            throw new IllegalArgumentException("a budget estimate is not negative: inputTokens=" + inputTokens
                    + ", maxOutputTokens=" + maxOutputTokens);
        }
    }

    /**
     * @param inputTokens the input tokens
     * @param maxOutputTokens the most output tokens
     * @return the estimate
     */
    public static BudgetEstimate of(long inputTokens, long maxOutputTokens) {
        return new BudgetEstimate(inputTokens, maxOutputTokens);
    }

    /**
     * An estimate from the request's text: one token per {@value #CHARS_PER_TOKEN} characters, rounded up.
     *
     * @param input the prompt text (all messages)
     * @param maxOutputTokens the most output tokens
     * @return the estimate
     */
    public static BudgetEstimate ofText(CharSequence input, long maxOutputTokens) {
        return new BudgetEstimate(tokensOf(input.length()), maxOutputTokens);
    }

    static long tokensOf(long chars) {
        return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }
}
