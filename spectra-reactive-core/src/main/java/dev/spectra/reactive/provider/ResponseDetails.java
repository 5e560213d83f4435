package dev.spectra.reactive.provider;

import java.util.Map;

import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;

/**
 * What a provider's response says about the call, read from a whole body or accumulated over a stream.
 * Every part is optional: a response that says nothing gives {@link #EMPTY}.
 *
 * @param responseModel the model snapshot that answered (e.g. {@code gpt-4o-2024-08-06})
 * @param responseId the provider's response id
 * @param usage the usage, normalised to {@link Usage}'s semantics; null when the response holds none
 * @param finishReason why generation stopped
 * @param toolCallCounts tool calls by type; empty when none. Types are named alike across providers:
 *        {@code function} (OpenAI/Groq/Mistral... {@code tool_calls}, Responses {@code function_call}, Anthropic
 *        {@code tool_use}, Gemini {@code functionCall}, Ollama and Cohere tool calls), Responses' other items
 *        without their {@code _call} suffix ({@code web_search}, {@code file_search}, {@code code_interpreter},
 *        {@code computer}, {@code image_generation}, {@code mcp} ...), Anthropic server tools by name
 *        ({@code web_search}), Gemini {@code code_execution}
 * @param pricingTier the tier the provider says it served (OpenAI {@code service_tier} flex/priority), if any
 * @param errorType the provider's error type, for error bodies
 * @param errorMessage the provider's error message, for error bodies
 * @since 0.1
 */
public record ResponseDetails(
        @Nullable String responseModel,
        @Nullable String responseId,
        @Nullable Usage usage,
        @Nullable String finishReason,
        Map<String, Integer> toolCallCounts,
        @Nullable PricingTier pricingTier,
        @Nullable String errorType,
        @Nullable String errorMessage) {

    /** A response that says nothing. */
    public static final ResponseDetails EMPTY = new ResponseDetails(null, null, null, null, Map.of(), null, null, null);

    /**
     * Makes the tool-call map immutable.
     *
     * @param responseModel the model snapshot that answered (e.g. {@code gpt-4o-2024-08-06})
     * @param responseId the provider's response id
     * @param usage the usage, normalised to {@link Usage}'s semantics; null when the response holds none
     * @param finishReason why generation stopped
     * @param toolCallCounts tool calls by type; empty when none. Types are named alike across providers: {@code function} (OpenAI/Groq/Mistral... {@code tool_calls}, Responses {@code function_call}, Anthropic {@code tool_use}, Gemini {@code functionCall}, Ollama and Cohere tool calls), Responses' other items without their {@code _call} suffix ({@code web_search}, {@code file_search}, {@code code_interpreter}, {@code computer}, {@code image_generation}, {@code mcp} ...), Anthropic server tools by name ({@code web_search}), Gemini {@code code_execution}
     * @param pricingTier the tier the provider says it served (OpenAI {@code service_tier} flex/priority), if any
     * @param errorType the provider's error type, for error bodies
     * @param errorMessage the provider's error message, for error bodies
     */
    public ResponseDetails {
        toolCallCounts = toolCallCounts == null || toolCallCounts.isEmpty() ? Map.of() : Map.copyOf(toolCallCounts);
    }
}
