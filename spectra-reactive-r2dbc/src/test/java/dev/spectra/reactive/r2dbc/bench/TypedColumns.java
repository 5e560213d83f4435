package dev.spectra.reactive.r2dbc.bench;

import java.lang.reflect.Array;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
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
     * The values of a batch as one array per column, in the order of {@link RequestInsert#sql}'s parameters:
     * each column's {@link RequestColumn#javaType()}, {@code jsonb} as JSON text, instants truncated to the
     * microsecond as the sink stores them.
     *
     * @param batch the records
     * @return {@link RequestInsert#COLUMN_COUNT} arrays of {@code batch.size()} elements each
     */
    public static Object[] encode(List<TrackedRequest> batch) {
        RequestColumn[] columns = RequestColumn.values();
        Object[] arrays = new Object[columns.length];
        for (int c = 0; c < columns.length; c++) {
            RequestColumn column = columns[c];
            boolean json = column.sqlType().equals("jsonb");
            Object[] values = (Object[]) Array.newInstance(json ? String.class : column.javaType(), batch.size());
            for (int i = 0; i < values.length; i++) {
                Object v = column.value(batch.get(i));
                if (json) {
                    v = JsonText.write(v);
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
