package dev.spectra.reactive.internal.http;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackOptions;
import dev.spectra.reactive.TrackedCall;
import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.RateLimitedLog;
import dev.spectra.reactive.internal.SecretScrubber;
import dev.spectra.reactive.provider.EndpointMatch;
import dev.spectra.reactive.provider.RequestDetails;
import dev.spectra.reactive.provider.ResponseDetails;
import dev.spectra.reactive.provider.StreamReader;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * Observes one tracked HTTP call as its bytes pass, and records it exactly once: what the request body says
 * (model, stream flag, tier), how the response body is read (a stream event by event, a JSON answer whole), and
 * the record at the end. An HTTP client integration starts one per call with {@link HttpCapture#start}, shows it
 * the request body ({@link #requestBody}), the response status and headers ({@link #responseStarted}) and the
 * response body ({@link #responseBody}) as they pass, and tells it how the call ended: {@link #responseCompleted},
 * {@link #responseFailed}, {@link #responseCancelled}, {@link #responseClosed}, or before any response
 * {@link #exchangeFailed} and {@link #exchangeCancelled}. The first end records the call; later ones do nothing. The same bytes give the same
 * record, whatever the client.
 *
 * <p>Buffers are read in place with absolute gets, never changed, never kept: their position, limit, content and
 * (for reference-counted buffers) count are the caller's. Methods never throw: a failure of tracking is counted in
 * the tracker's {@code trackingErrors} and logged, rate-limited, and the call goes on. Thread-safe: everything is
 * serialised on this object; the record is made under that lock by the first end.
 *
 * <p>Memory, bounded per call and across calls: a copy of the request body's first {@value #REQUEST_COPY_BYTES}
 * bytes (past them a constant-size scanner), none for a request body shown whole in an array
 * ({@link #wholeRequestBody(ByteBuffer)}); for a whole response, none when it arrives in one piece of its announced
 * length, else a copy of its first 64 KiB, else a pruned copy within the response bound ({@link WholeBody}); for a
 * stream, the stream reader's state (one event at a time, bounded by the registry's event bound, and a copy of
 * one earlier event of at most 4 KiB); with payload capture, the first bytes of each body. The copies grow as
 * bytes arrive, with memory granted by the integration's {@link ByteBudget}, and give it back when the call is
 * recorded. A response that could not be read within these
 * bounds is recorded with its usage unknown, counted in the tracker's {@code readFailures} and logged.
 */
public final class HttpCallObserver {

    /** Bytes of the request body copied and read whole; past them a scanner finds model and stream flag. */
    public static final int REQUEST_COPY_BYTES = 64 * 1024;

    /** The model stored when neither the request body nor the path names one. */
    public static final String UNKNOWN_MODEL = "unknown";

    private static final RateLimitedLog LOG = new RateLimitedLog(HttpCallObserver.class);
    private static final AtomicIntegerFieldUpdater<HttpCallObserver> BODY_CLAIMED =
            AtomicIntegerFieldUpdater.newUpdater(HttpCallObserver.class, "bodyClaimed");

    private static final int MODE_NONE = 0;
    private static final int MODE_WHOLE = 1;
    private static final int MODE_STREAM = 2;
    private static final int MODE_SKIP = 3;

    private final TrackedCall call;

    /**
     * The response header in which a router names the provider it passed the call on to: the Hugging Face router's
     * {@value}.
     */
    public static final String UPSTREAM_PROVIDER_HEADER = "x-inference-provider";

    /** The {@link #UPSTREAM_PROVIDER_HEADER} of the response, when it had one. Guarded by this. */
    private @Nullable String upstreamProvider;
    private final EndpointMatch match;
    private final int captureBytes;
    private final int maxResponseBytes;
    private final ByteBudget budget;
    private volatile int bodyClaimed;

    // guarded by this
    private @Nullable BoundedBytes requestCopy;
    private @Nullable RequestScanner scanner;
    private @Nullable RequestDetails request;
    private long requestBytesRead = -1;
    private boolean responded;
    private int status = -1;
    private int mode = MODE_NONE;
    /** A JSON body, once more than one piece of it came (or one piece that could not be read at once). */
    private @Nullable WholeBody body;
    /** What a JSON body said that came whole in its first piece, read at once ({@link WholeBody#readAtOnce}). */
    private @Nullable ResponseDetails readAtOnce;
    private @Nullable StreamReader stream;
    private @Nullable BoundedBytes responsePrefix;
    private long events;
    private boolean wholeRead;
    private long responseLength = -1;
    private boolean finished;

    private HttpCallObserver(TrackedCall call, EndpointMatch match, HttpCapture capture) {
        this.call = call;
        this.match = match;
        this.captureBytes = capture.captureBytes();
        this.maxResponseBytes = capture.maxResponseBytes();
        this.budget = capture.budget();
    }

    /** Starts the call now (its start time is this moment); see {@link HttpCapture#start}. */
    static HttpCallObserver start(HttpCapture capture, SpectraTracker tracker, EndpointMatch match,
                                  ContextView context) {
        String pathModel = match.pathModel();
        TrackedCall call = tracker.startCall(match.provider(), pathModel != null ? pathModel : UNKNOWN_MODEL,
                TrackOptions.none(), context);
        call.endpoint(match.path()).operation(match.endpoint().operation()).modelType(match.endpoint().modelType());
        return new HttpCallObserver(call, match, capture);
    }

    /**
     * @return the endpoint the call was recognised as
     */
    public EndpointMatch match() {
        return match;
    }

    // ------------------------------------------------------------------------------------------ request

    /**
     * A piece of the request body on its way out: copied (or scanned), never changed.
     *
     * @param piece the bytes between position and limit
     */
    public void requestBody(ByteBuffer piece) {
        try {
            synchronized (this) {
                if (finished) {
                    return;
                }
                BoundedBytes copy = requestCopy;
                if (copy == null) {
                    copy = new BoundedBytes(REQUEST_COPY_BYTES, -1, budget);
                    requestCopy = copy;
                }
                RequestScanner s = scanner;
                if (s != null) {
                    s.feed(piece, piece.position(), piece.limit());
                    copy.skip(piece.remaining()); // full: only counts the bytes
                    return;
                }
                int keptBefore = copy.length();
                copy.copy(piece);
                if (!copy.complete()) {
                    // past the copy: a scanner reads what was copied, then the rest of this piece and later ones
                    s = new RequestScanner();
                    s.feed(copy.array(), 0, copy.length());
                    s.feed(piece, piece.position() + copy.length() - keptBefore, piece.limit());
                    scanner = s;
                }
            }
        } catch (Throwable e) {
            internalError("reading a request body", e);
        }
    }

    /**
     * The whole request body, in one buffer (a client that sends its body as a single buffer): read where it is,
     * without a copy, when it is in an accessible array and no payload is captured; else taken as
     * {@link #requestBody} takes a piece.
     *
     * @param body the bytes between position and limit; not changed, not kept
     */
    public void wholeRequestBody(ByteBuffer body) {
        try {
            synchronized (this) {
                if (finished) {
                    return;
                }
                if (captureBytes == 0 && body.hasArray() && body.remaining() <= REQUEST_COPY_BYTES
                        && requestCopy == null) {
                    request = match.readRequest(body.array(), body.arrayOffset() + body.position(), body.remaining());
                    requestBytesRead = 0; // no copy: what was read stays what the request says
                    return;
                }
            }
        } catch (Throwable e) {
            internalError("reading a request body", e);
            return;
        }
        requestBody(body);
    }

    /**
     * The whole request body at once, as sent (an integration that joins the body, or sends it from an array).
     *
     * @param body the bytes; not changed, not kept past the call
     */
    public void wholeRequestBody(byte[] body) {
        try {
            synchronized (this) {
                if (finished) {
                    return;
                }
                BoundedBytes old = requestCopy;
                if (old != null) {
                    old.release();
                }
                BoundedBytes copy = new BoundedBytes(REQUEST_COPY_BYTES, body.length, budget);
                copy.copy(body, 0, body.length);
                requestCopy = copy;
                scanner = null;
                if (!copy.complete()) { // longer than the copy (or the budget refused): scanned instead
                    RequestScanner s = new RequestScanner();
                    s.feed(body, 0, body.length);
                    scanner = s;
                }
            }
        } catch (Throwable e) {
            internalError("reading a request body", e);
        }
    }

    /**
     * The body to send in place of {@code body} when the integration adds the include-usage option
     * ({@link HttpCapture#rewritesStreamUsage}): an OpenAI chat stream request without
     * {@code stream_options.include_usage} gets {@code "stream_options":{"include_usage":true}} after its opening
     * brace, every other byte as written. Records what is sent as the whole request body.
     *
     * @param body the request body as written
     * @return the body to send: {@code body} itself when nothing is added
     */
    public byte[] withStreamUsage(byte[] body) {
        byte[] out = null;
        try {
            RequestDetails d = match.readRequest(body, 0, body.length);
            if (d.stream() && d.includeUsage() == null) {
                out = StreamUsageOption.insert(body);
            }
        } catch (RuntimeException e) {
            out = null; // leave the body as written
        }
        byte[] sent = out != null ? out : body;
        wholeRequestBody(sent);
        return sent;
    }

    /** Guarded by this: what the request said so far (read again only when more bytes came). */
    private RequestDetails requestDetails() {
        BoundedBytes copy = requestCopy;
        long seen = copy == null ? 0 : copy.seen();
        RequestDetails d = request;
        if (d != null && seen == requestBytesRead) {
            return d;
        }
        if (copy == null || copy.seen() == 0) {
            d = match.readRequest(new byte[0], 0, 0);
        } else if (scanner == null) {
            d = match.readRequest(copy.array(), 0, copy.length());
        } else {
            byte[] summary = scanner.summary();
            d = summary == null ? match.readRequest(new byte[0], 0, 0) : match.readRequest(summary, 0, summary.length);
        }
        request = d;
        requestBytesRead = seen;
        return d;
    }

    // ------------------------------------------------------------------------------------------ response

    /**
     * The response's {@value #UPSTREAM_PROVIDER_HEADER} header, when it has one: the provider the router passed the
     * call on to, which wins over what the answer and the requested model say. Call it with the headers, before the
     * body ends.
     *
     * @param header the header's value, or null when the response has none
     */
    public synchronized void upstreamProvider(@Nullable String header) {
        if (header != null && !header.isBlank()) {
            upstreamProvider = header.trim();
        }
    }

    /**
     * The response arrived (status and headers): decides how its body is read.
     *
     * @param httpStatus the status code
     * @param contentType the {@code Content-Type} header as sent, or null
     * @param contentLength the {@code Content-Length}, or -1
     * @return true when the body should be shown to {@link #responseBody}; false when observing failed (the call
     *         is then already recorded, and the body passes unobserved)
     */
    public boolean responseStarted(int httpStatus, @Nullable String contentType, long contentLength) {
        try {
            synchronized (this) {
                responded = true;
                status = httpStatus;
                responseLength = contentLength;
                call.httpStatus(httpStatus);
                mode = mode(contentType, httpStatus);
                if (mode == MODE_STREAM) {
                    call.streaming(true);
                    stream = match.newStreamReader();
                }
                if (captureBytes > 0 && mode != MODE_SKIP) {
                    responsePrefix = new BoundedBytes(captureBytes, -1, budget);
                }
            }
            return true;
        } catch (Throwable e) {
            internalError("observing a response", e);
            end(Signal.COMPLETE, null);
            return false;
        }
    }

    /** Guarded by this. */
    private int mode(@Nullable String contentType, int status) {
        boolean error = status >= 400;
        int typeFrom = -1;
        int typeTo = -1;
        int subFrom = -1;
        int subTo = -1;
        boolean anyCase = true;
        if (contentType != null) {
            if (!ascii(contentType)) { // lower-cased whole and compared exactly, so that no letter folds into ASCII
                contentType = contentType.toLowerCase(Locale.ROOT);
                anyCase = false;
            }
            int semicolon = contentType.indexOf(';');
            int from = 0;
            int to = semicolon < 0 ? contentType.length() : semicolon;
            while (from < to && contentType.charAt(from) <= ' ') {
                from++;
            }
            while (to > from && contentType.charAt(to - 1) <= ' ') {
                to--;
            }
            int slash = contentType.indexOf('/', from);
            if (slash > from && slash < to - 1) {
                typeFrom = from;
                typeTo = trimEnd(contentType, from, slash);
                subFrom = trimStart(contentType, slash + 1, to);
                subTo = to;
            }
        }
        if (typeFrom < 0) {
            return !error && requestDetails().stream() ? MODE_STREAM : MODE_WHOLE;
        }
        String ct = contentType;
        boolean text = is(ct, typeFrom, typeTo, "text", anyCase);
        boolean sse = text && is(ct, subFrom, subTo, "event-stream", anyCase);
        boolean lines = false;
        for (String l : LINE_TYPES) {
            lines |= is(ct, subFrom, subTo, l, anyCase);
        }
        boolean json = is(ct, subFrom, subTo, "json", anyCase)
                || subTo - subFrom >= 5 && ct.regionMatches(anyCase, subTo - 5, "+json", 0, 5);
        if (!error && (sse || lines || json && requestDetails().stream())) {
            return MODE_STREAM;
        }
        if (error || sse || lines || json || text) {
            return MODE_WHOLE;
        }
        return MODE_SKIP; // audio, images, octet streams: nothing to read
    }

    /** Subtypes of a stream of JSON lines or values. */
    private static final String[] LINE_TYPES = {"x-ndjson", "ndjson", "jsonl", "x-jsonl", "jsonlines", "x-jsonlines",
        "stream+json", "json-seq"};

    /** Whether {@code s[from, to)} is {@code lower}, in any case when {@code anyCase} (an ASCII s). */
    private static boolean is(String s, int from, int to, String lower, boolean anyCase) {
        return to - from == lower.length() && s.regionMatches(anyCase, from, lower, 0, lower.length());
    }

    private static int trimStart(String s, int from, int to) {
        while (from < to && s.charAt(from) <= ' ') {
            from++;
        }
        return from;
    }

    private static int trimEnd(String s, int from, int to) {
        while (to > from && s.charAt(to - 1) <= ' ') {
            to--;
        }
        return to;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * Claims the response body for observation: a body can be read once, and only its first reader is observed
     * (a client that subscribes again, e.g. to release a consumed body, passes unobserved).
     *
     * @return true for the first caller
     */
    public boolean claimResponseBody() {
        return BODY_CLAIMED.compareAndSet(this, 0, 1);
    }

    /**
     * A piece of the response body on its way to the caller: read in place, never changed, never kept.
     *
     * @param piece the bytes between position and limit
     */
    public void responseBody(ByteBuffer piece) {
        try {
            synchronized (this) {
                if (finished) {
                    return;
                }
                if (mode == MODE_STREAM) {
                    StreamReader s = stream;
                    s.feed(piece);
                    countEvents(s);
                } else if (mode == MODE_WHOLE) {
                    wholeBody(piece);
                }
                BoundedBytes prefix = responsePrefix;
                if (prefix != null) {
                    prefix.copy(piece);
                }
            }
        } catch (Throwable e) {
            internalError("reading a response body", e);
        }
    }

    /**
     * Guarded by this: a piece of a JSON body. A body that comes whole in its first piece is read at once and no
     * {@link WholeBody} is made, unless more bytes follow (its Content-Length was wrong).
     */
    private void wholeBody(ByteBuffer piece) {
        WholeBody b = body;
        if (b == null) {
            if (readAtOnce == null) {
                readAtOnce = WholeBody.readAtOnce(piece, responseLength, maxResponseBytes, match);
                if (readAtOnce != null) {
                    return;
                }
            }
            b = new WholeBody(maxResponseBytes, responseLength, budget, readAtOnce);
            body = b;
        }
        b.feed(piece);
    }

    /** Guarded by this: the bytes of the JSON body seen. */
    private long wholeBodySeen() {
        WholeBody b = body;
        return b != null ? b.seen() : readAtOnce != null ? responseLength : 0;
    }

    /**
     * Guarded by this: each event completed since the last look is a chunk (the first one of the call sets the TTFT),
     * told to the call at once.
     */
    private void countEvents(StreamReader s) {
        long now = s.events();
        if (now > events) {
            call.chunksArrived((int) Math.min(Integer.MAX_VALUE, now - events));
            events = now;
        }
    }

    // ------------------------------------------------------------------------------------------ the end

    /** How the call ended. */
    private enum Signal { COMPLETE, ERROR, CANCEL, CLOSED }

    /** The response body ended: the call is recorded (a failure for HTTP 4xx/5xx and provider error bodies). */
    public void responseCompleted() {
        end(Signal.COMPLETE, null);
    }

    /**
     * The response body failed (a connection dropped midway): recorded as a failure with the usage that arrived.
     *
     * @param error the failure
     */
    public void responseFailed(Throwable error) {
        end(Signal.ERROR, error);
    }

    /** The caller cancelled the response body, or closed it early: recorded as cancelled. */
    public void responseCancelled() {
        end(Signal.CANCEL, null);
    }

    /**
     * The caller closed the response body before its end (an HTTP client's body that is read as an input stream
     * and closed). Recorded as complete when the whole answer had arrived, which clients that stop reading at
     * the protocol's end do: a stream whose end event was read ({@code [DONE]}, {@code message_stop} ...), or
     * that reported an error; a JSON body that was read whole. Otherwise recorded as cancelled, with the usage
     * that arrived.
     */
    public void responseClosed() {
        end(Signal.CLOSED, null);
    }

    /**
     * The call failed before any response (connection refused, timeout, TLS): recorded without a status.
     *
     * @param error the failure
     */
    public void exchangeFailed(Throwable error) {
        end(Signal.ERROR, error);
    }

    /** The caller cancelled the call; a cancel after the response arrived belongs to the body, and is ignored here. */
    public void exchangeCancelled() {
        synchronized (this) {
            if (responded) {
                return;
            }
        }
        end(Signal.CANCEL, null);
    }

    /** Records the call, once: the first caller wins, later ones do nothing. */
    private void end(Signal signal, @Nullable Throwable error) {
        try {
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
                try {
                    record(signal, error);
                } finally {
                    releaseMemory();
                }
            }
        } catch (Throwable e) {
            internalError("recording a call", e);
            call.fail(e); // still one record, never none; no-op when already recorded
        }
    }

    /** Guarded by this. */
    private void record(Signal signal, @Nullable Throwable error) {
        RequestDetails req = requestDetails();
        if (req.model() != null) {
            call.model(req.model());
        }
        if (req.usage() != null) {
            call.usage(req.usage());
        }
        ResponseDetails d = responseDetails(req, signal == Signal.CLOSED);
        if (upstreamProvider != null) {
            d = d.withUpstreamProvider(upstreamProvider);
        }
        call.responseDetails(d);
        if (UNKNOWN_MODEL.equals(call.model()) && d.responseModel() != null) {
            call.model(d.responseModel());
        }
        if (captureBytes > 0) {
            capturePayloads();
        }
        switch (signal) {
            case COMPLETE:
                if (status >= 400 || d.errorType() != null) {
                    call.fail(null);
                } else {
                    call.succeed();
                }
                break;
            case ERROR:
                call.fail(error);
                break;
            case CLOSED:
                if (!answerArrived(d)) {
                    call.cancel();
                } else if (status >= 400 || d.errorType() != null) {
                    call.fail(null);
                } else {
                    call.succeed();
                }
                break;
            default:
                call.cancel();
        }
    }

    /**
     * Guarded by this: whether a body closed before its end had given the whole answer. A JSON body counts when
     * what was read of it parses whole (the SDKs stop at the end of the value); a body of which nothing was read
     * (an answer dropped unread, e.g. by a cancelled asynchronous call) did not give it, unless it was empty or
     * its status alone is the answer (an error a retrying client closes unread).
     */
    private boolean answerArrived(ResponseDetails d) {
        if (mode == MODE_STREAM) {
            return stream.ended() || d.errorType() != null;
        }
        return mode == MODE_WHOLE && wholeRead && (wholeBodySeen() > 0 || responseLength == 0 || status >= 400);
    }

    /**
     * Guarded by this. A JSON body closed before its end that cannot be read was cut by the caller: not a read
     * failure.
     */
    private ResponseDetails responseDetails(RequestDetails req, boolean closedEarly) {
        ResponseDetails d = ResponseDetails.EMPTY;
        if (mode == MODE_STREAM) {
            StreamReader s = stream;
            d = s.finish(); // the body ended: an event closed only by that end still counts
            countEvents(s);
        } else if (mode == MODE_WHOLE) {
            WholeBody b = body;
            ResponseDetails read = b != null ? b.read(match) : readAtOnce;
            if (b == null && read == null) {
                read = WholeBody.readNothing(match); // no byte arrived
            }
            if (read != null) {
                d = read;
                wholeRead = true;
            } else if (!closedEarly && b != null) { // only a body held in bounds can be left unread
                call.responseUnread("Spectra did not read a " + b.seen() + "-byte " + match.provider()
                        + " response: " + b.unreadReason());
            }
        }
        d = d.withHttpStatus(status);
        // what only the request says: the tier asked for (when the response names none), image quality and size
        return d.withRequest(req);
    }

    /** Guarded by this. */
    private void capturePayloads() {
        BoundedBytes req = requestCopy;
        if (req != null && req.length() > 0 && looksLikeText(req)) {
            addMetadata("request_body", req.text(captureBytes), req.cutAt(captureBytes));
        }
        BoundedBytes res = responsePrefix;
        if (res != null && res.length() > 0) {
            boolean cut = res.cutAt(captureBytes);
            String text = res.text(captureBytes);
            if (mode == MODE_STREAM) {
                try {
                    text = SplitSecrets.redact(text, cut);
                } catch (RuntimeException e) { // left out rather than stored unchecked
                    internalError("checking a captured stream for credentials split across its events", e);
                    return;
                }
            }
            addMetadata("response_body", text, cut);
        }
    }

    /** Guarded by this: every copy gives its memory back; the reader state goes with this object. */
    private void releaseMemory() {
        if (requestCopy != null) {
            requestCopy.release();
        }
        if (body != null) {
            body.release();
        }
        if (responsePrefix != null) {
            responsePrefix.release();
        }
    }

    /** A captured body, scrubbed; when cut, its last token is dropped, so a key cut short leaves no prefix. */
    private void addMetadata(String key, String text, boolean cut) {
        try {
            call.addMetadata(key, SecretScrubber.scrub(text, captureBytes + 1, cut));
        } catch (IllegalArgumentException e) {
            LOG.warn("capture", "Spectra left the captured " + key + " out of a record: " + e.getMessage(), null);
        }
    }

    private static boolean looksLikeText(BoundedBytes b) {
        byte[] a = b.array();
        for (int i = 0; i < b.length(); i++) {
            byte c = a[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    /**
     * Reports a failure of the integration driving this call (the call itself goes on): counted in the tracker's
     * {@code trackingErrors} and logged, rate-limited. Never throws, except a {@link VirtualMachineError}.
     *
     * @param what what was being done
     * @param e the failure
     */
    public void internalError(String what, Throwable e) {
        Fatal.rethrowIfFatal(e);
        try {
            call.trackingFailed(what, e);
        } catch (Throwable again) {
            Fatal.rethrowIfFatal(again);
            LOG.warn("internal", "Spectra failed while " + what + "; the call itself is not affected", e);
        }
    }

    @Override
    public String toString() {
        return "HttpCallObserver{" + match + ", " + call + '}';
    }
}
