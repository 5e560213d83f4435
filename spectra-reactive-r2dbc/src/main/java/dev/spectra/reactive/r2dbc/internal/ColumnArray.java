package dev.spectra.reactive.r2dbc.internal;

import java.util.List;
import java.util.Objects;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;

/**
 * One column of a batch, bound as one parameter of {@link RequestInsert}'s statement and sent as a PostgreSQL array
 * in binary by {@link ColumnArrayCodec}: nothing is encoded until the driver writes the statement.
 *
 * @param batch the records; read when the parameter is written
 * @param column a column whose codec travels in binary ({@link ColumnCodec#binary()})
 */
public record ColumnArray(List<TrackedRequest> batch, RequestColumn column) {

    /**
     * @param batch the records
     * @param column a column whose codec travels in binary
     * @throws IllegalArgumentException if the column travels as a text literal ({@code numeric})
     */
    public ColumnArray {
        Objects.requireNonNull(batch, "batch");
        if (!ColumnCodec.of(Objects.requireNonNull(column, "column")).binary()) {
            throw new IllegalArgumentException("column " + column.columnName() + " travels as a text literal");
        }
    }

    /**
     * @param column a column
     * @return whether its values can travel as a {@link ColumnArray}
     */
    public static boolean binary(RequestColumn column) {
        return ColumnCodec.of(column).binary();
    }

    @Override
    public String toString() {
        return "ColumnArray[" + column.columnName() + ", " + batch.size() + " rows]";
    }
}
