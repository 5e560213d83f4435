package dev.spectra.reactive.r2dbc.internal;

import dev.spectra.reactive.RequestColumn;

/**
 * How the values of a column of {@link RequestColumn} travel to and from PostgreSQL, by the column's type: the
 * array type the insert binds them as, and the length of a typical element of that array's text literal, which
 * sizes {@link LiteralBatch}'s buffers. {@code jsonb} travels as {@code text[]} cast per element, because the driver
 * has no {@code Json[]} codec, and is read back as JSON text.
 */
enum ColumnCodec {
    UUID("uuid[]", 36),
    TEXT("text[]", 16),
    INT4("int4[]", 4),
    INT8("int8[]", 8),
    NUMERIC("numeric[]", 16),
    FLOAT8("float8[]", 8),
    BOOL("bool[]", 1),
    TIMESTAMPTZ("timestamptz[]", 27),
    JSONB("text[]", 32);

    private static final ColumnCodec[] BY_COLUMN = new ColumnCodec[RequestColumn.values().length];

    static {
        for (RequestColumn c : RequestColumn.values()) {
            BY_COLUMN[c.ordinal()] = forType(c);
        }
    }

    /** The array type the insert binds a column as. */
    final String arrayType;
    /** Characters of a typical element of the array literal. */
    final int typicalLength;

    ColumnCodec(String arrayType, int typicalLength) {
        this.arrayType = arrayType;
        this.typicalLength = typicalLength;
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
