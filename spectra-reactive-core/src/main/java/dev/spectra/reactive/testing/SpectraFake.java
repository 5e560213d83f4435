package dev.spectra.reactive.testing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.SpectraTrackerBuilder;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.internal.JsonValues;
import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.provider.ResponseReader;
import dev.spectra.reactive.sink.SpectraSink;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * A tracker for tests: records synchronously in memory (a record exists as soon as the tracked signal has passed,
 * no recorder delay), still runs the real response reading and pricing, and asserts on what was recorded. A failed
 * assertion says what was expected and lists every record.
 *
 * <pre>{@code
 * // per test, safe in parallel: bind the fake to the subscription
 * SpectraFake fake = SpectraFake.create();
 * StepVerifier.create(service.summarize(invoice).contextWrite(fake.bind())).expectNextCount(1).verifyComplete();
 * fake.assertTrackedWithMetadata(Map.of("tenant_id", "tenant_123")).assertTotalTokens(51);
 *
 * // or globally, for code that tracks through the facade outside your subscription
 * try (SpectraFake fake = SpectraFake.install()) { ... }
 * }</pre>
 *
 * @since 0.1
 */
public final class SpectraFake implements AutoCloseable {

    private final List<TrackedRequest> records = new ArrayList<>();
    private final SpectraTracker tracker;
    private volatile boolean installed;
    private volatile @Nullable SpectraTracker previous;

    private SpectraFake(@Nullable Pricing pricing, @Nullable ResponseReader reader) {
        SpectraSink sink = batch -> Mono.fromRunnable(() -> {
            synchronized (records) {
                records.addAll(batch);
            }
        });
        SpectraTrackerBuilder b = SpectraTracker.builder().sink(sink).directDelivery();
        if (pricing != null) {
            b.pricing(pricing);
        }
        if (reader != null) {
            b.responseReader(reader);
        }
        this.tracker = b.build();
    }

    /**
     * A fake not installed anywhere: use it with {@code .contextWrite(fake.bind())}.
     *
     * @return the fake
     */
    public static SpectraFake create() {
        return new SpectraFake(null, null);
    }

    /**
     * A fake with its own pricing (to test cost logic against prices you control).
     *
     * @param pricing the pricing
     * @return the fake
     */
    public static SpectraFake withPricing(Pricing pricing) {
        return new SpectraFake(Objects.requireNonNull(pricing, "pricing"), null);
    }

    /**
     * Creates a fake and installs it as the global tracker, for code that tracks through the facade outside your
     * subscription; {@link #close()} restores the previous one. For tests that run in parallel, prefer
     * {@link #create()} with {@code .contextWrite(fake.bind())}.
     *
     * @return the installed fake
     */
    public static SpectraFake install() {
        SpectraFake fake = create();
        fake.previous = Spectra.configure(fake.tracker);
        fake.installed = true;
        return fake;
    }

    /**
     * @return the tracker behind the fake
     */
    public SpectraTracker tracker() {
        return tracker;
    }

    /**
     * A Context writer that makes the subscription record into this fake: {@code .contextWrite(fake.bind())}.
     *
     * @return the writer
     */
    public Function<Context, Context> bind() {
        return tracker.bind();
    }

    /**
     * @return every record, in the order recorded
     */
    public List<TrackedRequest> recorded() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /**
     * @return the records with outcome success
     */
    public List<TrackedRequest> successful() {
        return filter(r -> r.outcome() == Outcome.SUCCESS);
    }

    /**
     * @return the records with outcome failure
     */
    public List<TrackedRequest> failed() {
        return filter(r -> r.outcome() == Outcome.FAILURE);
    }

    /**
     * @return the records with outcome cancelled
     */
    public List<TrackedRequest> cancelled() {
        return filter(r -> r.outcome() == Outcome.CANCELLED);
    }

    /**
     * @return the most recent record
     * @throws AssertionError when nothing was recorded
     */
    public TrackedRequest last() {
        List<TrackedRequest> all = recorded();
        if (all.isEmpty()) {
            throw new AssertionError("Expected a tracked request, but nothing was tracked");
        }
        return all.get(all.size() - 1);
    }

    /**
     * Forgets every record.
     *
     * @return this fake
     */
    public SpectraFake reset() {
        synchronized (records) {
            records.clear();
        }
        return this;
    }

    /**
     * Stops tracking: tracked calls pass through and {@code track} just runs its callback.
     *
     * @return this fake
     */
    public SpectraFake disable() {
        tracker.disable();
        return this;
    }

    /**
     * Resumes tracking.
     *
     * @return this fake
     */
    public SpectraFake enable() {
        tracker.enable();
        return this;
    }

    /** Restores the global tracker that {@link #install()} replaced (nothing for a fake from {@link #create()}). */
    @Override
    public void close() {
        if (installed) {
            installed = false;
            SpectraTracker p = previous;
            if (p != null) {
                Spectra.configure(p);
            } else {
                Spectra.resetTracker();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ assertions

    /**
     * @param expected how many calls were recorded
     * @return this fake
     * @throws AssertionError when the count differs
     */
    public SpectraFake assertRequestCount(int expected) {
        List<TrackedRequest> all = recorded();
        if (all.size() != expected) {
            throw failure("Expected " + expected + " tracked request(s) but " + all.size() + " were tracked", all);
        }
        return this;
    }

    /**
     * @return this fake
     * @throws AssertionError when anything was recorded
     */
    public SpectraFake assertNothingTracked() {
        return assertRequestCount(0);
    }

    /**
     * @param predicate what one record must satisfy
     * @return this fake
     * @throws AssertionError when no record satisfies it
     */
    public SpectraFake assertTracked(Predicate<TrackedRequest> predicate) {
        return assertTracked("a tracked request matching the predicate", predicate);
    }

    /**
     * @param description what is expected, for the message
     * @param predicate what one record must satisfy
     * @return this fake
     * @throws AssertionError when no record satisfies it
     */
    public SpectraFake assertTracked(String description, Predicate<TrackedRequest> predicate) {
        Objects.requireNonNull(predicate, "predicate");
        List<TrackedRequest> all = recorded();
        for (TrackedRequest r : all) {
            if (predicate.test(r)) {
                return this;
            }
        }
        throw failure("Expected " + description + " but none matched", all);
    }

    /**
     * @param provider a provider id
     * @return this fake
     * @throws AssertionError when no record is of that provider
     */
    public SpectraFake assertProviderUsed(String provider) {
        return assertTracked("a request to provider \"" + provider + "\"", r -> r.provider().equals(provider));
    }

    /**
     * @param model a requested model name
     * @return this fake
     * @throws AssertionError when no record requested that model
     */
    public SpectraFake assertModelUsed(String model) {
        return assertTracked("a request for model \"" + model + "\"", r -> r.model().equals(model));
    }

    /**
     * @param tags tags one record must all carry (in any order)
     * @return this fake
     * @throws AssertionError when no record carries them all
     */
    public SpectraFake assertTrackedWithTags(String... tags) {
        List<String> expected = Arrays.asList(tags);
        return assertTracked("a request tagged " + expected, r -> r.tags().containsAll(expected));
    }

    /**
     * @param expected entries one record's metadata must contain (JSON equality: {@code 2} equals {@code 2L})
     * @return this fake
     * @throws AssertionError when no record's metadata contains them all
     */
    public SpectraFake assertTrackedWithMetadata(Map<String, ?> expected) {
        Objects.requireNonNull(expected, "expected");
        return assertTracked("a request with metadata " + expected, r -> {
            for (Map.Entry<String, ?> e : expected.entrySet()) {
                if (!r.metadata().containsKey(e.getKey())
                        || !JsonValues.jsonEquals(e.getValue(), r.metadata().get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * @return this fake
     * @throws AssertionError when no record succeeded
     */
    public SpectraFake assertSuccessful() {
        return assertTracked("a successful request", r -> r.outcome() == Outcome.SUCCESS);
    }

    /**
     * @return this fake
     * @throws AssertionError when no record failed
     */
    public SpectraFake assertFailed() {
        return assertTracked("a failed request", r -> r.outcome() == Outcome.FAILURE);
    }

    /**
     * @return this fake
     * @throws AssertionError when no record was cancelled
     */
    public SpectraFake assertCancelled() {
        return assertTracked("a cancelled request", r -> r.outcome() == Outcome.CANCELLED);
    }

    /**
     * @return this fake
     * @throws AssertionError when no record was streamed
     */
    public SpectraFake assertStreamed() {
        return assertTracked("a streamed request", TrackedRequest::streaming);
    }

    /**
     * @param expected the sum of total tokens over every record with known usage
     * @return this fake
     * @throws AssertionError when the sum differs
     */
    public SpectraFake assertTotalTokens(long expected) {
        List<TrackedRequest> all = recorded();
        long sum = 0;
        for (TrackedRequest r : all) {
            if (r.usage() != null) {
                sum += r.usage().totalTokens();
            }
        }
        if (sum != expected) {
            throw failure("Expected " + expected + " total tokens but the records sum to " + sum, all);
        }
        return this;
    }

    /**
     * @param expectedUsd the sum of total costs over every priced record, compared by value
     * @return this fake
     * @throws AssertionError when the sum differs
     */
    public SpectraFake assertTotalCost(BigDecimal expectedUsd) {
        Objects.requireNonNull(expectedUsd, "expectedUsd");
        List<TrackedRequest> all = recorded();
        BigDecimal sum = BigDecimal.ZERO;
        for (TrackedRequest r : all) {
            if (r.cost() != null) {
                sum = sum.add(r.cost().total());
            }
        }
        if (sum.compareTo(expectedUsd) != 0) {
            throw failure("Expected a total cost of $" + expectedUsd.toPlainString() + " but the records sum to $"
                    + sum.stripTrailingZeros().toPlainString(), all);
        }
        return this;
    }

    /**
     * @param expectedUsd the sum of total costs, as a decimal string, e.g. {@code "0.00125"}
     * @return this fake
     * @throws AssertionError when the sum differs
     */
    public SpectraFake assertTotalCost(String expectedUsd) {
        return assertTotalCost(new BigDecimal(expectedUsd));
    }

    private List<TrackedRequest> filter(Predicate<TrackedRequest> p) {
        List<TrackedRequest> out = new ArrayList<>();
        for (TrackedRequest r : recorded()) {
            if (p.test(r)) {
                out.add(r);
            }
        }
        return out;
    }

    private static AssertionError failure(String message, List<TrackedRequest> all) {
        StringBuilder b = new StringBuilder(message);
        if (all.isEmpty()) {
            b.append("; nothing was tracked");
        } else {
            b.append("; recorded (").append(all.size()).append("):");
            int i = 1;
            for (TrackedRequest r : all) {
                b.append("\n  #").append(i++).append(' ').append(describe(r));
            }
        }
        return new AssertionError(b.toString());
    }

    /**
     * One line about a record, as failure messages list it.
     *
     * @param r the record
     * @return e.g. {@code openai/gpt-4o success tokens=51 cost=$0.0004 tags=[billing] metadata={tenant_id=t1}}
     */
    public static String describe(TrackedRequest r) {
        StringBuilder b = new StringBuilder();
        b.append(r.provider()).append('/').append(r.model());
        if (r.responseModel() != null && !r.responseModel().equals(r.model())) {
            b.append(" (").append(r.responseModel()).append(')');
        }
        b.append(' ').append(r.outcome().id());
        if (r.httpStatus() != null) {
            b.append(" status=").append(r.httpStatus());
        }
        if (r.streaming()) {
            b.append(" streamed");
        }
        b.append(" tokens=").append(r.usage() == null ? "unknown" : String.valueOf(r.usage().totalTokens()));
        b.append(" cost=").append(r.cost() == null ? r.pricingStatus().id()
                : "$" + r.cost().total().stripTrailingZeros().toPlainString());
        if (!r.tags().isEmpty()) {
            b.append(" tags=").append(r.tags());
        }
        if (!r.metadata().isEmpty()) {
            b.append(" metadata=").append(r.metadata());
        }
        if (r.errorType() != null) {
            b.append(" error=").append(r.errorType());
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "SpectraFake{recorded=" + recorded().size() + ", enabled=" + tracker.isEnabled() + "}";
    }
}
