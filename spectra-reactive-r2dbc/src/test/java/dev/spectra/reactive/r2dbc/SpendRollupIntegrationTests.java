package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SpectraRequests#spend} reads the daily rollups, and its sums equal what {@link SpectraRequests#totals} adds
 * up from the raw rows of the same days, for every condition and grouping; metadata dimensions registered before,
 * between and after batches (their rollup backfilled) count every request exactly once.
 */
@ExtendWith(PostgresExtension.class)
class SpendRollupIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final LocalDate FIRST = LocalDate.parse("2025-03-10");
    private static final LocalDate LAST = LocalDate.parse("2025-03-13");

    @Test
    void spendFromTheRollupsEqualsTotalsOfTheRawRows(TestDatabase db) throws Exception {
        String schema = db.newSchemaName("spend");
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema).build());
        try {
            SpectraRequests requests = sink.requests();
            // tenant_id registered before any batch, attempt between two, the injection key after all of them
            sink.checkStartup().block(TIMEOUT);
            assertThat(requests.addMetadataDimension("tenant_id").block(TIMEOUT)).isTrue();
            sink.write(HandSet.ALL.subList(0, 4)).block(TIMEOUT);
            assertThat(requests.addMetadataDimension("attempt").block(TIMEOUT)).isTrue();
            Flux.merge(sink.write(HandSet.ALL.subList(4, 7)), sink.write(HandSet.ALL.subList(7, 10)))
                    .blockLast(TIMEOUT);
            assertThat(requests.addMetadataDimension(HandSet.INJECTION_KEY).block(TIMEOUT)).isTrue();
            // a retried batch and a call captured twice are counted once; registering again changes nothing
            sink.write(HandSet.ALL).block(TIMEOUT);
            assertThat(requests.addMetadataDimension("tenant_id").block(TIMEOUT)).isFalse();
            StepVerifier.create(requests.metadataDimensions())
                    .expectNext("attempt", HandSet.INJECTION_KEY, "tenant_id").verifyComplete();

            assertSame(requests, SpendQuery.builder(FIRST, LAST).build(), filter().build(), Grouping.none());
            assertSame(requests, SpendQuery.builder(FIRST, LAST).grouping(Grouping.byModel()).build(),
                    filter().build(), Grouping.byModel());
            assertSame(requests, SpendQuery.builder(FIRST, LAST).grouping(Grouping.byDay()).build(),
                    filter().build(), Grouping.byDay());
            assertSame(requests, SpendQuery.builder(FIRST, LAST).grouping(Grouping.byTrackable()).build(),
                    filter().build(), Grouping.byTrackable());
            assertSame(requests, SpendQuery.builder(FIRST, FIRST.plusDays(1)).providers("openai")
                    .grouping(Grouping.byModel()).build(),
                    filter().providers("openai").startedBetween(day(FIRST), day(FIRST.plusDays(1))).build(),
                    Grouping.byModel());
            assertSame(requests, SpendQuery.builder(FIRST, LAST).trackable(new Trackable("user", "u1"))
                    .grouping(Grouping.byDay()).build(),
                    filter().trackable(new Trackable("user", "u1")).build(), Grouping.byDay());
            // a tenant's cost, by day and in total; one day of it
            for (String tenant : List.of("t1", "t2", "t3", "t4")) {
                assertSame(requests, SpendQuery.builder(FIRST, LAST).metadata("tenant_id", tenant).build(),
                        filter().metadataContains(Map.of("tenant_id", tenant)).build(), Grouping.none());
                assertSame(requests, SpendQuery.builder(FIRST, LAST).metadata("tenant_id", tenant)
                                .grouping(Grouping.byDay()).build(),
                        filter().metadataContains(Map.of("tenant_id", tenant)).build(), Grouping.byDay());
            }
            assertSame(requests, SpendQuery.builder(FIRST.plusDays(1), FIRST.plusDays(2))
                            .metadata("tenant_id", "t1").providers("anthropic").build(),
                    filter().metadataContains(Map.of("tenant_id", "t1")).providers("anthropic")
                            .startedBetween(day(FIRST.plusDays(1)), day(FIRST.plusDays(2))).build(), Grouping.none());
            // per tenant: the requests holding the key (R7 holds none)
            List<UsageTotals> perTenant = requests.totals(filter().build(), Grouping.byMetadata("tenant_id"))
                    .filter(t -> t.group() != null).collectList().block(TIMEOUT);
            assertThat(requests.spend(SpendQuery.builder(FIRST, LAST).grouping(Grouping.byMetadata("tenant_id"))
                    .build()).collectList().block(TIMEOUT))
                    .containsExactlyElementsOf(perTenant.stream().map(SpendRollupIntegrationTests::spendOf).toList())
                    .extracting(SpendTotals::group).containsExactly("t1", "t2", "t3");
            // a number is not its text: attempt 1 matches R1 and R6, "1" nothing
            assertSame(requests, SpendQuery.builder(FIRST, LAST).metadata("attempt", 1).build(),
                    filter().metadataContains(Map.of("attempt", 1)).build(), Grouping.none());
            assertThat(requests.spend(SpendQuery.builder(FIRST, LAST).metadata("attempt", 1).build()).blockFirst(TIMEOUT))
                    .extracting(SpendTotals::requests).isEqualTo(2L);
            assertThat(requests.spend(SpendQuery.builder(FIRST, LAST).metadata("attempt", "1").build())
                    .blockFirst(TIMEOUT)).isEqualTo(new SpendTotals(null, 0, 0, BigDecimal.ZERO.setScale(10), 0, 0, 0));
            // the key that looks like SQL was backfilled, and its index built
            assertSame(requests, SpendQuery.builder(FIRST, LAST).metadata(HandSet.INJECTION_KEY,
                            HandSet.INJECTION_VALUE).build(),
                    filter().metadataContains(Map.of(HandSet.INJECTION_KEY, HandSet.INJECTION_VALUE)).build(),
                    Grouping.none());
            assertThat(db.single("SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname = $2",
                    Long.class, schema, dimensionIndexName(HandSet.INJECTION_KEY))).isEqualTo(1L);
            // lists filtered on dimension values (matched by metadata -> key) find what containment finds
            assertThat(ids(requests, Map.of("tenant_id", "t1")))
                    .containsExactly(ids(HandSet.R10, HandSet.R8, HandSet.R5, HandSet.R2, HandSet.R1));
            assertThat(ids(requests, Map.of("tenant_id", "t1", "attempt", 1))).containsExactly(ids(HandSet.R1));
            assertThat(ids(requests, Map.of("tenant_id", "t2", "nested", Map.of("region", "eu"))))
                    .containsExactly(ids(HandSet.R4));
            assertThat(ids(requests, Map.of("attempt", "1"))).isEmpty();
            // the rollups' grand totals agree with the requests they summarize
            assertThat(db.single("SELECT (SELECT sum(cost) FROM \"" + schema + "\".spectra_spend_daily_metadata"
                    + " WHERE key = 'tenant_id') = (SELECT sum(total_cost) FROM \"" + schema + "\".spectra_requests"
                    + " WHERE metadata ? 'tenant_id')", Boolean.class)).isTrue();
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void aDimensionAddedWhileBatchesAreWrittenCountsEachRequestOnce(TestDatabase db) {
        String schema = db.newSchemaName("spend_race");
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema)
                .maxPoolSize(4).build());
        try {
            sink.checkStartup().block(TIMEOUT);
            List<List<dev.spectra.reactive.TrackedRequest>> batches = new java.util.ArrayList<>();
            for (int b = 0; b < 40; b++) {
                List<dev.spectra.reactive.TrackedRequest> batch = new java.util.ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    Instant at = day(FIRST).plusSeconds(b * 3600L + i);
                    batch.add(Records.full(at).toBuilder().id(Records.uuid7(at))
                            .metadata(Map.of("tenant_id", "t" + ((b + i) % 7))).build());
                }
                batches.add(batch);
            }
            // three writers and the registration race; the batches that committed before it are backfilled, the
            // others add themselves
            Flux.merge(Flux.fromIterable(batches).concatMap(sink::write, 0).then(),
                            Flux.fromIterable(batches.subList(0, 20)).concatMap(sink::write, 0).then(),
                            Flux.fromIterable(batches.subList(20, 40)).concatMap(sink::write, 0).then(),
                            reactor.core.publisher.Mono.delay(Duration.ofMillis(150))
                                    .then(sink.requests().addMetadataDimension("tenant_id")).then())
                    .blockLast(TIMEOUT);

            assertThat(db.single("SELECT count(*) FROM \"" + schema + "\".spectra_requests", Long.class))
                    .isEqualTo(1000L);
            List<UsageTotals> perTenant = sink.requests().totals(filter().build(), Grouping.byMetadata("tenant_id"))
                    .collectList().block(TIMEOUT);
            assertThat(perTenant).hasSize(7);
            assertThat(sink.requests().spend(SpendQuery.builder(FIRST, LAST)
                            .grouping(Grouping.byMetadata("tenant_id")).build()).collectList().block(TIMEOUT))
                    .containsExactlyElementsOf(perTenant.stream().map(SpendRollupIntegrationTests::spendOf).toList());
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void aKeyThatIsNotADimensionIsRefusedNotAnsweredWithZero(TestDatabase db) {
        String schema = db.newSchemaName("spend_nodim");
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(schema).build());
        try {
            sink.write(HandSet.ALL).block(TIMEOUT);
            StepVerifier.create(sink.requests().spend(SpendQuery.builder(FIRST, LAST).metadata("tenant_id", "t1")
                            .build()))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining("\"tenant_id\" is not a dimension"))
                    .verify(TIMEOUT);
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void queriesTheRollupsCannotAnswerAreRefusedAtTheCallSite() {
        SpendQuery.Builder b = SpendQuery.builder(FIRST, LAST);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> SpendQuery.builder(FIRST, FIRST).build()).withMessageContaining("until");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> b.metadata("tenant_id", "t1").trackable(new Trackable("user", "u1")).build())
                .withMessageContaining("holds no owner");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> SpendQuery.builder(FIRST, LAST).metadata("a", "x")
                        .grouping(Grouping.byMetadata("b")).build()).withMessageContaining("another key");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> SpendQuery.builder(FIRST, LAST).metadata("a", List.of("x")).build())
                .withMessageContaining("String, Number, Boolean");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> SpendQuery.builder(FIRST, LAST)
                        .grouping(Grouping.byDay(java.time.ZoneId.of("Europe/Paris"))).build())
                .withMessageContaining("UTC");
    }

    private static RequestFilter.Builder filter() {
        return RequestFilter.builder().startedBetween(day(FIRST), day(LAST));
    }

    private static Instant day(LocalDate d) {
        return d.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    }

    /** The ids of the requests a metadata filter lists, newest first, two a page. */
    private static List<java.util.UUID> ids(SpectraRequests requests, Map<String, Object> metadata) {
        List<java.util.UUID> ids = new java.util.ArrayList<>();
        String cursor = null;
        do {
            RequestPage page = requests.search(RequestQuery.builder().limit(2).after(cursor)
                    .filter(filter().metadataContains(metadata).build()).build()).block(TIMEOUT);
            page.items().forEach(r -> ids.add(r.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        return ids;
    }

    private static java.util.UUID[] ids(dev.spectra.reactive.TrackedRequest... records) {
        return java.util.Arrays.stream(records).map(dev.spectra.reactive.TrackedRequest::id)
                .toArray(java.util.UUID[]::new);
    }

    private static SpendTotals spendOf(UsageTotals t) {
        return new SpendTotals(t.group(), t.requests(), t.unpricedRequests(), t.totalCost(), t.inputTokens(),
                t.outputTokens(), t.totalTokens());
    }

    private static void assertSame(SpectraRequests requests, SpendQuery spend, RequestFilter filter,
                                   Grouping grouping) {
        List<SpendTotals> fromRows = requests.totals(filter, grouping).map(SpendRollupIntegrationTests::spendOf)
                .collectList().block(TIMEOUT);
        assertThat(requests.spend(spend).collectList().block(TIMEOUT)).as(spend.toString())
                .containsExactlyElementsOf(fromRows);
    }

    /** The name of a dimension's index: a fixed prefix and 16 hex digits of the key's SHA-256 (UTF-8). */
    private static String dimensionIndexName(String key) throws java.security.NoSuchAlgorithmException {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "spectra_requests_metadata_" + java.util.HexFormat.of().formatHex(digest, 0, 8);
    }
}
