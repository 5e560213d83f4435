package dev.spectra.reactive.r2dbc.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.r2dbc.postgresql.client.EncodedParameter;
import io.r2dbc.postgresql.codec.Codec;
import io.r2dbc.postgresql.codec.CodecRegistry;
import io.r2dbc.postgresql.codec.PostgresqlObjectId;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ColumnArrayCodecUnitTests {

    private static final UnpooledByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(false);
    private static final Instant AT = Instant.parse("2000-01-01T00:00:01.000002999Z");

    private static TrackedRequest record(String provider, @org.jspecify.annotations.Nullable String responseId) {
        return TrackedRequest.builder().id(new UUID(0x0102030405060708L, 0x090a0b0c0d0e0f10L)).traceId("t")
                .provider(provider).model("m").responseId(responseId).outcome(Outcome.SUCCESS).startedAt(AT)
                .completedAt(AT).metadata(Map.of("k", "q\"\u0000\n")).build();
    }

    private static String hex(ColumnArray array) {
        ByteBuf b = ColumnArrayCodec.encode(ALLOCATOR, array);
        try {
            return ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }

    @Test
    void writesArrayRecvsFormatWithNullsFlaggedAndStringsAsUtf8() {
        List<TrackedRequest> batch = List.of(record("é", null), record("ab", "r"));

        // dimensions 1, has nulls 1, element text (25), length 2, lower bound 1; then length and bytes per element
        assertThat(hex(new ColumnArray(batch, RequestColumn.RESPONSE_ID)))
                .isEqualTo("00000001" + "00000001" + "00000019" + "00000002" + "00000001"
                        + "ffffffff" + "00000001" + "72");
        assertThat(hex(new ColumnArray(batch, RequestColumn.PROVIDER)))
                .isEqualTo("00000001" + "00000000" + "00000019" + "00000002" + "00000001"
                        + "00000002" + "c3a9" + "00000002" + "6162");
    }

    @Test
    void writesUuidsTimestampsAndJsonInTheirBinaryForms() {
        List<TrackedRequest> batch = List.of(record("p", null));

        assertThat(hex(new ColumnArray(batch, RequestColumn.ID))).isEqualTo("00000001" + "00000000" + "00000b86"
                + "00000001" + "00000001" + "00000010" + "0102030405060708" + "090a0b0c0d0e0f10");
        // 1.000002 s after 2000-01-01T00:00:00Z: 1,000,002 microseconds, the nanoseconds dropped
        assertThat(hex(new ColumnArray(batch, RequestColumn.STARTED_AT))).isEqualTo("00000001" + "00000000"
                + "000004a0" + "00000001" + "00000001" + "00000008" + "00000000000f4242");
        // JSON text with NUL as U+FFFD and the newline escaped, as the text literal writes it
        String json = "{\"k\":\"q\\\"\uFFFD\\u000a\"}";
        assertThat(hex(new ColumnArray(batch, RequestColumn.METADATA))).isEqualTo("00000001" + "00000000"
                + "00000019" + "00000001" + "00000001" + String.format("%08x", json.getBytes(
                        java.nio.charset.StandardCharsets.UTF_8).length)
                + ByteBufUtil.hexDump(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void sendsEachColumnAsItsArrayTypeInBinaryAndNumericAsText() {
        ColumnArrayCodec codec = new ColumnArrayCodec(ALLOCATOR);
        EncodedParameter ids = codec.encode(new ColumnArray(List.of(), RequestColumn.ID));
        EncodedParameter tags = codec.encode(new ColumnArray(List.of(), RequestColumn.TAGS));

        assertThat(ids.toString()).contains("FORMAT_BINARY")
                .contains("type=" + PostgresqlObjectId.UUID_ARRAY.getObjectId());
        assertThat(tags.toString()).contains("type=" + PostgresqlObjectId.TEXT_ARRAY.getObjectId());
        assertThat(ColumnArray.binary(RequestColumn.TOTAL_COST)).isFalse();
        assertThatThrownBy(() -> new ColumnArray(List.of(), RequestColumn.TOTAL_COST))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("total_cost");
        assertThat(hex(new ColumnArray(List.of(), RequestColumn.ID))).isEqualTo("00000000" + "00000000" + "00000b86");
    }

    @Test
    void countsMicrosecondsFromPostgresEpochRoundingDownAndSendsOutOfRangeInstantsAsRefusedValues() {
        assertThat(ColumnArrayCodec.postgresMicros(Instant.parse("2000-01-01T00:00:00Z"))).isZero();
        assertThat(ColumnArrayCodec.postgresMicros(Instant.parse("1999-12-31T23:59:59.9999995Z"))).isEqualTo(-1);
        assertThat(ColumnArrayCodec.postgresMicros(Instant.parse("1970-01-01T00:00:00Z")))
                .isEqualTo(-946_684_800_000_000L);
        // past a long: just inside infinity's value, which PostgreSQL refuses as out of range
        assertThat(ColumnArrayCodec.postgresMicros(Instant.MAX)).isEqualTo(Long.MAX_VALUE - 1);
        assertThat(ColumnArrayCodec.postgresMicros(Instant.MIN)).isEqualTo(Long.MIN_VALUE + 1);
    }

    @Test
    void theRegistrarAddsTheCodecAndNeverFailsAConnectionWhenItCannotLink() {
        List<Codec<?>> added = new ArrayList<>();
        CodecRegistry registry = new CodecRegistry() {
            @Override
            public void addFirst(Codec<?> codec) {
                added.add(codec);
            }

            @Override
            public void addLast(Codec<?> codec) {
                added.add(codec);
            }

            @Override
            public Iterator<Codec<?>> iterator() {
                return added.iterator();
            }
        };
        CodecRegistry unlinkable = new CodecRegistry() {
            @Override
            public void addFirst(Codec<?> codec) {
                throw new IncompatibleClassChangeError("io.r2dbc.postgresql.codec.Codec of another driver version");
            }

            @Override
            public void addLast(Codec<?> codec) {
                addFirst(codec);
            }

            @Override
            public Iterator<Codec<?>> iterator() {
                return Collections.emptyIterator();
            }
        };
        ColumnArrayCodec.Registrar registrar = new ColumnArrayCodec.Registrar();

        StepVerifier.create(registrar.register(null, ALLOCATOR, registry)).verifyComplete();
        StepVerifier.create(registrar.register(null, ALLOCATOR, unlinkable)).verifyComplete();

        assertThat(added).singleElement().isInstanceOf(ColumnArrayCodec.class)
                .satisfies(codec -> assertThat(codec.canEncode(new ColumnArray(List.of(), RequestColumn.ID))).isTrue())
                .satisfies(codec -> assertThat(codec.canEncode("text")).isFalse());
    }
}
