package dev.spectra.reactive.samples;

import java.util.List;
import java.util.Map;

import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.TrackedCall;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The small reactive service of the demo: an assistant of an invoicing product that calls OpenAI, Anthropic and
 * Gemini. Each method uses one of Spectra's capture paths, as a real service would pick whichever fits:
 *
 * <ul>
 *   <li>{@link #summarize} and {@link #chat}: a {@code WebClient} with {@link SpectraExchangeFilter}: nothing in
 *       the code mentions tracking (JSON and SSE);</li>
 *   <li>{@link #research}: the filter on the Responses API stream;</li>
 *   <li>{@link #triage}: {@code Spectra.track(...)}, whose callback adds what only the call knows;</li>
 *   <li>{@link #classify}: {@code .transform(Spectra.tracked(...))} on a plain {@code WebClient} call;</li>
 *   <li>{@link #liveAnswer}: {@code .transform(Spectra.stream(...))} on an SSE stream;</li>
 *   <li>{@link #batchItem}: {@code startCall} / {@code recordSuccess} at the batch tier.</li>
 * </ul>
 * Calls made through the filtered clients are recorded by the filter; the plain clients are used where an
 * operator records the call, so no call is recorded twice.
 */
final class InvoiceAssistant {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebClient openai;
    private final WebClient openaiPlain;
    private final WebClient anthropicPlain;
    private final WebClient geminiPlain;

    /**
     * @param openaiUrl base URL of OpenAI (or its stand-in)
     * @param openaiKey the key sent as a bearer token
     * @param anthropicUrl base URL of Anthropic (or its stand-in)
     * @param anthropicKey the key sent as {@code x-api-key}
     * @param geminiUrl base URL of Gemini (or its stand-in)
     * @param geminiKey the key sent as {@code x-goog-api-key}
     * @param filter the tracking filter of the filtered clients
     */
    InvoiceAssistant(String openaiUrl, String openaiKey, String anthropicUrl, String anthropicKey, String geminiUrl,
                     String geminiKey, SpectraExchangeFilter filter) {
        WebClient.Builder oa = WebClient.builder().baseUrl(openaiUrl)
                .defaultHeader("Authorization", "Bearer " + openaiKey);
        this.openai = oa.clone().filter(filter).build();
        this.openaiPlain = oa.build();
        this.anthropicPlain = WebClient.builder().baseUrl(anthropicUrl).defaultHeader("x-api-key", anthropicKey)
                .defaultHeader("anthropic-version", "2023-06-01").build();
        this.geminiPlain = WebClient.builder().baseUrl(geminiUrl).defaultHeader("x-goog-api-key", geminiKey).build();
    }

    /** Filter, JSON: a chat completion summarising an invoice. */
    Mono<String> summarize(String invoice) {
        return openai.post().uri("/v1/chat/completions")
                .bodyValue(Map.of("model", "gpt-4o-mini", "messages", List.of(
                        Map.of("role", "system", "content", "You summarise invoices for accountants."),
                        Map.of("role", "user", "content", "Summarise: " + invoice))))
                .retrieve().bodyToMono(JsonNode.class)
                .map(n -> n.path("choices").path(0).path("message").path("content").asString(""));
    }

    /** Filter, SSE: a streamed chat answer; the filter adds {@code stream_options.include_usage}. */
    Flux<String> chat(String question) {
        return openai.post().uri("/v1/chat/completions")
                .bodyValue(Map.of("model", "gpt-4o", "stream", true, "messages",
                        List.of(Map.of("role", "user", "content", question))))
                .accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve().bodyToFlux(String.class)
                .filter(data -> !data.equals("[DONE]"))
                .map(data -> JSON.readTree(data).path("choices").path(0).path("delta").path("content").asString(""))
                .filter(text -> !text.isEmpty());
    }

    /** Filter, SSE: the Responses API, streamed, collected into one text. */
    Mono<String> research(String topic) {
        return openai.post().uri("/v1/responses")
                .bodyValue(Map.of("model", "o4-mini", "stream", true, "input", "Research notes on " + topic))
                .accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve().bodyToFlux(String.class)
                .map(JSON::readTree)
                .filter(event -> "response.output_text.delta".equals(event.path("type").asString("")))
                .map(event -> event.path("delta").asString(""))
                .reduce("", String::concat);
    }

    /** {@code Spectra.track}: the callback knows the ticket's priority and adds it to the record. */
    Mono<JsonNode> triage(String ticket, String priority) {
        return Spectra.track("anthropic", "claude-sonnet-4-5", call -> {
            call.addMetadata("priority", priority);
            if (priority.equals("urgent")) {
                call.addTag("escalation");
            }
            return anthropicPlain.post().uri("/v1/messages")
                    .bodyValue(Map.of("model", "claude-sonnet-4-5", "max_tokens", 512, "messages",
                            List.of(Map.of("role", "user", "content", "Triage this support ticket: " + ticket))))
                    .retrieve().bodyToMono(JsonNode.class);
        });
    }

    /** {@code .transform(Spectra.tracked(...))}: a Gemini classification. */
    Mono<JsonNode> classify(String text) {
        return geminiPlain.post().uri("/v1beta/models/gemini-2.5-flash:generateContent")
                .bodyValue(Map.of("contents", List.of(Map.of("role", "user", "parts",
                        List.of(Map.of("text", "Classify the intent of: " + text))))))
                .retrieve().bodyToMono(JsonNode.class)
                .transform(Spectra.tracked("gemini", "gemini-2.5-flash"));
    }

    /** {@code .transform(Spectra.stream(...))}: an Anthropic stream read as SSE data payloads. */
    Flux<String> liveAnswer(String question) {
        return anthropicPlain.post().uri("/v1/messages")
                .bodyValue(Map.of("model", "claude-haiku-4-5", "max_tokens", 256, "stream", true, "messages",
                        List.of(Map.of("role", "user", "content", question))))
                .accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve().bodyToFlux(String.class)
                .transform(Spectra.stream("anthropic", "claude-haiku-4-5", TrackOptions.tags("live")))
                .map(JSON::readTree)
                .filter(event -> "content_block_delta".equals(event.path("type").asString("")))
                .map(event -> event.path("delta").path("text").asString(""));
    }

    /**
     * {@code startCall} / {@code recordSuccess}: one item of a nightly batch, recorded at the batch tier, as a
     * Batch API's output file would be. The call itself goes through a plain client. Deferred: the request starts
     * (and its start time is taken) when the item is subscribed, not when the pipeline is assembled.
     */
    Mono<TrackedRequest> batchItem(String batchId, String customId, String invoice) {
        return Mono.defer(() -> {
            TrackedCall call = Spectra.startCall("openai", "gpt-4o-mini", TrackOptions.builder()
                    .pricingTier(PricingTier.BATCH).endpoint("/v1/chat/completions").operation("chat")
                    .metadata("batch_id", batchId).metadata("custom_id", customId).tags("batch").build());
            return openaiPlain.post().uri("/v1/chat/completions")
                    .bodyValue(Map.of("model", "gpt-4o-mini", "messages",
                            List.of(Map.of("role", "user", "content", "Extract the line items of: " + invoice))))
                    .retrieve().bodyToMono(JsonNode.class)
                    .flatMap(json -> Spectra.recordSuccess(call, json))
                    .onErrorResume(e -> Spectra.recordFailure(call, e));
        });
    }
}
