package dev.spectra.reactive.samples;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.r2dbc.Grouping;
import dev.spectra.reactive.r2dbc.RequestFilter;
import dev.spectra.reactive.r2dbc.SpectraRequests;
import dev.spectra.reactive.r2dbc.UsageTotals;
import reactor.core.publisher.Mono;

/** What the sample prints: a line per recorded call as it happens, and the tables at the end. */
final class Reports {

    private Reports() {
    }

    /**
     * One line for a call just recorded.
     *
     * @param r the record
     * @return e.g. {@code acme     support-chat     openai/gpt-4o-2024-08-06     stream  success   312 tok  $0.002810  640 ms}
     */
    static String line(TrackedRequest r) {
        Object tenant = r.metadata().getOrDefault("tenant_id", "-");
        Object feature = r.metadata().getOrDefault("feature", "-");
        String model = r.provider() + "/" + (r.responseModel() != null ? r.responseModel() : r.model());
        String tokens = r.usage() == null ? "usage unknown" : r.usage().totalTokens() + " tok";
        String cost = r.cost() == null ? "" : "$" + r.cost().total().setScale(6, RoundingMode.HALF_UP).toPlainString();
        String status = r.outcome().id() + (r.httpStatus() != null && r.httpStatus() >= 400 ? " " + r.httpStatus() : "");
        return String.format("  %-8s %-16s %-36s %-6s %-12s %13s %10s %6d ms", tenant, feature, model,
                r.streaming() ? "stream" : "json", status, tokens, cost, r.latencyMs());
    }

    /**
     * Prints the per-tenant and per-model tables of what a run stored, read back from PostgreSQL.
     *
     * @param requests the query API
     * @param run the run's records
     * @param out where to print
     * @return completes when printed
     */
    static Mono<Void> summary(SpectraRequests requests, RequestFilter run, PrintStream out) {
        Mono<List<UsageTotals>> byTenant = requests.totals(run, Grouping.byMetadata("tenant_id")).collectList();
        Mono<List<UsageTotals>> byModel = requests.totals(run, Grouping.byModel()).collectList();
        Mono<UsageTotals> all = requests.totals(run);
        return Mono.zip(byTenant, byModel, all).doOnNext(t -> {
            out.println();
            table(out, "tenant", t.getT1(), t.getT3());
            out.println();
            table(out, "model", t.getT2(), t.getT3());
        }).then();
    }

    private static void table(PrintStream out, String title, List<UsageTotals> rows, UsageTotals total) {
        String header = String.format("  %-28s %9s %12s %12s %14s %9s %8s", title, "requests", "input tok", "output tok",
                "cost (USD)", "unpriced", "p95 ms");
        out.println(header);
        out.println("  " + "-".repeat(header.length() - 2));
        for (UsageTotals r : rows) {
            out.println(row(r.group() == null ? "(none)" : r.group(), r));
        }
        out.println("  " + "-".repeat(header.length() - 2));
        out.println(row("total", total));
    }

    private static String row(String name, UsageTotals r) {
        return String.format("  %-28s %9d %12d %12d %14s %9d %8s", name, r.requests(), r.inputTokens(),
                r.outputTokens(), money(r.totalCost()), r.unpricedRequests(),
                r.p95LatencyMs() == null ? "-" : String.valueOf(Math.round(r.p95LatencyMs())));
    }

    private static String money(BigDecimal usd) {
        return "$" + usd.setScale(6, RoundingMode.HALF_UP).toPlainString();
    }
}
