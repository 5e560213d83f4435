package dev.spectra.reactive.r2dbc.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.spectra.reactive.RequestColumn;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcPermissionDeniedException;
import io.r2dbc.spi.R2dbcRollbackException;
import io.r2dbc.spi.R2dbcTimeoutException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InternalsUnitTests {

    @Test
    void classifiesDatabaseErrorsBySqlState() {
        assertThat(PgErrors.isTransient(new R2dbcNonTransientResourceException("admin shutdown", "57P01"))).isTrue();
        assertThat(PgErrors.isTransient(new R2dbcNonTransientResourceException("starting up", "57P03"))).isTrue();
        assertThat(PgErrors.isTransient(new R2dbcNonTransientResourceException("statement timeout", "57014"))).isTrue();
        assertThat(PgErrors.isTransient(new R2dbcNonTransientResourceException("too many", "53300"))).isTrue();
        assertThat(PgErrors.isTransient(new R2dbcNonTransientResourceException("connection failure", "08006"))).isTrue();
        assertThat(PgErrors.isTransient(new R2dbcRollbackException("serialization", "40001"))).isTrue();
        assertThat(PgErrors.isTransient(new R2dbcNonTransientResourceException("deadlock", "40P01"))).isTrue();
        assertThat(PgErrors.isTransient(new R2dbcTimeoutException("acquire"))).isTrue();
        assertThat(PgErrors.isTransient(new R2dbcNonTransientResourceException("Connection closed"))).isTrue();
        assertThat(PgErrors.isTransient(new IllegalStateException("wrapped",
                new R2dbcNonTransientResourceException("shutdown", "57P01")))).isTrue();

        assertThat(PgErrors.isTransient(new R2dbcNonTransientResourceException("database dropped", "57P04"))).isFalse();
        assertThat(PgErrors.isTransient(new R2dbcBadGrammarException("undefined table", "42P01", 0))).isFalse();
        assertThat(PgErrors.isTransient(new R2dbcDataIntegrityViolationException("check", "23514"))).isFalse();
        assertThat(PgErrors.isTransient(new R2dbcPermissionDeniedException("password", "28P01"))).isFalse();
        assertThat(PgErrors.isTransient(new IllegalStateException("Connection pool is closed"))).isFalse();
        assertThat(PgErrors.isTransient(new IOException("left to the SpectraSink default"))).isFalse();
        assertThat(PgErrors.isTransient(new ConnectException("left to the SpectraSink default"))).isFalse();
    }

    @Test
    void recordErrorsAreDataAndConstraintErrorsOnly() {
        assertThat(PgErrors.isRecordError(new R2dbcBadGrammarException("invalid byte sequence", "22021", 0))).isTrue();
        assertThat(PgErrors.isRecordError(new R2dbcBadGrammarException("numeric overflow", "22003", 0))).isTrue();
        assertThat(PgErrors.isRecordError(new R2dbcDataIntegrityViolationException("check", "23514"))).isTrue();
        assertThat(PgErrors.isRecordError(new R2dbcBadGrammarException("undefined table", "42P01", 0))).isFalse();
        assertThat(PgErrors.isRecordError(new R2dbcNonTransientResourceException("shutdown", "57P01"))).isFalse();
        assertThat(PgErrors.isRecordError(new IllegalArgumentException("22021"))).isFalse();
        assertThat(PgErrors.describe(new R2dbcBadGrammarException("bad", "22021", 0))).isEqualTo("22021: bad");
    }

    @Test
    void writesTextElementsTheWayArrayInReadsThem() {
        dev.spectra.reactive.TrackedRequest r = dev.spectra.reactive.TrackedRequest.builder()
                .id(java.util.UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8")).traceId("a\"b\\c{,}")
                .provider("NULL").model("").outcome(dev.spectra.reactive.Outcome.CANCELLED)
                .startedAt(java.time.Instant.parse("2025-03-04T05:06:07.123456789Z"))
                .completedAt(java.time.Instant.parse("2025-03-04T05:06:08Z")).build();

        String[] columns = LiteralBatch.encode(List.of(r, r));

        assertThat(columns).hasSize(RequestColumn.values().length);
        assertThat(columns[0]).isEqualTo("{6ba7b810-9dad-11d1-80b4-00c04fd430c8,6ba7b810-9dad-11d1-80b4-00c04fd430c8}");
        assertThat(columns[1]).isEqualTo("{\"a\\\"b\\\\c{,}\",\"a\\\"b\\\\c{,}\"}");
        assertThat(columns[2]).isEqualTo("{NULL,NULL}");                       // response_id: null
        assertThat(columns[3]).isEqualTo("{\"NULL\",\"NULL\"}");             // provider: the text NULL
        assertThat(columns[4]).isEqualTo("{\"\",\"\"}");
        assertThat(columns[10]).isEqualTo("{\"cancelled\",\"cancelled\"}");
        assertThat(columns[14]).isEqualTo("{\"{}\",\"{}\"}");
        assertThat(columns[15]).isEqualTo("{f,f}");
        assertThat(columns[16]).isEqualTo("{NULL,NULL}");                      // no usage
        assertThat(columns[42]).isEqualTo("{\"[]\",\"[]\"}");
        assertThat(columns[44]).isEqualTo("{2025-03-04T05:06:07.123456Z,2025-03-04T05:06:07.123456Z}");
    }

    @Test
    void writesEachTypeOfColumnInTheFormArrayInReads() {
        dev.spectra.reactive.TrackedRequest r = dev.spectra.reactive.TrackedRequest.builder()
                .id(java.util.UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8")).provider("p").model("m")
                .outcome(dev.spectra.reactive.Outcome.FAILURE).httpStatus(429).streaming(true)
                .usage(dev.spectra.reactive.Usage.builder().inputTokens(1_234_567_890_123L).outputTokens(5)
                        .audioSeconds(new java.math.BigDecimal("1E+1")).build())
                .cost(dev.spectra.reactive.Cost.of("0.00000015", "2"))
                .latencyMs(Long.MAX_VALUE).tokensPerSecond(Double.POSITIVE_INFINITY)
                .toolCallCounts(java.util.Map.of("function", 2))
                .startedAt(java.time.Instant.parse("2025-03-04T05:06:07.999999999Z"))
                .completedAt(java.time.Instant.parse("2025-03-04T05:06:08Z")).build();
        dev.spectra.reactive.TrackedRequest other = r.toBuilder().tokensPerSecond(Double.NaN).build();

        String[] columns = LiteralBatch.encode(List.of(r, other));

        assertThat(columns[RequestColumn.HTTP_STATUS.ordinal()]).isEqualTo("{429,429}");
        assertThat(columns[RequestColumn.STREAMING.ordinal()]).isEqualTo("{t,t}");
        assertThat(columns[RequestColumn.INPUT_TOKENS.ordinal()]).isEqualTo("{1234567890123,1234567890123}");
        assertThat(columns[RequestColumn.AUDIO_SECONDS.ordinal()]).isEqualTo("{10,10}");
        assertThat(columns[RequestColumn.INPUT_COST.ordinal()]).isEqualTo("{0.0000001500,0.0000001500}");
        assertThat(columns[RequestColumn.LATENCY_MS.ordinal()]).isEqualTo("{9223372036854775807,9223372036854775807}");
        assertThat(columns[RequestColumn.TOKENS_PER_SECOND.ordinal()]).isEqualTo("{Infinity,NaN}");
        assertThat(columns[RequestColumn.TOOL_CALL_COUNTS.ordinal()])
                .isEqualTo("{\"{\\\"function\\\":2}\",\"{\\\"function\\\":2}\"}");
        assertThat(columns[RequestColumn.STARTED_AT.ordinal()])
                .isEqualTo("{2025-03-04T05:06:07.999999Z,2025-03-04T05:06:07.999999Z}");
        assertThat(columns[RequestColumn.TRACKABLE_TYPE.ordinal()]).isEqualTo("{NULL,NULL}");
    }

    @Test
    void aBatchOfHugeValuesDoesNotMakeTheNextBatchesBuffersHuge() {
        dev.spectra.reactive.TrackedRequest huge = dev.spectra.reactive.TrackedRequest.builder()
                .id(java.util.UUID.randomUUID()).provider("p").model("m").outcome(dev.spectra.reactive.Outcome.SUCCESS)
                .errorMessage("x".repeat(100_000)).metadata(java.util.Map.of("k", "y".repeat(100_000)))
                .startedAt(java.time.Instant.EPOCH).completedAt(java.time.Instant.EPOCH).build();

        LiteralBatch.encode(List.of(huge));

        assertThat(LiteralBatch.startLengthPerRow(RequestColumn.METADATA))
                .isEqualTo(LiteralBatch.MAX_START_LENGTH_PER_ROW);
        assertThat(LiteralBatch.startLengthPerRow(RequestColumn.ERROR_MESSAGE))
                .isEqualTo(LiteralBatch.MAX_START_LENGTH_PER_ROW);
        LiteralBatch.encode(List.of(huge.toBuilder().errorMessage("short").metadata(java.util.Map.of()).build()));
        assertThat(LiteralBatch.startLengthPerRow(RequestColumn.METADATA)).isEqualTo(5);     // "{}" and a comma
        assertThat(LiteralBatch.startLengthPerRow(RequestColumn.ERROR_MESSAGE)).isEqualTo(8);
    }

    @Test
    void writesJsonThatParsesBackToTheSameValue() {
        java.util.Map<String, Object> nested = new java.util.LinkedHashMap<>();
        nested.put("nothing", null);
        nested.put("list", List.of(1, -2.5, 1.0E-7, true, "x", List.of(), java.util.Map.of()));
        java.util.Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("quote\"key", "a \"quoted\" value");
        value.put("back\\slash", "C:\\path\\");
        value.put("controls", "nul? no; tab\tnewline\nbell\u0007 unit\u001f");
        value.put("unicode", "naïve 東京 🚀 \u2028");
        value.put("numbers", List.of(Integer.MIN_VALUE, Long.MAX_VALUE, new java.math.BigInteger("123456789012345678901234567890"),
                new java.math.BigDecimal("1E+3"), new java.math.BigDecimal("-0.0000000001"), 3.25f));
        value.put("nested", nested);
        value.put("'; DROP TABLE x; --", "$1 ?| @>");

        StringBuilder element = new StringBuilder();
        LiteralBatch.writeJson(element, value);

        String json = unescapeArrayElement(element.toString());
        assertThat(dev.spectra.reactive.internal.JsonValues.jsonEquals(JsonText.read(json), value))
                .as("%s parses back to %s", json, value).isTrue();
    }

    /** What array_in does to the inside of a quoted element: a backslash takes the next character literally. */
    private static String unescapeArrayElement(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                c = s.charAt(++i);
            } else {
                assertThat(c).as("an unescaped quote would end the element at %d of %s", i, s).isNotEqualTo('"');
            }
            out.append(c);
        }
        return out.toString();
    }

    @Test
    void masksPasswordsInUrls() {
        assertThat(UrlPasswordMask.maskUrl("r2dbc:postgresql://u:p@ss:w@rd@host:5432/db"))
                .isEqualTo("r2dbc:postgresql://u:****@host:5432/db");
        assertThat(UrlPasswordMask.maskUrl("r2dbcs:postgresql://user@host/db?Password=x&ssl=true"))
                .isEqualTo("r2dbcs:postgresql://user@host/db?Password=****&ssl=true");
        assertThat(UrlPasswordMask.maskUrl("r2dbc:postgresql://host/db")).isEqualTo("r2dbc:postgresql://host/db");
        assertThat(UrlPasswordMask.maskUrl(
                "r2dbcs:postgresql://host/db?sslMode=verify-full&sslPassword=keypass&sslKey=/k.pk8&schema=s"))
                .isEqualTo("r2dbcs:postgresql://host/db?sslMode=verify-full&sslPassword=****&sslKey=****&schema=s");
        assertThat(UrlPasswordMask.maskUrl("r2dbc:postgresql://host/db?options=a&api_token=t0k&client_secret=s3c"))
                .isEqualTo("r2dbc:postgresql://host/db?options=a&api_token=****&client_secret=****");
    }

    @Test
    void quotesIdentifiersSoNothingEscapesThem() {
        assertThat(Identifiers.quote("schema", "public")).isEqualTo("\"public\"");
        assertThat(Identifiers.quote("schema", "a\"; DROP TABLE t; --")).isEqualTo("\"a\"\"; DROP TABLE t; --\"");
        assertThat(Identifiers.quote("schema", "x".repeat(63))).hasSize(65);
    }

    @Test
    void theInsertHasOneConstantShapeWithEveryValueBound() {
        String sql = RequestInsert.sql("\"s\"");

        Matcher placeholders = Pattern.compile("\\$(\\d+)::").matcher(sql);
        int count = 0;
        while (placeholders.find()) {
            assertThat(Integer.parseInt(placeholders.group(1))).isEqualTo(++count);
        }
        assertThat(count).isEqualTo(RequestInsert.COLUMN_COUNT).isEqualTo(RequestColumn.values().length);
        // the batch unnested once; its response ids claimed first; the requests whose claim was new inserted
        // without a conflict check, those without a response id skipping what a retried batch stored before
        assertThat(sql).startsWith("WITH batch AS MATERIALIZED (\nSELECT u.id, u.trace_id, u.response_id,")
                .contains("FROM unnest($1::uuid[], $2::text[],")
                .contains("u.metadata::jsonb AS metadata")
                .contains("ids AS (\nINSERT INTO \"s\".spectra_response_ids (provider, response_id, id, started_at)\n"
                        + "SELECT provider, response_id, id, started_at FROM batch WHERE response_id IS NOT NULL\n"
                        + "ORDER BY provider, response_id\n"
                        + "ON CONFLICT DO NOTHING\nRETURNING id, started_at\n)")
                .contains("claimed AS (\nINSERT INTO \"s\".spectra_requests (id, trace_id, response_id,")
                .contains("FROM batch\nWHERE (id, started_at) IN (SELECT id, started_at FROM ids)\n)\n"
                        + "INSERT INTO \"s\".spectra_requests (id, trace_id, response_id,")
                .endsWith("FROM batch\nWHERE response_id IS NULL\nON CONFLICT DO NOTHING")
                .doesNotContain("'");
        // the sink's statement inserts the same way, and adds what both inserts returned to the rollups
        assertThat(RequestInsert.sqlWithDailySpend("\"s\""))
                .contains("FROM batch\nWHERE (id, started_at) IN (SELECT id, started_at FROM ids)\nRETURNING ")
                .contains("FROM batch\nWHERE response_id IS NULL\nON CONFLICT DO NOTHING\nRETURNING ")
                .contains("inserted AS (\nSELECT * FROM claimed UNION ALL SELECT * FROM unclaimed\n)");
        assertThat(LiteralBatch.encode(List.of())).hasSize(RequestColumn.values().length).containsOnly("{}");
    }
}
