package dev.spectra.reactive.r2dbc;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.RejectedRecordsException;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sink's two ways of sending a batch's columns: binary arrays, on connections whose factory detects
 * r2dbc-postgresql extensions (the default), and text array literals on the others. Both store the same rows.
 */
@ExtendWith(PostgresExtension.class)
class ArrayParametersIntegrationTests {

    @Test
    void binaryArraysAndTextLiteralsStoreTheSameRows(TestDatabase db) {
        List<TrackedRequest> batch = awkwardBatch();
        String binarySchema = db.newSchemaName("binary_arrays");
        String textSchema = db.newSchemaName("text_arrays");
        R2dbcSpectraSink binary = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url())
                .schema(binarySchema).build());
        R2dbcSpectraSink text = R2dbcSpectraSink.create(R2dbcSinkOptions.builder()
                .connectionFactory(withoutExtensions(db)).schema(textSchema).build());
        try {
            binary.write(batch).as(StepVerifier::create).verifyComplete();
            text.write(batch).as(StepVerifier::create).verifyComplete();
            assertThat(binary.bindsBinaryArrays()).as("binary arrays on a factory that detects extensions").isTrue();
            assertThat(text.bindsBinaryArrays()).as("text literals on a factory that does not").isFalse();

            for (TrackedRequest r : batch) {
                binary.requests().findById(r.id()).as(StepVerifier::create)
                        .assertNext(read -> R2dbcSpectraSinkIntegrationTests.assertSameRecord(read, expected(r)))
                        .verifyComplete();
            }
            List<String> binaryRows = rows(db, binarySchema);
            assertThat(binaryRows).hasSize(batch.size()).isEqualTo(rows(db, textSchema));
            assertThat(db.column("SELECT requests FROM " + binarySchema + ".spectra_spend_daily", Long.class)
                    .stream().mapToLong(Long::longValue).sum()).isEqualTo(batch.size());
        } finally {
            binary.close().block(Duration.ofSeconds(10));
            text.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aColumnNullInEveryRowTravelsInBinary(TestDatabase db) {
        // the awkward batch has nulls beside values; here every nullable column is null in every row
        List<TrackedRequest> minimal = List.of(Records.minimal(Records.T0).toBuilder().traceId(null).build(),
                Records.minimal(Records.T0.plusSeconds(1)));
        R2dbcSpectraSink binary = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url())
                .schema(db.newSchemaName("binary_nulls")).build());
        try {
            binary.write(minimal).as(StepVerifier::create).verifyComplete();
            assertThat(binary.bindsBinaryArrays()).isTrue();
            for (TrackedRequest r : minimal) {
                binary.requests().findById(r.id()).as(StepVerifier::create)
                        .assertNext(read -> R2dbcSpectraSinkIntegrationTests.assertSameRecord(read, r))
                        .verifyComplete();
            }
        } finally {
            binary.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void anInstantOutsidePostgresRangeIsRefusedAloneInEitherEncoding(TestDatabase db) {
        Instant beforeJulianDayZero = Instant.parse("-5000-01-01T00:00:00Z");
        Instant pastALongOfMicros = Instant.parse("+300000-01-01T00:00:00Z");
        TrackedRequest early = Records.minimal(beforeJulianDayZero);
        TrackedRequest late = Records.minimal(pastALongOfMicros);
        TrackedRequest fine = Records.full(Records.T0);
        R2dbcSpectraSink binary = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url())
                .schema(db.newSchemaName("binary_range")).build());
        R2dbcSpectraSink text = R2dbcSpectraSink.create(R2dbcSinkOptions.builder()
                .connectionFactory(withoutExtensions(db)).schema(db.newSchemaName("text_range")).build());
        try {
            for (R2dbcSpectraSink sink : List.of(binary, text)) {
                sink.write(List.of(early, fine, late)).as(StepVerifier::create)
                        .expectErrorSatisfies(e -> assertThat(((RejectedRecordsException) e).rejections())
                                .extracting(rejection -> rejection.record().id())
                                .containsExactly(early.id(), late.id()))
                        .verify();
                sink.requests().findById(fine.id()).as(StepVerifier::create).expectNextCount(1).verifyComplete();
            }
            assertThat(binary.bindsBinaryArrays()).isTrue();
            assertThat(text.bindsBinaryArrays()).isFalse();
        } finally {
            binary.close().block(Duration.ofSeconds(10));
            text.close().block(Duration.ofSeconds(10));
        }
    }

    /**
     * Strings, JSON and instants that an encoder gets wrong: quotes, escapes, NUL, controls, a lone surrogate, before
     * 2000 and 1970.
     */
    private static List<TrackedRequest> awkwardBatch() {
        List<String> strings = List.of("NULL", "", "a\"b", "back\\slash\\", "{,}", "line\nbreak\ttab\r", "\u0001\u001f",
                "nul\u0000here", "🚀 東京 naïve", "\\u0000", "$1::text", "lone \uD800 surrogate");
        List<Instant> instants = List.of(Records.T0, Instant.parse("1999-12-31T23:59:59.9999995Z"),
                Instant.parse("1969-07-20T20:17:40.000000999Z"), Instant.parse("2000-01-01T00:00:00Z"),
                Instant.parse("2024-02-29T23:59:59.999999999Z"));
        List<TrackedRequest> batch = new ArrayList<>();
        for (int i = 0; i < strings.size(); i++) {
            String s = strings.get(i);
            Instant at = instants.get(i % instants.size());
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("value", s);
            metadata.put("key " + s.replace('\u0000', '0'), List.of(s, i, i + 0.5, true));
            batch.add(Records.full(at).toBuilder().responseId(s.isEmpty() ? "empty" : s + i).errorMessage(s)
                    .endpoint(s).conversationId(s).traceId(s.isEmpty() ? "t" : s).tags(List.of(s, s + "x"))
                    .metadata(metadata).completedAt(at.plusNanos(1_999)).build());
        }
        batch.add(Records.minimal(Records.T0));
        return batch;
    }

    /**
     * A record as stored: U+0000 becomes U+FFFD, a lone surrogate {@code ?} (as UTF-8 encoding makes it), instants
     * keep their microseconds.
     */
    private static TrackedRequest expected(TrackedRequest r) {
        return RequestColumn.toRequest(c -> c.value(r) instanceof Instant instant
                ? instant.truncatedTo(ChronoUnit.MICROS) : replaceNul(c.value(r)));
    }

    private static @Nullable Object replaceNul(@Nullable Object value) {
        if (value instanceof String s) {
            return new String(s.replace('\u0000', '\uFFFD').getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ArrayParametersIntegrationTests::replaceNul).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(replaceNul(k), replaceNul(v)));
            return copy;
        }
        return value;
    }

    /** Every stored row as JSON text, the schema-independent columns only, in id order. */
    private static List<String> rows(TestDatabase db, String schema) {
        return db.column("SELECT to_jsonb(r)::text FROM " + schema + ".spectra_requests r ORDER BY id", String.class);
    }

    private static ConnectionFactory withoutExtensions(TestDatabase db) {
        return ConnectionFactories.get(ConnectionFactoryOptions.parse(db.url()).mutate()
                .option(PostgresqlConnectionFactoryProvider.AUTODETECT_EXTENSIONS, false).build());
    }
}
