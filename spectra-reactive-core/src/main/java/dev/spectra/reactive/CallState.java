package dev.spectra.reactive;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import dev.spectra.reactive.internal.CallObserver;
import dev.spectra.reactive.internal.Errors;
import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.JsonValues;
import dev.spectra.reactive.internal.Metadata;
import dev.spectra.reactive.internal.MetadataRedactor;
import dev.spectra.reactive.internal.SecretScrubber;
import dev.spectra.reactive.internal.Tags;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.ResponseDetails;
import dev.spectra.reactive.provider.ResponseReader;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * The state of one tracked call, from start to its single record: the one implementation of {@link TrackedCall}.
 * Mutations from the user (metadata, tags, usage ...) and from the stream (chunks) are guarded by {@code this}; the
 * end is decided once by a CAS on {@link #done}. Everything the tracker provides (clock, ids, reading, pricing,
 * delivery, counters) comes from its {@link TrackingEngine}.
 */
final class CallState implements TrackedCall {

    private static final AtomicIntegerFieldUpdater<CallState> DONE =
            AtomicIntegerFieldUpdater.newUpdater(CallState.class, "done");

    /** Null only for a detached call whose tracker could not be found. */
    private final @Nullable TrackingEngine engine;
    private final boolean detached;
    private final String provider;
    private final TrackOptions options;
    /** The process-wide attributes when the call started. */
    private final CallAttributes globals;
    private final UUID id;
    private final Instant startedAt;
    private final long startNanos;
    /** Told of the start and the record: an enforcing operator downstream (a budget), or null. */
    private final @Nullable CallObserver observer;
    private volatile int done;

    // guarded by this
    private String model;
    /** The attributes of the subscription's Context ({@link CallAttributes#NONE} while none is known). */
    private CallAttributes context;
    private @Nullable ContextView view;
    private boolean streaming;
    private int chunks;
    private long firstChunkNanos = -1;
    /** What most calls never set, allocated on first use so a plain tracked Mono stays small. */
    private @Nullable Extras x;

    /** The rarely used part of the state; guarded by the owning {@link CallState}. */
    private static final class Extras {
        /** The attributes given to the call itself: the highest layer. */
        CallAttributes added = CallAttributes.NONE;
        @Nullable Usage manualUsage;
        @Nullable String endpoint;
        @Nullable String operation;
        @Nullable ModelType modelType;
        @Nullable Integer httpStatus;
        ResponseReader.@Nullable ChunkReader chunkReader;
        @Nullable Usage chunkUsage;
        @Nullable ResponseDetails details;
        boolean readFailed;
    }

    /** Guarded by this. */
    private Extras x() {
        Extras e = x;
        if (e == null) {
            e = new Extras();
            x = e;
        }
        return e;
    }

    /**
     * @param view the subscription's Context, or null when not known yet (a call started by hand: the Context of
     *        the subscription that records it is taken then)
     */
    CallState(TrackingEngine engine, String provider, String model, TrackOptions options,
              @Nullable ContextView view, boolean streaming) {
        this.engine = engine;
        this.detached = false;
        this.provider = provider;
        this.model = model;
        this.options = options;
        this.view = view;
        this.context = view == null ? CallAttributes.NONE : CallAttributes.in(view);
        this.globals = Spectra.globals();
        this.streaming = streaming;
        this.startNanos = engine.nanoTime();
        this.startedAt = engine.startTime(startNanos);
        this.id = engine.newId(startedAt);
        this.observer = CallObserver.in(view);
    }

    /** A call that records nothing: reads no clock, no id generator, nothing that could fail. */
    private CallState(@Nullable TrackingEngine engine, String provider, String model, TrackOptions options) {
        this.engine = engine;
        this.detached = true;
        this.provider = provider;
        this.model = model;
        this.options = options;
        this.context = CallAttributes.NONE;
        this.globals = Spectra.globals();
        this.startNanos = 0;
        this.startedAt = Instant.EPOCH;
        this.id = NIL;
        this.observer = null;
    }

    private static final UUID NIL = new UUID(0, 0);

    /**
     * The call a callback gets when it is not tracked (tracking is off, or starting it failed): it accepts
     * metadata, tags and the rest, and records nothing; its id is the nil UUID and its start the epoch.
     *
     * @param engine the engine of the tracker that would have recorded it, or null when even that was not found
     */
    static CallState detached(@Nullable TrackingEngine engine, String provider, String model, TrackOptions options) {
        return new CallState(engine, provider, model, options);
    }

    private int metadataMaxBytes() {
        return engine != null ? engine.metadataMaxBytes() : SpectraTrackerBuilder.DEFAULT_METADATA_MAX_BYTES;
    }

    private MetadataRedactor redactor() {
        return engine != null ? engine.redactor() : TrackingEngine.DEFAULT_REDACTOR;
    }

    // ---------------------------------------------------------------- attributes set by the user

    @Override
    public UUID id() {
        return id;
    }

    @Override
    public String provider() {
        return provider;
    }

    @Override
    public synchronized String model() {
        return model;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public synchronized String traceId() {
        String t = traceId(attributes(null));
        return t != null ? t : id.toString();
    }

    @Override
    public TrackedCall addMetadata(String key, @Nullable Object value) {
        synchronized (this) {
            Extras e = x();
            e.added = e.added.withMetadata(e.added.metadata().with(key, value, metadataMaxBytes(), lowerMetadata()));
        }
        return this;
    }

    @Override
    public TrackedCall addMetadata(Map<String, ? extends @Nullable Object> entries) {
        Objects.requireNonNull(entries, "metadata entries");
        synchronized (this) {
            Extras x = x();
            Metadata m = x.added.metadata();
            Metadata base = lowerMetadata();
            for (Map.Entry<String, ? extends @Nullable Object> e : entries.entrySet()) {
                m = m.with(e.getKey(), e.getValue(), metadataMaxBytes(), base);
            }
            x.added = x.added.withMetadata(m);
        }
        return this;
    }

    @Override
    public TrackedCall addTag(String tag) {
        String t = Tags.check(tag);
        synchronized (this) {
            x().added = x().added.addTags(List.of(t));
        }
        return this;
    }

    @Override
    public TrackedCall usage(Usage usage) {
        Objects.requireNonNull(usage, "usage");
        synchronized (this) {
            x().manualUsage = usage;
        }
        return this;
    }

    @Override
    public TrackedCall pricingTier(PricingTier tier) {
        Objects.requireNonNull(tier, "pricingTier");
        synchronized (this) {
            x().added = x().added.withPricingTier(tier);
        }
        return this;
    }

    @Override
    public TrackedCall traceId(String traceId) {
        synchronized (this) {
            x().added = x().added.withTraceId(traceId);
        }
        return this;
    }

    @Override
    public TrackedCall trackable(String type, String id) {
        Trackable t = new Trackable(type, id);
        synchronized (this) {
            x().added = x().added.withTrackable(t);
        }
        return this;
    }

    @Override
    public TrackedCall conversationId(String conversationId) {
        synchronized (this) {
            x().added = x().added.withConversationId(conversationId);
        }
        return this;
    }

    @Override
    public synchronized Map<String, @Nullable Object> metadata() {
        return recordMetadata(attributes(null).metadata(), false);
    }

    @Override
    public synchronized List<String> tags() {
        return attributes(null).tags();
    }

    @Override
    public synchronized @Nullable Usage usage() {
        return x == null ? null : x.manualUsage;
    }

    // ---------------------------------------------------------------- facts of capture paths

    @Override
    public TrackedCall model(String model) {
        Objects.requireNonNull(model, "model");
        synchronized (this) {
            this.model = model;
        }
        return this;
    }

    @Override
    public TrackedCall endpoint(String path) {
        Objects.requireNonNull(path, "endpoint");
        String p = SecretScrubber.pathOnly(path);
        synchronized (this) {
            x().endpoint = p;
        }
        return this;
    }

    @Override
    public TrackedCall operation(String operation) {
        Objects.requireNonNull(operation, "operation");
        synchronized (this) {
            x().operation = operation;
        }
        return this;
    }

    @Override
    public TrackedCall modelType(ModelType type) {
        Objects.requireNonNull(type, "modelType");
        synchronized (this) {
            x().modelType = type;
        }
        return this;
    }

    @Override
    public TrackedCall streaming(boolean streaming) {
        synchronized (this) {
            this.streaming = streaming;
        }
        return this;
    }

    @Override
    public TrackedCall httpStatus(int status) {
        synchronized (this) {
            x().httpStatus = boxedStatus(status);
        }
        return this;
    }

    /** The statuses HTTP defines, boxed once: {@code Integer.valueOf} boxes anew past 127, so 200 at every call. */
    private static final Integer[] STATUSES = new Integer[500];

    static {
        for (int i = 0; i < STATUSES.length; i++) {
            STATUSES[i] = 100 + i;
        }
    }

    private static Integer boxedStatus(int status) {
        return status >= 100 && status < 600 ? STATUSES[status - 100] : Integer.valueOf(status);
    }

    @Override
    public void chunkArrived() {
        chunksArrived(1);
    }

    @Override
    public void chunksArrived(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        if (detached || count == 0) {
            return;
        }
        long now = engine.nanoTime();
        synchronized (this) {
            if (chunks == 0) {
                firstChunkNanos = now;
            }
            chunks = (int) Math.min(Integer.MAX_VALUE, (long) chunks + count);
        }
    }

    @Override
    public void responseDetails(ResponseDetails details) {
        Objects.requireNonNull(details, "details");
        synchronized (this) {
            x().details = details;
        }
    }

    @Override
    public boolean succeed() {
        return finish(Outcome.SUCCESS, null, null) != null;
    }

    @Override
    public boolean fail(@Nullable Throwable error) {
        return finish(Outcome.FAILURE, null, error) != null;
    }

    @Override
    public boolean cancel() {
        return finish(Outcome.CANCELLED, null, null) != null;
    }

    @Override
    public boolean isRecorded() {
        return done != 0;
    }

    @Override
    public void trackingFailed(String what, Throwable error) {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(error, "error");
        Fatal.rethrowIfFatal(error);
        if (engine != null) {
            engine.internalError(what, error);
        } else {
            TrackingEngine.untrackedError(what, error);
        }
    }

    @Override
    public void responseUnread(String why) {
        Objects.requireNonNull(why, "why");
        if (engine != null) {
            engine.responseUnread(provider, why);
        } else {
            TrackingEngine.untrackedError(why, new IllegalStateException("response left unread"));
        }
    }

    // ---------------------------------------------------------------- operators

    /** A value of a tracked Mono arrived: for a Mono, the call is complete. */
    void onValue(Object value) {
        finish(Outcome.SUCCESS, value, null);
    }

    /** One element of a tracked stream arrived. */
    void onChunk(Object chunk) {
        long now = engine.nanoTime();
        synchronized (this) {
            if (done != 0) {
                return;
            }
            if (chunks++ == 0) {
                firstChunkNanos = now;
            }
            Extras e = x();
            if (e.readFailed) {
                return;
            }
            try {
                if (options.usageExtractorAppliesTo(chunk)) {
                    Usage u = options.extractUsage(chunk);
                    if (u != null) {
                        e.chunkUsage = u;
                    }
                    return;
                }
                ResponseReader.ChunkReader r = e.chunkReader;
                if (r == null) {
                    r = engine.responseReader().newChunkReader(provider, endpointOrOption());
                    e.chunkReader = r;
                }
                r.onChunk(chunk);
            } catch (Throwable t) {
                Fatal.rethrowIfFatal(t);
                e.readFailed = true;
                engine.readFailed(provider, t);
            }
        }
    }

    /** The sequence completed (for a Mono: empty, or after its value). */
    void onComplete() {
        finish(Outcome.SUCCESS, null, null);
    }

    void onError(Throwable error) {
        finish(Outcome.FAILURE, null, error);
    }

    void onCancel() {
        finish(Outcome.CANCELLED, null, null);
    }

    /** For {@code recordSuccess}: the Context of the recording subscription, when none was known at the start. */
    synchronized void attachContext(ContextView v) {
        if (view == null) {
            view = v;
            context = CallAttributes.in(v);
        }
    }

    /** For {@code recordFailure(call, error, status)}. */
    synchronized void statusIfAbsent(@Nullable Integer status) {
        if (status != null && (x == null || x.httpStatus == null)) {
            x().httpStatus = status;
        }
    }

    boolean isDetached() {
        return detached;
    }

    // ---------------------------------------------------------------- the record

    /**
     * Ends the call once: builds the record and hands it to delivery.
     *
     * @return the record, or null when the call was already ended, is detached, or tracking failed
     */
    @Nullable TrackedRequest finish(Outcome outcome, @Nullable Object value, @Nullable Throwable error) {
        if (!DONE.compareAndSet(this, 0, 1)) {
            return null;
        }
        if (detached) {
            return null;
        }
        long endedAt = engine.nanoTime();
        TrackedRequest record;
        try {
            synchronized (this) {
                record = assemble(outcome, value, error, endedAt);
            }
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            engine.internalError("building the record of a " + provider + " call", t);
            return null;
        }
        engine.deliver(record, endedAt);
        if (observer != null) {
            try {
                observer.recorded(record);
            } catch (Throwable t) {
                Fatal.rethrowIfFatal(t);
                engine.internalError("telling an observer of a " + provider + " call its record", t);
            }
        }
        return record;
    }

    /** Tells the observer of the subscription's Context, if any, that this call started. */
    CallState announce() {
        if (observer != null) {
            try {
                observer.started(this);
            } catch (Throwable t) {
                Fatal.rethrowIfFatal(t);
                engine.internalError("telling an observer of a " + provider + " call its start", t);
            }
        }
        return this;
    }

    /** Guarded by this; {@code endedAt} is the ticker's reading that ended the call. */
    private TrackedRequest assemble(Outcome outcome, @Nullable Object value, @Nullable Throwable error,
                                    long endedAt) {
        long elapsed = Math.max(0, endedAt - startNanos);
        Extras e = x;
        String path = endpointOrOption();

        ResponseDetails d = e == null ? null : e.details;
        if (d == null) {
            d = ResponseDetails.EMPTY;
            if (value != null) {
                d = read(value, path);
            } else if (e != null && e.chunkReader != null) {
                d = chunkDetails(e);
            }
        }
        if (outcome == Outcome.FAILURE && error != null && (e == null || e.details == null)) {
            d = errorDetails(error, path, d);
        }
        if (outcome == Outcome.SUCCESS && d.errorType() != null) {
            outcome = Outcome.FAILURE; // an error sent in-band (after a 200, in a stream or a body): the call failed
        }
        Usage usage = e == null ? null : e.manualUsage != null ? e.manualUsage : e.chunkUsage;
        if (usage == null && value != null && options.usageExtractorAppliesTo(value)) {
            usage = extract(value);
        }
        if (usage == null) {
            usage = d.usage();
        }
        if (usage == null && outcome == Outcome.SUCCESS && d.readProblem() != null) {
            engine.unreadable(provider, d.readProblem()); // a failed or cancelled call's answer is not expected whole
        }

        CallAttributes a = attributes(d.pricingTier());
        PricingTier pricingTier = a.pricingTier() != null ? a.pricingTier() : PricingTier.STANDARD;
        String responseModel = d.responseModel();
        Cost cost = null;
        PricingStatus status;
        if (usage == null) {
            status = PricingStatus.USAGE_UNKNOWN;
        } else {
            cost = price(responseModel, pricingTier, usage, d);
            if (cost == null && (responseModel == null || !responseModel.equals(model))) {
                cost = price(model, pricingTier, usage, d);
            }
            BigDecimal stated = d.statedCost();
            if (stated != null) { // the provider's own figure: beside the catalog's, or in place of a missing one
                cost = cost != null ? cost.withProviderStated(stated) : Cost.statedByProvider(stated);
            }
            status = PricingStatus.of(cost, true);
            if (cost == null) {
                engine.unpriced(provider, responseModel != null ? responseModel : model, pricingTier);
            }
        }
        ModelType type = first(e == null ? null : e.modelType, options.modelType());
        if (type == null) {
            type = modelTypeFromPricing(responseModel != null ? responseModel : model);
        }

        String errorType = null;
        String errorMessage = null;
        Integer httpStatus = e == null ? null : e.httpStatus;
        if (outcome == Outcome.FAILURE) {
            errorType = d.errorType() != null ? d.errorType() : error != null ? error.getClass().getName() : null;
            String msg = d.errorMessage() != null ? d.errorMessage() : error != null ? error.getMessage() : null;
            errorMessage = SecretScrubber.scrub(msg, SecretScrubber.MAX_MESSAGE_LENGTH, false, redactor());
            if (httpStatus == null) {
                httpStatus = Errors.httpStatus(error);
            }
        }

        Long ttft = null;
        Double tps = null;
        Integer chunkCount = null;
        if (streaming) {
            chunkCount = chunks;
            if (firstChunkNanos >= 0) {
                ttft = (firstChunkNanos - startNanos) / 1_000_000L;
                if (usage != null) {
                    long genMillis = Math.max(1L, (startNanos + elapsed - firstChunkNanos) / 1_000_000L);
                    tps = Math.round(usage.outputTokens() * 1000.0 / genMillis * 100.0) / 100.0;
                }
            }
        }
        // one allocation: the start is already at microsecond precision
        Instant completedAt = Instant.ofEpochSecond(startedAt.getEpochSecond(),
                startedAt.getNano() + elapsed / 1000L * 1000L);

        // no credential in any stored field: every string is scrubbed (metadata by its redaction), not only the
        // ones expected to carry one
        MetadataRedactor names = redactor();
        String traceId = traceId(a);
        return new TrackedRequest(id, clean(traceId, names), clean(d.responseId(), names), clean(provider, names),
                clean(model, names), clean(responseModel, names), type, clean(path, names),
                clean(first(e == null ? null : e.operation, options.operation()), names), httpStatus, outcome,
                clean(errorType, names), errorMessage, clean(d.finishReason(), names),
                cleanKeys(d.toolCallCounts(), names), streaming, usage, cost, pricingTier, status,
                elapsed / 1_000_000L, ttft, tps, chunkCount, clean(a.trackable(), names),
                clean(a.conversationId(), names), clean(a.tags(), names), recordMetadata(a.metadata(), streaming),
                startedAt, completedAt, clean(parentSpanId(a, traceId), names),
                clean(d.upstreamProvider() != null ? d.upstreamProvider()
                        : ProviderRegistry.upstreamProviderOfModel(provider, model), names));
    }

    private static @Nullable String clean(@Nullable String value, MetadataRedactor names) {
        return value == null ? null : SecretScrubber.scrubValue(value, names);
    }

    private static @Nullable Trackable clean(@Nullable Trackable t, MetadataRedactor names) {
        if (t == null) {
            return null;
        }
        String type = SecretScrubber.scrubValue(t.type(), names);
        String tid = SecretScrubber.identifying(t.type(), t.id()); // an owner that is a key: kept apart
        if (type == t.type() && tid == t.id()) {
            return t;
        }
        // a redaction may lengthen a value past a trackable's bound: the whole of it is redacted then
        return new Trackable(type.length() > 255 ? SecretScrubber.REDACTED : type,
                tid.length() > 255 ? SecretScrubber.REDACTED : tid);
    }

    private static List<String> clean(List<String> tags, MetadataRedactor names) {
        List<String> out = null;
        for (int i = 0; i < tags.size(); i++) {
            String tag = tags.get(i);
            String c = SecretScrubber.scrubValue(tag, names);
            if (c != tag && out == null) {
                out = new ArrayList<>(tags);
            }
            if (out != null) {
                out.set(i, c);
            }
        }
        return out == null ? tags : List.copyOf(new java.util.LinkedHashSet<>(out));
    }

    private static Map<String, Integer> cleanKeys(Map<String, Integer> counts, MetadataRedactor names) {
        if (counts.isEmpty()) {
            return counts; // most calls: no iterator made
        }
        LinkedHashMap<String, Integer> out = null;
        for (Map.Entry<String, Integer> c : counts.entrySet()) {
            if (SecretScrubber.scrubValue(c.getKey(), names) != c.getKey()) {
                out = new LinkedHashMap<>();
                break;
            }
        }
        if (out == null) {
            return counts;
        }
        for (Map.Entry<String, Integer> c : counts.entrySet()) {
            out.merge(SecretScrubber.scrubValue(c.getKey(), names), c.getValue(), Integer::sum);
        }
        return out;
    }

    /**
     * Guarded by this: the call's attributes, every layer merged: globals &lt; the tier the response states (OpenAI
     * {@code service_tier}), if any &lt; Context &lt; options &lt; the call. Allocates nothing while at most one
     * layer sets anything.
     */
    private CallAttributes attributes(@Nullable PricingTier stated) {
        CallAttributes lowest = stated == null ? globals : globals.merge(CallAttributes.ofPricingTier(stated));
        return lowest.merge(context).merge(options.attributes()).merge(x == null ? CallAttributes.NONE : x.added);
    }

    /** Guarded by this: the trace id given to this call, or null when it is its own trace (its id). */
    private @Nullable String traceId(CallAttributes merged) {
        String t = merged.traceId();
        if (t == null && view != null) {
            t = engine.resolveTraceId(view);
        }
        return t;
    }

    /**
     * Guarded by this: the span current where the call was made, asked of the resolver only when the trace id came
     * from the Context's trace (not from the call's own attributes, whose trace the span would not belong to).
     */
    private @Nullable String parentSpanId(CallAttributes merged, @Nullable String traceId) {
        return merged.traceId() == null && traceId != null && view != null ? engine.resolveParentSpanId(view) : null;
    }

    private ResponseDetails read(Object value, @Nullable String path) {
        try {
            ResponseDetails d = engine.responseReader().read(provider, path, value);
            return d == null ? ResponseDetails.EMPTY : d;
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            engine.readFailed(provider, t);
            return ResponseDetails.EMPTY;
        }
    }

    /**
     * What an exception that carries an HTTP status and the failed response's body (Spring's
     * {@code WebClientResponseException}, SDK exceptions alike) says, read by the provider's reader like the body
     * the WebClient filter sees: the provider's error type and message, else {@code http_error}.
     */
    private ResponseDetails errorDetails(Throwable error, @Nullable String path, ResponseDetails d) {
        if (d.errorType() != null) {
            return d;
        }
        Integer status = Errors.httpStatus(error);
        Object body = Errors.responseBody(error);
        if (status == null && body == null) {
            return d;
        }
        ResponseDetails fromBody = body == null ? ResponseDetails.EMPTY : read(body, path);
        ResponseDetails merged = d;
        if (fromBody.errorType() != null) {
            merged = d == ResponseDetails.EMPTY ? fromBody : new ResponseDetails(d.responseModel(), d.responseId(),
                    d.usage(), d.finishReason(), d.toolCallCounts(), d.pricingTier(), fromBody.errorType(),
                    fromBody.errorMessage(), d.billedUsage(), d.imageQuality(), d.imageSize(), d.readProblem(),
                    d.statedCost(), d.upstreamProvider());
        }
        return status == null ? merged : merged.withHttpStatus(status);
    }

    private ResponseDetails chunkDetails(Extras e) {
        if (e.readFailed || e.chunkReader == null) {
            return ResponseDetails.EMPTY;
        }
        try {
            ResponseDetails d = e.chunkReader.finish(); // the stream ended: its last event counts even unterminated
            return d == null ? ResponseDetails.EMPTY : d;
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            engine.readFailed(provider, t);
            return ResponseDetails.EMPTY;
        }
    }

    private @Nullable Usage extract(Object value) {
        try {
            return options.extractUsage(value);
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            engine.readFailed(provider, t);
            return null;
        }
    }

    private @Nullable Cost price(@Nullable String m, PricingTier pricingTier, Usage usage, ResponseDetails d) {
        if (m == null) {
            return null;
        }
        try {
            // with the details: billed units (Cohere), image quality and size decide the price
            return engine.pricing().cost(provider, m, pricingTier, usage, d);
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            engine.internalError("pricing " + provider + "/" + m, t);
            return null;
        }
    }

    private @Nullable ModelType modelTypeFromPricing(String m) {
        try {
            return engine.pricing().modelType(provider, m);
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            engine.internalError("model type of " + provider + "/" + m, t);
            return null;
        }
    }

    private @Nullable String endpointOrOption() {
        return x != null && x.endpoint != null ? x.endpoint : options.endpoint();
    }

    /** Guarded by this: the metadata under what {@code addMetadata} adds, for the size bound. */
    private Metadata lowerMetadata() {
        return globals.merge(context).merge(options.attributes()).metadata();
    }

    /**
     * The metadata of the record: secret-looking values redacted ({@code Metadata} keeps the redaction of a layer
     * shared by many calls), and {@code streaming: true} for a stream.
     */
    private Map<String, @Nullable Object> recordMetadata(Metadata merged, boolean markStreaming) {
        Map<String, @Nullable Object> m = merged.redacted(redactor());
        if (!markStreaming) {
            return m;
        }
        LinkedHashMap<String, @Nullable Object> marked = new LinkedHashMap<>(m);
        marked.put("streaming", Boolean.TRUE);
        return JsonValues.adopt(marked);
    }

    /** The capture fact set on the call, else the one of its options. */
    private static <T> @Nullable T first(@Nullable T a, @Nullable T b) {
        return a != null ? a : b;
    }

    @Override
    public String toString() {
        return "TrackedCall{id=" + id + ", provider=" + provider + ", model=" + model + ", startedAt=" + startedAt
                + (done != 0 ? ", recorded" : "") + "}";
    }
}
