package dev.spectra.reactive.r2dbc.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.client.EncodedParameter;
import io.r2dbc.postgresql.codec.Codec;
import io.r2dbc.postgresql.codec.CodecRegistry;
import io.r2dbc.postgresql.extension.CodecRegistrar;
import io.r2dbc.postgresql.message.Format;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Sends a {@link ColumnArray} as a PostgreSQL array in binary ({@code array_recv}'s format), so the server reads
 * fixed-width values (UUIDs, integers, timestamps, booleans, doubles) as they are and strings as UTF-8, without
 * parsing an array literal and each element's text. {@link Registrar} adds the codec to every r2dbc-postgresql
 * connection whose factory detects extensions (the default); the sink binds {@link LiteralBatch}'s text literals
 * where a connection cannot encode a {@link ColumnArray}.
 *
 * <p>The format: dimensions (1), a flag telling whether any element is null, the element type, the length and
 * lower bound (1) of the dimension; then each element as its length (-1 for null) and its bytes in the type's
 * binary form: a UUID's 16 bytes, big-endian integers and IEEE doubles, a boolean's byte, a timestamp's
 * microseconds since 2000-01-01T00:00:00Z, a string's UTF-8 bytes. What the text literals do to U+0000 (which
 * PostgreSQL's text and jsonb cannot hold) and to instants (truncated to microseconds) is done here too. An instant
 * too far out for PostgreSQL's range is sent as a value the server refuses, as it refuses its text.
 *
 * <p>The array is encoded when the driver writes the statement, into a buffer of the connection's allocator that
 * the driver releases once sent.
 */
public final class ColumnArrayCodec implements Codec<ColumnArray> {

    /** 2000-01-01T00:00:00Z, PostgreSQL's epoch, in Unix seconds. */
    private static final long POSTGRES_EPOCH_SECOND = 946_684_800L;
    /** What an instant past PostgreSQL's range becomes: finite, out of range, so refused (infinity is the maximum). */
    private static final long TOO_LATE = Long.MAX_VALUE - 1;
    private static final long TOO_EARLY = Long.MIN_VALUE + 1;
    /** Header bytes: dimensions, null flag, element type, length, lower bound. */
    private static final int HEADER = 20;

    private final ByteBufAllocator allocator;

    ColumnArrayCodec(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public boolean canDecode(int dataType, Format format, Class<?> type) {
        return false;
    }

    @Override
    public boolean canEncode(Object value) {
        return value instanceof ColumnArray;
    }

    @Override
    public boolean canEncodeNull(Class<?> type) {
        return false;
    }

    @Override
    public ColumnArray decode(@Nullable ByteBuf buffer, int dataType, Format format,
            Class<? extends ColumnArray> type) {
        throw new UnsupportedOperationException("ColumnArray is written only");
    }

    @Override
    public EncodedParameter encode(Object value) {
        ColumnArray array = (ColumnArray) value;
        Publisher<ByteBuf> bytes = Mono.fromSupplier(() -> encode(allocator, array));
        return new EncodedParameter(Format.FORMAT_BINARY, ColumnCodec.of(array.column()).array.getObjectId(), bytes);
    }

    @Override
    public EncodedParameter encode(Object value, int dataType) {
        return encode(value);
    }

    @Override
    public EncodedParameter encodeNull() {
        throw new UnsupportedOperationException("a ColumnArray is never null");
    }

    /**
     * @param allocator where the buffer comes from
     * @param array the column of a batch
     * @return the array in PostgreSQL's binary format; the caller releases it
     */
    static ByteBuf encode(ByteBufAllocator allocator, ColumnArray array) {
        List<TrackedRequest> batch = array.batch();
        RequestColumn column = array.column();
        ColumnCodec codec = ColumnCodec.of(column);
        int rows = batch.size();
        ByteBuf b = allocator.buffer(HEADER + rows * (4 + codec.typicalLength));
        try {
            b.writeInt(rows == 0 ? 0 : 1);
            int nullFlagAt = b.writerIndex();
            b.writeInt(0);
            b.writeInt(codec.element.getObjectId());
            if (rows == 0) {
                return b;
            }
            b.writeInt(rows).writeInt(1);
            boolean nulls = false;
            StringBuilder json = codec == ColumnCodec.JSONB ? new StringBuilder(64) : null;
            for (int i = 0; i < rows; i++) {
                Object value = column.value(batch.get(i));
                if (value == null) {
                    b.writeInt(-1);
                    nulls = true;
                    continue;
                }
                switch (codec) {
                    case UUID -> {
                        UUID u = (UUID) value;
                        b.writeInt(16).writeLong(u.getMostSignificantBits()).writeLong(u.getLeastSignificantBits());
                    }
                    case TEXT -> utf8(b, text((String) value));
                    case JSONB -> {
                        json.setLength(0);
                        LiteralBatch.writeJsonText(json, value);
                        utf8(b, json);
                    }
                    case INT8 -> b.writeInt(8).writeLong((Long) value);
                    case INT4 -> b.writeInt(4).writeInt((Integer) value);
                    case FLOAT8 -> b.writeInt(8).writeLong(Double.doubleToLongBits((Double) value));
                    case BOOL -> b.writeInt(1).writeByte((Boolean) value ? 1 : 0);
                    case TIMESTAMPTZ -> b.writeInt(8).writeLong(postgresMicros((Instant) value));
                    case NUMERIC -> throw new IllegalStateException("numeric travels as a text literal");
                }
            }
            if (nulls) {
                b.setInt(nullFlagAt, 1);
            }
            return b;
        } catch (RuntimeException | Error e) {
            b.release();
            throw e;
        }
    }

    /** A string's UTF-8 bytes after their length. */
    private static void utf8(ByteBuf b, CharSequence s) {
        int lengthAt = b.writerIndex();
        b.writeInt(0);
        b.setInt(lengthAt, ByteBufUtil.writeUtf8(b, s));
    }

    /** A text value as stored: U+0000 replaced, as in {@link LiteralBatch}. */
    private static String text(String s) {
        return s.indexOf('\0') < 0 ? s : s.replace('\0', LiteralBatch.REPLACEMENT);
    }

    /**
     * @param instant an instant
     * @return its microseconds since PostgreSQL's epoch, rounded down as {@code Instant.truncatedTo(MICROS)} does;
     *         past the range of a {@code long}, a value PostgreSQL refuses as out of range
     */
    static long postgresMicros(Instant instant) {
        try {
            long seconds = Math.subtractExact(instant.getEpochSecond(), POSTGRES_EPOCH_SECOND);
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), instant.getNano() / 1_000);
        } catch (ArithmeticException e) {
            return instant.getEpochSecond() > 0 ? TOO_LATE : TOO_EARLY;
        }
    }

    /**
     * Adds {@link ColumnArrayCodec} to each connection of a factory that detects extensions (found through
     * {@link java.util.ServiceLoader}), or of one given it in the {@code extensions} option. Every r2dbc-postgresql
     * connection of the application runs it as it opens, so it never fails one: with a driver whose codec types
     * differ from the ones Spectra was built against, it adds nothing (and says so once), and the sink binds text
     * literals.
     */
    public static final class Registrar implements CodecRegistrar {

        private static final AtomicBoolean UNLINKED_LOGGED = new AtomicBoolean();

        /** For {@link java.util.ServiceLoader}. */
        public Registrar() {
        }

        @Override
        public Publisher<Void> register(PostgresqlConnection connection, ByteBufAllocator allocator,
                CodecRegistry registry) {
            return Mono.fromRunnable(() -> {
                try {
                    registry.addFirst(new ColumnArrayCodec(allocator));
                } catch (LinkageError otherDriver) {
                    if (UNLINKED_LOGGED.compareAndSet(false, true)) {
                        System.getLogger(ColumnArrayCodec.class.getName()).log(System.Logger.Level.INFO,
                                "Spectra's binary array codec does not link against this r2dbc-postgresql ("
                                        + otherDriver + "): its sink sends text array literals");
                    }
                }
            });
        }
    }
}
