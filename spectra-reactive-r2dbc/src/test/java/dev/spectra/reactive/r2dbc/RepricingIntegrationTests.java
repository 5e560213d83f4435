package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.PricingStatus;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.pricing.PricingCatalog;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** Stored requests priced again from their stored usage, in chunks, with the cost's provenance kept. */
@ExtendWith(PostgresExtension.class)
class RepricingIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void repricesFromTheStoredUsageInChunksAndKeepsTheProvidersFigure(TestDatabase db) {
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url())
                .schema(db.newSchemaName("reprice")).build());
        try {
            // priced by an old catalog at a wrong price: gpt-4o is $2.50 / $10 per 1M now
            TrackedRequest stale = Records.minimal(Records.T0).toBuilder()
                    .usage(Usage.of(1000, 100)).cost(Cost.of("1", "1")).build();
            // not priced when recorded; Mistral's documented cache rate prices it now
            TrackedRequest unpriced = Records.minimal(Records.T0.plusSeconds(1)).toBuilder()
                    .provider("mistral").model("mistral-large-latest")
                    .usage(Usage.builder().inputTokens(1000).cachedInputTokens(800).outputTokens(100).build())
                    .pricingStatus(PricingStatus.MODEL_NOT_PRICED).build();
            // the provider's figure for a model no catalog prices: kept as it is
            TrackedRequest stated = Records.minimal(Records.T0.plusSeconds(2)).toBuilder()
                    .provider("openrouter").model("acme/private-model").usage(Usage.of(10, 10))
                    .cost(Cost.statedByProvider(new BigDecimal("0.5"))).build();
            // usage unknown: nothing to price
            TrackedRequest unknown = Records.minimal(Records.T0.plusSeconds(3));
            // already right: untouched
            TrackedRequest right = Records.minimal(Records.T0.plusSeconds(4)).toBuilder()
                    .usage(Usage.of(1000, 100)).cost(Cost.of("0.0025", "0.001")).build();
            sink.write(List.of(stale, unpriced, stated, unknown, right)).block(TIMEOUT);
            SpectraRequests requests = sink.requests();

            requests.reprice(RequestFilter.all(), PricingCatalog.bundled(), 2).as(StepVerifier::create)
                    .expectNext(2L).verifyComplete();

            TrackedRequest a = requests.findById(stale.id()).block(TIMEOUT);
            assertThat(a.cost()).isEqualTo(Cost.of("0.0025", "0.001"));
            assertThat(a.pricingStatus()).isEqualTo(PricingStatus.PRICED);
            TrackedRequest b = requests.findById(unpriced.id()).block(TIMEOUT);
            // 200 x 2e-6 + 800 x 2e-7 = 0.00056 ; 100 x 6e-6 = 0.0006
            assertThat(b.cost()).isEqualTo(Cost.of("0.00056", "0.0006")
                    .withSource(Cost.Source.CATALOG_CACHE_RATE_DERIVED));
            assertThat(b.pricingStatus()).isEqualTo(PricingStatus.PRICED_CACHE_RATE_DERIVED);
            assertThat(requests.findById(stated.id()).block(TIMEOUT)).isEqualTo(stated);
            assertThat(requests.findById(unknown.id()).block(TIMEOUT).cost()).isNull();
            assertThat(requests.findById(right.id()).block(TIMEOUT)).isEqualTo(right);

            requests.reprice(RequestFilter.all(), PricingCatalog.bundled()).as(StepVerifier::create)
                    .expectNext(0L).verifyComplete();
            requests.reprice(RequestFilter.builder().providers("openai").build(),
                    (provider, model, tier, usage) -> null).as(StepVerifier::create)
                    .as("prices that know no model take the catalog's cost away, never guess one")
                    .expectNext(2L).verifyComplete();
            assertThat(requests.findById(right.id()).block(TIMEOUT).pricingStatus())
                    .isEqualTo(PricingStatus.MODEL_NOT_PRICED);
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void repricingMovesTheDailyRollupOfTheRepricedDaysAndKeepsWhatPrunedRequestsAdded(TestDatabase db) {
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url())
                .schema(db.newSchemaName("reprice_daily")).build());
        LocalDate day1 = LocalDate.parse("2025-03-04");
        LocalDate day2 = LocalDate.parse("2025-03-05");
        Trackable team = new Trackable("team", "a");
        try {
            // day 1: gpt-4o at a stale price ($2) and at the right one ($0.0035), Mistral unpriced when recorded
            TrackedRequest stale = Records.minimal(Records.T0).toBuilder()
                    .usage(Usage.of(1000, 100)).cost(Cost.of("1", "1")).build();
            TrackedRequest right = Records.minimal(Records.T0.plusSeconds(1)).toBuilder()
                    .usage(Usage.of(1000, 100)).cost(Cost.of("0.0025", "0.001")).build();
            TrackedRequest unpriced = Records.minimal(Records.T0.plusSeconds(2)).toBuilder()
                    .provider("mistral").model("mistral-large-latest")
                    .usage(Usage.builder().inputTokens(1000).cachedInputTokens(800).outputTokens(100).build())
                    .pricingStatus(PricingStatus.MODEL_NOT_PRICED).build();
            // day 2: a team's gpt-4o call at a stale price ($1)
            TrackedRequest teamCall = Records.minimal(Records.T0.plus(Duration.ofDays(1))).toBuilder()
                    .trackable(team).usage(Usage.of(2000, 200)).cost(Cost.of("0.5", "0.5")).build();
            sink.write(List.of(stale, right, unpriced, teamCall)).block(TIMEOUT);
            SpectraRequests requests = sink.requests();
            requests.dailySpend(day1, day2.plusDays(1)).as(StepVerifier::create)
                    .expectNext(new DailySpend(day1, "mistral", "mistral-large-latest", null, 1, 1,
                            new BigDecimal("0E-10"), 1000, 100, 1100))
                    .expectNext(new DailySpend(day1, "openai", "gpt-4o", null, 2, 0, new BigDecimal("2.0035000000"),
                            2000, 200, 2200))
                    .expectNext(new DailySpend(day2, "openai", "gpt-4o", team, 1, 0, new BigDecimal("1.0000000000"),
                            2000, 200, 2200))
                    .verifyComplete();

            requests.reprice(RequestFilter.all(), PricingCatalog.bundled(), 2).as(StepVerifier::create)
                    .expectNext(3L).verifyComplete();

            // day 1: $2 -> $0.0035 (0.0035 + 0.0035); Mistral priced now (200 x 2e-6 + 800 x 2e-7 + 100 x 6e-6),
            // so no longer unpriced; day 2: 2000 x 2.5e-6 + 200 x 1e-5. Requests and tokens as they were.
            requests.dailySpend(day1, day2.plusDays(1)).as(StepVerifier::create)
                    .expectNext(new DailySpend(day1, "mistral", "mistral-large-latest", null, 1, 0,
                            new BigDecimal("0.0011600000"), 1000, 100, 1100))
                    .expectNext(new DailySpend(day1, "openai", "gpt-4o", null, 2, 0, new BigDecimal("0.0070000000"),
                            2000, 200, 2200))
                    .expectNext(new DailySpend(day2, "openai", "gpt-4o", team, 1, 0, new BigDecimal("0.0070000000"),
                            2000, 200, 2200))
                    .verifyComplete();

            // day 1's requests pruned; prices that know no model then take day 2's cost away: its row moves to
            // unpriced, day 1's rows keep what their pruned requests added
            requests.pruneBefore(Records.T0.plus(Duration.ofHours(12)), 100).as(StepVerifier::create)
                    .expectNext(3L).verifyComplete();
            requests.reprice(RequestFilter.builder().providers("openai").build(),
                    (provider, model, tier, usage) -> null).as(StepVerifier::create)
                    .expectNext(1L).verifyComplete();
            requests.dailySpend(day1, day2.plusDays(1)).as(StepVerifier::create)
                    .expectNext(new DailySpend(day1, "mistral", "mistral-large-latest", null, 1, 0,
                            new BigDecimal("0.0011600000"), 1000, 100, 1100))
                    .expectNext(new DailySpend(day1, "openai", "gpt-4o", null, 2, 0, new BigDecimal("0.0070000000"),
                            2000, 200, 2200))
                    .expectNext(new DailySpend(day2, "openai", "gpt-4o", team, 1, 1, new BigDecimal("0E-10"),
                            2000, 200, 2200))
                    .verifyComplete();
        } finally {
            sink.close().block(TIMEOUT);
        }
    }

    @Test
    void repricingMovesTheRollupByMetadataDimensionValueAsItMovesTheDailyOne(TestDatabase db) {
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url())
                .schema(db.newSchemaName("reprice_dimension")).build());
        LocalDate day1 = LocalDate.parse("2025-03-04");
        try {
            // acme: one call at a stale price ($2), globex: one at the right price ($0.0035), one without a tenant
            TrackedRequest acme = Records.minimal(Records.T0).toBuilder().metadata(Map.of("tenant_id", "acme"))
                    .usage(Usage.of(1000, 100)).cost(Cost.of("1", "1")).build();
            TrackedRequest globex = Records.minimal(Records.T0.plusSeconds(1)).toBuilder()
                    .metadata(Map.of("tenant_id", "globex"))
                    .usage(Usage.of(1000, 100)).cost(Cost.of("0.0025", "0.001")).build();
            TrackedRequest nobody = Records.minimal(Records.T0.plusSeconds(2)).toBuilder()
                    .usage(Usage.of(1000, 100)).cost(Cost.of("3", "3")).build();
            sink.write(List.of(acme, globex, nobody)).block(TIMEOUT);
            SpectraRequests requests = sink.requests();
            assertThat(requests.addMetadataDimension("tenant_id").block(TIMEOUT)).isTrue(); // filled from the rows
            SpendQuery byTenant = SpendQuery.builder(day1, day1.plusDays(1))
                    .grouping(Grouping.byMetadata("tenant_id")).build();
            requests.spend(byTenant).map(t -> t.group() + "=" + t.cost().toPlainString() + "/" + t.unpricedRequests())
                    .as(StepVerifier::create)
                    .expectNext("acme=2.0000000000/0", "globex=0.0035000000/0")
                    .verifyComplete();

            requests.reprice(RequestFilter.all(), PricingCatalog.bundled(), 2).as(StepVerifier::create)
                    .expectNext(2L).verifyComplete(); // globex's cost was already right

            // gpt-4o: 1000 x 2.5e-6 + 100 x 1e-5 = 0.0035 for each tenant; the untenanted call moves no dimension row
            requests.spend(byTenant).map(t -> t.group() + "=" + t.cost().toPlainString() + "/" + t.unpricedRequests())
                    .as(StepVerifier::create)
                    .expectNext("acme=0.0035000000/0", "globex=0.0035000000/0")
                    .verifyComplete();

            // prices that know no model: both tenants' calls become unpriced, their cost leaves the dimension rollup
            requests.reprice(RequestFilter.all(), (provider, model, tier, usage) -> null).as(StepVerifier::create)
                    .expectNext(3L).verifyComplete();
            requests.spend(byTenant).map(t -> t.group() + "=" + t.cost().toPlainString() + "/" + t.unpricedRequests())
                    .as(StepVerifier::create)
                    .expectNext("acme=0.0000000000/1", "globex=0.0000000000/1")
                    .verifyComplete();
        } finally {
            sink.close().block(TIMEOUT);
        }
    }
}
