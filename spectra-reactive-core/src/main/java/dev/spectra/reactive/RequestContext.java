package dev.spectra.reactive;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * The in-flight record of one call: what {@link Spectra#track} hands to its callback and
 * {@link Spectra#startRequest} returns. Add metadata and tags as they become known, give usage by hand when the
 * response does not carry it, set the pricing tier, trace id, owner or conversation. What is set here wins over
 * options, Context and globals.
 *
 * <p>Thread-safe: the callback may hand it to any thread. Once the call is recorded, further changes are ignored.
 * Spectra implements this interface; do not implement it yourself.
 *
 * @since 0.1
 */
public interface RequestContext {

    /**
     * @return the id the record will have (UUID version 7)
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
     * {@link SpectraTracker.Builder#traceIdResolver trace id resolver} reads from the Context (by default a
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
     * @return this context
     * @throws IllegalArgumentException naming the key when the key is null or blank, the value is not JSON, or
     *         the request's metadata would exceed the tracker's size bound
     */
    RequestContext addMetadata(String key, @Nullable Object value);

    /**
     * Adds every entry of a map, as {@link #addMetadata(String, Object)} does one by one.
     *
     * @param entries the entries
     * @return this context
     * @throws IllegalArgumentException naming the first bad key
     */
    RequestContext addMetadata(Map<String, ? extends @Nullable Object> entries);

    /**
     * Adds a tag.
     *
     * @param tag the tag, not blank, at most 255 characters
     * @return this context
     * @throws IllegalArgumentException when the tag is null, blank or too long
     */
    RequestContext addTag(String tag);

    /**
     * Sets the usage by hand; it wins over whatever the response says.
     *
     * @param usage the usage
     * @return this context
     */
    RequestContext usage(Usage usage);

    /**
     * Sets the pricing tier of this call.
     *
     * @param tier the tier
     * @return this context
     */
    RequestContext pricingTier(PricingTier tier);

    /**
     * Sets the trace id of this call.
     *
     * @param traceId the trace id, not blank, at most 128 characters
     * @return this context
     */
    RequestContext traceId(String traceId);

    /**
     * Attributes this call to an owner.
     *
     * @param type the owner's kind, e.g. {@code "user"}
     * @param id the owner's id
     * @return this context
     */
    RequestContext trackable(String type, String id);

    /**
     * Puts this call in a conversation.
     *
     * @param conversationId the conversation id, not blank
     * @return this context
     */
    RequestContext conversationId(String conversationId);

    /**
     * @return the metadata merged so far: globals, Context, options, and what was added here
     */
    Map<String, @Nullable Object> metadata();

    /**
     * @return the tags so far
     */
    List<String> tags();

    /**
     * @return the usage set by hand, or null
     */
    @Nullable Usage usage();
}
