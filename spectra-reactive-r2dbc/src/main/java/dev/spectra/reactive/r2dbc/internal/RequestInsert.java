package dev.spectra.reactive.r2dbc.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;

/**
 * The batch insert: one statement for any number of rows, every value bound.
 *
 * <p>Each column travels as one array parameter and {@code unnest} zips the arrays back into rows, so the SQL
 * text and the parameter count (41) are the same for a batch of 1 or 10,000: one prepared statement, one round
 * trip, no per-row {@code Bind/Execute} exchange (which is what {@code Statement.add()} costs in
 * r2dbc-postgresql) and no risk of the 32,767-parameter limit of multi-row {@code VALUES}. {@code jsonb} columns
 * travel as {@code text[]} cast per element, because the driver has no {@code Json[]} codec. The sink binds each
 * array as its text literal ({@link LiteralBatch}); {@link #encode} gives the same values as typed arrays.
 *
 * <p>{@code ON CONFLICT DO NOTHING} makes the statement idempotent: a retried batch skips the rows already
 * stored (primary key {@code id}), and a record whose {@code (provider, response_id)} is already stored is
 * skipped too (the same call captured twice).
 */
public final class RequestInsert {

    /** Columns in the order of the arrays of {@link #encode}, with the array type each is bound as. */
    private static final String[][] COLUMNS = {
            {"id", "uuid[]"},
            {"trace_id", "text[]"},
            {"response_id", "text[]"},
            {"provider", "text[]"},
            {"model", "text[]"},
            {"response_model", "text[]"},
            {"model_type", "text[]"},
            {"endpoint", "text[]"},
            {"operation", "text[]"},
            {"http_status", "int4[]"},
            {"outcome", "text[]"},
            {"error_type", "text[]"},
            {"error_message", "text[]"},
            {"finish_reason", "text[]"},
            {"tool_call_counts", "text[]"},
            {"streaming", "bool[]"},
            {"input_tokens", "int8[]"},
            {"output_tokens", "int8[]"},
            {"cached_input_tokens", "int8[]"},
            {"cache_write_tokens", "int8[]"},
            {"reasoning_tokens", "int8[]"},
            {"total_tokens", "int8[]"},
            {"images", "int8[]"},
            {"audio_seconds", "numeric[]"},
            {"characters", "int8[]"},
            {"cache_write_1h_tokens", "int8[]"},
            {"audio_input_tokens", "int8[]"},
            {"audio_output_tokens", "int8[]"},
            {"image_input_tokens", "int8[]"},
            {"image_output_tokens", "int8[]"},
            {"input_cost", "numeric[]"},
            {"output_cost", "numeric[]"},
            {"total_cost", "numeric[]"},
            {"pricing_tier", "text[]"},
            {"pricing_status", "text[]"},
            {"latency_ms", "int8[]"},
            {"time_to_first_token_ms", "int8[]"},
            {"tokens_per_second", "float8[]"},
            {"chunk_count", "int4[]"},
            {"trackable_type", "text[]"},
            {"trackable_id", "text[]"},
            {"conversation_id", "text[]"},
            {"tags", "text[]"},
            {"metadata", "text[]"},
            {"started_at", "timestamptz[]"},
            {"completed_at", "timestamptz[]"},
    };

    private static final List<String> JSONB = List.of("tool_call_counts", "tags", "metadata");

    /** Number of columns, and of bound arrays. */
    public static final int COLUMN_COUNT = COLUMNS.length;

    private RequestInsert() {
    }

    /**
     * The statement for a table.
     *
     * @param qualifiedTable the quoted, schema-qualified table name
     * @return {@code INSERT … SELECT … FROM unnest($1::uuid[], …) … ON CONFLICT DO NOTHING}
     */
    public static String sql(String qualifiedTable) {
        StringBuilder names = new StringBuilder();
        StringBuilder select = new StringBuilder();
        StringBuilder arrays = new StringBuilder();
        for (int i = 0; i < COLUMNS.length; i++) {
            String name = COLUMNS[i][0];
            String sep = i == 0 ? "" : ", ";
            names.append(sep).append(name);
            select.append(sep).append("u.").append(name).append(JSONB.contains(name) ? "::jsonb" : "");
            arrays.append(sep).append('$').append(i + 1).append("::").append(COLUMNS[i][1]);
        }
        return "INSERT INTO " + qualifiedTable + " (" + names + ")\nSELECT " + select + "\nFROM unnest(" + arrays
                + ")\n  AS u(" + names + ")\nON CONFLICT DO NOTHING";
    }

    /**
     * The column names in insert order, for tools that write the same rows another way (the benchmark's
     * {@code COPY}).
     *
     * @return the names
     */
    public static List<String> columnNames() {
        String[] names = new String[COLUMNS.length];
        for (int i = 0; i < COLUMNS.length; i++) {
            names[i] = COLUMNS[i][0];
        }
        return List.of(names);
    }

    /**
     * The values of a batch as one array per column, in the order of {@link #sql}'s parameters.
     *
     * @param batch the records
     * @return {@link #COLUMN_COUNT} arrays of {@code batch.size()} elements each
     */
    public static Object[] encode(List<TrackedRequest> batch) {
        int n = batch.size();
        UUID[] id = new UUID[n];
        String[] traceId = new String[n];
        String[] responseId = new String[n];
        String[] provider = new String[n];
        String[] model = new String[n];
        String[] responseModel = new String[n];
        String[] modelType = new String[n];
        String[] endpoint = new String[n];
        String[] operation = new String[n];
        Integer[] httpStatus = new Integer[n];
        String[] outcome = new String[n];
        String[] errorType = new String[n];
        String[] errorMessage = new String[n];
        String[] finishReason = new String[n];
        String[] toolCallCounts = new String[n];
        Boolean[] streaming = new Boolean[n];
        Long[] inputTokens = new Long[n];
        Long[] outputTokens = new Long[n];
        Long[] cachedInputTokens = new Long[n];
        Long[] cacheWriteTokens = new Long[n];
        Long[] reasoningTokens = new Long[n];
        Long[] totalTokens = new Long[n];
        Long[] images = new Long[n];
        BigDecimal[] audioSeconds = new BigDecimal[n];
        Long[] characters = new Long[n];
        Long[] cacheWrite1hTokens = new Long[n];
        Long[] audioInputTokens = new Long[n];
        Long[] audioOutputTokens = new Long[n];
        Long[] imageInputTokens = new Long[n];
        Long[] imageOutputTokens = new Long[n];
        BigDecimal[] inputCost = new BigDecimal[n];
        BigDecimal[] outputCost = new BigDecimal[n];
        BigDecimal[] totalCost = new BigDecimal[n];
        String[] pricingTier = new String[n];
        String[] pricingStatus = new String[n];
        Long[] latencyMs = new Long[n];
        Long[] timeToFirstTokenMs = new Long[n];
        Double[] tokensPerSecond = new Double[n];
        Integer[] chunkCount = new Integer[n];
        String[] trackableType = new String[n];
        String[] trackableId = new String[n];
        String[] conversationId = new String[n];
        String[] tags = new String[n];
        String[] metadata = new String[n];
        Instant[] startedAt = new Instant[n];
        Instant[] completedAt = new Instant[n];

        for (int i = 0; i < n; i++) {
            TrackedRequest r = batch.get(i);
            id[i] = r.id();
            traceId[i] = r.traceId();
            responseId[i] = r.responseId();
            provider[i] = r.provider();
            model[i] = r.model();
            responseModel[i] = r.responseModel();
            modelType[i] = r.modelType() == null ? null : r.modelType().id();
            endpoint[i] = r.endpoint();
            operation[i] = r.operation();
            httpStatus[i] = r.httpStatus();
            outcome[i] = r.outcome().id();
            errorType[i] = r.errorType();
            errorMessage[i] = r.errorMessage();
            finishReason[i] = r.finishReason();
            toolCallCounts[i] = r.toolCallCounts().isEmpty() ? "{}" : JsonText.write(r.toolCallCounts());
            streaming[i] = r.streaming();
            Usage u = r.usage();
            if (u != null) {
                inputTokens[i] = u.inputTokens();
                outputTokens[i] = u.outputTokens();
                cachedInputTokens[i] = u.cachedInputTokens();
                cacheWriteTokens[i] = u.cacheWriteTokens();
                reasoningTokens[i] = u.reasoningTokens();
                totalTokens[i] = u.totalTokens();
                images[i] = u.images();
                audioSeconds[i] = u.audioSeconds();
                characters[i] = u.characters();
                cacheWrite1hTokens[i] = u.cacheWrite1hTokens();
                audioInputTokens[i] = u.audioInputTokens();
                audioOutputTokens[i] = u.audioOutputTokens();
                imageInputTokens[i] = u.imageInputTokens();
                imageOutputTokens[i] = u.imageOutputTokens();
            }
            Cost c = r.cost();
            if (c != null) {
                inputCost[i] = c.input();
                outputCost[i] = c.output();
                totalCost[i] = c.total();
            }
            pricingTier[i] = r.pricingTier().name();
            pricingStatus[i] = r.pricingStatus().id();
            latencyMs[i] = r.latencyMs();
            timeToFirstTokenMs[i] = r.timeToFirstTokenMs();
            tokensPerSecond[i] = r.tokensPerSecond();
            chunkCount[i] = r.chunkCount();
            if (r.trackable() != null) {
                trackableType[i] = r.trackable().type();
                trackableId[i] = r.trackable().id();
            }
            conversationId[i] = r.conversationId();
            tags[i] = r.tags().isEmpty() ? "[]" : JsonText.write(r.tags());
            metadata[i] = writeMetadata(r.metadata());
            // timestamptz keeps microseconds; truncate here so what is stored is predictable (PostgreSQL rounds).
            startedAt[i] = r.startedAt().truncatedTo(ChronoUnit.MICROS);
            completedAt[i] = r.completedAt().truncatedTo(ChronoUnit.MICROS);
        }
        return new Object[] {id, traceId, responseId, provider, model, responseModel, modelType, endpoint, operation,
                httpStatus, outcome, errorType, errorMessage, finishReason, toolCallCounts, streaming, inputTokens,
                outputTokens, cachedInputTokens, cacheWriteTokens, reasoningTokens, totalTokens, images, audioSeconds,
                characters, cacheWrite1hTokens, audioInputTokens, audioOutputTokens, imageInputTokens,
                imageOutputTokens, inputCost, outputCost, totalCost, pricingTier, pricingStatus, latencyMs,
                timeToFirstTokenMs, tokensPerSecond, chunkCount, trackableType, trackableId, conversationId, tags,
                metadata, startedAt, completedAt};
    }

    private static String writeMetadata(Map<String, ?> metadata) {
        return metadata.isEmpty() ? "{}" : JsonText.write(metadata);
    }
}
