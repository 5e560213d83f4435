package dev.spectra.reactive.provider;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;

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
 * @param billedUsage the usage the provider bills, when it states one that differs from what the model processed
 *        (Cohere's {@code billed_units}, which leave out the tokens of its own prompt template); null when the
 *        provider bills {@code usage}. Price this one when present, store {@code usage}.
 * @param imageQuality the quality of generated images ({@code standard}, {@code hd}, {@code low} ...), as the
 *        response or the request states it; null when neither does
 * @param imageSize the size of generated images ({@code 1024x1024} ...), as the response or the request states
 *        it; null when neither does
 * @param readProblem why the response could not be read (not JSON, cut short, malformed stream events), or null
 *        when it was read; a tracker counts a successful call whose response could not be read in
 *        {@code TrackerStats.readFailures} and logs it
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
        @Nullable String errorMessage,
        @Nullable Usage billedUsage,
        @Nullable String imageQuality,
        @Nullable String imageSize,
        @Nullable String readProblem,
        @Nullable BigDecimal statedCost,
        @Nullable String upstreamProvider) {

    /** A response that says nothing. */
    public static final ResponseDetails EMPTY = new ResponseDetails(null, null, null, null, Map.of(), null, null, null,
            null, null, null, null, null, null);

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
     * @param billedUsage the usage the provider bills, when it states one that differs from what the model processed (Cohere's {@code billed_units}); null when the provider bills {@code usage}
     * @param imageQuality the quality of generated images, as the response or the request states it, or null
     * @param imageSize the size of generated images, as the response or the request states it, or null
     * @param readProblem why the response could not be read, or null when it was read
     * @param statedCost what the provider says the call cost, in USD (OpenRouter's {@code usage.cost}), or null
     * @param upstreamProvider the provider a router says it passed the call on to, or null
     */
    public ResponseDetails {
        toolCallCounts = toolCallCounts == null || toolCallCounts.isEmpty() ? Map.of() : Map.copyOf(toolCallCounts);
    }

    /**
     * Details of a response that names no upstream provider.
     *
     * @param responseModel the model snapshot that answered
     * @param responseId the provider's response id
     * @param usage the usage, or null
     * @param finishReason why generation stopped
     * @param toolCallCounts tool calls by type
     * @param pricingTier the tier the provider says it served, if any
     * @param errorType the provider's error type
     * @param errorMessage the provider's error message
     * @param billedUsage the usage the provider bills, when it differs from {@code usage}
     * @param imageQuality the quality of generated images, or null
     * @param imageSize the size of generated images, or null
     * @param readProblem why the response could not be read, or null when it was read
     * @param statedCost what the provider says the call cost, in USD, or null
     */
    public ResponseDetails(@Nullable String responseModel, @Nullable String responseId, @Nullable Usage usage,
                           @Nullable String finishReason, Map<String, Integer> toolCallCounts,
                           @Nullable PricingTier pricingTier, @Nullable String errorType,
                           @Nullable String errorMessage, @Nullable Usage billedUsage, @Nullable String imageQuality,
                           @Nullable String imageSize, @Nullable String readProblem, @Nullable BigDecimal statedCost) {
        this(responseModel, responseId, usage, finishReason, toolCallCounts, pricingTier, errorType, errorMessage,
                billedUsage, imageQuality, imageSize, readProblem, statedCost, null);
    }

    /**
     * Details without a cost stated by the provider.
     *
     * @param responseModel the model snapshot that answered
     * @param responseId the provider's response id
     * @param usage the usage, or null
     * @param finishReason why generation stopped
     * @param toolCallCounts tool calls by type
     * @param pricingTier the tier the provider says it served, if any
     * @param errorType the provider's error type
     * @param errorMessage the provider's error message
     * @param billedUsage the usage the provider bills, when it differs from {@code usage}
     * @param imageQuality the quality of generated images, or null
     * @param imageSize the size of generated images, or null
     * @param readProblem why the response could not be read, or null when it was read
     */
    public ResponseDetails(@Nullable String responseModel, @Nullable String responseId, @Nullable Usage usage,
                           @Nullable String finishReason, Map<String, Integer> toolCallCounts,
                           @Nullable PricingTier pricingTier, @Nullable String errorType,
                           @Nullable String errorMessage, @Nullable Usage billedUsage, @Nullable String imageQuality,
                           @Nullable String imageSize, @Nullable String readProblem) {
        this(responseModel, responseId, usage, finishReason, toolCallCounts, pricingTier, errorType, errorMessage,
                billedUsage, imageQuality, imageSize, readProblem, null);
    }

    /**
     * Details of a response that was read, with every part the provider states.
     *
     * @param responseModel the model snapshot that answered
     * @param responseId the provider's response id
     * @param usage the usage, or null
     * @param finishReason why generation stopped
     * @param toolCallCounts tool calls by type
     * @param pricingTier the tier the provider says it served, if any
     * @param errorType the provider's error type
     * @param errorMessage the provider's error message
     * @param billedUsage the usage the provider bills, when it differs from {@code usage}
     * @param imageQuality the quality of generated images, or null
     * @param imageSize the size of generated images, or null
     */
    public ResponseDetails(@Nullable String responseModel, @Nullable String responseId, @Nullable Usage usage,
                           @Nullable String finishReason, Map<String, Integer> toolCallCounts,
                           @Nullable PricingTier pricingTier, @Nullable String errorType,
                           @Nullable String errorMessage, @Nullable Usage billedUsage, @Nullable String imageQuality,
                           @Nullable String imageSize) {
        this(responseModel, responseId, usage, finishReason, toolCallCounts, pricingTier, errorType, errorMessage,
                billedUsage, imageQuality, imageSize, null, null);
    }

    /**
     * Details without a separate billed usage or image variant.
     *
     * @param responseModel the model snapshot that answered
     * @param responseId the provider's response id
     * @param usage the usage, or null
     * @param finishReason why generation stopped
     * @param toolCallCounts tool calls by type
     * @param pricingTier the tier the provider says it served, if any
     * @param errorType the provider's error type
     * @param errorMessage the provider's error message
     */
    public ResponseDetails(@Nullable String responseModel, @Nullable String responseId, @Nullable Usage usage,
                           @Nullable String finishReason, Map<String, Integer> toolCallCounts,
                           @Nullable PricingTier pricingTier, @Nullable String errorType,
                           @Nullable String errorMessage) {
        this(responseModel, responseId, usage, finishReason, toolCallCounts, pricingTier, errorType, errorMessage,
                null, null, null, null, null);
    }

    /**
     * A response that could not be read: it says nothing, and why.
     *
     * @param problem what was wrong with it, e.g. {@code "not JSON"}
     * @return the details
     */
    public static ResponseDetails unreadable(String problem) {
        return new ResponseDetails(null, null, null, null, Map.of(), null, null, null, null, null, null,
                Objects.requireNonNull(problem, "problem"), null);
    }

    /**
     * These details completed with what the request said: its pricing tier, image quality and image size where
     * the response does not state them. The WebClient filter calls it before handing the details over.
     *
     * @param request what the request said
     * @return the completed details (this when nothing changes)
     */
    public ResponseDetails withRequest(RequestDetails request) {
        PricingTier tier = pricingTier != null ? pricingTier : request.pricingTier();
        String quality = imageQuality != null ? imageQuality : request.imageQuality();
        String size = imageSize != null ? imageSize : request.imageSize();
        if (tier == pricingTier && quality == imageQuality && size == imageSize) {
            return this;
        }
        return new ResponseDetails(responseModel, responseId, usage, finishReason, toolCallCounts, tier, errorType,
                errorMessage, billedUsage, quality, size, readProblem, statedCost, upstreamProvider);
    }

    /** The error type of an HTTP error whose body names none: {@value}. */
    public static final String HTTP_ERROR = "http_error";

    /**
     * These details, for a response of this HTTP status: a status of 400 or more whose body named no error gets the
     * error type {@value #HTTP_ERROR} and the message {@code HTTP <status>}. Every capture path applies the same
     * rule, so a failure is typed alike whichever path saw it.
     *
     * @param status the HTTP status
     * @return the details (this when the status is not an error or the body named one)
     */
    public ResponseDetails withHttpStatus(int status) {
        if (status < 400 || errorType != null) {
            return this;
        }
        return new ResponseDetails(responseModel, responseId, usage, finishReason, toolCallCounts, pricingTier,
                HTTP_ERROR, "HTTP " + status, billedUsage, imageQuality, imageSize, readProblem, statedCost,
                upstreamProvider);
    }

    /**
     * These details with the provider a router passed the call on to, as the answer's headers name it (the Hugging
     * Face router's {@code x-inference-provider}): it wins over what the body says.
     *
     * @param provider the upstream provider, as the router names it
     * @return the details (this when it is already the one)
     */
    public ResponseDetails withUpstreamProvider(String provider) {
        Objects.requireNonNull(provider, "provider");
        if (provider.equals(upstreamProvider)) {
            return this;
        }
        return new ResponseDetails(responseModel, responseId, usage, finishReason, toolCallCounts, pricingTier,
                errorType, errorMessage, billedUsage, imageQuality, imageSize, readProblem, statedCost, provider);
    }

    /** These details, said to come from a response that could not be read (or not all of it). */
    ResponseDetails withReadProblem(String problem) {
        return new ResponseDetails(responseModel, responseId, usage, finishReason, toolCallCounts, pricingTier,
                errorType, errorMessage, billedUsage, imageQuality, imageSize, problem, statedCost, upstreamProvider);
    }

    /**
     * The usage to price: {@link #billedUsage()} when the provider stated one and {@code usage} is this
     * response's own usage, else {@code usage}.
     *
     * @param usage the usage recorded for the call (the response's, or one given by hand)
     * @return the usage to price
     */
    public Usage billableUsage(Usage usage) {
        return billedUsage != null && usage.equals(this.usage) ? billedUsage : usage;
    }
}
