package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

import static dev.spectra.reactive.r2dbc.HandSet.D;
import static dev.spectra.reactive.r2dbc.HandSet.R1;
import static dev.spectra.reactive.r2dbc.HandSet.R10;
import static dev.spectra.reactive.r2dbc.HandSet.R2;
import static dev.spectra.reactive.r2dbc.HandSet.R3;
import static dev.spectra.reactive.r2dbc.HandSet.R4;
import static dev.spectra.reactive.r2dbc.HandSet.R5;
import static dev.spectra.reactive.r2dbc.HandSet.R6;
import static dev.spectra.reactive.r2dbc.HandSet.R7;
import static dev.spectra.reactive.r2dbc.HandSet.R8;
import static dev.spectra.reactive.r2dbc.HandSet.R9;
import static org.assertj.core.api.Assertions.assertThat;

/** Queries over {@link HandSet}: every expected answer below was worked out by hand from its table. */
@ExtendWith(PostgresExtension.class)
class SpectraRequestsIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static R2dbcSpectraSink sink;
    private static SpectraRequests requests;
    private static Map<UUID, String> names;

    @BeforeAll
    static void seed(TestDatabase db) {
        sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(db.schemaName()).build());
        requests = sink.requests();
        sink.write(HandSet.ALL).block(TIMEOUT);
        names = HandSet.ALL.stream().collect(Collectors.toMap(TrackedRequest::id, HandSet::name));
    }

    @AfterAll
    static void close() {
        sink.close().block(TIMEOUT);
    }

    @Test
    void findsById() {
        requests.findById(R4.id()).as(StepVerifier::create)
                .assertNext(r -> R2dbcSpectraSinkIntegrationTests.assertSameRecord(r, R4))
                .verifyComplete();
        requests.findById(UUID.randomUUID()).as(StepVerifier::create).verifyComplete();
    }

    @Test
    void filtersOnOneCriterion() {
        assertMatches(f -> f.providers("openai"), R1, R2, R3, R7, R8, R10);
        assertMatches(f -> f.providers("openai", "anthropic"), R1, R2, R3, R4, R5, R7, R8, R10);
        assertMatches(f -> f.models("gpt-4o"), R1, R2, R7, R8, R10);
        assertMatches(f -> f.outcomes(Outcome.FAILURE), R3, R7);
        assertMatches(f -> f.outcomes(Outcome.CANCELLED), R5);
        assertMatches(f -> f.httpStatusBetween(400, 599), R3, R7);
        assertMatches(f -> f.httpStatusBetween(200, 299), R1, R2, R4, R6, R8, R9, R10);   // R5 has no status
        assertMatches(f -> f.streaming(true), R2, R4, R5, R10);
        assertMatches(f -> f.streaming(false), R1, R3, R6, R7, R8, R9);
        assertMatches(f -> f.anyTags("beta", "chat"), R2, R3, R6);
        assertMatches(f -> f.allTags("billing", "beta"), R2);
        assertMatches(f -> f.traceId("trC"), R4, R5);
        assertMatches(f -> f.trackable(new Trackable("user", "u1")), R1, R2, R6);
        assertMatches(f -> f.trackableType("user"), R1, R2, R3, R6, R8, R10);
        assertMatches(f -> f.trackableType("team"), R4);
    }

    @Test
    void countsTagsMostUsedFirstOverWhatTheFilterSelects() {
        // billing: R1 R2 R4 R7 R8; beta: R2 R3; chat: R6; R10's two injection texts once each
        requests.tagCounts(RequestFilter.all()).collectList().as(StepVerifier::create)
                .assertNext(tags -> {
                    assertThat(tags.subList(0, 2)).containsExactly(new TagCount("billing", 5), new TagCount("beta", 2));
                    // ties are ordered by tag in the database's collation
                    assertThat(tags.subList(2, 5)).containsExactlyInAnyOrder(new TagCount("chat", 1),
                            new TagCount(HandSet.QUOTED_TAG, 1), new TagCount(HandSet.INJECTION_TAG, 1));
                })
                .verifyComplete();
        // openai only: billing R1 R2 R7 R8, beta R2 R3, and R10's
        requests.tagCounts(RequestFilter.builder().providers("openai").outcomes(Outcome.SUCCESS).build())
                .filter(t -> !t.tag().equals(HandSet.QUOTED_TAG) && !t.tag().equals(HandSet.INJECTION_TAG))
                .as(StepVerifier::create)
                .expectNext(new TagCount("billing", 3), new TagCount("beta", 1))
                .verifyComplete();
    }

    @Test
    void filtersOnMetadataContainment() {
        assertMatches(f -> f.metadataContains(Map.of("tenant_id", "t1")), R1, R2, R5, R8, R10);
        assertMatches(f -> f.metadataContains(Map.of("feature", "chat")), R2, R4);
        assertMatches(f -> f.metadataContains(Map.of("feature", "chat", "tenant_id", "t2")), R4);
        assertMatches(f -> f.metadataContains(Map.of("nested", Map.of("region", "eu"))), R4);
        assertMatches(f -> f.metadataContains(Map.of("nested", Map.of("flags", List.of("b")))), R4);
        assertMatches(f -> f.metadataContains(Map.of("attempt", 1)), R1, R6);
        assertMatches(f -> f.metadataContains(Map.of("attempt", new BigDecimal("1.0"))), R1, R6);   // jsonb numbers
        assertMatches(f -> f.metadataContains(Map.of("attempt", "1")));                            // a string is not 1
        assertMatches(f -> f.metadataContains(Map.of("tenant_id", "t9")));
    }

    @Test
    void filtersOnStartTimeWithAnInclusiveStartAndAnExclusiveEnd() {
        assertMatches(f -> f.startedBetween(D.plus(Duration.ofDays(1)), D.plus(Duration.ofDays(2))), R5, R6, R7);
        assertMatches(f -> f.startedBetween(R4.startedAt(), null), R4, R5, R6, R7, R8, R9, R10);
        assertMatches(f -> f.startedBetween(null, R2.startedAt()), R1);
    }

    @Test
    void combinesCriteriaWithAnd() {
        assertMatches(f -> f.providers("openai").outcomes(Outcome.SUCCESS).streaming(false)
                .metadataContains(Map.of("tenant_id", "t1")), R1, R8);
        assertMatches(f -> f.anyTags("billing").startedBetween(D, D.plus(Duration.ofDays(1)))
                .httpStatusBetween(200, 200), R1, R2, R4);
        assertMatches(f -> f.providers("anthropic").outcomes(Outcome.SUCCESS).traceId("trC"), R4);
        assertMatches(f -> f.models("gpt-4o").anyTags("beta").allTags("billing"), R2);
        assertMatches(f -> f.providers("openai").outcomes(Outcome.CANCELLED));
    }

    @Test
    void matchesInjectionAttemptsLiterally(TestDatabase db) {
        assertMatches(f -> f.anyTags(HandSet.INJECTION_TAG), R10);
        assertMatches(f -> f.allTags(HandSet.QUOTED_TAG, HandSet.INJECTION_TAG), R10);
        assertMatches(f -> f.metadataContains(Map.of(HandSet.INJECTION_KEY, HandSet.INJECTION_VALUE)), R10);
        assertMatches(f -> f.metadataContains(Map.of("%", "_")), R10);
        assertMatches(f -> f.trackable(new Trackable("user", HandSet.INJECTION_OWNER)), R10);
        assertMatches(f -> f.providers("openai' OR '1'='1"));
        assertMatches(f -> f.models("%"));                  // equality, not LIKE
        assertMatches(f -> f.models("gpt-4o%"));
        assertMatches(f -> f.traceId("trA' OR 1=1 --"));
        assertMatches(f -> f.anyTags("billing' OR 'x'='x"));

        requests.findById(R10.id()).as(StepVerifier::create)
                .assertNext(r -> {
                    assertThat(r.tags()).containsExactly(HandSet.QUOTED_TAG, HandSet.INJECTION_TAG);
                    assertThat(r.metadata()).containsEntry(HandSet.INJECTION_KEY, HandSet.INJECTION_VALUE);
                    assertThat(r.trackable()).isEqualTo(new Trackable("user", HandSet.INJECTION_OWNER));
                })
                .verifyComplete();
        requests.totals(RequestFilter.all(), Grouping.byMetadata(HandSet.INJECTION_KEY)).as(StepVerifier::create)
                .assertNext(t -> assertThat(t.group()).isEqualTo(HandSet.INJECTION_VALUE))
                .assertNext(t -> assertThat(t).extracting(UsageTotals::group, UsageTotals::requests)
                        .containsExactly(null, 9L))
                .verifyComplete();
        assertThat(db.single("SELECT count(*) FROM \"" + db.schemaName() + "\".spectra_requests", Long.class))
                .isEqualTo(10L);
    }

    @Test
    void sortsByEachKeyWithIdTieBreaksAndUnknownValuesLast() {
        // Costs: R4 .0105, R2 .0020, R1 = R8 .0010 (R8 has the larger id), R5 .0009, R9 .0001, R10 .00003,
        // unpriced R3, R6, R7 last in both directions, by id.
        assertOrder(RequestSort.TOTAL_COST, false, R4, R2, R8, R1, R5, R9, R10, R7, R6, R3);
        assertOrder(RequestSort.TOTAL_COST, true, R10, R9, R5, R1, R8, R2, R4, R3, R6, R7);
        // Tokens: R4 1500, R6 500, R2 = R5 300, R1 = R8 150, R9 75, R10 15, unknown R3, R7.
        assertOrder(RequestSort.TOTAL_TOKENS, false, R4, R6, R5, R2, R8, R1, R9, R10, R7, R3);
        assertOrder(RequestSort.TOTAL_TOKENS, true, R10, R9, R1, R8, R2, R5, R6, R4, R3, R7);
        assertOrder(RequestSort.LATENCY, true, R3, R10, R9, R1, R8, R7, R2, R5, R6, R4);
        assertOrder(RequestSort.LATENCY, false, R4, R6, R5, R2, R7, R8, R1, R9, R10, R3);
        assertOrder(RequestSort.STARTED_AT, false, R10, R9, R8, R7, R6, R5, R4, R3, R2, R1);
        assertOrder(RequestSort.STARTED_AT, true, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10);
    }

    @Test
    void pagesAreCutAfterTheCursorAndTheLastHasNoCursor() {
        RequestQuery first = RequestQuery.builder().sortBy(RequestSort.TOTAL_COST).limit(4).build();
        RequestPage p1 = requests.search(first).block(TIMEOUT);
        RequestPage p2 = requests.search(first.toBuilder().after(p1.nextCursor()).build()).block(TIMEOUT);
        RequestPage p3 = requests.search(first.toBuilder().after(p2.nextCursor()).build()).block(TIMEOUT);

        assertThat(namesOf(p1.items())).containsExactly("R4", "R2", "R8", "R1");
        assertThat(namesOf(p2.items())).containsExactly("R5", "R9", "R10", "R7");    // crosses into the nulls
        assertThat(namesOf(p3.items())).containsExactly("R6", "R3");                  // cursor among the nulls
        assertThat(p1.hasNext()).isTrue();
        assertThat(p2.hasNext()).isTrue();
        assertThat(p3.hasNext()).isFalse();
        assertThat(p3.nextCursor()).isNull();
    }

    @Test
    void aFullLastPageHasNoCursor() {
        RequestPage page = requests.search(RequestQuery.builder().limit(10).build()).block(TIMEOUT);

        assertThat(page.items()).hasSize(10);
        assertThat(page.hasNext()).isFalse();
    }

    @Test
    void totalsOfEverything() {
        // Tokens in: 100+200+1000+300+400+100+50+10 = 2160; out: 50+100+500+0+100+50+25+5 = 830; total 2990.
        // Cost: .0010+.0020+.0105+.0009+.0010+.0001+.00003 = .01553; unpriced: R3, R6, R7.
        // Latencies 50 60 80 100 120 150 200 300 400 1000: mean 2460/10 = 246; p95 at rank 0.95*9 = 8.55:
        // 400 + 0.55 * (1000 - 400) = 730.
        requests.totals(RequestFilter.all()).as(StepVerifier::create)
                .assertNext(t -> assertTotals(t, null, 10, 2160, 830, 2990,
                        new BigDecimal("0.0155300000"), 3, 246.0, 730.0))
                .verifyComplete();
    }

    @Test
    void totalsByProvider() {
        // anthropic R4 R5: latencies 300 1000, p95 = 300 + 0.95 * 700 = 965.
        // openai R1 R2 R3 R7 R8 R10: latencies 50 60 100 120 150 200, mean 680/6, p95 at 4.75 = 150 + .75*50.
        requests.totals(RequestFilter.all(), Grouping.byProvider()).as(StepVerifier::create)
                .assertNext(t -> assertTotals(t, "anthropic", 2, 1300, 500, 1800,
                        new BigDecimal("0.0114000000"), 0, 650.0, 965.0))
                .assertNext(t -> assertTotals(t, "gcp.gemini", 1, 400, 100, 500,
                        new BigDecimal("0.0000000000"), 1, 400.0, 400.0))
                .assertNext(t -> assertTotals(t, "mistral_ai", 1, 50, 25, 75,
                        new BigDecimal("0.0001000000"), 0, 80.0, 80.0))
                .assertNext(t -> assertTotals(t, "openai", 6, 410, 205, 615, new BigDecimal("0.0040300000"), 2,
                        680.0 / 6, 187.5))
                .verifyComplete();
    }

    @Test
    void totalsByModelForOneProvider() {
        requests.totals(RequestFilter.builder().providers("openai").build(), Grouping.byModel())
                .map(t -> t.group() + ":" + t.requests() + ":" + t.totalCost().toPlainString() + ":" + t.unpricedRequests())
                .as(StepVerifier::create)
                .expectNext("gpt-4o:5:0.0040300000:1", "gpt-4o-mini:1:0.0000000000:1")
                .verifyComplete();
    }

    @Test
    void totalsByUtcDay() {
        // D: R1 R2 R3 R4, latencies 50 100 200 1000: p95 at 2.85 = 200 + .85*800 = 880.
        // D+1: R5 R6 R7, latencies 150 300 400: p95 at 1.9 = 300 + .9*100 = 390.
        // D+2: R8 R9 R10, latencies 60 80 120: p95 at 1.9 = 80 + .9*40 = 116.
        requests.totals(RequestFilter.all(), Grouping.byDay()).as(StepVerifier::create)
                .assertNext(t -> assertTotals(t, "2025-03-10", 4, 1300, 650, 1950,
                        new BigDecimal("0.0135000000"), 1, 337.5, 880.0))
                .assertNext(t -> assertTotals(t, "2025-03-11", 3, 700, 100, 800, new BigDecimal("0.0009000000"), 2,
                        850.0 / 3, 390.0))
                .assertNext(t -> assertTotals(t, "2025-03-12", 3, 160, 80, 240, new BigDecimal("0.0011300000"), 0,
                        260.0 / 3, 116.0))
                .verifyComplete();
    }

    @Test
    void totalsByDayInAnotherZone() {
        // In Paris (UTC+1 in March) R4 (D 23:30 UTC) starts on the 11th; R8 (D+2 00:00 UTC) stays on the 12th.
        for (ZoneId zone : List.of(ZoneId.of("Europe/Paris"), ZoneOffset.ofHours(1))) {
            requests.totals(RequestFilter.all(), Grouping.byDay(zone))
                    .map(t -> t.group() + ":" + t.requests() + ":" + t.inputTokens() + ":" + t.totalCost().toPlainString())
                    .as(StepVerifier::create)
                    .expectNext("2025-03-10:3:300:0.0030000000", "2025-03-11:4:1700:0.0114000000",
                            "2025-03-12:3:160:0.0011300000")
                    .verifyComplete();
        }
    }

    @Test
    void totalsPerTenant() {
        // t1: R1 R2 R5 R8 R10; t2: R3 R4 R9; t3: R6; no tenant: R7 (null group, last).
        requests.totals(RequestFilter.all(), Grouping.byMetadata("tenant_id")).as(StepVerifier::create)
                .assertNext(t -> assertTotals(t, "t1", 5, 710, 205, 915,
                        new BigDecimal("0.0049300000"), 0, 156.0, 280.0))
                .assertNext(t -> assertTotals(t, "t2", 3, 1050, 525, 1575, new BigDecimal("0.0106000000"), 1,
                        1130.0 / 3, 908.0))   // 50 80 1000: 80 + .9 * 920
                .assertNext(t -> assertTotals(t, "t3", 1, 400, 100, 500,
                        new BigDecimal("0.0000000000"), 1, 400.0, 400.0))
                .assertNext(t -> assertTotals(t, null, 1, 0, 0, 0,
                        new BigDecimal("0.0000000000"), 1, 150.0, 150.0))
                .verifyComplete();
    }

    @Test
    void totalsOfAFilteredSetAndOfNothing() {
        requests.totals(RequestFilter.builder().providers("openai").outcomes(Outcome.SUCCESS).build())
                .as(StepVerifier::create)
                .assertNext(t -> assertTotals(t, null, 4, 410, 205, 615,
                        new BigDecimal("0.0040300000"), 0, 120.0, 188.0))   // 60 100 120 200: 120 + .85 * 80
                .verifyComplete();
        requests.totals(RequestFilter.builder().traceId("no-such-trace").build()).as(StepVerifier::create)
                .assertNext(t -> assertTotals(t, null, 0, 0, 0, 0,
                        new BigDecimal("0.0000000000"), 0, null, null))
                .verifyComplete();
        requests.totals(RequestFilter.builder().traceId("no-such-trace").build(), Grouping.byProvider())
                .as(StepVerifier::create)
                .verifyComplete();
    }

    /**
     * Exact on counts, tokens and money; latencies within 1e-9 ms, because percentile_cont interpolates at rank
     * 0.95 * (n - 1) in binary floating point (730 comes back as 729.9999999999994).
     */
    private static void assertTotals(UsageTotals t, @Nullable String group, long requests, long in, long out,
                                     long total, BigDecimal cost, long unpriced, @Nullable Double avg,
                                     @Nullable Double p95) {
        assertThat(t).usingRecursiveComparison().ignoringFields("averageLatencyMs", "p95LatencyMs",
                        "cachedInputTokens", "reasoningTokens", "failedRequests")
                .isEqualTo(new UsageTotals(group, requests, in, out, total, 0, 0, 0, cost, unpriced, null, null));
        assertThat(t.totalCost().scale()).isEqualTo(10);
        if (avg == null) {
            assertThat(t.averageLatencyMs()).isNull();
            assertThat(t.p95LatencyMs()).isNull();
        } else {
            assertThat(t.averageLatencyMs()).isCloseTo(avg, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(t.p95LatencyMs()).isCloseTo(p95, org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    private static void assertMatches(Function<RequestFilter.Builder, RequestFilter.Builder> filter,
                                      TrackedRequest... expected) {
        RequestFilter f = filter.apply(RequestFilter.builder()).build();
        RequestPage page = requests.search(RequestQuery.builder().filter(f).ascending().limit(100).build())
                .block(TIMEOUT);
        assertThat(namesOf(page.items())).as("matches of %s", f)
                .containsExactly(java.util.Arrays.stream(expected).map(HandSet::name).toArray(String[]::new));
        assertThat(requests.totals(f).block(TIMEOUT).requests()).as("count of %s", f).isEqualTo(expected.length);
    }

    private static void assertOrder(RequestSort sort, boolean ascending, TrackedRequest... expected) {
        List<String> all = new ArrayList<>();
        for (int limit : new int[] {100, 3, 1}) {
            all.clear();
            @Nullable String cursor = null;
            do {
                RequestQuery.Builder q = RequestQuery.builder().sortBy(sort).limit(limit).after(cursor);
                RequestPage page = requests.search((ascending ? q.ascending() : q.descending()).build()).block(TIMEOUT);
                all.addAll(namesOf(page.items()));
                cursor = page.nextCursor();
            } while (cursor != null);
            assertThat(all).as("%s %s in pages of %d", sort, ascending ? "asc" : "desc", limit)
                    .containsExactly(java.util.Arrays.stream(expected).map(HandSet::name).toArray(String[]::new));
        }
    }

    private static List<String> namesOf(List<TrackedRequest> items) {
        return items.stream().map(r -> names.getOrDefault(r.id(), r.id().toString())).toList();
    }
}
