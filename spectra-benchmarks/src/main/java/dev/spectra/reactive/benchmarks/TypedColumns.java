package dev.spectra.reactive.benchmarks;

import java.lang.reflect.Array;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A batch as typed Java arrays, one per {@link RequestColumn} ({@code UUID[]}, {@code String[]}, {@code Long[]} …):
 * the values the sink writes, for the write benchmark's baselines that bind or {@code COPY} the same rows another
 * way. Built on the public column catalog only ({@link RequestColumn#value}), so the benchmark reads no internals of
 * the sink.
 */
final class TypedColumns {

    /** JSON as the sink writes it into {@code jsonb}: numbers as written, never in exponent form. */
    private static final JsonMapper JSON = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private TypedColumns() {
    }

    /**
     * The values of a batch as one array per column, in {@link RequestColumn} order:
     * each column's {@link RequestColumn#javaType()}, {@code jsonb} as JSON text, instants truncated to the
     * microsecond as the sink stores them.
     *
     * @param batch the records
     * @return one array per {@link RequestColumn}, of {@code batch.size()} elements each
     */
    static Object[] encode(List<TrackedRequest> batch) {
        RequestColumn[] columns = RequestColumn.values();
        Object[] arrays = new Object[columns.length];
        for (int c = 0; c < columns.length; c++) {
            RequestColumn column = columns[c];
            boolean json = column.sqlType().equals("jsonb");
            Object[] values = (Object[]) Array.newInstance(json ? String.class : column.javaType(), batch.size());
            for (int i = 0; i < values.length; i++) {
                Object v = column.value(batch.get(i));
                if (json) {
                    v = JSON.writeValueAsString(v);
                } else if (v instanceof Instant t) {
                    // timestamptz keeps microseconds; truncate so what is stored is predictable (PostgreSQL rounds).
                    v = t.truncatedTo(ChronoUnit.MICROS);
                }
                values[i] = v;
            }
            arrays[c] = values;
        }
        return arrays;
    }
}
