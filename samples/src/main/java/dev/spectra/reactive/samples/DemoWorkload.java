package dev.spectra.reactive.samples;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.spectra.reactive.Spectra;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Simulated traffic of the {@link InvoiceAssistant}: inbound requests of several tenants and features, each with its
 * metadata, tags, trace id and user written into the Reactor Context at the edge (as a WebFlux filter would), then
 * a nightly batch per tenant. Failures of the provider (rate limits) are handled like a real service would: the
 * inbound request degrades, the call is recorded as failed.
 */
final class DemoWorkload {

    /** A customer of the invoicing product. */
    record Tenant(String id, String plan, List<String> users) {
    }

    static final List<Tenant> TENANTS = List.of(
            new Tenant("acme", "enterprise", List.of("u-ada", "u-grace", "u-alan")),
            new Tenant("globex", "team", List.of("u-hank", "u-marge")),
            new Tenant("initech", "starter", List.of("u-peter")));

    static final List<String> FEATURES = List.of("invoice-summary", "support-chat", "ticket-triage", "live-answer",
            "research");

    private final InvoiceAssistant assistant;
    private final PrintStream out;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger degraded = new AtomicInteger();

    DemoWorkload(InvoiceAssistant assistant, PrintStream out) {
        this.assistant = assistant;
        this.out = out;
    }

    /**
     * Runs the inbound requests (four at a time) and then the nightly batches.
     *
     * @param requests how many inbound requests
     * @return completes when all are done
     */
    Mono<Void> run(int requests) {
        return Flux.range(0, requests)
                .flatMap(i -> inbound(i, requests), 4)
                .thenMany(Flux.fromIterable(TENANTS).concatMap(this::nightlyBatch))
                .then();
    }

    /** @return inbound requests that had to degrade because a provider call failed */
    int degraded() {
        return degraded.get();
    }

    private Mono<Void> inbound(int i, int total) {
        Tenant tenant = TENANTS.get(i % TENANTS.size());
        String feature = FEATURES.get((i / TENANTS.size() + i) % FEATURES.size());
        String user = tenant.users().get(i % tenant.users().size());
        String requestId = String.format("req-%04d", i);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("tenant_id", tenant.id());
        metadata.put("feature", feature);
        metadata.put("request_id", requestId);
        metadata.put("plan", tenant.plan());
        String invoice = "INV-" + (1000 + i) + ": " + (3 + i % 7) + " line items, total EUR " + (120 + 37 * i);
        return handle(feature, i, invoice)
                .onErrorResume(e -> {
                    degraded.incrementAndGet();
                    return Mono.empty();
                })
                .doFinally(s -> progress(total))
                // the edge of the request: what every call inside it is for
                .contextWrite(Spectra.metadata(metadata))
                .contextWrite(Spectra.tags("tenant:" + tenant.id(), feature))
                .contextWrite(Spectra.traceId(requestId))
                .contextWrite(Spectra.trackable("user", user));
    }

    private Mono<Void> handle(String feature, int i, String invoice) {
        return switch (feature) {
            case "invoice-summary" -> assistant.summarize(invoice).then();
            // every fourth chat is abandoned by its user after three chunks: a cancelled stream
            case "support-chat" -> (i % 4 == 1 ? assistant.chat("Why was " + invoice + " charged twice?").take(3)
                    : assistant.chat("When is " + invoice + " due?")).then();
            // two calls of one inbound request: they share its trace id
            case "ticket-triage" -> Mono.when(assistant.triage("Customer disputes " + invoice,
                    i % 5 == 0 ? "urgent" : "normal"), assistant.classify("Dispute about " + invoice));
            case "live-answer" -> assistant.liveAnswer("Explain the VAT on " + invoice).then();
            case "research" -> assistant.research("payment terms in " + invoice).then();
            default -> throw new IllegalStateException(feature);
        };
    }

    private Mono<Void> nightlyBatch(Tenant tenant) {
        String batchId = "batch_" + tenant.id() + "_nightly";
        return Flux.range(1, 3)
                .concatMap(n -> assistant.batchItem(batchId, tenant.id() + "-" + n,
                        "INV-" + (9000 + n) + " of " + tenant.id()))
                .then()
                .contextWrite(Spectra.metadata(Map.of("tenant_id", tenant.id(), "feature", "nightly-batch",
                        "plan", tenant.plan())));
    }

    private void progress(int total) {
        int n = done.incrementAndGet();
        if (n % 10 == 0 || n == total) {
            out.printf("  ... %d/%d inbound requests handled%n", n, total);
        }
    }
}
