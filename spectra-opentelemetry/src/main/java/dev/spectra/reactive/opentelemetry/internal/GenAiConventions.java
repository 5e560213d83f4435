package dev.spectra.reactive.opentelemetry.internal;

import java.util.List;
import java.util.Map;

import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.Cost;
import dev.spectra.reactive.RequestColumn;
import io.opentelemetry.api.common.AttributeKey;
import org.jspecify.annotations.Nullable;

/**
 * What the GenAI semantic conventions (open-telemetry/semantic-conventions-genai, status development) say beyond the
 * attribute names of {@link RequestColumn#otelAttribute()}: their well-known values for providers and operations,
 * the metrics with their advised bucket boundaries, and the older names some tools still read.
 */
public final class GenAiConventions {

    /** {@code gen_ai.token.type}: which tokens a point of {@link #TOKEN_USAGE} counts. */
    public static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
    /** The currency of {@code gen_ai.usage.cost.amount} (semantic-conventions PR #443, a proposal). */
    public static final AttributeKey<String> COST_CURRENCY = AttributeKey.stringKey("gen_ai.usage.cost.currency");
    /** Where the cost comes from: {@code provider} (stated by the provider) or {@code local} (priced here). */
    public static final AttributeKey<String> COST_SOURCE = AttributeKey.stringKey("gen_ai.usage.cost.source");
    /**
     * The value of {@link #COST_SOURCE}: {@code provider} when the total is the provider's own figure, else
     * {@code local}.
     *
     * @param cost the record's cost, null when not priced
     * @return the value
     */
    public static String costSource(@Nullable Cost cost) {
        return cost != null && cost.source() == Cost.Source.PROVIDER ? "provider" : "local";
    }

    /** The prefix of allow-listed metadata keys: {@code spectra.metadata.<key>}. */
    public static final String METADATA_PREFIX = RequestColumn.METADATA.otelAttribute() + ".";

    /** Older name of {@code gen_ai.provider.name}, with its own values. */
    public static final AttributeKey<String> LEGACY_SYSTEM = AttributeKey.stringKey("gen_ai.system");
    /** Older name of {@code gen_ai.usage.input_tokens}. */
    public static final AttributeKey<Long> LEGACY_PROMPT_TOKENS = AttributeKey.longKey("gen_ai.usage.prompt_tokens");
    /** Older name of {@code gen_ai.usage.output_tokens}. */
    public static final AttributeKey<Long> LEGACY_COMPLETION_TOKENS =
            AttributeKey.longKey("gen_ai.usage.completion_tokens");

    /** The opt-in value of {@code OTEL_SEMCONV_STABILITY_OPT_IN} for the latest GenAI conventions. */
    public static final String LATEST_EXPERIMENTAL = "gen_ai_latest_experimental";

    /** Histogram {@code {token}} of input and output tokens per call, by {@link #TOKEN_TYPE}. */
    public static final String TOKEN_USAGE = "gen_ai.client.token.usage";
    /** Histogram in seconds of each call's duration. */
    public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";
    /** Histogram in seconds from the start of a streamed call to its first chunk. */
    public static final String TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";
    /** Counter of the cost in USD of priced calls; no convention names one yet. */
    public static final String COST = "spectra.client.cost";

    /** Advised boundaries of {@link #TOKEN_USAGE}: powers of 4 from 1 to 4^13. */
    public static final List<Long> TOKEN_BUCKETS = List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L,
            262144L, 1048576L, 4194304L, 16777216L, 67108864L);
    /** Advised boundaries, in seconds, of {@link #OPERATION_DURATION} and {@link #TIME_TO_FIRST_CHUNK}. */
    public static final List<Double> SECONDS_BUCKETS = List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56,
            5.12, 10.24, 20.48, 40.96, 81.92);

    /** Spectra's provider ids whose {@code gen_ai.provider.name} differs from the id, or that it names. */
    private static final Map<String, String> PROVIDER_NAMES = Map.ofEntries(
            Map.entry("openai", "openai"),
            Map.entry("azure", "azure.ai.openai"),
            Map.entry("anthropic", "anthropic"),
            Map.entry("gemini", "gcp.gemini"),
            Map.entry("vertex", "gcp.vertex_ai"),
            Map.entry("vertex_ai", "gcp.vertex_ai"),
            Map.entry("bedrock", "aws.bedrock"),
            Map.entry("mistral", "mistral_ai"),
            Map.entry("groq", "groq"),
            Map.entry("deepseek", "deepseek"),
            Map.entry("xai", "x_ai"),
            Map.entry("cohere", "cohere"),
            Map.entry("perplexity", "perplexity"),
            Map.entry("watsonx", "ibm.watsonx.ai"),
            Map.entry("moonshot", "moonshot_ai"));

    /** The same for {@code gen_ai.system}, whose values were different. */
    private static final Map<String, String> LEGACY_SYSTEM_NAMES = Map.ofEntries(
            Map.entry("azure", "az.ai.openai"),
            Map.entry("gemini", "gemini"),
            Map.entry("vertex", "vertex_ai"),
            Map.entry("vertex_ai", "vertex_ai"),
            Map.entry("bedrock", "aws.bedrock"),
            Map.entry("mistral", "mistral_ai"),
            Map.entry("xai", "xai"),
            Map.entry("watsonx", "ibm.watsonx.ai"));

    /** Spectra's operations whose {@code gen_ai.operation.name} differs; others keep their own. */
    private static final Map<String, String> OPERATION_NAMES = Map.of(
            "messages", "chat",
            "responses", "chat",
            "completions", "text_completion",
            "fim", "text_completion",
            "generate", "text_completion");

    private GenAiConventions() {
    }

    /**
     * @param provider Spectra's provider id
     * @return the convention's well-known value, or the id itself for a provider it does not name
     */
    public static String providerName(String provider) {
        return PROVIDER_NAMES.getOrDefault(provider, provider);
    }

    /**
     * @param provider Spectra's provider id
     * @return the value of the older {@code gen_ai.system}
     */
    public static String legacySystem(String provider) {
        return LEGACY_SYSTEM_NAMES.getOrDefault(provider, provider);
    }

    /**
     * @param operation the record's operation, or null
     * @param modelType the record's model type, or null
     * @return the convention's operation name: its well-known value where Spectra's differs, the record's own
     *         otherwise, and for a record without one, what its model type implies ({@code embeddings} or
     *         {@code chat})
     */
    public static String operationName(@Nullable String operation, @Nullable ModelType modelType) {
        if (operation == null) {
            return modelType == ModelType.EMBEDDING ? "embeddings" : modelType == null || modelType == ModelType.TEXT
                    ? "chat" : modelType.id();
        }
        return OPERATION_NAMES.getOrDefault(operation, operation);
    }

    /**
     * Whether the older names are emitted when the builder was not told: only when
     * {@code OTEL_SEMCONV_STABILITY_OPT_IN} is set and does not opt in to the latest GenAI conventions, which is
     * how instrumentations that still default to the older names read it.
     *
     * @param optIn the value of {@code OTEL_SEMCONV_STABILITY_OPT_IN}, or null when not set
     * @return true to emit the older names beside the current ones
     */
    public static boolean legacyFromOptIn(@Nullable String optIn) {
        if (optIn == null || optIn.isBlank()) {
            return false;
        }
        for (String part : optIn.split(",")) {
            if (part.trim().equals(LATEST_EXPERIMENTAL)) {
                return false;
            }
        }
        return true;
    }
}
