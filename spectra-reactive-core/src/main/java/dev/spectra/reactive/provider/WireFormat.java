package dev.spectra.reactive.provider;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The API shapes Spectra reads: each knows where a whole JSON body and a stream of events state the model,
 * response id, usage, finish reason and tool calls. Register a host of your own (a vLLM, a gateway) with the
 * format it speaks, see {@link ProviderRegistry.Builder}.
 *
 * <p>Streams are framed as SSE or as a sequence of JSON objects (NDJSON or a streamed JSON array); the framing
 * is recognised from the first byte, so a format does not fix it.
 *
 * @since 0.1
 */
public enum WireFormat {

    /**
     * OpenAI Chat Completions and legacy Completions, and every API that copies them: Azure OpenAI, Groq,
     * Mistral, DeepSeek, xAI, OpenRouter, Together, Ollama's {@code /v1}, vLLM. Also reads embeddings answers.
     */
    OPENAI_CHAT,
    /** OpenAI Responses API ({@code /v1/responses}): usage from the response object or its terminal event. */
    OPENAI_RESPONSES,
    /** OpenAI-style embeddings ({@code usage.prompt_tokens}, no output tokens). */
    OPENAI_EMBEDDINGS,
    /** OpenAI image generation and edits: image count, and tokens for {@code gpt-image-1}. */
    OPENAI_IMAGES,
    /** OpenAI audio: transcriptions and translations (tokens or seconds), speech (characters, from the request). */
    OPENAI_AUDIO,
    /** Anthropic Messages: exclusive {@code input_tokens} normalised; cumulative {@code message_delta} usage. */
    ANTHROPIC_MESSAGES,
    /** Google Gemini API: {@code usageMetadata}, last one of a stream wins; thinking counted into output. */
    GEMINI,
    /** Ollama's native API: {@code prompt_eval_count} / {@code eval_count}, final {@code done: true} line. */
    OLLAMA,
    /** Cohere v2 chat and embed: {@code usage.tokens}, cache reads from {@code cached_tokens}. */
    COHERE,
    /**
     * AWS Bedrock Runtime Converse and ConverseStream, as JSON or as the AWS SDK v2's model objects: {@code usage}
     * with cache reads and writes outside {@code inputTokens} (normalised), the stream's {@code metadata} event.
     */
    BEDROCK_CONVERSE;

    /** The reader of this format; every format names its own, so a new one cannot fall through to another's. */
    FormatReader reader() {
        return switch (this) {
            case OPENAI_CHAT, OPENAI_EMBEDDINGS -> OpenAiChatReader.INSTANCE; // embeddings answers are chat-shaped
            case OPENAI_RESPONSES -> OpenAiResponsesReader.INSTANCE;
            case OPENAI_IMAGES -> OpenAiMediaReader.IMAGES;
            case OPENAI_AUDIO -> OpenAiMediaReader.AUDIO;
            case ANTHROPIC_MESSAGES -> AnthropicReader.INSTANCE;
            case GEMINI -> GeminiReader.INSTANCE;
            case OLLAMA -> OllamaReader.INSTANCE;
            case COHERE -> CohereReader.INSTANCE;
            case BEDROCK_CONVERSE -> BedrockConverseReader.INSTANCE;
        };
    }

    /**
     * The format a JSON value (a whole body or one stream payload) looks like, for calls made without an
     * endpoint; null when nothing in it is telling (an error body, an empty object).
     */
    static @Nullable WireFormat detect(JsonNode n) {
        if (n.isArray()) {
            return n.size() > 0 && n.get(0).isObject() ? detect(n.get(0)) : null;
        }
        if (!n.isObject()) {
            return null;
        }
        String type = JsonFields.text(n, "type");
        String object = JsonFields.text(n, "object");
        if (type != null) {
            if (type.startsWith("response.")) {
                return OPENAI_RESPONSES;
            }
            if (type.startsWith("message_") || type.startsWith("content_block_") || type.equals("ping")) {
                return ANTHROPIC_MESSAGES;
            }
            if (type.equals("message") && n.has("content") && !n.has("choices")) {
                return ANTHROPIC_MESSAGES;
            }
            if (type.startsWith("message-") || type.startsWith("content-") || type.startsWith("tool-call-")
                    || type.startsWith("tool-plan-") || type.startsWith("citation-")) {
                return COHERE;
            }
            if (type.startsWith("image_generation.") || type.startsWith("image_edit.")) {
                return OPENAI_IMAGES;
            }
            if (type.startsWith("transcript.") || type.startsWith("speech.")) {
                return OPENAI_AUDIO;
            }
        }
        if ("response".equals(object)) {
            return OPENAI_RESPONSES;
        }
        if (type == null && object == null && BedrockConverseReader.looksLike(n)) {
            return BEDROCK_CONVERSE;
        }
        if (n.has("choices") || (object != null && (object.startsWith("chat.completion")
                || object.equals("text_completion")))) {
            return OPENAI_CHAT;
        }
        if (n.has("candidates") || n.has("usageMetadata") || n.has("modelVersion") || n.has("promptFeedback")) {
            return GEMINI;
        }
        if ("list".equals(object) && n.has("data")) {
            return OPENAI_EMBEDDINGS;
        }
        if (n.has("prompt_eval_count") || n.has("eval_count") || JsonFields.bool(n, "done") != null) {
            return OLLAMA;
        }
        if (JsonFields.obj(n, "embedding") != null || (JsonFields.array(n, "embeddings") != null && !n.has("meta"))) {
            return GEMINI;
        }
        JsonNode usage = JsonFields.obj(n, "usage");
        if (JsonFields.obj(usage, "tokens") != null || JsonFields.obj(usage, "billed_units") != null
                || JsonFields.obj(JsonFields.obj(n, "meta"), "billed_units") != null) {
            return COHERE;
        }
        if (JsonFields.array(n, "output") != null && usage != null) {
            return OPENAI_RESPONSES;
        }
        if (n.has("text") && (usage != null || n.has("duration"))) {
            return OPENAI_AUDIO;
        }
        if (JsonFields.array(n, "data") != null && n.has("created")) {
            return OPENAI_IMAGES;
        }
        if (usage != null) {
            return OPENAI_CHAT;
        }
        return null;
    }
}
