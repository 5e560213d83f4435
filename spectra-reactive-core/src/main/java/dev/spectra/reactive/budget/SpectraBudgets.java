package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import dev.spectra.reactive.ContextAttributes;
import dev.spectra.reactive.Cost;
import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.internal.CallObserver;
import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.RateLimitedLog;
import dev.spectra.reactive.internal.SecretScrubber;
import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.pricing.PricingCatalog;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.ContextView;

/**
 * Budgets enforced on the call: the operators that hold a call's estimated cost against every budget whose scope
 * matches it before the provider is called, refuse it when a hard limit would be crossed, settle with the actual
 * cost when it ends, and price a stream chunk by chunk to cut it off at a hard limit. Also the budgets' events and
 * status.
 *
 * <pre>{@code
 * SpectraBudgets budgets = SpectraBudgets.builder()
 *         .budget(Budget.builder("tenant-daily").scope(BudgetScope.metadata("tenant_id"))
 *                 .period(BudgetPeriod.daily(ZoneId.of("Europe/Paris"))).usd("10.00").build())
 *         .store(store)                                   // InMemoryBudgetStore, or PostgreSQL for many instances
 *         .build();
 *
 * client.chat(request)
 *       .transform(Spectra.tracked("openai", "gpt-4o"))
 *       .transform(budgets.enforce("openai", "gpt-4o", BudgetEstimate.ofText(prompt, 1024)))
 *       .contextWrite(Spectra.metadata("tenant_id", tenant));
 * }</pre>
 *
 * <p>Put the budget operator <em>after</em> (downstream of) the tracking operator: it then settles with the cost of
 * the call's record, and a stream it cuts off is recorded {@code cancelled} with the usage it estimated (metadata
 * {@code usage_estimated: true}, {@code budget_cut_off: <budget>}). Without a tracking operator it settles with its
 * own estimate. A call that matches no budget passes through untouched.
 *
 * <p>What is reserved: the estimate's input tokens and maximum output tokens, priced with the pricing at the
 * Context's pricing tier (a model the pricing does not know reserves no dollars: only tokens and requests are then
 * held), plus one request. A stream's running cost is estimated from its chunks ({@link Builder#chunkTokens}); when
 * it passes what is reserved, more is reserved; when a hard budget refuses that, the stream is cut off before the
 * chunk that would cross the limit is passed on (with a store that answers asynchronously, at the first chunk after
 * the refusal).
 *
 * <p>When the store fails, calls pass (counted in {@link #storeFailures()}, logged) unless
 * {@link Builder#failClosed()} is set. Thread-safe.
 *
 * @since 0.2
 */
public final class SpectraBudgets {

    /** How long a reservation counts when its call never ends (a process killed mid-call): {@value} minutes. */
    public static final int DEFAULT_RESERVATION_TTL_MINUTES = 10;
    /** Input tokens of the default estimate: {@value}. */
    public static final long DEFAULT_INPUT_TOKENS = 1_000;
    /** Output tokens of the default estimate: {@value}. */
    public static final long DEFAULT_MAX_OUTPUT_TOKENS = 1_000;
    /** The metadata key a cut-off stream's record gets: its usage is Spectra's estimate, not the provider's. */
    public static final String USAGE_ESTIMATED_KEY = "usage_estimated";
    /** The metadata key naming the budget that cut a stream off. */
    public static final String CUT_OFF_KEY = "budget_cut_off";

    private static final RateLimitedLog LOG = new RateLimitedLog(SpectraBudgets.class);

    private final List<Budget> budgets;
    private final BudgetStore store;
    private final Pricing pricing;
    private final Clock clock;
    private final Duration reservationTtl;
    private final BudgetEstimate defaultEstimate;
    private final ToLongFunction<Object> chunkTokens;
    private final boolean completeOnCutOff;
    private final boolean failClosed;
    private final Sinks.Many<BudgetEvent> events = Sinks.many().multicast().directBestEffort();
    private final LongAdder refused = new LongAdder();
    private final LongAdder cutOff = new LongAdder();
    private final LongAdder storeFailures = new LongAdder();

    private SpectraBudgets(Builder b) {
        this.budgets = List.copyOf(b.budgets);
        this.store = b.store != null ? b.store : InMemoryBudgetStore.create();
        this.pricing = b.pricing != null ? b.pricing : PricingCatalog.bundled();
        this.clock = b.clock;
        this.reservationTtl = b.reservationTtl;
        this.defaultEstimate = b.defaultEstimate;
        this.chunkTokens = b.chunkTokens;
        this.completeOnCutOff = b.completeOnCutOff;
        this.failClosed = b.failClosed;
    }

    /**
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------ operators

    /**
     * {@link #enforce(String, String, BudgetEstimate)} with the default estimate
     * ({@link Builder#defaultEstimate}).
     *
     * @param provider the provider id
     * @param model the requested model
     * @param <T> the value type
     * @return the operator
     */
    public <T> Function<Mono<T>, Mono<T>> enforce(String provider, String model) {
        return enforce(provider, model, defaultEstimate);
    }

    /**
     * The operator of a call answered at once: per subscription, reserves the estimate against every matching
     * budget before subscribing upstream; fails with {@link BudgetExceededException} without subscribing when a
     * hard budget refuses; settles with the actual cost when the call completes, fails or is cancelled (the
     * completion or error passes on once the store has settled).
     *
     * @param provider the provider id
     * @param model the requested model
     * @param estimate what the call consumes at most
     * @param <T> the value type
     * @return the operator
     */
    public <T> Function<Mono<T>, Mono<T>> enforce(String provider, String model, BudgetEstimate estimate) {
        check(provider, model, estimate);
        return source -> Mono.deferContextual(view -> {
            BudgetedCall call = start(provider, model, estimate, view, false);
            if (call == null) {
                return source;
            }
            return Mono.usingWhen(call.reserve(), c -> source.contextWrite(ctx -> ctx.put(CallObserver.CONTEXT_KEY, c)),
                    c -> c.settle(BudgetedCall.Ending.COMPLETE),
                    (c, e) -> c.settle(BudgetedCall.Ending.ERROR),
                    c -> c.settle(BudgetedCall.Ending.CANCEL));
        });
    }

    /**
     * {@link #enforceStream(String, String, BudgetEstimate)} with the default estimate.
     *
     * @param provider the provider id
     * @param model the requested model
     * @param <T> the chunk type
     * @return the operator
     */
    public <T> Function<Flux<T>, Flux<T>> enforceStream(String provider, String model) {
        return enforceStream(provider, model, defaultEstimate);
    }

    /**
     * The operator of a stream: reserves like {@link #enforce(String, String, BudgetEstimate)}, then estimates
     * the running cost chunk by chunk; when it passes what is reserved, reserves more; when a hard budget refuses,
     * cancels upstream and ends with {@link BudgetExceededException} (or completes, with
     * {@link Builder#completeOnCutOff()}).
     *
     * @param provider the provider id
     * @param model the requested model
     * @param estimate the input tokens and the output tokens reserved at the start
     * @param <T> the chunk type
     * @return the operator
     */
    public <T> Function<Flux<T>, Flux<T>> enforceStream(String provider, String model, BudgetEstimate estimate) {
        check(provider, model, estimate);
        return source -> Flux.deferContextual(view -> {
            BudgetedCall call = start(provider, model, estimate, view, true);
            if (call == null) {
                return source;
            }
            return Flux.usingWhen(call.reserve(), c -> source
                            .contextWrite(ctx -> ctx.put(CallObserver.CONTEXT_KEY, c))
                            .<T>handle(c::onChunk),
                    c -> c.settle(BudgetedCall.Ending.COMPLETE),
                    (c, e) -> c.settle(BudgetedCall.Ending.ERROR),
                    c -> c.settle(BudgetedCall.Ending.CANCEL));
        });
    }

    /**
     * Reserves a call's estimate against every budget whose scope matches it, for an integration that sees the
     * call's bytes rather than subscribing to it (the WebClient filter and the OkHttp interceptor, once the request
     * body is known and before any byte is sent). The integration then shows the hold a stream's chunks and ends it
     * with the call's record ({@link BudgetHold}).
     *
     * @param provider the provider id
     * @param model the requested model
     * @param estimate what the call consumes at most
     * @param streaming whether the answer streams (its chunks are then priced as they arrive)
     * @param context the caller's Context (metadata, trackable, tags and pricing tier decide the matching budgets)
     * @return the hold; empty when no budget matches; {@link BudgetExceededException} when a hard budget refuses
     *         (what other budgets granted is given back)
     */
    public Mono<BudgetHold> hold(String provider, String model, BudgetEstimate estimate, boolean streaming,
                                 ContextView context) {
        check(provider, model, estimate);
        Objects.requireNonNull(context, "context");
        return Mono.defer(() -> {
            BudgetedCall call = start(provider, model, estimate, context, streaming);
            return call == null ? Mono.empty() : call.reserve().map(c -> (BudgetHold) c);
        });
    }

    /**
     * @return whether a stream cut off completes rather than failing ({@link Builder#completeOnCutOff()})
     */
    public boolean completesOnCutOff() {
        return completeOnCutOff;
    }

    /**
     * @return the estimate of a call whose request does not say its maximum output ({@link Builder#defaultEstimate})
     */
    public BudgetEstimate defaultEstimate() {
        return defaultEstimate;
    }

    // ------------------------------------------------------------------------------------------ look

    /**
     * Threshold crossings, refusals and cut-offs, as they happen; hot: a subscriber sees what happens after it
     * subscribed, and one that cannot keep up misses events (never slowing calls down).
     *
     * @return the events
     */
    public Flux<BudgetEvent> events() {
        return events.asFlux();
    }

    /**
     * The status of every budget in its current period: one per budget, and for a budget split by value one per
     * subject with spend or reservations in the period.
     *
     * @return the statuses, budget by budget in the order they were given
     */
    public Flux<BudgetStatus> status() {
        return Flux.defer(() -> {
            Instant now = clock.instant();
            return Flux.fromIterable(budgets).concatMap(b -> {
                BudgetWindow w = b.period().window(now);
                if (b.scope().splitsByValue()) {
                    return store.subjects(b.name(), w, now)
                            .map(s -> BudgetStatus.of(b, s.subject(), w, now, s.counters()));
                }
                return store.counters(new BudgetStore.Key(b.name(), "", w), now)
                        .map(c -> BudgetStatus.of(b, "", w, now, c));
            });
        });
    }

    /**
     * @param budget a budget's name
     * @param subject a subject (empty for a budget not split by value); a credential may be given as itself or as
     *        the digest it is reported under
     * @return its status in the current period
     * @throws IllegalArgumentException (as the error of the Mono) when no budget has that name
     */
    public Mono<BudgetStatus> status(String budget, String subject) {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(subject, "subject");
        return Mono.defer(() -> {
            Budget b = budgets.stream().filter(x -> x.name().equals(budget)).findFirst().orElse(null);
            if (b == null) {
                return Mono.error(new IllegalArgumentException("no budget is named \"" + budget + "\"; the budgets are "
                        + budgets.stream().map(Budget::name).toList()));
            }
            Instant now = clock.instant();
            BudgetWindow w = b.period().window(now);
            String stored = storedSubject(b, subject);
            return store.counters(new BudgetStore.Key(b.name(), stored, w), now)
                    .map(c -> BudgetStatus.of(b, stored, w, now, c));
        });
    }

    /**
     * @return the budgets, in the order they were given
     */
    public List<Budget> budgets() {
        return budgets;
    }

    /**
     * @return the store
     */
    public BudgetStore store() {
        return store;
    }

    /**
     * @return calls refused by a hard budget since start
     */
    public long refusedCalls() {
        return refused.sum();
    }

    /**
     * @return streams cut off by a hard budget since start
     */
    public long cutOffStreams() {
        return cutOff.sum();
    }

    /**
     * @return failures of the store (reserving or settling) since start
     */
    public long storeFailures() {
        return storeFailures.sum();
    }

    @Override
    public String toString() {
        return "SpectraBudgets{budgets=" + budgets.stream().map(Budget::name).toList() + ", store=" + store
                + ", reservationTtl=" + reservationTtl + ", defaultEstimate=" + defaultEstimate
                + ", completeOnCutOff=" + completeOnCutOff + ", failClosed=" + failClosed + "}";
    }

    // ------------------------------------------------------------------------------------------ for BudgetedCall

    private @Nullable BudgetedCall start(String provider, String model, BudgetEstimate estimate, ContextView view,
                                         boolean streaming) {
        ContextAttributes attributes = ContextAttributes.of(view);
        Instant now = clock.instant();
        List<BudgetedCall.Match> matches = new ArrayList<>();
        for (Budget b : budgets) {
            String subject = b.scope().subject(provider, model, attributes);
            if (subject != null) {
                matches.add(new BudgetedCall.Match(b, new BudgetStore.Key(b.name(), storedSubject(b, subject),
                        b.period().window(now))));
            }
        }
        if (matches.isEmpty()) {
            return null;
        }
        PricingTier tier = attributes.pricingTier() != null ? attributes.pricingTier() : PricingTier.STANDARD;
        return new BudgetedCall(this, provider, model, tier, estimate, streaming, matches);
    }

    /**
     * The subject as stored and reported: a credential (a value of a key or owner type named like one, or a value
     * shaped like a key) as its digest ({@link SecretScrubber#identifying}), kept apart without being stored.
     */
    private static String storedSubject(Budget b, String subject) {
        String splitKey = b.scope().splitKey();
        return splitKey == null ? subject : SecretScrubber.identifying(splitKey, subject);
    }

    /** The spend of a call of this usage: its cost (zero when the model is not priced), tokens and one request. */
    Spend spendOf(String provider, String model, PricingTier tier, long inputTokens, long outputTokens) {
        BigDecimal usd = BigDecimal.ZERO;
        try {
            Cost cost = pricing.cost(provider, model, tier, Usage.of(inputTokens, outputTokens));
            if (cost != null) {
                usd = cost.total();
            }
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            LOG.warn("pricing", "Spectra could not price " + provider + "/" + model + " for a budget; "
                    + "no dollars are held for it", t);
        }
        return new Spend(usd, inputTokens + outputTokens, 1);
    }

    BudgetStore storeOf() {
        return store;
    }

    Instant now() {
        return clock.instant();
    }

    Instant expiry(Instant now) {
        return now.plus(reservationTtl);
    }

    long tokensOf(Object chunk) {
        try {
            return Math.max(0, chunkTokens.applyAsLong(chunk));
        } catch (Throwable t) {
            Fatal.rethrowIfFatal(t);
            LOG.warn("chunk", "Spectra could not estimate the tokens of a " + chunk.getClass().getName()
                    + " chunk; it counts as one token", t);
            return 1;
        }
    }

    boolean completeOnCutOff() {
        return completeOnCutOff;
    }

    boolean failClosed() {
        return failClosed;
    }

    void refused() {
        refused.increment();
    }

    void cutOff() {
        cutOff.increment();
    }

    void storeFailed(String what, Throwable error) {
        storeFailures.increment();
        LOG.warn("store", "Spectra's budget store failed while " + what
                + (failClosed ? "; the call is refused" : "; the call passes unchecked"), error);
    }

    void emit(BudgetEvent event) {
        synchronized (events) {
            events.tryEmitNext(event);
        }
    }

    private static void check(String provider, String model, BudgetEstimate estimate) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(estimate, "estimate");
        if (provider.isBlank() || model.isBlank()) {
            throw new IllegalArgumentException("provider and model must not be blank");
        }
    }

    /** Builds {@link SpectraBudgets}. */
    public static final class Builder {
        private final List<Budget> budgets = new ArrayList<>();
        private @Nullable BudgetStore store;
        private @Nullable Pricing pricing;
        private Clock clock = Clock.systemUTC();
        private Duration reservationTtl = Duration.ofMinutes(DEFAULT_RESERVATION_TTL_MINUTES);
        private BudgetEstimate defaultEstimate = BudgetEstimate.of(DEFAULT_INPUT_TOKENS, DEFAULT_MAX_OUTPUT_TOKENS);
        private ToLongFunction<Object> chunkTokens = ChunkTokens::estimate;
        private boolean completeOnCutOff;
        private boolean failClosed;

        private Builder() {
        }

        /**
         * @param budget a budget; names are unique
         * @return this builder
         */
        public Builder budget(Budget budget) {
            Objects.requireNonNull(budget, "budget");
            if (budgets.stream().anyMatch(b -> b.name().equals(budget.name()))) {
                throw new IllegalArgumentException("two budgets are named \"" + budget.name() + "\"");
            }
            budgets.add(budget);
            return this;
        }

        /**
         * @param budgets budgets; names are unique
         * @return this builder
         */
        public Builder budgets(List<Budget> budgets) {
            budgets.forEach(this::budget);
            return this;
        }

        /**
         * @param store where spend and reservations live (default: a new {@link InMemoryBudgetStore})
         * @return this builder
         */
        public Builder store(BudgetStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * @param pricing how estimates are priced (default {@link PricingCatalog#bundled()}; give the tracker's own
         *        when it has overrides)
         * @return this builder
         */
        public Builder pricing(Pricing pricing) {
            this.pricing = Objects.requireNonNull(pricing, "pricing");
            return this;
        }

        /**
         * @param clock what decides the period of a call and the expiry of reservations (default UTC system clock)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param ttl how long a reservation counts when its call never ends (default
         *        {@value SpectraBudgets#DEFAULT_RESERVATION_TTL_MINUTES} minutes); longer than the longest call
         * @return this builder
         */
        public Builder reservationTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("reservationTtl must be at least one second, was " + ttl);
            }
            this.reservationTtl = ttl;
            return this;
        }

        /**
         * @param estimate the estimate of calls given none (default
         *        {@value SpectraBudgets#DEFAULT_INPUT_TOKENS} input and
         *        {@value SpectraBudgets#DEFAULT_MAX_OUTPUT_TOKENS} output tokens)
         * @return this builder
         */
        public Builder defaultEstimate(BudgetEstimate estimate) {
            this.defaultEstimate = Objects.requireNonNull(estimate, "estimate");
            return this;
        }

        /**
         * @param chunkTokens the output tokens a stream chunk carries (default: its text, one token per
         *        {@value BudgetEstimate#CHARS_PER_TOKEN} characters: a {@code CharSequence}, a {@code byte[]}, or
         *        the {@code content}, {@code text}, {@code response} and {@code partial_json} strings of a JSON
         *        tree; one token for any other chunk)
         * @return this builder
         */
        public Builder chunkTokens(ToLongFunction<Object> chunkTokens) {
            this.chunkTokens = Objects.requireNonNull(chunkTokens, "chunkTokens");
            return this;
        }

        /**
         * A stream cut off completes instead of failing with {@link BudgetExceededException}.
         *
         * @return this builder
         */
        public Builder completeOnCutOff() {
            this.completeOnCutOff = true;
            return this;
        }

        /**
         * When the store fails, calls are refused (with the store's error) instead of passing unchecked.
         *
         * @return this builder
         */
        public Builder failClosed() {
            this.failClosed = true;
            return this;
        }

        /**
         * @return the budgets
         */
        public SpectraBudgets build() {
            return new SpectraBudgets(this);
        }
    }
}
