package dev.spectra.reactive.webclient;

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
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import reactor.util.context.ContextView;

/**
 * One tracked exchange: what the request body said, how the response body is read, and the single record at
 * the end. Everything the request writer, the response body and a cancelling subscriber tell it is serialised
 * on {@code this}; the record is made by the first of {@link #finish}'s callers, under that lock.
 *
 * <p>Memory, bounded per exchange: a copy of the request body's first {@value #REQUEST_COPY_BYTES} bytes (plus a
 * constant-size scanner past them); for a whole response, a copy of at most the filter's response bound; for a
 * stream, the stream reader's constant state (one event at a time, bounded by the registry's event bound) and,
 * when payload capture is on, its first bytes.
 */
final class Exchange {

    /** Bytes of the request body copied and read whole; past them a scanner finds model and stream flag. */
    static final int REQUEST_COPY_BYTES = 64 * 1024;

    /** The model stored when neither the request body nor the path names one. */
    static final String UNKNOWN_MODEL = "unknown";

    private static final RateLimitedLog LOG = new RateLimitedLog(SpectraExchangeFilter.class);
    private static final AtomicIntegerFieldUpdater<Exchange> BODY_CLAIMED =
            AtomicIntegerFieldUpdater.newUpdater(Exchange.class, "bodyClaimed");

    private static final int MODE_NONE = 0;
    private static final int MODE_WHOLE = 1;
    private static final int MODE_STREAM = 2;
    private static final int MODE_SKIP = 3;

    private final TrackedCall call;
    private final EndpointMatch match;
    private final int captureBytes;
    private final int maxResponseBytes;
    private volatile int bodyClaimed;

    // guarded by this
    private @Nullable BoundedBytes requestCopy;
    private @Nullable RequestScanner scanner;
    private @Nullable RequestDetails request;
    private long requestBytesRead = -1;
    private boolean responded;
    private int status = -1;
    private int mode = MODE_NONE;
    private @Nullable BoundedBytes body;
    private @Nullable StreamReader stream;
    private @Nullable BoundedBytes streamPrefix;
    private long events;
    private boolean finished;

    private Exchange(TrackedCall call, EndpointMatch match, int captureBytes, int maxResponseBytes) {
        this.call = call;
        this.match = match;
        this.captureBytes = captureBytes;
        this.maxResponseBytes = maxResponseBytes;
    }

    /** Starts the call now (its start time is the subscription to the exchange). */
    static Exchange start(SpectraTracker tracker, EndpointMatch match, ContextView view, int captureBytes,
                          int maxResponseBytes) {
        String pathModel = match.pathModel();
        TrackedCall call = tracker.startCall(match.provider(), pathModel != null ? pathModel : UNKNOWN_MODEL,
                TrackOptions.none(), view);
        call.endpoint(match.path()).operation(match.endpoint().operation()).modelType(match.endpoint().modelType());
        return new Exchange(call, match, captureBytes, maxResponseBytes);
    }

    EndpointMatch match() {
        return match;
    }

    // ------------------------------------------------------------------------------------------ request

    /** A buffer of the request body on its way out: copied (or scanned), never changed. */
    void onRequestBuffer(DataBuffer buffer) {
        try {
            synchronized (this) {
                if (finished) {
                    return;
                }
                BoundedBytes copy = requestCopy;
                if (copy == null) {
                    copy = new BoundedBytes(REQUEST_COPY_BYTES, -1);
                    requestCopy = copy;
                }
                RequestScanner s = scanner;
                if (s != null) {
                    scan(s, buffer, 0);
                    copy.copy(buffer); // full: only counts the bytes
                    return;
                }
                long keptBefore = copy.length();
                copy.copy(buffer);
                if (!copy.complete()) {
                    // past the copy: a scanner reads what was copied, then the rest of this and later buffers
                    s = new RequestScanner();
                    s.feed(copy.array(), 0, copy.length());
                    scan(s, buffer, (int) (copy.length() - keptBefore));
                    scanner = s;
                }
            }
        } catch (Throwable e) {
            internalError("reading a request body", e);
        }
    }

    /** The whole request body at once (the include-usage rewrite joins it). */
    void onRequestBytes(byte[] bytes) {
        synchronized (this) {
            BoundedBytes copy = new BoundedBytes(Math.max(REQUEST_COPY_BYTES, bytes.length), bytes.length);
            copy.copy(bytes, 0, bytes.length);
            requestCopy = copy;
        }
    }

    private static void scan(RequestScanner s, DataBuffer buffer, int skip) {
        try (DataBuffer.ByteBufferIterator it = buffer.readableByteBuffers()) {
            while (it.hasNext()) {
                ByteBuffer b = it.next();
                int n = Math.min(skip, b.remaining());
                skip -= n;
                s.feed(b, b.position() + n, b.limit());
            }
        }
    }

    /** Guarded by this: what the request said so far (read again only when more bytes came). */
    private RequestDetails requestDetails() {
        BoundedBytes copy = requestCopy;
        long seen = copy == null ? 0 : copy.seen();
        RequestDetails d = request;
        if (d != null && seen == requestBytesRead) {
            return d;
        }
        if (copy == null || copy.length() == 0) {
            d = match.readRequest(new byte[0], 0, 0);
        } else if (copy.complete()) {
            d = match.readRequest(copy.array(), 0, copy.length());
        } else {
            byte[] summary = scanner == null ? null : scanner.summary();
            d = summary == null ? match.readRequest(new byte[0], 0, 0) : match.readRequest(summary, 0, summary.length);
        }
        request = d;
        requestBytesRead = seen;
        return d;
    }

    // ------------------------------------------------------------------------------------------ response

    /** The response arrived (headers): decides how its body is read and wraps it. */
    ClientResponse onResponse(ClientResponse response) {
        try {
            synchronized (this) {
                responded = true;
                status = response.statusCode().value();
                call.httpStatus(status);
                MediaType type = response.headers().contentType().orElse(null);
                mode = mode(type, status);
                long length = response.headers().contentLength().orElse(-1L);
                if (mode == MODE_STREAM) {
                    call.streaming(true);
                    stream = match.newStreamReader();
                    if (captureBytes > 0) {
                        streamPrefix = new BoundedBytes(captureBytes, -1);
                    }
                } else if (mode == MODE_WHOLE) {
                    body = new BoundedBytes(maxResponseBytes, length);
                }
            }
            return response.mutate().body(flux -> new ObservedBody(flux, this)).build();
        } catch (Throwable e) {
            internalError("observing a response", e);
            finish(Signal.COMPLETE, null);
            return response;
        }
    }

    /** Guarded by this. */
    private int mode(@Nullable MediaType type, int status) {
        boolean error = status >= 400;
        if (type == null) {
            return !error && requestDetails().stream() ? MODE_STREAM : MODE_WHOLE;
        }
        String sub = type.getSubtype().toLowerCase(Locale.ROOT);
        boolean sse = "text".equalsIgnoreCase(type.getType()) && "event-stream".equals(sub);
        boolean lines = sub.equals("x-ndjson") || sub.equals("ndjson") || sub.equals("jsonl") || sub.equals("x-jsonl")
                || sub.equals("jsonlines") || sub.equals("x-jsonlines") || sub.equals("stream+json")
                || sub.equals("json-seq");
        boolean json = sub.equals("json") || sub.endsWith("+json");
        if (!error && (sse || lines || json && requestDetails().stream())) {
            return MODE_STREAM;
        }
        if (error || sse || lines || json || "text".equalsIgnoreCase(type.getType())) {
            return MODE_WHOLE;
        }
        return MODE_SKIP; // audio, images, octet streams: nothing to read
    }

    /** @return true for the first subscriber of the response body, the one observed */
    boolean claimBody() {
        return BODY_CLAIMED.compareAndSet(this, 0, 1);
    }

    /** A buffer of the response body on its way to the caller: read in place, never changed, never kept. */
    void onBodyBuffer(DataBuffer buffer) {
        try {
            synchronized (this) {
                if (finished) {
                    return;
                }
                if (mode == MODE_STREAM) {
                    StreamReader s = stream;
                    try (DataBuffer.ByteBufferIterator it = buffer.readableByteBuffers()) {
                        while (it.hasNext()) {
                            s.feed(it.next());
                        }
                    }
                    if (streamPrefix != null) {
                        streamPrefix.copy(buffer);
                    }
                    countEvents(s);
                } else if (mode == MODE_WHOLE) {
                    body.copy(buffer);
                }
            }
        } catch (Throwable e) {
            internalError("reading a response body", e);
        }
    }

    /** Guarded by this: each event completed since the last look is a chunk (the first one sets the TTFT). */
    private void countEvents(StreamReader s) {
        long now = s.events();
        for (long e = events; e < now; e++) {
            call.chunkArrived();
        }
        events = now;
    }

    // ------------------------------------------------------------------------------------------ the end

    /** How the exchange ended. */
    enum Signal { COMPLETE, ERROR, CANCEL }

    /** The exchange failed before any response (connection refused, timeout, TLS): no status. */
    void onExchangeError(Throwable error) {
        finish(Signal.ERROR, error);
    }

    /** The caller cancelled the exchange; a cancel after the response arrived belongs to the body. */
    void onExchangeCancel() {
        synchronized (this) {
            if (responded) {
                return;
            }
        }
        finish(Signal.CANCEL, null);
    }

    /** Records the call, once: the first caller wins, later ones do nothing. */
    void finish(Signal signal, @Nullable Throwable error) {
        try {
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
                RequestDetails req = requestDetails();
                if (req.model() != null) {
                    call.model(req.model());
                }
                if (req.usage() != null) {
                    call.usage(req.usage());
                }
                ResponseDetails d = responseDetails(req);
                call.responseDetails(d);
                if (UNKNOWN_MODEL.equals(call.model()) && d.responseModel() != null) {
                    call.model(d.responseModel());
                }
                if (captureBytes > 0) {
                    capturePayloads();
                }
                end(signal, error, d);
            }
        } catch (Throwable e) {
            internalError("recording a call", e);
            call.fail(e); // still one record, never none; no-op when already recorded
        }
    }

    /** Guarded by this. */
    private ResponseDetails responseDetails(RequestDetails req) {
        ResponseDetails d = ResponseDetails.EMPTY;
        if (mode == MODE_STREAM) {
            StreamReader s = stream;
            d = s.finish(); // the body ended: an event closed only by that end still counts
            countEvents(s);
        } else if (mode == MODE_WHOLE) {
            BoundedBytes b = body;
            if (b.complete()) {
                d = match.readResponse(b.array(), 0, b.length());
            } else {
                LOG.warn("response-bound", "Spectra read only the first " + b.length() + " bytes of a "
                        + b.seen() + "-byte " + match.provider() + " response; its usage is unknown "
                        + "(raise SpectraExchangeFilter.Builder#maxResponseBytes)", null);
            }
        }
        if (status >= 400 && d.errorType() == null) {
            d = new ResponseDetails(d.responseModel(), d.responseId(), d.usage(), d.finishReason(),
                    d.toolCallCounts(), d.pricingTier(), "http_error", "HTTP " + status, d.billedUsage(),
                    d.imageQuality(), d.imageSize());
        }
        // what only the request says: the tier asked for (when the response names none), image quality and size
        return d.withRequest(req);
    }

    /** Guarded by this. */
    private void end(Signal signal, @Nullable Throwable error, ResponseDetails d) {
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
            default:
                call.cancel();
        }
    }

    /** Guarded by this. */
    private void capturePayloads() {
        BoundedBytes req = requestCopy;
        if (req != null && req.length() > 0 && looksLikeText(req)) {
            addMetadata("request_body", req.text(captureBytes));
        }
        BoundedBytes res = mode == MODE_STREAM ? streamPrefix : mode == MODE_WHOLE ? body : null;
        if (res != null && res.length() > 0) {
            addMetadata("response_body", res.text(captureBytes));
        }
    }

    private void addMetadata(String key, String text) {
        try {
            call.addMetadata(key, SecretScrubber.scrub(text, captureBytes + 1));
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

    /** Counted in the tracker's {@code trackingErrors} and logged; the exchange itself goes on. */
    private void internalError(String what, Throwable e) {
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
        return "Exchange{" + match + ", " + call + '}';
    }
}
