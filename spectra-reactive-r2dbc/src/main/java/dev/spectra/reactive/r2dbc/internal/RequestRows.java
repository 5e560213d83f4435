package dev.spectra.reactive.r2dbc.internal;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Row;
import org.jspecify.annotations.Nullable;

/**
 * Rows of {@code spectra_requests} back into {@link TrackedRequest}s, column by column of {@link RequestColumn}.
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
     * @throws IllegalStateException when a column that is never null in rows written by this library is null
     */
    public static TrackedRequest read(Row row) {
        return RequestColumn.toRequest(c -> value(row, c));
    }

    private static @Nullable Object value(Row row, RequestColumn column) {
        String name = column.columnName();
        Object value;
        if (ColumnCodec.of(column) == ColumnCodec.JSONB) {
            Json json = row.get(name, Json.class);
            value = json == null ? null : JsonText.read(json.asString());
        } else {
            value = row.get(name, column.javaType());
        }
        if (value == null && !column.nullable()) {
            throw new IllegalStateException("spectra_requests." + name + " is NULL: the row was not written by "
                    + "this library or the schema was altered");
        }
        return value;
    }
}
