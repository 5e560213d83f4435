package dev.spectra.reactive.r2dbc;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import dev.spectra.reactive.TrackedRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Inputs are checked where they are given, and the message names the parameter. */
class QueryValidationUnitTests {

    @Test
    void filterNamesTheWrongParameter() {
        assertThatIllegalArgumentException().isThrownBy(() -> RequestFilter.builder().providers("openai", " ").build())
                .withMessage("providers must not contain a blank value");
        assertThatIllegalArgumentException().isThrownBy(() -> RequestFilter.builder().models("a", null))
                .withMessage("models must not contain null");
        assertThatIllegalArgumentException().isThrownBy(() -> RequestFilter.builder().httpStatusBetween(500, 400).build())
                .withMessage("minHttpStatus (500) must not exceed maxHttpStatus (400)");
        assertThatIllegalArgumentException().isThrownBy(() -> RequestFilter.builder().httpStatusBetween(0, 400).build())
                .withMessage("minHttpStatus must be an HTTP status between 100 and 599, was 0");
        Instant t = Instant.parse("2025-01-01T00:00:00Z");
        assertThatIllegalArgumentException().isThrownBy(() -> RequestFilter.builder().startedBetween(t, t).build())
                .withMessage("startedFrom (2025-01-01T00:00:00Z) must be before startedBefore (2025-01-01T00:00:00Z)");
        assertThatIllegalArgumentException().isThrownBy(() -> RequestFilter.builder().traceId(" ").build())
                .withMessage("traceId must not be blank");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RequestFilter.builder().metadataContains(Map.of("tenant", new Object())).build())
                .withMessageStartingWith("metadataContains.tenant: value of type java.lang.Object is not JSON");
    }

    @Test
    void filterIsImmutableAndRebuildable() {
        RequestFilter f = RequestFilter.builder().providers("openai").anyTags("a", "b")
                .metadataContains(Map.of("k", 1)).build();

        assertThat(f.toBuilder().build()).isEqualTo(f);
        assertThat(RequestFilter.all()).isEqualTo(RequestFilter.builder().build());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.providers().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void queryChecksLimitAndCursor() {
        assertThatIllegalArgumentException().isThrownBy(() -> RequestQuery.builder().limit(0).build())
                .withMessage("limit must be between 1 and 1000, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> RequestQuery.builder().limit(1001).build())
                .withMessage("limit must be between 1 and 1000, was 1001");
        assertThatIllegalArgumentException().isThrownBy(() -> RequestQuery.builder().after("not a cursor").build())
                .withMessageStartingWith("after: \"not a cursor\" is not a cursor returned by SpectraRequests.search");
        assertThatIllegalArgumentException().isThrownBy(() -> RequestQuery.builder().after("'; DROP TABLE x; --").build())
                .withMessageStartingWith("after: ");

        String costCursor = Cursor.after(RequestSort.TOTAL_COST, false, Records.full(Records.T0)).encode();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RequestQuery.builder().sortBy(RequestSort.STARTED_AT).after(costCursor).build())
                .withMessage("after: the cursor was issued for sort TOTAL_COST descending, not STARTED_AT descending");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RequestQuery.builder().sortBy(RequestSort.TOTAL_COST).ascending().after(costCursor).build())
                .withMessage("after: the cursor was issued for sort TOTAL_COST descending, not TOTAL_COST ascending");
        assertThat(RequestQuery.builder().sortBy(RequestSort.TOTAL_COST).after(costCursor).build().after())
                .isEqualTo(costCursor);
    }

    @Test
    void cursorsRoundTripEveryKindOfValue() {
        TrackedRequest full = Records.full(Records.T0);
        TrackedRequest unknown = Records.minimal(Instant.parse("1969-12-31T23:59:59.999999Z"));
        for (RequestSort sort : RequestSort.values()) {
            for (TrackedRequest r : new TrackedRequest[] {full, unknown}) {
                Cursor c = Cursor.after(sort, true, r);
                assertThat(Cursor.decode(c.encode())).isEqualTo(c);
            }
        }
        assertThat(Cursor.after(RequestSort.TOTAL_COST, true, unknown).value()).isNull();
        assertThat(Cursor.after(RequestSort.STARTED_AT, true, unknown).value())
                .isEqualTo(Instant.parse("1969-12-31T23:59:59.999999Z"));
        assertThat(Cursor.after(RequestSort.TOTAL_COST, true, full).encode()).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void aCursorWithoutValueForANonNullableSortIsRefused() {
        String forged = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("1|LATENCY|a|~|" + UUID.randomUUID()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThatIllegalArgumentException().isThrownBy(() -> Cursor.decode(forged))
                .withMessageContaining("missing value");
    }

    @Test
    void groupingChecksTheMetadataKey() {
        assertThatIllegalArgumentException().isThrownBy(() -> Grouping.byMetadata(" "))
                .withMessage("metadataKey must not be null or blank when grouping by metadata");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Grouping(Grouping.Kind.PROVIDER, "tenant_id", ZoneOffset.UTC))
                .withMessage("metadataKey is only for grouping by metadata, not by PROVIDER");
        assertThat(Grouping.byDay().zone()).isEqualTo(ZoneOffset.UTC);
    }
}
