package dev.spectra.reactive.r2dbc.internal;

import java.util.Locale;

import dev.spectra.reactive.RequestColumn;
import io.r2dbc.postgresql.codec.PostgresqlObjectId;

/**
 * How the values of a column of {@link RequestColumn} travel to and from PostgreSQL, by the column's type: the
 * array type the insert binds them as and its element type, whether the array may travel in binary
 * ({@link ColumnArrayCodec}; not {@code numeric}, which always travels as its text literal) and the length of a
 * typical element of the array's text literal, which sizes {@link LiteralBatch}'s buffers. {@code jsonb} travels as {@code text[]} cast per
 * element, because the driver has no {@code Json[]} codec, and is read back as JSON text.
 */
enum ColumnCodec {
    UUID(PostgresqlObjectId.UUID, PostgresqlObjectId.UUID_ARRAY, true, 36),
    TEXT(PostgresqlObjectId.TEXT, PostgresqlObjectId.TEXT_ARRAY, true, 16),
    INT4(PostgresqlObjectId.INT4, PostgresqlObjectId.INT4_ARRAY, true, 4),
    INT8(PostgresqlObjectId.INT8, PostgresqlObjectId.INT8_ARRAY, true, 8),
    NUMERIC(PostgresqlObjectId.NUMERIC, PostgresqlObjectId.NUMERIC_ARRAY, false, 16),
    FLOAT8(PostgresqlObjectId.FLOAT8, PostgresqlObjectId.FLOAT8_ARRAY, true, 8),
    BOOL(PostgresqlObjectId.BOOL, PostgresqlObjectId.BOOL_ARRAY, true, 1),
    TIMESTAMPTZ(PostgresqlObjectId.TIMESTAMPTZ, PostgresqlObjectId.TIMESTAMPTZ_ARRAY, true, 27),
    JSONB(PostgresqlObjectId.TEXT, PostgresqlObjectId.TEXT_ARRAY, true, 32);

    private static final ColumnCodec[] BY_COLUMN = new ColumnCodec[RequestColumn.values().length];

    static {
        for (RequestColumn c : RequestColumn.values()) {
            BY_COLUMN[c.ordinal()] = forType(c);
        }
    }

    /** The array type the insert binds a column as, in SQL: {@code uuid[]}, {@code text[]} … */
    final String arrayType;
    /** The type of the array's elements. */
    final PostgresqlObjectId element;
    /** The array's type. */
    final PostgresqlObjectId array;
    /** Whether the array travels in binary when the connection encodes {@link ColumnArray}s. */
    private final boolean binary;
    /** Characters of a typical element of the array literal. */
    final int typicalLength;

    ColumnCodec(PostgresqlObjectId element, PostgresqlObjectId array, boolean binary, int typicalLength) {
        this.arrayType = array.name().toLowerCase(Locale.ROOT).replace("_array", "[]");
        this.element = element;
        this.array = array;
        this.binary = binary;
        this.typicalLength = typicalLength;
    }

    /** Whether the column's array travels in binary when the connection encodes {@link ColumnArray}s. */
    boolean binary() {
        return binary;
    }

    /**
     * @param column a column
     * @return how its values travel
     */
    static ColumnCodec of(RequestColumn column) {
        return BY_COLUMN[column.ordinal()];
    }

    private static ColumnCodec forType(RequestColumn c) {
        String type = c.sqlType();
        return switch (type.startsWith("numeric") ? "numeric" : type) {
            case "uuid" -> UUID;
            case "text" -> TEXT;
            case "integer" -> INT4;
            case "bigint" -> INT8;
            case "numeric" -> NUMERIC;
            case "double precision" -> FLOAT8;
            case "boolean" -> BOOL;
            case "timestamptz" -> TIMESTAMPTZ;
            case "jsonb" -> JSONB;
            default -> throw new IllegalStateException("column " + c.columnName() + ": no PostgreSQL codec for type "
                    + type);
        };
    }
}
