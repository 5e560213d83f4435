package dev.spectra.reactive.samples;

import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testsupport.postgres.SecretScan;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample started in-process: what its API serves equals what its workload tracked. */
class SampleAppIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SampleConfig.Endpoint STAND_IN = new SampleConfig.Endpoint(null, null);
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    record Response(int status, JsonNode body) {
    }

    private static Response get(String url, @Nullable String token) {
        HttpClient client = HttpClient.create().responseTimeout(Duration.ofSeconds(20));
        if (token != null) {
            client = client.headers(h -> h.set("Authorization", "Bearer " + token));
        }
        return client.get().uri(url)
                .responseSingle((res, body) -> body.asString().defaultIfEmpty("null")
                        .map(text -> new Response(res.status().code(), JSON.readTree(text))))
                .onErrorMap(e -> new AssertionError("GET " + url + " failed: " + e, e))
                .block(Duration.ofSeconds(30));
    }

    private static SampleConfig config(int requests, @Nullable String token) {
        return new SampleConfig(null, "127.0.0.1", 0, requests, true, token, false, 0.05, STAND_IN, STAND_IN, STAND_IN,
                false);
    }

    @Test
    void theApiServesExactlyWhatTheWorkloadTracked() {
        List<TrackedRequest> tracked = Collections.synchronizedList(new ArrayList<>());
        try (SampleApp app = SampleApp.start(config(20, null), QUIET)) {
            Disposable events = app.tracker().events().subscribe(tracked::add);
            app.runWorkload().block(Duration.ofMinutes(2));
            // events reach subscribers asynchronously: wait (boundedly) until this one has seen every record
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (tracked.size() < app.tracker().stats().recorded() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
            }
            events.dispose();
            assertThat((long) tracked.size()).isEqualTo(app.tracker().stats().recorded());
            String api = app.apiBaseUrl();

            // every call of the run, by id: 20 inbound requests make at least 20 calls, plus 9 batch items
            Response all = get(api + "/api/requests?limit=1000", null);
            assertThat(all.status()).isEqualTo(200);
            Set<String> served = new HashSet<>();
            all.body().path("items").forEach(n -> served.add(n.path("id").asString()));
            Set<String> expected = new HashSet<>();
            tracked.forEach(r -> expected.add(r.id().toString()));
            assertThat(tracked.size()).isGreaterThanOrEqualTo(29);
            assertThat(all.body().path("count").asInt()).isEqualTo(tracked.size());
            assertThat(served).isEqualTo(expected);

            // one record with its metadata as structured JSON
            TrackedRequest batch = tracked.stream().filter(r -> "nightly-batch".equals(r.metadata().get("feature")))
                    .findFirst().orElseThrow();
            Response one = get(api + "/api/requests/" + batch.id(), null);
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.body().path("pricing_tier").asString()).isEqualTo("batch");
            assertThat(one.body().path("metadata").path("tenant_id").asString())
                    .isEqualTo(batch.metadata().get("tenant_id"));
            assertThat(one.body().path("metadata").path("batch_id").asString())
                    .isEqualTo(batch.metadata().get("batch_id"));
            assertThat(one.body().path("metadata").path("service").asString()).isEqualTo("invoice-assistant");
            assertThat(one.body().path("usage").path("total_tokens").asLong()).isEqualTo(batch.usage().totalTokens());
            assertThat(one.body().path("cost").path("total_usd").decimalValue()).isEqualByComparingTo(batch.cost().total());
            assertThat(one.body().path("tags").get(0).asString()).isEqualTo("batch");

            // cost per tenant equals the sum of what was tracked, to the last digit
            Map<String, BigDecimal> costs = new HashMap<>();
            Map<String, Integer> counts = new HashMap<>();
            for (TrackedRequest r : tracked) {
                String tenant = String.valueOf(r.metadata().get("tenant_id"));
                counts.merge(tenant, 1, Integer::sum);
                costs.merge(tenant, r.cost() == null ? BigDecimal.ZERO : r.cost().total(), BigDecimal::add);
            }
            Response byTenant = get(api + "/api/costs?groupBy=metadata.tenant_id", null);
            assertThat(byTenant.status()).isEqualTo(200);
            assertThat(byTenant.body().path("groups")).hasSize(3);
            byTenant.body().path("groups").forEach(g -> {
                String tenant = g.path("group").asString();
                assertThat(g.path("requests").asInt()).as(tenant).isEqualTo(counts.get(tenant));
                assertThat(g.path("cost_usd").decimalValue()).as(tenant).isEqualByComparingTo(costs.get(tenant));
            });

            // stats: totals and failures
            Response stats = get(api + "/api/stats?period=today", null);
            assertThat(stats.body().path("totals").path("requests").asInt()).isEqualTo(tracked.size());
            assertThat(stats.body().path("totals").path("failed_requests").asLong())
                    .isEqualTo(tracked.stream().filter(r -> r.outcome() == Outcome.FAILURE).count());

            // tags: the tenant tag counts what carried it
            Response tags = get(api + "/api/tags", null);
            long acme = tracked.stream().filter(r -> r.tags().contains("tenant:acme")).count();
            List<Long> acmeServed = new ArrayList<>();
            tags.body().forEach(t -> {
                if (t.path("tag").asString().equals("tenant:acme")) {
                    acmeServed.add(t.path("requests").asLong());
                }
            });
            assertThat(acmeServed).containsExactly(acme);

            // keyset paging by cost: every record once, whatever the page size
            Set<String> paged = new HashSet<>();
            int pages = 0;
            String cursor = null;
            do {
                Response page = get(api + "/api/requests?sort=cost&limit=7" + (cursor == null ? "" : "&cursor=" + cursor), null);
                assertThat(page.status()).isEqualTo(200);
                page.body().path("items").forEach(n -> assertThat(paged.add(n.path("id").asString())).isTrue());
                cursor = page.body().path("next_cursor").isNull() ? null : page.body().path("next_cursor").asString();
                pages++;
            } while (cursor != null);
            assertThat(paged).isEqualTo(expected);
            // the API fetches one row more than the page: a cursor only when more follow
            assertThat(pages).isEqualTo((tracked.size() + 6) / 7);

            // a metadata filter
            Response acmeOnly = get(api + "/api/requests?limit=1000&metadata.tenant_id=acme&outcome=success", null);
            assertThat(acmeOnly.body().path("count").asLong()).isEqualTo(tracked.stream()
                    .filter(r -> "acme".equals(r.metadata().get("tenant_id")) && r.outcome() == Outcome.SUCCESS).count());

            // bad input: 400 naming the parameter; unknown id: 404
            Response bad = get(api + "/api/requests?limit=abc", null);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body().path("parameter").asString()).isEqualTo("limit");
            assertThat(bad.body().path("error").asString()).isEqualTo("limit must be a whole number from 1 to 1000, was \"abc\"");
            assertThat(get(api + "/api/costs?groupBy=color", null).body().path("parameter").asString()).isEqualTo("groupBy");
            assertThat(get(api + "/api/requests?tenant=acme", null).body().path("error").asString())
                    .isEqualTo("unknown parameter \"tenant\"");
            assertThat(get(api + "/api/requests?period=decade", null).status()).isEqualTo(400);
            Response missing = get(api + "/api/requests/00000000-0000-0000-0000-000000000000", null);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.body().path("error").asString())
                    .isEqualTo("no request with id 00000000-0000-0000-0000-000000000000");
            assertThat(get(api + "/api/requests/not-a-uuid", null).status()).isEqualTo(400);
            assertThat(get(api + "/api/nothing", null).status()).isEqualTo(404);

            // no secret reached the database: the stand-in keys were sent with every call
            assertThat(all.body().toString()).doesNotContain("sk-sample-openai", "sk-ant-sample", "sample-gemini-key");
            SecretScan.assertNone(io.r2dbc.spi.ConnectionFactories.get(app.databaseUrl()), "spectra");
            // the dashboard is served at the root, and the live feed is there for it
            String page = HttpClient.create().get().uri(api + "/").responseContent().aggregate().asString()
                    .block(Duration.ofSeconds(30));
            assertThat(page).contains("<title>Spectra · LLM spend</title>");
        }
    }

    @Test
    void aConfiguredTokenGuardsTheApi() {
        try (SampleApp app = SampleApp.start(config(1, "sample-token-0123456789"), QUIET)) {
            app.runWorkload().block(Duration.ofMinutes(1));
            Response without = get(app.apiBaseUrl() + "/api/stats", null);
            assertThat(without.status()).isEqualTo(401);
            assertThat(get(app.apiBaseUrl() + "/api/stats", "wrong").status()).isEqualTo(401);
            Response with = get(app.apiBaseUrl() + "/api/stats", "sample-token-0123456789");
            assertThat(with.status()).isEqualTo(200);
            assertThat(with.body().path("totals").path("requests").asLong()).isEqualTo(app.tracker().stats().recorded());
        }
    }
}
