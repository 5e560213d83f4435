package dev.spectra.reactive.internal.http;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;

import dev.spectra.reactive.TrackedCall;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.budget.BudgetEstimate;
import dev.spectra.reactive.budget.BudgetExceededException;
import dev.spectra.reactive.budget.BudgetHold;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.internal.CallObserver;
import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.RateLimitedLog;
import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.RequestDetails;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The budgets of one HTTP call made through a client integration configured with {@link SpectraBudgets}: written
 * into the Context the call is tracked with (so the tracked call tells it its handle and its record), it reserves
 * the call's estimate once the request body is known and before it is sent ({@link #reserve}), prices a streamed
 * answer event by event ({@link #responseBody}), and settles with the record.
 *
 * <p>The estimate is read from the request body: its maximum output ({@code max_tokens},
 * {@code max_completion_tokens}, {@code max_output_tokens}, Gemini's {@code generationConfig.maxOutputTokens},
 * Ollama's {@code options.num_predict}; else the budgets' default), and its input, the characters of its string
 * values at one token per four. A stream is read line by line ({@code data:} lines of server-sent events, NDJSON
 * lines); each JSON event is a chunk priced by the budgets' chunk estimate.
 */
public final class HttpBudgetCall implements CallObserver {

    /** The longest event line read for a stream's running cost: {@value} bytes; longer ones count as one chunk. */
    public static final int MAX_LINE_BYTES = 1024 * 1024;

    private static final RateLimitedLog LOG = new RateLimitedLog(HttpBudgetCall.class);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final String[] MAX_OUTPUT = {"max_tokens", "max_completion_tokens", "max_output_tokens"};

    private final SpectraBudgets budgets;
    private final ContextView view;
    private final @Nullable CallObserver previous;
    private volatile @Nullable TrackedCall call;

    // guarded by this
    private @Nullable BudgetHold hold;
    private boolean streaming;
    private @Nullable TrackedRequest record;
    private boolean recorded;
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean lineTooLong;
    private @Nullable BudgetExceededException refusal;

    private HttpBudgetCall(SpectraBudgets budgets, ContextView caller) {
        this.budgets = budgets;
        this.previous = CallObserver.in(caller);
        this.view = Context.of(caller).put(CONTEXT_KEY, this);
    }

    /**
     * @param budgets the integration's budgets
     * @param caller the caller's Context
     * @return the call's budgets; track the call with {@link #context()}
     */
    public static HttpBudgetCall start(SpectraBudgets budgets, ContextView caller) {
        return new HttpBudgetCall(Objects.requireNonNull(budgets, "budgets"), Objects.requireNonNull(caller, "caller"));
    }

    /**
     * @return the caller's Context with this call written in it: the Context to track the call with
     */
    public ContextView context() {
        return view;
    }

    /**
     * Reserves the estimate the request body gives against every matching budget. Call it with the whole body,
     * before any byte of it is sent.
     *
     * @param match the endpoint
     * @param body the request body as it will be sent
     * @return completes when reserved (or when no budget matches, or the store failed and the budgets fail open);
     *         {@link BudgetExceededException} when a hard budget refuses: send nothing then
     */
    public Mono<Void> reserve(EndpointMatch match, byte[] body) {
        String model;
        boolean stream;
        BudgetEstimate estimate;
        try {
            RequestDetails d = match.readRequest(body, 0, body.length);
            model = d.model() != null ? d.model() : HttpCallObserver.UNKNOWN_MODEL;
            stream = d.stream();
            estimate = estimate(body, budgets.defaultEstimate());
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            LOG.warn("estimate", "Spectra could not read a " + match.provider() + " request body for its budget "
                    + "estimate; the default estimate is reserved", e);
            model = HttpCallObserver.UNKNOWN_MODEL;
            stream = false;
            estimate = budgets.defaultEstimate();
        }
        boolean streams = stream;
        return budgets.hold(match.provider(), model, estimate, stream, view).doOnNext(h -> held(h, streams)).then();
    }

    private void held(BudgetHold h, boolean streams) {
        TrackedCall c = call;
        if (c != null) {
            h.track(c);
        }
        TrackedRequest r;
        boolean ended;
        synchronized (this) {
            hold = h;
            streaming = streams;
            ended = recorded;
            r = record;
        }
        if (ended) { // recorded before the hold was made: settle at once
            h.end(r);
        }
    }

    /**
     * Response bytes on their way to the caller, read in place: when the request asked for a stream, each complete
     * event is priced; otherwise nothing is done (a whole answer is settled by its record).
     *
     * @param piece the bytes between position and limit (not changed)
     * @return null to pass them on; the refusal to end the stream with once a hard budget refuses (cancel the
     *         response, do not pass these bytes on)
     */
    public @Nullable BudgetExceededException responseBody(ByteBuffer piece) {
        BudgetHold h;
        synchronized (this) {
            h = hold;
            if (h == null || !streaming || refusal != null) {
                return refusal;
            }
            for (int i = piece.position(); i < piece.limit(); i++) {
                byte b = piece.get(i);
                if (b == '\n') {
                    BudgetExceededException e = event(h);
                    if (e != null) {
                        refusal = e;
                        return e;
                    }
                } else if (!lineTooLong) {
                    if (lineLength == MAX_LINE_BYTES) {
                        lineTooLong = true;
                    } else {
                        if (lineLength == line.length) {
                            line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, line.length * 2));
                        }
                        line[lineLength++] = b;
                    }
                }
            }
        }
        return null;
    }

    /** Guarded by this: the line just ended, priced when it is a JSON event. */
    private @Nullable BudgetExceededException event(BudgetHold h) {
        int start = 0;
        int end = lineLength;
        boolean tooLong = lineTooLong;
        lineLength = 0;
        lineTooLong = false;
        if (tooLong) {
            return h.chunk(""); // an event too long to read: one chunk of no text
        }
        if (end - start >= 5 && line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a'
                && line[4] == ':') {
            start = 5;
        }
        while (start < end && (line[start] == ' ' || line[start] == '\t')) {
            start++;
        }
        while (end > start && (line[end - 1] == '\r' || line[end - 1] == ' ')) {
            end--;
        }
        if (end == start || line[start] != '{') {
            return null; // event names, ids, comments, [DONE], blank separators
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(line, start, end - start);
        } catch (RuntimeException e) {
            return null; // not JSON: not an event of the answer
        }
        return h.chunk(node);
    }

    @Override
    public void started(TrackedCall call) {
        this.call = call;
        if (previous != null) {
            previous.started(call);
        }
    }

    @Override
    public void recorded(TrackedRequest record) {
        BudgetHold h;
        synchronized (this) {
            this.record = record;
            recorded = true;
            h = hold;
        }
        if (h != null) {
            h.end(record);
        }
        if (previous != null) {
            previous.recorded(record);
        }
    }

    /** The estimate a request body gives: its maximum output, and its text at one token per four characters. */
    static BudgetEstimate estimate(byte[] body, BudgetEstimate fallback) {
        JsonNode root = MAPPER.readTree(body);
        if (root == null || !root.isObject()) {
            return fallback;
        }
        long maxOutput = -1;
        for (String field : MAX_OUTPUT) {
            maxOutput = Math.max(maxOutput, longAt(root.get(field)));
        }
        maxOutput = Math.max(maxOutput, longAt(root.path("generationConfig").get("maxOutputTokens")));
        maxOutput = Math.max(maxOutput, longAt(root.path("options").get("num_predict")));
        long chars = textLength(root, 0);
        return BudgetEstimate.of((chars + BudgetEstimate.CHARS_PER_TOKEN - 1) / BudgetEstimate.CHARS_PER_TOKEN,
                maxOutput >= 0 ? maxOutput : fallback.maxOutputTokens());
    }

    private static long longAt(@Nullable JsonNode n) {
        return n != null && n.isIntegralNumber() && n.asLong() >= 0 ? n.asLong() : -1;
    }

    private static long textLength(JsonNode node, int depth) {
        if (depth > 64) {
            return 0;
        }
        if (node.isString()) {
            return node.stringValue().length();
        }
        long n = 0;
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (!e.getKey().equals("model")) {
                    n += textLength(e.getValue(), depth + 1);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode v : node.values()) {
                n += textLength(v, depth + 1);
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return "HttpBudgetCall{" + budgets + "}";
    }
}
