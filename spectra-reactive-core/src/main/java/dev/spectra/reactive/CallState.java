package dev.spectra.reactive;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import dev.spectra.reactive.internal.Errors;
import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.Globals;
import dev.spectra.reactive.internal.JsonValues;
import dev.spectra.reactive.internal.Limits;
import dev.spectra.reactive.internal.Metadata;
import dev.spectra.reactive.internal.Redactor;
import dev.spectra.reactive.internal.Secrets;
import dev.spectra.reactive.internal.Tags;
import dev.spectra.reactive.internal.TrackingAttributes;
import dev.spectra.reactive.provider.ResponseDetails;
import dev.spectra.reactive.provider.ResponseReader;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * The state of one tracked call, from start to its single record; what users see as {@link RequestContext} and
 * capture paths as {@link TrackedCall}. Mutations from the user (metadata, tags, usage ...) and from the stream
 * (chunks) are guarded by {@code this}; the end is decided once by a CAS on {@link #done}.
 */
final class CallState implements TrackedCall {

    private static final AtomicIntegerFieldUpdater<CallState> DONE =
            AtomicIntegerFieldUpdater.newUpdater(CallState.class, "done");

    /** Null only for a detached context whose tracker could not be found. */
    private final @Nullable SpectraTracker tracker;
    private final boolean detached;
    private final String provider;
    private final TrackOptions options;
    private final TrackingAttributes globals;
    private final UUID id;
    private final Instant startedAt;
    private final long startNanos;
    private volatile int done;

    // guarded by this
    private String model;
    private @Nullable TrackingAttributes context;
    private @Nullable ContextView view;
    private boolean streaming;
    private int chunks;
    private long firstChunkNanos = -1;
    /** What most calls never set, allocated on first use so a plain tracked Mono stays small. */
    private @Nullable Extras x;

    /** The rarely used part of the state; guarded by the owning {@link CallState}. */
    private static final class Extras {
        Metadata added = Metadata.EMPTY;
        List<String> addedTags = List.of();
        @Nullable Usage manualUsage;
        @Nullable PricingTier tier;
        @Nullable String traceId;
        @Nullable Trackable trackable;
        @Nullable String conversationId;
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

    CallState(SpectraTracker tracker, String provider, String model, TrackOptions options,
              @Nullable ContextView view, @Nullable TrackingAttributes context, boolean streaming) {
        this.tracker = tracker;
        this.detached = false;
        this.provider = provider;
        this.model = model;
        this.options = options;
        this.view = view;
        this.context = context;
        this.globals = Globals.get();
        this.streaming = streaming;
        this.startNanos = tracker.nanoTime();
        this.startedAt = tracker.now(startNanos);
        this.id = tracker.newId(startedAt);
    }

    /** A context that records nothing: reads no clock, no id generator, nothing that could fail. */
    private CallState(@Nullable SpectraTracker tracker, String provider, String model, TrackOptions options) {
        this.tracker = tracker;
        this.detached = true;
        this.provider = provider;
        this.model = model;
        this.options = options;
        this.globals = Globals.get();
        this.startNanos = 0;
        this.startedAt = Instant.EPOCH;
        this.id = NIL;
    }

    private static final UUID NIL = new UUID(0, 0);

    /**
     * The context a callback gets when its call is not tracked (tracking is off, or starting it failed): it accepts
     * metadata, tags and the rest, and records nothing; its id is the nil UUID and its start the epoch.
     *
     * @param tracker the tracker that would have recorded it, or null when even that was not found
     */
    static CallState detached(@Nullable SpectraTracker tracker, String provider, String model, TrackOptions options) {
        return new CallState(tracker, provider, model, options);
    }

    private int metadataMaxBytes() {
        return tracker != null ? tracker.metadataMaxBytes() : Limits.metadataMaxBytes();
    }

    private Redactor redactor() {
        return tracker != null ? tracker.redactor() : DEFAULT_REDACTOR;
    }

    private static final Redactor DEFAULT_REDACTOR = new Redactor(SpectraTracker.DEFAULT_REDACT_KEYS);

    // ---------------------------------------------------------------- RequestContext

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
        String t = explicitTraceId();
        return t != null ? t : id.toString();
    }

    @Override
    public RequestContext addMetadata(String key, @Nullable Object value) {
        synchronized (this) {
            x().added = x().added.with(key, value, metadataMaxBytes(), lowerMetadata());
        }
        return this;
    }

    @Override
    public RequestContext addMetadata(Map<String, ? extends @Nullable Object> entries) {
        Objects.requireNonNull(entries, "metadata entries");
        synchronized (this) {
            Metadata m = x().added;
            Metadata base = lowerMetadata();
            for (Map.Entry<String, ? extends @Nullable Object> e : entries.entrySet()) {
                m = m.with(e.getKey(), e.getValue(), metadataMaxBytes(), base);
            }
            x().added = m;
        }
        return this;
    }

    @Override
    public RequestContext addTag(String tag) {
        String t = Tags.check(tag);
        synchronized (this) {
            x().addedTags = Tags.union(x().addedTags, List.of(t));
        }
        return this;
    }

    @Override
    public RequestContext usage(Usage usage) {
        Objects.requireNonNull(usage, "usage");
        synchronized (this) {
            x().manualUsage = usage;
        }
        return this;
    }

    @Override
    public RequestContext pricingTier(PricingTier tier) {
        Objects.requireNonNull(tier, "pricingTier");
        synchronized (this) {
            x().tier = tier;
        }
        return this;
    }

    @Override
    public RequestContext traceId(String traceId) {
        String t = Limits.checkId("trace id", traceId, 128);
        synchronized (this) {
            x().traceId = t;
        }
        return this;
    }

    @Override
    public RequestContext trackable(String type, String id) {
        Trackable t = new Trackable(type, id);
        synchronized (this) {
            x().trackable = t;
        }
        return this;
    }

    @Override
    public RequestContext conversationId(String conversationId) {
        String c = Limits.checkId("conversation id", conversationId, 255);
        synchronized (this) {
            x().conversationId = c;
        }
        return this;
    }

    @Override
    public synchronized Map<String, @Nullable Object> metadata() {
        return mergedMetadata(false);
    }

    @Override
    public synchronized List<String> tags() {
        return mergedTags();
    }

    @Override
    public synchronized @Nullable Usage usage() {
        return x == null ? null : x.manualUsage;
    }

    // ---------------------------------------------------------------- TrackedCall

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
        String p = Secrets.pathOnly(path);
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
            x().httpStatus = status;
        }
        return this;
    }

    @Override
    public void chunkArrived() {
        if (detached) {
            return;
        }
        long now = tracker.nanoTime();
        synchronized (this) {
            if (chunks++ == 0) {
                firstChunkNanos = now;
            }
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
        Fatal.rethrowIfFatal(error);
        if (tracker != null) {
            tracker.internalError(what, error);
        } else {
            SpectraTracker.untrackedError(what, error);
        }
    }

    @Override
    public void responseUnread(String why) {
        if (tracker != null) {
            tracker.responseUnread(provider, why);
        } else {
            TrackedCall.super.responseUnread(why);
        }
    }

    // ---------------------------------------------------------------- operators

    /** A value of a tracked Mono arrived: for a Mono, the call is complete. */
    void onValue(Object value) {
        finish(Outcome.SUCCESS, value, null);
    }

    /** One element of a tracked stream arrived. */
    void onChunk(Object chunk) {
        long now = tracker.nanoTime();
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
                    r = tracker.responseReader().newChunkReader(provider, endpointOrOption());
                    e.chunkReader = r;
                }
                r.onChunk(chunk);
            } catch (Throwable t) {
                Fatal.rethrowIfFatal(t);
                e.readFailed = true;
                tracker.readFailed(provider, t);
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

    /** For {@code recordSuccess}: merges the Context of the recording subscription when none was known at start. */
    synchronized void attachContext(ContextView v) {
        if (view == null) {
            view = v;
            context = TrackingAttributes.from(v);
        }
    }

    /** For {@code recordFailure(ctx, error, status)}. */
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
        TrackedRequest record;
        try {
            synchronized (this) {
                record = assemble(outcome, value, error);
            }
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            tracker.internalError("building the record of a " + provider + " call", t);
            return null;
        }
        tracker.deliver(record);
        return record;
    }

    /** Guarded by this. */
    private TrackedRequest assemble(Outcome outcome, @Nullable Object value, @Nullable Throwable error) {
        long elapsed = Math.max(0, tracker.nanoTime() - startNanos);
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
        Usage usage = e == null ? null : e.manualUsage != null ? e.manualUsage : e.chunkUsage;
        if (usage == null && value != null && options.usageExtractorAppliesTo(value)) {
            usage = extract(value);
        }
        if (usage == null) {
            usage = d.usage();
        }

        PricingTier pricingTier = first(e == null ? null : e.tier, options.pricingTier(),
                context == null ? null : context.pricingTier(), d.pricingTier(), globals.pricingTier());
        if (pricingTier == null) {
            pricingTier = PricingTier.STANDARD;
        }
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
            status = cost != null ? PricingStatus.PRICED : PricingStatus.MODEL_NOT_PRICED;
            if (cost == null) {
                tracker.unpriced(provider, responseModel != null ? responseModel : model, pricingTier);
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
            errorMessage = Secrets.scrub(msg);
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

        return new TrackedRequest(id, explicitTraceId(), d.responseId(), provider, model, responseModel, type, path,
                first(e == null ? null : e.operation, options.operation()), httpStatus, outcome, errorType,
                errorMessage, d.finishReason(), d.toolCallCounts(), streaming, usage, cost, pricingTier, status,
                elapsed / 1_000_000L, ttft, tps, chunkCount,
                first(e == null ? null : e.trackable, options.trackable(),
                        context == null ? null : context.trackable(), globals.trackable()),
                first(e == null ? null : e.conversationId, options.conversationId(),
                        context == null ? null : context.conversationId()),
                mergedTags(), mergedMetadata(streaming), startedAt, completedAt);
    }

    /** Guarded by this: the trace id given to this call, or null when it is its own trace (its id). */
    private @Nullable String explicitTraceId() {
        if (x != null && x.traceId != null) {
            return x.traceId;
        }
        String t = options.traceId();
        if (t == null && context != null) {
            t = context.traceId();
        }
        if (t == null && view != null) {
            t = tracker.resolveTraceId(view);
        }
        return t;
    }

    private ResponseDetails read(Object value, @Nullable String path) {
        try {
            ResponseDetails d = tracker.responseReader().read(provider, path, value);
            return d == null ? ResponseDetails.EMPTY : d;
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            tracker.readFailed(provider, t);
            return ResponseDetails.EMPTY;
        }
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
            tracker.readFailed(provider, t);
            return ResponseDetails.EMPTY;
        }
    }

    private @Nullable Usage extract(Object value) {
        try {
            return options.extractUsage(value);
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            tracker.readFailed(provider, t);
            return null;
        }
    }

    private @Nullable Cost price(@Nullable String m, PricingTier pricingTier, Usage usage, ResponseDetails d) {
        if (m == null) {
            return null;
        }
        try {
            // with the details: billed units (Cohere), image quality and size decide the price
            return tracker.pricing().cost(provider, m, pricingTier, usage, d);
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            tracker.internalError("pricing " + provider + "/" + m, t);
            return null;
        }
    }

    private @Nullable ModelType modelTypeFromPricing(String m) {
        try {
            return tracker.pricing().modelType(provider, m);
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            tracker.internalError("model type of " + provider + "/" + m, t);
            return null;
        }
    }

    private @Nullable String endpointOrOption() {
        return x != null && x.endpoint != null ? x.endpoint : options.endpoint();
    }

    /** Guarded by this: the metadata under what {@code addMetadata} adds, for the size bound. */
    private Metadata lowerMetadata() {
        Metadata m = globals.metadata();
        if (context != null) {
            m = m.merge(context.metadata());
        }
        return m.merge(options.metadataLayer());
    }

    /** Guarded by this. Globals &lt; Context &lt; options &lt; added; secrets redacted. */
    private Map<String, @Nullable Object> mergedMetadata(boolean markStreaming) {
        Redactor r = redactor();
        Map<String, @Nullable Object> g = globals.metadata().redacted(r);
        Map<String, @Nullable Object> c = context == null ? JsonValues.EMPTY_OBJECT : context.metadata().redacted(r);
        Map<String, @Nullable Object> o = options.metadataLayer().redacted(r);
        Map<String, @Nullable Object> a = x == null ? JsonValues.EMPTY_OBJECT : x.added.redacted(r);
        int nonEmpty = (g.isEmpty() ? 0 : 1) + (c.isEmpty() ? 0 : 1) + (o.isEmpty() ? 0 : 1) + (a.isEmpty() ? 0 : 1);
        if (!markStreaming) {
            if (nonEmpty == 0) {
                return JsonValues.EMPTY_OBJECT;
            }
            if (nonEmpty == 1) {
                return !a.isEmpty() ? a : !o.isEmpty() ? o : !c.isEmpty() ? c : g;
            }
        }
        LinkedHashMap<String, @Nullable Object> m = new LinkedHashMap<>();
        m.putAll(g);
        m.putAll(c);
        m.putAll(o);
        m.putAll(a);
        if (markStreaming) {
            m.put("streaming", Boolean.TRUE);
        }
        return JsonValues.adopt(m);
    }

    /** Guarded by this. */
    private List<String> mergedTags() {
        List<String> t = globals.tags();
        if (context != null) {
            t = Tags.union(t, context.tags());
        }
        t = Tags.union(t, options.tags());
        return x == null ? t : Tags.union(t, x.addedTags);
    }

    // fixed arities, not varargs: this runs for every record and must not allocate
    private static <T> @Nullable T first(@Nullable T a, @Nullable T b) {
        return a != null ? a : b;
    }

    private static <T> @Nullable T first(@Nullable T a, @Nullable T b, @Nullable T c) {
        return a != null ? a : b != null ? b : c;
    }

    private static <T> @Nullable T first(@Nullable T a, @Nullable T b, @Nullable T c, @Nullable T d) {
        return a != null ? a : b != null ? b : c != null ? c : d;
    }

    private static <T> @Nullable T first(@Nullable T a, @Nullable T b, @Nullable T c, @Nullable T d,
                                         @Nullable T e) {
        return a != null ? a : b != null ? b : c != null ? c : d != null ? d : e;
    }

    @Override
    public String toString() {
        return "RequestContext{id=" + id + ", provider=" + provider + ", model=" + model + ", startedAt=" + startedAt
                + (done != 0 ? ", recorded" : "") + "}";
    }
}
