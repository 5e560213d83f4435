package dev.spectra.reactive.r2dbc.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.ModelType;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.PricingStatus;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Row;
import org.jspecify.annotations.Nullable;

/**
 * Rows of {@code spectra_requests} back into {@link TrackedRequest}s.
 */
public final class RequestRows {

    /** The select list, every column of the table, unqualified. */
    public static final String COLUMNS = String.join(", ", RequestInsert.columnNames());

    private RequestRows() {
    }

    /**
     * Maps one row selected with {@link #COLUMNS}.
     *
     * @param row the row
     * @return the record, as it was written (timestamps at microsecond precision)
     */
    public static TrackedRequest read(Row row) {
        TrackedRequest.Builder b = TrackedRequest.builder()
                .id(required(row, "id", UUID.class))
                .traceId(required(row, "trace_id", String.class))
                .responseId(row.get("response_id", String.class))
                .provider(required(row, "provider", String.class))
                .model(required(row, "model", String.class))
                .responseModel(row.get("response_model", String.class))
                .endpoint(row.get("endpoint", String.class))
                .operation(row.get("operation", String.class))
                .httpStatus(row.get("http_status", Integer.class))
                .outcome(Outcome.fromId(required(row, "outcome", String.class)))
                .errorType(row.get("error_type", String.class))
                .errorMessage(row.get("error_message", String.class))
                .finishReason(row.get("finish_reason", String.class))
                .toolCallCounts(JsonText.readCounts(json(row, "tool_call_counts")))
                .streaming(required(row, "streaming", Boolean.class))
                .pricingTier(PricingTier.of(required(row, "pricing_tier", String.class)))
                .pricingStatus(PricingStatus.fromId(required(row, "pricing_status", String.class)))
                .latencyMs(required(row, "latency_ms", Long.class))
                .timeToFirstTokenMs(row.get("time_to_first_token_ms", Long.class))
                .tokensPerSecond(row.get("tokens_per_second", Double.class))
                .chunkCount(row.get("chunk_count", Integer.class))
                .conversationId(row.get("conversation_id", String.class))
                .tags(JsonText.readStrings(json(row, "tags")))
                .metadata(JsonText.readObject(json(row, "metadata")))
                .startedAt(required(row, "started_at", Instant.class))
                .completedAt(required(row, "completed_at", Instant.class));
        String modelType = row.get("model_type", String.class);
        b.modelType(modelType == null ? null : ModelType.fromId(modelType));
        Long input = row.get("input_tokens", Long.class);
        if (input != null) {
            b.usage(new Usage(input, required(row, "output_tokens", Long.class),
                    required(row, "cached_input_tokens", Long.class), required(row, "cache_write_tokens", Long.class),
                    required(row, "reasoning_tokens", Long.class), required(row, "total_tokens", Long.class),
                    required(row, "images", Long.class), required(row, "audio_seconds", BigDecimal.class),
                    required(row, "characters", Long.class), required(row, "cache_write_1h_tokens", Long.class),
                    required(row, "audio_input_tokens", Long.class), required(row, "audio_output_tokens", Long.class),
                    required(row, "image_input_tokens", Long.class), required(row, "image_output_tokens", Long.class)));
        }
        BigDecimal total = row.get("total_cost", BigDecimal.class);
        if (total != null) {
            b.cost(new Cost(required(row, "input_cost", BigDecimal.class), required(row, "output_cost", BigDecimal.class),
                    total));
        }
        String trackableType = row.get("trackable_type", String.class);
        String trackableId = row.get("trackable_id", String.class);
        if (trackableType != null && trackableId != null) {
            b.trackable(new Trackable(trackableType, trackableId));
        }
        return b.build();
    }

    private static String json(Row row, String column) {
        return required(row, column, Json.class).asString();
    }

    private static <T> T required(Row row, String column, Class<T> type) {
        @Nullable T value = row.get(column, type);
        if (value == null) {
            throw new IllegalStateException("spectra_requests." + column + " is NULL: the row was not written by "
                    + "this library or the schema was altered");
        }
        return value;
    }
}
