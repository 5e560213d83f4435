package dev.spectra.reactive.r2dbc.internal;

import dev.spectra.reactive.RequestColumn;
import io.r2dbc.postgresql.codec.PostgresqlObjectId;
import org.jspecify.annotations.Nullable;

/**
 * How the values of a column of {@link RequestColumn} travel to and from PostgreSQL, by the column's type: the
 * array type the insert binds them as, the element type when the array travels in binary ({@link ColumnArrayCodec};
 * none for {@code numeric}, which always travels as its text literal) and the length of a typical element of the
 * array's text literal, which sizes {@link LiteralBatch}'s buffers. {@code jsonb} travels as {@code text[]} cast per
 * element, because the driver has no {@code Json[]} codec, and is read back as JSON text.
 */
enum ColumnCodec {
    UUID("uuid[]", PostgresqlObjectId.UUID, PostgresqlObjectId.UUID_ARRAY, 36),
    TEXT("text[]", PostgresqlObjectId.TEXT, PostgresqlObjectId.TEXT_ARRAY, 16),
    INT4("int4[]", PostgresqlObjectId.INT4, PostgresqlObjectId.INT4_ARRAY, 4),
    INT8("int8[]", PostgresqlObjectId.INT8, PostgresqlObjectId.INT8_ARRAY, 8),
    NUMERIC("numeric[]", null, null, 16),
    FLOAT8("float8[]", PostgresqlObjectId.FLOAT8, PostgresqlObjectId.FLOAT8_ARRAY, 8),
    BOOL("bool[]", PostgresqlObjectId.BOOL, PostgresqlObjectId.BOOL_ARRAY, 1),
    TIMESTAMPTZ("timestamptz[]", PostgresqlObjectId.TIMESTAMPTZ, PostgresqlObjectId.TIMESTAMPTZ_ARRAY, 27),
    JSONB("text[]", PostgresqlObjectId.TEXT, PostgresqlObjectId.TEXT_ARRAY, 32);

    private static final ColumnCodec[] BY_COLUMN = new ColumnCodec[RequestColumn.values().length];

    static {
        for (RequestColumn c : RequestColumn.values()) {
            BY_COLUMN[c.ordinal()] = forType(c);
        }
    }

    /** The array type the insert binds a column as. */
    final String arrayType;
    /** The element type of the array in binary, or null when the column travels as text. */
    final @Nullable PostgresqlObjectId binaryElement;
    /** The array type in binary ({@code arrayType}), or null when the column travels as text. */
    final @Nullable PostgresqlObjectId binaryArray;
    /** Characters of a typical element of the array literal. */
    final int typicalLength;

    ColumnCodec(String arrayType, @Nullable PostgresqlObjectId binaryElement, @Nullable PostgresqlObjectId binaryArray,
            int typicalLength) {
        this.arrayType = arrayType;
        this.binaryElement = binaryElement;
        this.binaryArray = binaryArray;
        this.typicalLength = typicalLength;
    }

    /** Whether the column's array travels in binary when the connection encodes {@link ColumnArray}s. */
    boolean binary() {
        return binaryElement != null;
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
