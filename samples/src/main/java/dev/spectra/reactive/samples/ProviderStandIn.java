package dev.spectra.reactive.samples;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A local stand-in for the providers, so the sample runs with no network and no API keys: one Reactor Netty
 * server per provider on 127.0.0.1, answering in each provider's real wire format with realistic usage and
 * delays. OpenAI chat completions (JSON, and SSE with or without {@code stream_options.include_usage}), the
 * OpenAI Responses API (JSON and SSE), Anthropic messages (JSON and SSE, with prompt-cache reads on long
 * prompts) and Gemini {@code generateContent} / {@code streamGenerateContent?alt=sse}.
 *
 * <p>Usage and text are deterministic for a given request body (seeded by it), response ids unique per call, and every {@value #RATE_LIMIT_EVERY}th
 * chat request is answered 429 the way the provider does, so the sample also shows failures.
 */
public final class ProviderStandIn implements AutoCloseable {

    /** Every n-th request to a JSON endpoint is rate limited (429). */
    public static final int RATE_LIMIT_EVERY = 17;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String[] WORDS = ("Spectra tracks every call so the bill is never a surprise . The invoice "
            + "totals match the ledger and the tax lines are consistent . Three items need review before payment "
            + "is approved , and the vendor terms allow thirty days . Summary : the quarter closed within budget .")
            .split(" ");

    private final DisposableServer openai;
    private final DisposableServer anthropic;
    private final DisposableServer gemini;
    private final double speed;
    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

    private ProviderStandIn(double speed) {
        this.speed = speed;
        this.openai = bind(this::openai);
        this.anthropic = bind(this::anthropic);
        this.gemini = bind(this::gemini);
    }

    /**
     * Starts the three servers.
     *
     * @param speed time scale of the simulated delays: 1.0 is realistic, 0.1 ten times faster (tests)
     * @return the running stand-in
     */
    public static ProviderStandIn start(double speed) {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be positive, was " + speed);
        }
        return new ProviderStandIn(speed);
    }

    /** @return base URL of the OpenAI stand-in, e.g. {@code http://127.0.0.1:41235} */
    public String openAiBaseUrl() {
        return "http://127.0.0.1:" + openai.port();
    }

    /** @return base URL of the Anthropic stand-in */
    public String anthropicBaseUrl() {
        return "http://127.0.0.1:" + anthropic.port();
    }

    /** @return base URL of the Gemini stand-in */
    public String geminiBaseUrl() {
        return "http://127.0.0.1:" + gemini.port();
    }

    /** @return requests answered so far */
    public long requests() {
        return requests.get();
    }

    @Override
    public void close() {
        openai.disposeNow(Duration.ofSeconds(5));
        anthropic.disposeNow(Duration.ofSeconds(5));
        gemini.disposeNow(Duration.ofSeconds(5));
    }

    private interface Handler {
        Mono<Void> handle(HttpServerRequest req, HttpServerResponse res, JsonNode body);
    }

    private DisposableServer bind(Handler handler) {
        return HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> req.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("{}")
                        .flatMap(text -> {
                            requests.incrementAndGet();
                            JsonNode body;
                            try {
                                body = JSON.readTree(text);
                            } catch (RuntimeException e) {
                                return error(res, 400, "{\"error\":{\"message\":\"could not parse the JSON body\","
                                        + "\"type\":\"invalid_request_error\"}}");
                            }
                            return handler.handle(req, res, body);
                        }))
                .bindNow(Duration.ofSeconds(10));
    }

    // ------------------------------------------------------------------------------------------ OpenAI

    private Mono<Void> openai(HttpServerRequest req, HttpServerResponse res, JsonNode body) {
        String path = req.path();
        Call call = new Call(body, snapshot(body.path("model").asString("gpt-4o")));
        boolean stream = body.path("stream").asBoolean(false);
        if (path.endsWith("v1/chat/completions")) {
            if (!stream && call.rateLimited()) {
                return error(res, 429, "{\"error\":{\"message\":\"Rate limit reached for " + call.model
                        + " on tokens per min (TPM): Limit 30000, Used 29874. Please try again in 1.2s.\","
                        + "\"type\":\"tokens\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
            }
            return stream ? sse(res, chatChunks(call, body.path("stream_options").path("include_usage").asBoolean(false)),
                    "\n\n") : json(res, call, chatCompletion(call));
        }
        if (path.endsWith("v1/responses")) {
            return stream ? sse(res, responseEvents(call), "\n\n") : json(res, call, response(call));
        }
        return error(res, 404, "{\"error\":{\"message\":\"Unknown path " + path + "\",\"type\":\"invalid_request_error\"}}");
    }

    private ObjectNode chatCompletion(Call c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", "chatcmpl-" + c.id(29)).put("object", "chat.completion").put("created", c.created)
                .put("model", c.model);
        ObjectNode choice = n.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", c.text()).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        n.set("usage", chatUsage(c));
        n.put("service_tier", "default").put("system_fingerprint", "fp_" + c.id(10));
        return n;
    }

    private ObjectNode chatUsage(Call c) {
        ObjectNode u = JSON.createObjectNode();
        u.put("prompt_tokens", c.input).put("completion_tokens", c.output).put("total_tokens", c.input + c.output);
        u.putObject("prompt_tokens_details").put("cached_tokens", c.cached).put("audio_tokens", 0);
        u.putObject("completion_tokens_details").put("reasoning_tokens", c.reasoning).put("audio_tokens", 0)
                .put("accepted_prediction_tokens", 0).put("rejected_prediction_tokens", 0);
        return u;
    }

    private List<Timed> chatChunks(Call c, boolean includeUsage) {
        List<Timed> out = new ArrayList<>();
        String id = "chatcmpl-" + c.id(29);
        List<String> pieces = c.pieces();
        for (int i = 0; i <= pieces.size(); i++) {
            ObjectNode n = JSON.createObjectNode();
            n.put("id", id).put("object", "chat.completion.chunk").put("created", c.created).put("model", c.model)
                    .put("service_tier", "default").put("system_fingerprint", "fp_" + c.id(10));
            ObjectNode choice = n.putArray("choices").addObject();
            choice.put("index", 0);
            ObjectNode delta = choice.putObject("delta");
            if (i == 0) {
                delta.put("role", "assistant").put("content", "").putNull("refusal");
            }
            if (i > 0) {
                delta.put("content", pieces.get(i - 1));
            }
            if (i == pieces.size()) {
                choice.put("finish_reason", "stop");
            } else {
                choice.putNull("finish_reason");
            }
            if (includeUsage) {
                n.putNull("usage");
            }
            out.add(new Timed(i == 0 ? c.firstTokenMillis : c.chunkMillis, "data: " + n));
        }
        if (includeUsage) {
            ObjectNode n = JSON.createObjectNode();
            n.put("id", id).put("object", "chat.completion.chunk").put("created", c.created).put("model", c.model);
            n.putArray("choices");
            n.set("usage", chatUsage(c));
            out.add(new Timed(1, "data: " + n));
        }
        out.add(new Timed(1, "data: [DONE]"));
        return out;
    }

    private ObjectNode response(Call c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", "resp_" + c.id(48)).put("object", "response").put("created_at", c.created)
                .put("status", "completed").put("model", c.model);
        ObjectNode msg = n.putArray("output").addObject();
        msg.put("type", "message").put("id", "msg_" + c.id(48)).put("status", "completed").put("role", "assistant");
        msg.putArray("content").addObject().put("type", "output_text").put("text", c.text()).putArray("annotations");
        ObjectNode u = n.putObject("usage");
        u.put("input_tokens", c.input).putObject("input_tokens_details").put("cached_tokens", c.cached);
        u.put("output_tokens", c.output).putObject("output_tokens_details").put("reasoning_tokens", c.reasoning);
        u.put("total_tokens", c.input + c.output);
        n.put("service_tier", "default");
        return n;
    }

    private List<Timed> responseEvents(Call c) {
        List<Timed> out = new ArrayList<>();
        ObjectNode created = response(c);
        created.put("status", "in_progress").putNull("usage");
        ((ArrayNode) created.get("output")).removeAll();
        out.add(new Timed(c.firstTokenMillis / 2, event("response.created",
                JSON.createObjectNode().put("type", "response.created").put("sequence_number", 0).set("response", created))));
        int seq = 1;
        for (String piece : c.pieces()) {
            ObjectNode d = JSON.createObjectNode().put("type", "response.output_text.delta").put("sequence_number", seq++)
                    .put("output_index", 0).put("content_index", 0).put("delta", piece);
            out.add(new Timed(seq == 2 ? c.firstTokenMillis / 2 : c.chunkMillis, event("response.output_text.delta", d)));
        }
        ObjectNode done = JSON.createObjectNode().put("type", "response.completed").put("sequence_number", seq);
        done.set("response", response(c));
        out.add(new Timed(1, event("response.completed", done)));
        return out;
    }

    // ------------------------------------------------------------------------------------------ Anthropic

    private Mono<Void> anthropic(HttpServerRequest req, HttpServerResponse res, JsonNode body) {
        Call call = new Call(body, snapshot(body.path("model").asString("claude-sonnet-4-5")));
        if (!req.path().endsWith("v1/messages")) {
            return error(res, 404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"Not found\"}}");
        }
        boolean stream = body.path("stream").asBoolean(false);
        if (!stream && call.rateLimited()) {
            return error(res, 429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":"
                    + "\"Number of request tokens has exceeded your per-minute rate limit\"}}");
        }
        // Anthropic reports input_tokens without the cache: the cached part goes to cache_read_input_tokens
        return stream ? sse(res, messageEvents(call), "\n\n") : json(res, call, message(call));
    }

    private ObjectNode message(Call c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", "msg_" + c.id(24)).put("type", "message").put("role", "assistant").put("model", c.model);
        n.putArray("content").addObject().put("type", "text").put("text", c.text());
        n.put("stop_reason", "end_turn").putNull("stop_sequence");
        n.set("usage", anthropicUsage(c, c.output));
        return n;
    }

    private ObjectNode anthropicUsage(Call c, long output) {
        return JSON.createObjectNode().put("input_tokens", c.input - c.cached).put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", c.cached).put("output_tokens", output).put("service_tier", "standard");
    }

    private List<Timed> messageEvents(Call c) {
        List<Timed> out = new ArrayList<>();
        ObjectNode start = message(c);
        ((ArrayNode) start.get("content")).removeAll();
        start.putNull("stop_reason");
        start.set("usage", anthropicUsage(c, 1));
        out.add(new Timed(c.firstTokenMillis, event("message_start",
                JSON.createObjectNode().put("type", "message_start").set("message", start))));
        out.add(new Timed(1, event("content_block_start", JSON.createObjectNode().put("type", "content_block_start")
                .put("index", 0).set("content_block", JSON.createObjectNode().put("type", "text").put("text", "")))));
        out.add(new Timed(1, event("ping", JSON.createObjectNode().put("type", "ping"))));
        for (String piece : c.pieces()) {
            ObjectNode d = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
            d.putObject("delta").put("type", "text_delta").put("text", piece);
            out.add(new Timed(c.chunkMillis, event("content_block_delta", d)));
        }
        out.add(new Timed(1, event("content_block_stop", JSON.createObjectNode().put("type", "content_block_stop").put("index", 0))));
        ObjectNode delta = JSON.createObjectNode().put("type", "message_delta");
        delta.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
        delta.set("usage", anthropicUsage(c, c.output)); // cumulative, as Anthropic sends it
        out.add(new Timed(1, event("message_delta", delta)));
        out.add(new Timed(1, event("message_stop", JSON.createObjectNode().put("type", "message_stop"))));
        return out;
    }

    // ------------------------------------------------------------------------------------------ Gemini

    private Mono<Void> gemini(HttpServerRequest req, HttpServerResponse res, JsonNode body) {
        String path = req.path(); // "v1beta/models/gemini-2.5-flash:generateContent"
        int models = path.indexOf("models/");
        int colon = path.lastIndexOf(':');
        if (models < 0 || colon < models) {
            return error(res, 404, "{\"error\":{\"code\":404,\"message\":\"Not found\",\"status\":\"NOT_FOUND\"}}");
        }
        String model = path.substring(models + 7, colon);
        Call call = new Call(body, model);
        if (path.endsWith(":streamGenerateContent")) {
            List<Timed> chunks = new ArrayList<>();
            List<String> pieces = call.pieces();
            for (int i = 0; i < pieces.size(); i++) {
                // every chunk carries the usage so far; the last one is final
                long soFar = call.output * (i + 1) / pieces.size();
                ObjectNode n = generateContent(call, pieces.get(i), i == pieces.size() - 1 ? "STOP" : null, soFar);
                chunks.add(new Timed(i == 0 ? call.firstTokenMillis : call.chunkMillis, "data: " + n));
            }
            return sse(res, chunks, "\r\n\r\n");
        }
        if (call.rateLimited()) {
            return error(res, 429, "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted (e.g. check "
                    + "quota).\",\"status\":\"RESOURCE_EXHAUSTED\"}}");
        }
        return json(res, call, generateContent(call, call.text(), "STOP", call.output));
    }

    private ObjectNode generateContent(Call c, String text, @Nullable String finish, long candidates) {
        ObjectNode n = JSON.createObjectNode();
        ObjectNode cand = n.putArray("candidates").addObject();
        cand.putObject("content").put("role", "model").putArray("parts").addObject().put("text", text);
        if (finish != null) {
            cand.put("finishReason", finish);
        }
        cand.put("index", 0);
        // Gemini counts thoughts outside candidatesTokenCount
        long thoughts = c.reasoning;
        ObjectNode u = n.putObject("usageMetadata");
        u.put("promptTokenCount", c.input).put("candidatesTokenCount", candidates - Math.min(candidates, thoughts))
                .put("totalTokenCount", c.input + candidates);
        if (thoughts > 0) {
            u.put("thoughtsTokenCount", Math.min(candidates, thoughts));
        }
        if (c.cached > 0) {
            u.put("cachedContentTokenCount", c.cached);
        }
        n.put("modelVersion", c.model).put("responseId", c.id(22));
        return n;
    }

    // ------------------------------------------------------------------------------------------ wire helpers

    /** One piece of a stream and the delay before it, in milliseconds at speed 1. */
    private record Timed(long delayMillis, String text) {
    }

    private static String event(String name, JsonNode data) {
        return "event: " + name + "\ndata: " + data;
    }

    private Mono<Void> json(HttpServerResponse res, Call c, JsonNode body) {
        byte[] bytes = JSON.writeValueAsBytes(body);
        return Mono.delay(scaled(c.jsonMillis)).then(res.header("content-type", "application/json")
                .header("x-request-id", "req_" + c.id(20))
                .sendByteArray(Mono.just(bytes)).then());
    }

    private Mono<Void> sse(HttpServerResponse res, List<Timed> events, String separator) {
        Flux<ByteBuf> body = Flux.fromIterable(events)
                .concatMap(e -> Mono.delay(scaled(e.delayMillis())).thenReturn(e))
                .map(e -> res.alloc().buffer().writeBytes((e.text() + separator).getBytes(StandardCharsets.UTF_8)));
        return res.header("content-type", "text/event-stream; charset=utf-8").header("cache-control", "no-cache")
                .send(body, b -> true).then();
    }

    private static Mono<Void> error(HttpServerResponse res, int status, String json) {
        return res.status(HttpResponseStatus.valueOf(status)).header("content-type", "application/json")
                .sendString(Mono.just(json)).then();
    }

    private Duration scaled(long millis) {
        return Duration.ofNanos((long) (millis * 1_000_000L * speed));
    }

    /** The snapshot a provider answers with for a model alias, as the real APIs do. */
    static String snapshot(String model) {
        return switch (model.toLowerCase(Locale.ROOT)) {
            case "gpt-4o" -> "gpt-4o-2024-08-06";
            case "gpt-4o-mini" -> "gpt-4o-mini-2024-07-18";
            case "gpt-4.1-mini" -> "gpt-4.1-mini-2025-04-14";
            case "o4-mini" -> "o4-mini-2025-04-16";
            case "claude-sonnet-4-5" -> "claude-sonnet-4-5-20250929";
            case "claude-haiku-4-5" -> "claude-haiku-4-5-20251001";
            default -> model;
        };
    }

    /** The simulated outcome of one request, derived from its body so answers are reproducible. */
    private final class Call {
        final String model;
        final long created = 1_764_000_000L;
        final long input;
        final long output;
        final long cached;
        final long reasoning;
        final long firstTokenMillis;
        final long chunkMillis;
        final long jsonMillis;
        final SplittableRandom random;
        final List<String> pieces;
        final String idChars;
        final long seq = requests.get();

        Call(JsonNode body, String model) {
            this.model = model;
            String text = body.toString();
            this.random = new SplittableRandom(text.hashCode() * 31L + model.hashCode());
            // about 4 characters per token, plus the chat template
            this.input = 12 + text.length() / 4;
            int words = 20 + random.nextInt(60);
            boolean reasoningModel = model.startsWith("o") || model.startsWith("gemini-2.5");
            this.reasoning = reasoningModel ? 64 + random.nextInt(512) : 0;
            this.output = Math.round(words * 1.3) + reasoning;
            this.cached = input >= 1024 ? (input / 128) * 128 - 128 : 0;
            this.firstTokenMillis = 150 + random.nextInt(250);
            this.chunkMillis = 15 + random.nextInt(25);
            this.jsonMillis = 300 + random.nextInt(700);
            List<String> p = new ArrayList<>(words);
            int start = random.nextInt(WORDS.length);
            for (int i = 0; i < words; i++) {
                p.add((i == 0 ? "" : " ") + WORDS[(start + i) % WORDS.length]);
            }
            this.pieces = List.copyOf(p);
            // ids are unique per call (a repeated prompt is a new call, stored again), usage is per request body
            SplittableRandom ids = new SplittableRandom(seq * 0x9E3779B97F4A7C15L ^ text.hashCode());
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            StringBuilder b = new StringBuilder(64);
            for (int i = 0; i < 64; i++) {
                b.append(alphabet.charAt(ids.nextInt(alphabet.length())));
            }
            this.idChars = b.toString();
        }

        boolean rateLimited() {
            return seq % RATE_LIMIT_EVERY == 0;
        }

        String text() {
            return String.join("", pieces);
        }

        List<String> pieces() {
            return pieces;
        }

        /** The same id for the same length: a response keeps its id across the events of a stream. */
        String id(int length) {
            return idChars.substring(0, length);
        }
    }
}
