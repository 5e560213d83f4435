package dev.spectra.reactive.provider;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;

/** Mutable collector of what a response or a stream says; one per read or per stream. */
final class DetailsBuilder {
    @Nullable String responseModel;
    @Nullable String responseId;
    @Nullable Usage usage;
    @Nullable String finishReason;
    /** Tool calls by type, in the order first seen; made when the first is counted (most answers have none). */
    private @Nullable Map<String, Integer> toolCalls;
    @Nullable PricingTier pricingTier;
    @Nullable String errorType;
    @Nullable String errorMessage;
    @Nullable Usage billedUsage;
    @Nullable String imageQuality;
    @Nullable String imageSize;
    @Nullable BigDecimal statedCost;
    @Nullable String upstreamProvider;

    ResponseDetails build() {
        if (responseModel == null && responseId == null && usage == null && finishReason == null
                && (toolCalls == null || toolCalls.isEmpty()) && pricingTier == null && errorType == null && errorMessage == null
                && billedUsage == null && imageQuality == null && imageSize == null && statedCost == null
                && upstreamProvider == null) {
            return ResponseDetails.EMPTY;
        }
        return new ResponseDetails(responseModel, responseId, usage, finishReason, countedToolCalls(), pricingTier,
                errorType, errorMessage, billedUsage, imageQuality, imageSize, null, statedCost, upstreamProvider);
    }

    /** Counts one tool call of a type. */
    void countToolCall(String type) {
        toolCalls().merge(type, 1, Integer::sum);
    }

    /** @return the tool calls by type, to change */
    Map<String, Integer> toolCalls() {
        Map<String, Integer> t = toolCalls;
        if (t == null) {
            t = new LinkedHashMap<>();
            toolCalls = t;
        }
        return t;
    }

    /** @return the tool calls counted so far, not to be changed */
    Map<String, Integer> countedToolCalls() {
        Map<String, Integer> t = toolCalls;
        return t == null ? Map.of() : t;
    }

    /** A copy, for a snapshot of a stream's state. */
    DetailsBuilder copy() {
        DetailsBuilder c = new DetailsBuilder();
        c.responseModel = responseModel;
        c.responseId = responseId;
        c.usage = usage;
        c.statedCost = statedCost;
        c.upstreamProvider = upstreamProvider;
        c.finishReason = finishReason;
        if (toolCalls != null) {
            c.toolCalls().putAll(toolCalls);
        }
        c.pricingTier = pricingTier;
        c.errorType = errorType;
        c.errorMessage = errorMessage;
        c.billedUsage = billedUsage;
        c.imageQuality = imageQuality;
        c.imageSize = imageSize;
        return c;
    }

    /** Sets model and id when not yet known (the first non-empty value wins, as in the stream's first chunk). */
    void header(@Nullable String model, @Nullable String id) {
        if (responseModel == null && model != null) {
            responseModel = model;
        }
        if (responseId == null && id != null) {
            responseId = id;
        }
    }

    void error(@Nullable String type, @Nullable String message) {
        if (type != null) {
            errorType = type;
        }
        if (message != null) {
            errorMessage = message;
        }
    }

    /**
     * The tier a provider reports having served, when it is one that prices differently: {@code flex},
     * {@code priority} and {@code batch}. {@code default}, {@code auto}, {@code standard} and
     * {@code standard_only} say nothing beyond the call's own tier and give null.
     */
    static @Nullable PricingTier servedTier(@Nullable String serviceTier) {
        if (serviceTier == null) {
            return null;
        }
        switch (serviceTier.trim().toLowerCase(Locale.ROOT)) {
            case "flex":
                return PricingTier.FLEX;
            case "priority":
                return PricingTier.PRIORITY;
            case "batch":
                return PricingTier.BATCH;
            default:
                return null;
        }
    }
}
