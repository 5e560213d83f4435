package dev.spectra.reactive;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import static dev.spectra.reactive.RequestColumn.Nullability.NOT_NULL;
import static dev.spectra.reactive.RequestColumn.Nullability.NULLABLE;

/**
 * The columns of a {@link TrackedRequest}: every field of the record described once, as it is stored (table
 * {@code spectra_requests}), served as JSON and exported. Sinks, row mappers, JSON writers and exporters derive
 * from this catalog, so a new field of the record is one constant here (and, for PostgreSQL, a migration that adds
 * its column).
 *
 * <p>Each column has a name ({@link #columnName()}, snake case), a PostgreSQL type ({@link #sqlType()}),
 * a nullability, a JSON name ({@link #jsonName()}), the OpenTelemetry attribute that carries the same fact where
 * one exists ({@link #otelAttribute()}), a one-line description, and one value per record
 * ({@link #value(TrackedRequest)}) in a neutral Java form ({@link #javaType()}): {@link String}, {@link Long},
 * {@link Integer}, {@link Double}, {@link BigDecimal}, {@link Boolean}, {@link Instant}, {@link UUID}, or a
 * {@link List} or {@link Map} of JSON values. Enums ({@link Outcome}, {@link ModelType}, {@link PricingStatus})
 * are given by their lower-case id, a {@link PricingTier} by its name.
 *
 * <p>Declaration order is the order of the table's columns, of the insert's parameters and of the JSON fields.
 *
 * <p>Three parts of the record span several columns and are all or nothing: {@link Usage} ({@link #INPUT_TOKENS}
 * to {@link #IMAGE_OUTPUT_TOKENS}), {@link Cost} ({@link #INPUT_COST} to {@link #TOTAL_COST}, {@link #COST_SOURCE},
 * {@link #PROVIDER_COST}; a cost the provider stated as a total has no input and output amounts) and
 * {@link Trackable} ({@link #TRACKABLE_TYPE}, {@link #TRACKABLE_ID}): when the record has none, each of its
 * columns is null; in JSON they are the fields of one object ({@code usage.input_tokens}), itself null then.
 * Within a known usage, a {@link Usage.Detail} the provider did not state is null too (a stated 0 is 0): only
 * {@link #INPUT_TOKENS}, {@link #OUTPUT_TOKENS} and {@link #TOTAL_TOKENS} always have a value then.
 *
 * @since 0.1
 */
public enum RequestColumn {

    /** Time-ordered id of the call (UUID version 7). */
    ID("id", "uuid", NOT_NULL, "spectra.request.id",
            field(UUID.class, TrackedRequest::id, TrackedRequest.Builder::id),
            "Time-ordered id of the call (UUID version 7)."),

    /** Correlation id shared by the calls of one inbound request; the call's own id when it had none. */
    TRACE_ID("trace_id", "text", NOT_NULL, null,
            field(String.class, TrackedRequest::traceId, TrackedRequest.Builder::traceId),
            "Correlation id shared by the calls of one inbound request; the call's own id when it had none."),

    /** The provider's response id (chatcmpl-…, msg_…); a call captured twice is stored once. */
    RESPONSE_ID("response_id", "text", NULLABLE, "gen_ai.response.id",
            field(String.class, TrackedRequest::responseId, TrackedRequest.Builder::responseId),
            "The provider's response id (chatcmpl-…, msg_…); a call captured twice is stored once."),

    /**
     * Provider id (openai, anthropic, gemini …); OpenTelemetry's well-known values differ for some (gcp.gemini).
     */
    PROVIDER("provider", "text", NOT_NULL, "gen_ai.provider.name",
            field(String.class, TrackedRequest::provider, TrackedRequest.Builder::provider),
            "Provider id (openai, anthropic, gemini …); OpenTelemetry's well-known values differ for some "
                    + "(gcp.gemini)."),

    /** The model as requested. */
    MODEL("model", "text", NOT_NULL, "gen_ai.request.model",
            field(String.class, TrackedRequest::model, TrackedRequest.Builder::model),
            "The model as requested."),

    /** The model snapshot the provider answered with, e.g. gpt-4o-2024-08-06. */
    RESPONSE_MODEL("response_model", "text", NULLABLE, "gen_ai.response.model",
            field(String.class, TrackedRequest::responseModel, TrackedRequest.Builder::responseModel),
            "The model snapshot the provider answered with, e.g. gpt-4o-2024-08-06."),

    /** The kind of model: text, embedding, image, tts, stt or video. */
    MODEL_TYPE("model_type", "text", NULLABLE, null,
            field(String.class, r -> r.modelType() == null ? null : r.modelType().id(),
                    (b, v) -> b.modelType(ModelType.fromId(v))),
            "The kind of model: text, embedding, image, tts, stt or video."),

    /** The URL path called, never its query string (Gemini puts the API key there). */
    ENDPOINT("endpoint", "text", NULLABLE, null,
            field(String.class, TrackedRequest::endpoint, TrackedRequest.Builder::endpoint),
            "The URL path called, never its query string (Gemini puts the API key there)."),

    /**
     * What was done: chat, responses, messages, generate_content, embeddings, images, audio and others; OpenTelemetry's
     * well-known values differ for some (messages and responses are chat).
     */
    OPERATION("operation", "text", NULLABLE, "gen_ai.operation.name",
            field(String.class, TrackedRequest::operation, TrackedRequest.Builder::operation),
            "What was done: chat, responses, messages, generate_content, embeddings, images, audio and others; "
                    + "OpenTelemetry's well-known values differ for some (messages and responses are chat)."),

    /** The HTTP status, when there was a response. */
    HTTP_STATUS("http_status", "integer", NULLABLE, "http.response.status_code",
            field(Integer.class, TrackedRequest::httpStatus, TrackedRequest.Builder::httpStatus),
            "The HTTP status, when there was a response."),

    /** How the call ended: success, failure or cancelled. */
    OUTCOME("outcome", "text", NOT_NULL, "spectra.outcome",
            field(String.class, r -> r.outcome().id(), (b, v) -> b.outcome(Outcome.fromId(v))),
            "How the call ended: success, failure or cancelled."),

    /** The provider's error type or the exception class, for failures. */
    ERROR_TYPE("error_type", "text", NULLABLE, "error.type",
            field(String.class, TrackedRequest::errorType, TrackedRequest.Builder::errorType),
            "The provider's error type or the exception class, for failures."),

    /** The error message with secrets scrubbed, for failures. */
    ERROR_MESSAGE("error_message", "text", NULLABLE, null,
            field(String.class, TrackedRequest::errorMessage, TrackedRequest.Builder::errorMessage),
            "The error message with secrets scrubbed, for failures."),

    /** Why generation stopped, as the provider says (stop, end_turn …); one value of OpenTelemetry's array. */
    FINISH_REASON("finish_reason", "text", NULLABLE, "gen_ai.response.finish_reasons",
            field(String.class, TrackedRequest::finishReason, TrackedRequest.Builder::finishReason),
            "Why generation stopped, as the provider says (stop, end_turn …); one value of OpenTelemetry's array."),

    /** Tool calls by type (function: 2); an empty object when none. */
    TOOL_CALL_COUNTS("tool_call_counts", "jsonb", NOT_NULL, null,
            field(Map.class, TrackedRequest::toolCallCounts, (b, v) -> b.toolCallCounts(counts(v))),
            "Tool calls by type (function: 2); an empty object when none."),

    /** Whether the response was streamed. */
    STREAMING("streaming", "boolean", NOT_NULL, "gen_ai.request.stream",
            field(Boolean.class, TrackedRequest::streaming, TrackedRequest.Builder::streaming),
            "Whether the response was streamed."),

    /** All input tokens, cache reads and writes included; null when the usage is unknown. */
    INPUT_TOKENS("input_tokens", "bigint", NULLABLE, "gen_ai.usage.input_tokens",
            usage(Long.class, Usage::inputTokens, Usage.Builder::inputTokens),
            "All input tokens, cache reads and writes included; null when the usage is unknown."),

    /** All output tokens, reasoning included. */
    OUTPUT_TOKENS("output_tokens", "bigint", NULLABLE, "gen_ai.usage.output_tokens",
            usage(Long.class, Usage::outputTokens, Usage.Builder::outputTokens),
            "All output tokens, reasoning included."),

    /** Input tokens read from the provider's prompt cache (part of input_tokens); null when not stated. */
    CACHED_INPUT_TOKENS("cached_input_tokens", "bigint", NULLABLE, "gen_ai.usage.cache_read.input_tokens",
            detail(Usage.Detail.CACHED_INPUT_TOKENS, Long.class, Usage::cachedInputTokens,
                    Usage.Builder::cachedInputTokens),
            "Input tokens read from the provider's prompt cache (part of input_tokens); null when not stated."),

    /** Input tokens written to the provider's prompt cache (part of input_tokens); null when not stated. */
    CACHE_WRITE_TOKENS("cache_write_tokens", "bigint", NULLABLE, "gen_ai.usage.cache_creation.input_tokens",
            detail(Usage.Detail.CACHE_WRITE_TOKENS, Long.class, Usage::cacheWriteTokens,
                    Usage.Builder::cacheWriteTokens),
            "Input tokens written to the provider's prompt cache (part of input_tokens); null when not stated."),

    /** Output tokens spent on reasoning (part of output_tokens); null when not stated. */
    REASONING_TOKENS("reasoning_tokens", "bigint", NULLABLE, "gen_ai.usage.reasoning.output_tokens",
            detail(Usage.Detail.REASONING_TOKENS, Long.class, Usage::reasoningTokens, Usage.Builder::reasoningTokens),
            "Output tokens spent on reasoning (part of output_tokens); null when not stated."),

    /** The provider's total, else input plus output. */
    TOTAL_TOKENS("total_tokens", "bigint", NULLABLE, null,
            usage(Long.class, Usage::totalTokens, Usage.Builder::totalTokens),
            "The provider's total, else input plus output."),

    /** Images generated (image APIs); null when not stated. */
    IMAGES("images", "bigint", NULLABLE, null,
            detail(Usage.Detail.IMAGES, Long.class, Usage::images, Usage.Builder::images),
            "Images generated (image APIs); null when not stated."),

    /** Seconds of audio transcribed or produced (audio APIs); null when not stated. */
    AUDIO_SECONDS("audio_seconds", "numeric", NULLABLE, null,
            detail(Usage.Detail.AUDIO_SECONDS, BigDecimal.class, Usage::audioSeconds, Usage.Builder::audioSeconds),
            "Seconds of audio transcribed or produced (audio APIs); null when not stated."),

    /** Characters of input billed by character (speech APIs); null when not stated. */
    CHARACTERS("characters", "bigint", NULLABLE, null,
            detail(Usage.Detail.CHARACTERS, Long.class, Usage::characters, Usage.Builder::characters),
            "Characters of input billed by character (speech APIs); null when not stated."),

    /** Cache writes with a one-hour lifetime (part of cache_write_tokens); null when not stated. */
    CACHE_WRITE_1H_TOKENS("cache_write_1h_tokens", "bigint", NULLABLE, null, "cache_write_1h_tokens",
            detail(Usage.Detail.CACHE_WRITE_1H_TOKENS, Long.class, Usage::cacheWrite1hTokens,
                    Usage.Builder::cacheWrite1hTokens),
            "Cache writes with a one-hour lifetime (part of cache_write_tokens); null when not stated."),

    /** Audio tokens of the input (part of input_tokens); null when not stated. */
    AUDIO_INPUT_TOKENS("audio_input_tokens", "bigint", NULLABLE, "gen_ai.usage.audio.input_tokens",
            detail(Usage.Detail.AUDIO_INPUT_TOKENS, Long.class, Usage::audioInputTokens,
                    Usage.Builder::audioInputTokens),
            "Audio tokens of the input (part of input_tokens); null when not stated."),

    /** Audio tokens of the output (part of output_tokens); null when not stated. */
    AUDIO_OUTPUT_TOKENS("audio_output_tokens", "bigint", NULLABLE, null,
            detail(Usage.Detail.AUDIO_OUTPUT_TOKENS, Long.class, Usage::audioOutputTokens,
                    Usage.Builder::audioOutputTokens),
            "Audio tokens of the output (part of output_tokens); null when not stated."),

    /** Image tokens of the input (part of input_tokens); null when not stated. */
    IMAGE_INPUT_TOKENS("image_input_tokens", "bigint", NULLABLE, "gen_ai.usage.image.input_tokens",
            detail(Usage.Detail.IMAGE_INPUT_TOKENS, Long.class, Usage::imageInputTokens,
                    Usage.Builder::imageInputTokens),
            "Image tokens of the input (part of input_tokens); null when not stated."),

    /** Image tokens of the output (part of output_tokens); null when not stated. */
    IMAGE_OUTPUT_TOKENS("image_output_tokens", "bigint", NULLABLE, null,
            detail(Usage.Detail.IMAGE_OUTPUT_TOKENS, Long.class, Usage::imageOutputTokens,
                    Usage.Builder::imageOutputTokens),
            "Image tokens of the output (part of output_tokens); null when not stated."),

    /** Cost of the input in USD, exact; null when the call was not priced, or priced by the provider's total. */
    INPUT_COST("input_cost", "numeric(20,10)", NULLABLE, null, "input_usd",
            cost(Cost::input, 0, true),
            "Cost of the input in USD, exact; null when the call was not priced, or priced by the provider's total."),

    /** Cost of the output in USD, exact; null when the cost is the provider's total. */
    OUTPUT_COST("output_cost", "numeric(20,10)", NULLABLE, null, "output_usd",
            cost(Cost::output, 1, true),
            "Cost of the output in USD, exact; null when the cost is the provider's total."),

    /**
     * Total cost in USD, exact: input plus output, or the provider's figure (see cost_source). OpenTelemetry's
     * attribute is a proposal, exported with gen_ai.usage.cost.currency USD.
     */
    TOTAL_COST("total_cost", "numeric(20,10)", NULLABLE, "gen_ai.usage.cost.amount", "total_usd",
            cost(Cost::total, 2, false),
            "Total cost in USD, exact: input plus output, or the provider's figure (see cost_source). "
                    + "OpenTelemetry's attribute is a proposal, exported with gen_ai.usage.cost.currency USD."),

    /** The tier the cost was computed at: standard, batch, flex, priority or a custom one. */
    PRICING_TIER("pricing_tier", "text", NOT_NULL, "spectra.pricing.tier",
            field(String.class, r -> r.pricingTier().name(), (b, v) -> b.pricingTier(PricingTier.of(v))),
            "The tier the cost was computed at: standard, batch, flex, priority or a custom one."),

    /**
     * Whether the call was priced: priced, priced_cache_rate_derived (cache reads at the provider's documented
     * rate), model_not_priced or usage_unknown.
     */
    PRICING_STATUS("pricing_status", "text", NOT_NULL, "spectra.pricing.status",
            field(String.class, r -> r.pricingStatus().id(), (b, v) -> b.pricingStatus(PricingStatus.fromId(v))),
            "Whether the call was priced: priced, priced_cache_rate_derived (cache reads at the provider's "
                    + "documented rate), model_not_priced or usage_unknown."),

    /** Wall time from subscription (or start) to the end of the call, in milliseconds. */
    LATENCY_MS("latency_ms", "bigint", NOT_NULL, null,
            field(Long.class, TrackedRequest::latencyMs, TrackedRequest.Builder::latencyMs),
            "Wall time from subscription (or start) to the end of the call, in milliseconds."),

    /** Time from start to the first streamed chunk, in milliseconds (OpenTelemetry's attribute is in seconds). */
    TIME_TO_FIRST_TOKEN_MS("time_to_first_token_ms", "bigint", NULLABLE, "gen_ai.response.time_to_first_chunk",
            field(Long.class, TrackedRequest::timeToFirstTokenMs, TrackedRequest.Builder::timeToFirstTokenMs),
            "Time from start to the first streamed chunk, in milliseconds (OpenTelemetry's attribute is in "
                    + "seconds)."),

    /** Output tokens per second after the first chunk, for streams with known usage. */
    TOKENS_PER_SECOND("tokens_per_second", "double precision", NULLABLE, null,
            field(Double.class, TrackedRequest::tokensPerSecond, TrackedRequest.Builder::tokensPerSecond),
            "Output tokens per second after the first chunk, for streams with known usage."),

    /** Number of chunks streamed, for streams. */
    CHUNK_COUNT("chunk_count", "integer", NULLABLE, null,
            field(Integer.class, TrackedRequest::chunkCount, TrackedRequest.Builder::chunkCount),
            "Number of chunks streamed, for streams."),

    /** The kind of party the call is attributed to (user, team, job …). */
    TRACKABLE_TYPE("trackable_type", "text", NULLABLE, "spectra.trackable.type", "type",
            trackable(Trackable::type, 0),
            "The kind of party the call is attributed to (user, team, job …)."),

    /**
     * The id of the party the call is attributed to; an id that is a credential (of a type named like one, such as
     * api_key, or shaped like a key) as sha256: and 32 hex digits of its digest, which filters also find by the key.
     */
    TRACKABLE_ID("trackable_id", "text", NULLABLE, "spectra.trackable.id", "id",
            trackable(Trackable::id, 1),
            "The id of the party the call is attributed to; an id that is a credential (of a type named like one,"
                    + " such as api_key, or shaped like a key) as sha256: and 32 hex digits of its digest, which"
                    + " filters also find by the key."),

    /** The conversation (chat thread, session) the call belongs to. */
    CONVERSATION_ID("conversation_id", "text", NULLABLE, "gen_ai.conversation.id",
            field(String.class, TrackedRequest::conversationId, TrackedRequest.Builder::conversationId),
            "The conversation (chat thread, session) the call belongs to."),

    /** Labels for quick filtering, in the order first added; an empty array when none. */
    TAGS("tags", "jsonb", NOT_NULL, "spectra.tags",
            field(List.class, TrackedRequest::tags, (b, v) -> b.tags(strings(v))),
            "Labels for quick filtering, in the order first added; an empty array when none."),

    /**
     * Structured JSON context (tenant, feature, job, experiment …); an empty object when none. OpenTelemetry gets
     * allow-listed keys only, one attribute each (spectra.metadata.tenant).
     */
    METADATA("metadata", "jsonb", NOT_NULL, "spectra.metadata",
            field(Map.class, TrackedRequest::metadata, (b, v) -> b.metadata(object(v))),
            "Structured JSON context (tenant, feature, job, experiment …); an empty object when none. "
                    + "OpenTelemetry gets allow-listed keys only, one attribute each (spectra.metadata.tenant)."),

    /** When the call started, microsecond precision. */
    STARTED_AT("started_at", "timestamptz", NOT_NULL, null,
            field(Instant.class, TrackedRequest::startedAt, TrackedRequest.Builder::startedAt),
            "When the call started, microsecond precision."),

    /** When the call ended, microsecond precision. */
    COMPLETED_AT("completed_at", "timestamptz", NOT_NULL, null,
            field(Instant.class, TrackedRequest::completedAt, TrackedRequest.Builder::completedAt),
            "When the call ended, microsecond precision."),

    /**
     * Where total_cost comes from: catalog, catalog_cache_rate_derived or provider; null when not priced (rows
     * stored before this column read as catalog).
     */
    COST_SOURCE("cost_source", "text", NULLABLE, null, "source",
            new Binding(Part.COST, String.class, r -> r.cost() == null ? null : r.cost().source().id(),
                    (a, v) -> a.costSource = Cost.Source.fromId((String) v), true),
            "Where total_cost comes from: catalog, catalog_cache_rate_derived or provider; null when not priced "
                    + "(rows stored before this column read as catalog)."),

    /** The call's cost in USD as the provider stated it (OpenRouter's usage.cost), beside the catalog's; else null. */
    PROVIDER_COST("provider_cost", "numeric(20,10)", NULLABLE, null, "provider_usd",
            new Binding(Part.COST, BigDecimal.class, r -> r.cost() == null ? null : r.cost().providerStated(),
                    (a, v) -> a.providerCost = (BigDecimal) v, true),
            "The call's cost in USD as the provider stated it (OpenRouter's usage.cost), beside the catalog's; "
                    + "else null."),

    /**
     * The span that was current where the call was made (16 hex digits), a span of trace_id's trace; null outside a
     * trace. OpenTelemetry exports it as the parent of the call's span.
     */
    PARENT_SPAN_ID("parent_span_id", "text", NULLABLE, null,
            field(String.class, TrackedRequest::parentSpanId, TrackedRequest.Builder::parentSpanId),
            "The span that was current where the call was made (16 hex digits), a span of trace_id's trace; null "
                    + "outside a trace. OpenTelemetry exports it as the parent of the call's span."),

    /**
     * The provider a router passed the call on to, as the router names it (OpenRouter's provider, the :provider of a
     * Hugging Face router model); null when the call was not routed or the router did not say.
     */
    UPSTREAM_PROVIDER("upstream_provider", "text", NULLABLE, "spectra.upstream_provider",
            field(String.class, TrackedRequest::upstreamProvider, TrackedRequest.Builder::upstreamProvider),
            "The provider a router passed the call on to, as the router names it (OpenRouter's provider, the "
                    + ":provider of a Hugging Face router model); null when the call was not routed or the router "
                    + "did not say.");

    private static final RequestColumn[] COLUMNS = values();

    private final String columnName;
    private final String sqlType;
    private final boolean nullable;
    private final @Nullable String otelAttribute;
    private final String jsonName;
    /** The name within the JSON object of its part, or at the top for the record's own fields. */
    private final String jsonField;
    private final Binding binding;
    private final String description;

    RequestColumn(String columnName, String sqlType, Nullability nullability, @Nullable String otelAttribute,
                  Binding binding, String description) {
        this(columnName, sqlType, nullability, otelAttribute, columnName, binding, description);
    }

    RequestColumn(String columnName, String sqlType, Nullability nullability, @Nullable String otelAttribute,
                  String jsonField, Binding binding, String description) {
        this.columnName = columnName;
        this.sqlType = sqlType;
        this.nullable = nullability == NULLABLE;
        this.otelAttribute = otelAttribute;
        this.jsonName = binding.part == Part.RECORD ? jsonField : binding.part.jsonName + "." + jsonField;
        this.jsonField = jsonField;
        this.binding = binding;
        this.description = description;
    }

    /**
     * The column's name in {@code spectra_requests} and in exports, snake case.
     *
     * @return the name, e.g. {@code input_tokens}
     */
    public String columnName() {
        return columnName;
    }

    /**
     * The column's PostgreSQL type, as the table declares it.
     *
     * @return {@code uuid}, {@code text}, {@code integer}, {@code bigint}, {@code numeric},
     *         {@code numeric(20,10)}, {@code double precision}, {@code boolean}, {@code jsonb} or
     *         {@code timestamptz}
     */
    public String sqlType() {
        return sqlType;
    }

    /**
     * Whether the column may be null. The columns of {@link Usage}, {@link Cost} and {@link Trackable} are
     * nullable, and null together.
     *
     * @return true when a record may have no value here
     */
    public boolean nullable() {
        return nullable;
    }

    /**
     * The class of the column's values as {@link #value(TrackedRequest)} gives them and
     * {@link #toRequest(Function)} takes them.
     *
     * @return {@link UUID}, {@link String}, {@link Integer}, {@link Long}, {@link BigDecimal}, {@link Double},
     *         {@link Boolean}, {@link Instant}, {@link List} (of strings) or {@link Map} (of JSON values)
     */
    public Class<?> javaType() {
        return binding.javaType;
    }

    /**
     * The field's name in the JSON of a record (the read API of spectra-reactive-web): the column name, except where
     * the API named it otherwise. A dot nests: {@code usage.input_tokens} is the field {@code input_tokens} of the
     * object {@code usage}, which is null when the record has no usage.
     *
     * @return the JSON name, e.g. {@code id}, {@code usage.input_tokens}, {@code cost.total_usd}
     */
    public String jsonName() {
        return jsonName;
    }

    /**
     * The OpenTelemetry attribute that carries the same fact (GenAI semantic conventions, which are still in
     * development, or the general ones such as {@code error.type}), Spectra's own under {@code spectra.} where no
     * convention names the fact, or null when the fact is not exported as an attribute (the span's own ids, times
     * and status carry some). Where the attribute's form differs (an array, seconds, well-known values, one
     * attribute per key), {@link #description()} says so.
     *
     * @return the attribute name, e.g. {@code gen_ai.usage.input_tokens}, or null
     */
    public @Nullable String otelAttribute() {
        return otelAttribute;
    }

    /**
     * What the column holds, in one line, for documentation.
     *
     * @return the description
     */
    public String description() {
        return description;
    }

    /**
     * The column's value in a record.
     *
     * @param request the record
     * @return the value, of {@link #javaType()}; null when the record has none
     */
    public @Nullable Object value(TrackedRequest request) {
        return binding.read.apply(Objects.requireNonNull(request, "request"));
    }

    /**
     * Builds a record from the values of its columns, the inverse of {@link #value(TrackedRequest)}: for reading
     * rows, or any other form that stores the columns.
     *
     * @param values the value of each column, of its {@link #javaType()} (any {@link Number} for the counts of
     *        {@link #TOOL_CALL_COUNTS}), or null
     * @return the record
     * @throws IllegalArgumentException naming the column, when a value is of the wrong type, a column that is not
     *         {@link #nullable()} has none, or a part of the record ({@link Usage}, {@link Cost},
     *         {@link Trackable}) has some of its columns and not all
     * @throws NullPointerException when {@code values} is null
     */
    public static TrackedRequest toRequest(Function<? super RequestColumn, ? extends @Nullable Object> values) {
        Objects.requireNonNull(values, "values");
        Assembly a = new Assembly();
        RequestColumn[] missing = new RequestColumn[Part.values().length];
        int[] present = new int[Part.values().length];
        for (RequestColumn c : COLUMNS) {
            Object v = values.apply(c);
            int part = c.binding.part.ordinal();
            if (v == null) {
                if (!c.nullable) {
                    throw new IllegalArgumentException("column " + c.columnName + " is NOT NULL but has no value");
                }
                if (missing[part] == null && !c.binding.optionalInPart) {
                    missing[part] = c;
                }
                continue;
            }
            if (!c.binding.javaType.isInstance(v)) {
                throw new IllegalArgumentException("column " + c.columnName + ": a value of type "
                        + v.getClass().getName() + " is not a " + c.binding.javaType.getSimpleName());
            }
            present[part]++;
            c.binding.write.accept(a, v);
        }
        for (Part p : Part.values()) {
            if (p != Part.RECORD && present[p.ordinal()] > 0 && missing[p.ordinal()] != null) {
                throw new IllegalArgumentException("column " + missing[p.ordinal()].columnName + " has no value but "
                        + "other columns of " + p.jsonName + " have: " + p.jsonName + " is all or nothing");
            }
        }
        return a.build(present[Part.USAGE.ordinal()] > 0, present[Part.COST.ordinal()] > 0,
                present[Part.TRACKABLE.ordinal()] > 0);
    }

    /**
     * A record as JSON values, ready for any JSON library to write: fields named and nested by
     * {@link #jsonName()}, in declaration order; ids and instants as strings (ISO-8601), money and audio seconds
     * as exact {@link BigDecimal}s, metadata as its JSON values.
     *
     * @param request the record
     * @return a new mutable map of String, Number, Boolean, null, List and Map values
     */
    public static Map<String, @Nullable Object> toJson(TrackedRequest request) {
        Objects.requireNonNull(request, "request");
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        Map<Part, Map<String, @Nullable Object>> objects = new EnumMap<>(Part.class);
        objects.put(Part.RECORD, json);
        for (RequestColumn c : COLUMNS) {
            Object v = c.binding.read.apply(request);
            if (v instanceof UUID || v instanceof Instant) {
                v = v.toString();
            }
            Part part = c.binding.part;
            if (!json.containsKey(part.jsonName) && part != Part.RECORD) {   // the part's object, where it first shows
                Map<String, @Nullable Object> object = part.of(request) == null ? null : new LinkedHashMap<>();
                json.put(part.jsonName, object);
                if (object != null) {
                    objects.put(part, object);
                }
            }
            Map<String, @Nullable Object> object = objects.get(part);
            if (object != null) {
                object.put(c.jsonField, v);
            }
        }
        return json;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // How each column reads its value from a record and gives it back: the only code that knows the record's shape.

    /** Whether a column may be null; an enum rather than a boolean so that the constants read as what they say. */
    enum Nullability {
        NULLABLE, NOT_NULL
    }

    /** The record's parts that span columns, each all or nothing; RECORD is the record's own fields. */
    private enum Part {
        RECORD(""), USAGE("usage"), COST("cost"), TRACKABLE("trackable");

        /** The record component that holds the part, and the name of its object in JSON. */
        final String jsonName;

        Part(String jsonName) {
            this.jsonName = jsonName;
        }

        @Nullable Object of(TrackedRequest r) {
            return switch (this) {
                case RECORD -> r;
                case USAGE -> r.usage();
                case COST -> r.cost();
                case TRACKABLE -> r.trackable();
            };
        }
    }

    /**
     * @param part where the value lives
     * @param javaType the class of its values
     * @param read its value in a record, null when none
     * @param write gives a (non-null) value back to the record being built
     */
    private record Binding(Part part, Class<?> javaType, Function<TrackedRequest, @Nullable Object> read,
                           BiConsumer<Assembly, Object> write, boolean optionalInPart) {
        Binding(Part part, Class<?> javaType, Function<TrackedRequest, @Nullable Object> read,
                BiConsumer<Assembly, Object> write) {
            this(part, javaType, read, write, false);
        }
    }

    /** A record being built from column values. */
    private static final class Assembly {
        final TrackedRequest.Builder request = TrackedRequest.builder();
        final Usage.Builder usage = Usage.builder();
        final BigDecimal[] cost = new BigDecimal[3];
        Cost.Source costSource = Cost.Source.CATALOG;
        @Nullable BigDecimal providerCost;
        final String[] trackable = new String[2];

        TrackedRequest build(boolean hasUsage, boolean hasCost, boolean hasTrackable) {
            if (hasUsage) {
                request.usage(usage.build());
            }
            if (hasCost) {
                request.cost(new Cost(cost[0], cost[1], cost[2], costSource, providerCost));
            }
            if (hasTrackable) {
                request.trackable(new Trackable(trackable[0], trackable[1]));
            }
            return request.build();
        }
    }

    /** A field of the record itself. */
    private static <T> Binding field(Class<T> type, Function<TrackedRequest, ? extends @Nullable T> read,
                                     BiConsumer<TrackedRequest.Builder, T> write) {
        return new Binding(Part.RECORD, type, read::apply, (a, v) -> write.accept(a.request, type.cast(v)));
    }

    /** A field of {@link Usage}. */
    private static <T> Binding usage(Class<T> type, Function<Usage, T> read, BiConsumer<Usage.Builder, T> write) {
        return new Binding(Part.USAGE, type, r -> r.usage() == null ? null : read.apply(r.usage()),
                (a, v) -> write.accept(a.usage, type.cast(v)));
    }

    /**
     * A {@link Usage.Detail}: null when the usage does not state it, and, read back, stated only when it has a
     * value (a usage with some details null is still whole).
     */
    private static <T> Binding detail(Usage.Detail detail, Class<T> type, Function<Usage, T> read,
                                      BiConsumer<Usage.Builder, T> write) {
        return new Binding(Part.USAGE, type,
                r -> r.usage() == null || !r.usage().isStated(detail) ? null : read.apply(r.usage()),
                (a, v) -> write.accept(a.usage, type.cast(v)), true);
    }

    /** An amount of {@link Cost}, at its place in the canonical constructor. */
    private static Binding cost(Function<Cost, @Nullable BigDecimal> read, int slot, boolean optionalInPart) {
        return new Binding(Part.COST, BigDecimal.class, r -> r.cost() == null ? null : read.apply(r.cost()),
                (a, v) -> a.cost[slot] = (BigDecimal) v, optionalInPart);
    }

    /** A field of {@link Trackable}, at its place in the canonical constructor. */
    private static Binding trackable(Function<Trackable, String> read, int slot) {
        return new Binding(Part.TRACKABLE, String.class,
                r -> r.trackable() == null ? null : read.apply(r.trackable()),
                (a, v) -> a.trackable[slot] = (String) v);
    }

    private static Map<String, Integer> counts(Map<?, ?> json) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        json.forEach((k, v) -> {
            if (!(k instanceof String key) || !(v instanceof Number n)) {
                throw new IllegalArgumentException("column tool_call_counts: " + k + "=" + v + " is not a count");
            }
            try {
                counts.put(key, new BigDecimal(n.toString()).intValueExact());
            } catch (ArithmeticException notAnInt) {
                throw new IllegalArgumentException("column tool_call_counts: " + k + "=" + v + " is not a count");
            }
        });
        return counts;
    }

    private static List<String> strings(List<?> json) {
        List<String> strings = new ArrayList<>(json.size());
        for (Object v : json) {
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("column tags: " + v + " is not a string");
            }
            strings.add(s);
        }
        return strings;
    }

    private static Map<String, @Nullable Object> object(Map<?, ?> json) {
        Map<String, @Nullable Object> object = new LinkedHashMap<>();
        json.forEach((k, v) -> {
            if (!(k instanceof String key)) {
                throw new IllegalArgumentException("column metadata: key " + k + " is not a string");
            }
            object.put(key, v);
        });
        return object;
    }
}
