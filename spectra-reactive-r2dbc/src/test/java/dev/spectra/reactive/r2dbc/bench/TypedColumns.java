package dev.spectra.reactive.r2dbc.bench;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.r2dbc.internal.JsonText;
import dev.spectra.reactive.r2dbc.internal.LiteralBatch;
import dev.spectra.reactive.r2dbc.internal.RequestInsert;

/**
 * A batch as typed Java arrays, one per column of {@link RequestInsert} ({@code UUID[]}, {@code String[]},
 * {@code Long[]} …): the values the sink's {@link LiteralBatch} writes as array literals, for the benchmark's
 * baselines that bind or {@code COPY} the same rows another way. Not used by the sink.
 */
public final class TypedColumns {

    private TypedColumns() {
    }

    /**
     * The values of a batch as one array per column, in the order of {@link RequestInsert#sql}'s parameters.
     *
     * @param batch the records
     * @return {@link RequestInsert#COLUMN_COUNT} arrays of {@code batch.size()} elements each
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
