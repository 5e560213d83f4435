package dev.spectra.reactive;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.spectra.reactive.provider.ResponseDetails;
import org.jspecify.annotations.Nullable;

/**
 * One AI call in flight, from its start to its single record ({@link TrackedRequest}): what {@link Spectra#track}
 * hands to its callback, what {@link Spectra#startCall} returns for calls recorded by hand, and what a capture path
 * of its own (an HTTP client filter, an SDK interceptor) drives with {@link SpectraTracker#startCall(String, String,
 * TrackOptions, reactor.util.context.ContextView)}.
 *
 * <p>Add metadata and tags as they become known, give usage by hand when the response does not carry it, set the
 * pricing tier, trace id, owner or conversation: what is set here wins over the {@link TrackOptions}, the Reactor
 * Context and the globals. A capture path also tells the call what the request and response say as they pass
 * ({@link #model(String)}, {@link #endpoint}, {@link #chunkArrived()}, {@link #responseDetails}) and ends it with
 * {@link #succeed()}, {@link #fail} or {@link #cancel()}.
 *
 * <p>Thread-safe: the callback may hand it to any thread. A call is recorded once: the first end wins, and changes
 * made after it are ignored. Spectra implements this interface; it cannot be implemented elsewhere.
 *
 * @since 0.1
 */
public sealed interface TrackedCall permits CallState {

    /**
     * @return the id the record will have (UUID version 7); the nil UUID when the call is not tracked
     */
    UUID id();

    /**
     * @return the provider id
     */
    String provider();

    /**
     * @return the requested model
     */
    String model();

    /**
     * @return when the call started
     */
    Instant startedAt();

    /**
     * The trace id the record will have: set here, else from the {@link TrackOptions}, else from the Spectra
     * Context entries ({@link Spectra#traceId}), else what the tracker's
     * {@link SpectraTrackerBuilder#traceIdResolver trace id resolver} reads from the Context (by default a
     * {@code traceparent}); when none gives one, the record's own {@link #id()} as a string.
     *
     * @return the trace id
     */
    String traceId();

    /**
     * Adds a metadata entry (replacing an earlier one of the same key).
     *
     * @param key the key, not blank
     * @param value a JSON value: String, Number, Boolean, null, or a List or Map of those
     * @return this call
     * @throws IllegalArgumentException naming the key when the key is null or blank, the value is not JSON, or
     *         the call's metadata would exceed its tracker's size bound
     */
    TrackedCall addMetadata(String key, @Nullable Object value);

    /**
     * Adds every entry of a map, as {@link #addMetadata(String, Object)} does one by one.
     *
     * @param entries the entries
     * @return this call
     * @throws IllegalArgumentException naming the first bad key
     */
    TrackedCall addMetadata(Map<String, ? extends @Nullable Object> entries);

    /**
     * Adds a tag.
     *
     * @param tag the tag, not blank, at most 255 characters
     * @return this call
     * @throws IllegalArgumentException when the tag is null, blank or too long
     */
    TrackedCall addTag(String tag);

    /**
     * Sets the usage by hand; it wins over whatever the response says.
     *
     * @param usage the usage
     * @return this call
     */
    TrackedCall usage(Usage usage);

    /**
     * Sets the pricing tier of this call.
     *
     * @param tier the tier
     * @return this call
     */
    TrackedCall pricingTier(PricingTier tier);

    /**
     * Sets the trace id of this call.
     *
     * @param traceId the trace id, not blank, at most 128 characters
     * @return this call
     */
    TrackedCall traceId(String traceId);

    /**
     * Attributes this call to an owner.
     *
     * @param type the owner's kind, e.g. {@code "user"}
     * @param id the owner's id
     * @return this call
     */
    TrackedCall trackable(String type, String id);

    /**
     * Puts this call in a conversation.
     *
     * @param conversationId the conversation id, not blank, at most 255 characters
     * @return this call
     */
    TrackedCall conversationId(String conversationId);

    /**
     * @return the metadata merged so far: globals, Context, options, and what was added here
     */
    Map<String, @Nullable Object> metadata();

    /**
     * @return the tags so far, in the same order of layers
     */
    List<String> tags();

    /**
     * @return the usage set by hand, or null
     */
    @Nullable Usage usage();

    /**
     * @param model the requested model, when only known after the start (e.g. read from the request body)
     * @return this call
     */
    TrackedCall model(String model);

    /**
     * @param path the URL path called; a query string is dropped
     * @return this call
     */
    TrackedCall endpoint(String path);

    /**
     * @param operation e.g. {@code chat}, {@code embeddings}
     * @return this call
     */
    TrackedCall operation(String operation);

    /**
     * @param type the model type
     * @return this call
     */
    TrackedCall modelType(ModelType type);

    /**
     * @param streaming whether the response is streamed (adds {@code streaming: true} to the metadata)
     * @return this call
     */
    TrackedCall streaming(boolean streaming);

    /**
     * @param status the HTTP status of the response
     * @return this call
     */
    TrackedCall httpStatus(int status);

    /**
     * Notes that a chunk of the response arrived: the first one sets the time to first token, each one counts.
     */
    void chunkArrived();

    /**
     * Notes that several chunks of the response arrived together (a network read that held several stream events):
     * as many calls of {@link #chunkArrived()}, with the clock read once. The first chunk of the call sets the time
     * to first token; each one counts.
     *
     * @param count the chunks, 0 or more
     * @throws IllegalArgumentException when {@code count} is negative
     */
    void chunksArrived(int count);

    /**
     * What the response said (model, id, usage, finish reason, tool calls, tier, error); replaces earlier details.
     *
     * @param details the details
     */
    void responseDetails(ResponseDetails details);

    /**
     * Ends the call as a success and records it. For capture paths of their own: the operators
     * ({@link Spectra#track}, {@link Spectra#tracked}, {@link Spectra#stream}) end their calls themselves, so
     * calling this inside a callback ends the call early, with what is known so far (the first end wins).
     *
     * @return true when this recorded the call, false when it had already ended (or is not tracked)
     */
    boolean succeed();

    /**
     * Ends the call as a failure and records it; the error type and message come from the response details when
     * they carry them, else from the exception. Like {@link #succeed()}, for capture paths: inside an operator's
     * callback it ends the call early (the first end wins).
     *
     * @param error the exception, or null (an HTTP error status with a provider error body)
     * @return true when this recorded the call
     */
    boolean fail(@Nullable Throwable error);

    /**
     * Ends the call as cancelled, with whatever usage arrived, and records it. Like {@link #succeed()}, for
     * capture paths: inside an operator's callback it ends the call early (the first end wins).
     *
     * @return true when this recorded the call
     */
    boolean cancel();

    /**
     * @return whether the call has ended (recorded, or ended untracked)
     */
    boolean isRecorded();

    /**
     * Reports that the integration driving this call failed while observing it (the call itself goes on):
     * counted in {@link TrackerStats#trackingErrors()} of the call's tracker and logged, rate-limited. Never
     * throws, except a {@link VirtualMachineError} given to it.
     *
     * @param what what was being done, e.g. {@code "reading a response body"}
     * @param error the failure
     */
    void trackingFailed(String what, Throwable error);

    /**
     * Reports that the integration driving this call left its response unread for a reason of its own, not of
     * the response's content (the body passed a memory bound): the record's usage is unknown, and this is counted
     * in {@link TrackerStats#readFailures()} and logged, rate-limited. Never throws.
     *
     * @param why what happened, for the log, e.g. {@code "Spectra did not read a 5000000-byte openai response:
     *        ..."}
     */
    void responseUnread(String why);
}
