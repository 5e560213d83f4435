package dev.spectra.reactive.provider;

import static dev.spectra.reactive.ModelType.EMBEDDING;
import static dev.spectra.reactive.ModelType.IMAGE;
import static dev.spectra.reactive.ModelType.STT;
import static dev.spectra.reactive.ModelType.TEXT;
import static dev.spectra.reactive.ModelType.TTS;
import static dev.spectra.reactive.provider.WireFormat.ANTHROPIC_MESSAGES;
import static dev.spectra.reactive.provider.WireFormat.BEDROCK_CONVERSE;
import static dev.spectra.reactive.provider.WireFormat.COHERE;
import static dev.spectra.reactive.provider.WireFormat.GEMINI;
import static dev.spectra.reactive.provider.WireFormat.OLLAMA;
import static dev.spectra.reactive.provider.WireFormat.OPENAI_AUDIO;
import static dev.spectra.reactive.provider.WireFormat.OPENAI_CHAT;
import static dev.spectra.reactive.provider.WireFormat.OPENAI_EMBEDDINGS;
import static dev.spectra.reactive.provider.WireFormat.OPENAI_IMAGES;
import static dev.spectra.reactive.provider.WireFormat.OPENAI_RESPONSES;

import java.util.ArrayList;
import java.util.List;

/** The providers of {@link ProviderRegistry#builtIn()}, with the hosts and paths their public APIs document. */
final class BuiltInProviders {

    private BuiltInProviders() {
    }

    static List<Provider> all() {
        return List.of(
                new Provider("openai", List.of("api.openai.com"), openAi("/v1", true), OPENAI_CHAT),
                new Provider("azure", List.of("*.openai.azure.com", "*.cognitiveservices.azure.com",
                        "*.services.ai.azure.com"), azure(), OPENAI_CHAT),
                new Provider("anthropic", List.of("api.anthropic.com"), List.of(
                        Endpoint.of("/v1/messages", "messages", TEXT, ANTHROPIC_MESSAGES)), ANTHROPIC_MESSAGES),
                new Provider("gemini", List.of("generativelanguage.googleapis.com"), gemini(), GEMINI),
                new Provider("groq", List.of("api.groq.com"), openAi("/openai/v1", false), OPENAI_CHAT),
                new Provider("mistral", List.of("api.mistral.ai", "codestral.mistral.ai"), List.of(
                        Endpoint.of("/v1/chat/completions", "chat", TEXT, OPENAI_CHAT),
                        Endpoint.of("/v1/fim/completions", "fim", TEXT, OPENAI_CHAT),
                        Endpoint.of("/v1/agents/completions", "agents", TEXT, OPENAI_CHAT),
                        Endpoint.of("/v1/embeddings", "embeddings", EMBEDDING, OPENAI_EMBEDDINGS)), OPENAI_CHAT),
                new Provider("deepseek", List.of("api.deepseek.com"), List.of(
                        Endpoint.of("/chat/completions", "chat", TEXT, OPENAI_CHAT),
                        Endpoint.of("/v1/chat/completions", "chat", TEXT, OPENAI_CHAT),
                        Endpoint.of("/beta/chat/completions", "chat", TEXT, OPENAI_CHAT),
                        Endpoint.of("/completions", "completions", TEXT, OPENAI_CHAT),
                        Endpoint.of("/beta/completions", "completions", TEXT, OPENAI_CHAT),
                        Endpoint.of("/anthropic/v1/messages", "messages", TEXT, ANTHROPIC_MESSAGES)), OPENAI_CHAT),
                new Provider("xai", List.of("api.x.ai"), List.of(
                        Endpoint.of("/v1/chat/completions", "chat", TEXT, OPENAI_CHAT),
                        Endpoint.of("/v1/completions", "completions", TEXT, OPENAI_CHAT),
                        Endpoint.of("/v1/responses", "responses", TEXT, OPENAI_RESPONSES),
                        Endpoint.of("/v1/messages", "messages", TEXT, ANTHROPIC_MESSAGES),
                        Endpoint.of("/v1/embeddings", "embeddings", EMBEDDING, OPENAI_EMBEDDINGS),
                        Endpoint.of("/v1/images/generations", "images", IMAGE, OPENAI_IMAGES)), OPENAI_CHAT),
                new Provider("openrouter", List.of("openrouter.ai"), List.of(
                        Endpoint.of("/api/v1/chat/completions", "chat", TEXT, OPENAI_CHAT),
                        Endpoint.of("/api/v1/completions", "completions", TEXT, OPENAI_CHAT),
                        Endpoint.of("/api/v1/responses", "responses", TEXT, OPENAI_RESPONSES),
                        Endpoint.of("/api/v1/embeddings", "embeddings", EMBEDDING, OPENAI_EMBEDDINGS)), OPENAI_CHAT),
                new Provider("together", List.of("api.together.xyz", "api.together.ai"), List.of(
                        Endpoint.of("/v1/chat/completions", "chat", TEXT, OPENAI_CHAT),
                        Endpoint.of("/v1/completions", "completions", TEXT, OPENAI_CHAT),
                        Endpoint.of("/v1/embeddings", "embeddings", EMBEDDING, OPENAI_EMBEDDINGS),
                        Endpoint.of("/v1/images/generations", "images", IMAGE, OPENAI_IMAGES),
                        Endpoint.of("/v1/audio/transcriptions", "audio_transcription", STT, OPENAI_AUDIO)),
                        OPENAI_CHAT),
                new Provider("cohere", List.of("api.cohere.com", "api.cohere.ai"), List.of(
                        Endpoint.of("/v2/chat", "chat", TEXT, COHERE),
                        Endpoint.of("/v2/embed", "embeddings", EMBEDDING, COHERE),
                        Endpoint.of("/compatibility/v1/chat/completions", "chat", TEXT, OPENAI_CHAT),
                        Endpoint.of("/compatibility/v1/embeddings", "embeddings", EMBEDDING, OPENAI_EMBEDDINGS)),
                        COHERE),
                new Provider("vertex_ai", List.of("aiplatform.googleapis.com", "*-aiplatform.googleapis.com"),
                        vertex(), GEMINI),
                new Provider("huggingface", List.of("router.huggingface.co"), List.of(
                        Endpoint.of("/v1/chat/completions", "chat", TEXT, OPENAI_CHAT),
                        Endpoint.of("/v1/responses", "responses", TEXT, OPENAI_RESPONSES)), OPENAI_CHAT),
                // AWS Bedrock Runtime: SigV4-signed SDK traffic, read by the operators from what the SDK returns;
                // no host of its own, so the HTTP capture paths never claim an AWS host (its streams are binary
                // AWS event-stream frames)
                new Provider("bedrock", List.of(), List.of(
                        Endpoint.of("/model/{model}/converse", "chat", TEXT, BEDROCK_CONVERSE),
                        Endpoint.of("/model/{model}/converse-stream", "chat", TEXT, BEDROCK_CONVERSE)
                                .streamingByDefault()), BEDROCK_CONVERSE),
                // a local Ollama on any port (ollama serve --port, containers), and Ollama Cloud
                new Provider("ollama", List.of("localhost", "127.0.0.1", "[::1]", "ollama.com"), List.of(
                        Endpoint.of("/api/chat", "chat", TEXT, OLLAMA).streamingByDefault(),
                        Endpoint.of("/api/generate", "generate", TEXT, OLLAMA).streamingByDefault(),
                        Endpoint.of("/api/embed", "embeddings", EMBEDDING, OLLAMA),
                        Endpoint.of("/api/embeddings", "embeddings", EMBEDDING, OLLAMA),
                        Endpoint.of("/v1/chat/completions", "chat", TEXT, OPENAI_CHAT),
                        Endpoint.of("/v1/completions", "completions", TEXT, OPENAI_CHAT),
                        Endpoint.of("/v1/responses", "responses", TEXT, OPENAI_RESPONSES),
                        Endpoint.of("/v1/embeddings", "embeddings", EMBEDDING, OPENAI_EMBEDDINGS)), OLLAMA));
    }

    /** OpenAI's endpoints under a base path (Groq serves the same set under {@code /openai/v1}). */
    private static List<Endpoint> openAi(String base, boolean images) {
        List<Endpoint> list = new ArrayList<>(List.of(
                Endpoint.of(base + "/chat/completions", "chat", TEXT, OPENAI_CHAT),
                Endpoint.of(base + "/completions", "completions", TEXT, OPENAI_CHAT),
                Endpoint.of(base + "/responses", "responses", TEXT, OPENAI_RESPONSES),
                Endpoint.of(base + "/embeddings", "embeddings", EMBEDDING, OPENAI_EMBEDDINGS),
                Endpoint.of(base + "/audio/transcriptions", "audio_transcription", STT, OPENAI_AUDIO),
                Endpoint.of(base + "/audio/translations", "audio_translation", STT, OPENAI_AUDIO),
                Endpoint.of(base + "/audio/speech", "audio_speech", TTS, OPENAI_AUDIO)));
        if (images) {
            list.add(Endpoint.of(base + "/images/generations", "images", IMAGE, OPENAI_IMAGES));
            list.add(Endpoint.of(base + "/images/edits", "images", IMAGE, OPENAI_IMAGES));
            list.add(Endpoint.of(base + "/images/variations", "images", IMAGE, OPENAI_IMAGES));
        }
        return list;
    }

    private static List<Endpoint> azure() {
        String d = "/openai/deployments/{deployment}";
        List<Endpoint> list = new ArrayList<>(List.of(
                Endpoint.of(d + "/chat/completions", "chat", TEXT, OPENAI_CHAT),
                Endpoint.of(d + "/completions", "completions", TEXT, OPENAI_CHAT),
                Endpoint.of(d + "/embeddings", "embeddings", EMBEDDING, OPENAI_EMBEDDINGS),
                Endpoint.of(d + "/images/generations", "images", IMAGE, OPENAI_IMAGES),
                Endpoint.of(d + "/images/edits", "images", IMAGE, OPENAI_IMAGES),
                Endpoint.of(d + "/audio/transcriptions", "audio_transcription", STT, OPENAI_AUDIO),
                Endpoint.of(d + "/audio/translations", "audio_translation", STT, OPENAI_AUDIO),
                Endpoint.of(d + "/audio/speech", "audio_speech", TTS, OPENAI_AUDIO),
                Endpoint.of("/openai/responses", "responses", TEXT, OPENAI_RESPONSES)));
        list.addAll(openAi("/openai/v1", true));
        return list;
    }

    /**
     * Vertex AI: Gemini's wire format under the project's publisher path, and Anthropic's Messages format for
     * Claude on Vertex ({@code rawPredict}, {@code streamRawPredict}).
     */
    private static List<Endpoint> vertex() {
        String base = "/{version}/projects/{project}/locations/{location}/publishers/";
        return List.of(
                Endpoint.of(base + "google/models/{model}:generateContent", "generate_content", TEXT, GEMINI),
                Endpoint.of(base + "google/models/{model}:streamGenerateContent", "generate_content", TEXT, GEMINI)
                        .streamingByDefault(),
                Endpoint.of(base + "anthropic/models/{model}:rawPredict", "messages", TEXT, ANTHROPIC_MESSAGES),
                Endpoint.of(base + "anthropic/models/{model}:streamRawPredict", "messages", TEXT,
                        ANTHROPIC_MESSAGES).streamingByDefault());
    }

    private static List<Endpoint> gemini() {
        List<Endpoint> list = new ArrayList<>();
        for (String kind : List.of("models", "tunedModels")) {
            String m = "/{version}/" + kind + "/{model}";
            list.add(Endpoint.of(m + ":generateContent", "generate_content", TEXT, GEMINI));
            list.add(Endpoint.of(m + ":streamGenerateContent", "generate_content", TEXT, GEMINI)
                    .streamingByDefault());
        }
        list.add(Endpoint.of("/{version}/models/{model}:embedContent", "embed_content", EMBEDDING, GEMINI));
        list.add(Endpoint.of("/{version}/models/{model}:batchEmbedContents", "batch_embed_contents", EMBEDDING,
                GEMINI));
        list.addAll(openAi("/{version}/openai", false));
        return list;
    }
}
