package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.spectra.reactive.PricingTier;
import dev.spectra.reactive.TrackedCall;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.internal.CallObserver;
import dev.spectra.reactive.internal.Fatal;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;

/**
 * One subscription of a budget operator: its reservation against every matching budget, the running estimate of a
 * stream and its top-ups, and its settlement. Also the {@link CallObserver} a tracking operator upstream tells of
 * its call and record. The stream state is guarded by {@code this}: chunks arrive serially, top-up answers on the
 * store's thread.
 */
final class BudgetedCall implements CallObserver, BudgetHold {

    /** How the call ended. */
    enum Ending { COMPLETE, ERROR, CANCEL }

    /** A budget the call counts against, and the period and subject it counts under. */
    record Match(Budget budget, BudgetStore.Key key) {
    }

    /** A hard budget that refused an amount, and its counters then. */
    private record Refusal(Match match, BudgetStore.Counters counters, Spend amount) {

        BudgetExceededException exception() {
            Budget b = match.budget();
            Spend wanted = counters.committed().plus(amount);
            BudgetDimension d = b.limits().firstExceeded(wanted);
            if (d == null) {
                d = b.limits().dimensions().get(0); // the store saw more than these counters say: name the first unit
            }
            BigDecimal limit = java.util.Objects.requireNonNull(b.limits().limit(d));
            return new BudgetExceededException(b.name(), match.key().subject(), d, counters.committed().amount(d),
                    limit, match.key().window().end());
        }
    }

    private final SpectraBudgets owner;
    private final String provider;
    private final String model;
    private final PricingTier tier;
    private final BudgetEstimate estimate;
    private final boolean streaming;
    private final List<Match> matches;
    private final UUID id = UUID.randomUUID();
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile @Nullable TrackedCall call;
    private volatile @Nullable TrackedRequest record;

    // guarded by this
    private Spend initial = Spend.ZERO;
    private Spend held = Spend.ZERO;
    private long streamedOutput;
    private boolean topUpPending;
    private @Nullable Refusal refusal;
    private boolean cut;

    BudgetedCall(SpectraBudgets owner, String provider, String model, PricingTier tier, BudgetEstimate estimate,
                 boolean streaming, List<Match> matches) {
        this.owner = owner;
        this.provider = provider;
        this.model = model;
        this.tier = tier;
        this.estimate = estimate;
        this.streaming = streaming;
        this.matches = List.copyOf(matches);
    }

    // ---------------------------------------------------------------- before the call

    /** Reserves the estimate against every match; errors with {@link BudgetExceededException} when one refuses. */
    Mono<BudgetedCall> reserve() {
        return Mono.defer(() -> {
            Spend amount = owner.spendOf(provider, model, tier, estimate.inputTokens(), estimate.maxOutputTokens());
            synchronized (this) {
                initial = amount;
                held = amount;
            }
            Instant now = owner.now();
            return reserveFrom(0, amount, now, owner.expiry(now)).<BudgetedCall>flatMap(r -> {
                owner.refused();
                BudgetExceededException e = r.exception();
                owner.emit(new BudgetEvent(BudgetEvent.Type.CALL_REFUSED, e.budget(), e.subject(), e.dimension(), null,
                        e.spent(), e.limit(), true, e.periodEnd(), now));
                // give back what the budgets before the refusing one granted
                return Flux.fromIterable(matches.subList(0, matches.indexOf(r.match())))
                        .concatMap(m -> owner.storeOf().settle(m.key(), id, Spend.ZERO)
                                .onErrorResume(err -> {
                                    owner.storeFailed("releasing a refused call's reservation", err);
                                    return Mono.empty();
                                }))
                        .then(Mono.error(e));
            }).switchIfEmpty(Mono.just(this));
        }).onErrorResume(e -> !(e instanceof BudgetExceededException), e -> {
            Fatal.rethrowIfFatal(e);
            owner.storeFailed("reserving a call's estimate", e);
            return owner.failClosed() ? Mono.error(e) : Mono.just(this);
        });
    }

    /** Reserves an amount against the matches from index i on; the refusal, or an empty Mono when all granted. */
    private Mono<Refusal> reserveFrom(int i, Spend amount, Instant now, Instant expiresAt) {
        if (i == matches.size()) {
            return Mono.empty();
        }
        Match m = matches.get(i);
        Budget b = m.budget();
        return owner.storeOf().reserve(m.key(), id, amount, b.hard() ? b.limits() : null, now, expiresAt)
                .flatMap(r -> r.granted() ? reserveFrom(i + 1, amount, now, expiresAt)
                        : Mono.just(new Refusal(m, r.counters(), amount)));
    }

    // ---------------------------------------------------------------- CallObserver

    @Override
    public void started(TrackedCall call) {
        this.call = call;
    }

    @Override
    public void recorded(TrackedRequest record) {
        this.record = record;
    }

    // ---------------------------------------------------------------- a stream's chunks

    <T> void onChunk(T chunk, SynchronousSink<T> sink) {
        synchronized (this) {
            if (cut) {
                return;
            }
        }
        BudgetExceededException e = chunk(chunk);
        if (e == null) {
            sink.next(chunk);
        } else if (owner.completeOnCutOff()) {
            sink.complete();
        } else {
            sink.error(e);
        }
    }

    @Override
    public void track(TrackedCall call) {
        this.call = call;
    }

    @Override
    public @Nullable BudgetExceededException chunk(Object chunk) {
        long tokens = owner.tokensOf(chunk);
        @Nullable Spend needed = null;
        @Nullable Refusal r;
        synchronized (this) {
            if (cut) {
                return null;
            }
            streamedOutput += tokens;
            Spend running = owner.spendOf(provider, model, tier, estimate.inputTokens(), streamedOutput);
            if (running.exceedsInAnyUnit(held) && refusal == null && !topUpPending) {
                topUpPending = true;
                Spend over = running.minus(held);
                needed = new Spend(over.usd(), over.tokens(), 0);
            }
            r = running.exceedsInAnyUnit(held) ? refusal : null;
        }
        if (needed != null) {
            topUp(needed); // a store that answers at once has answered when this returns
            synchronized (this) {
                Spend running = owner.spendOf(provider, model, tier, estimate.inputTokens(), streamedOutput);
                r = running.exceedsInAnyUnit(held) ? refusal : null;
            }
        }
        return r == null ? null : cutOff(r);
    }

    @Override
    public void end(@Nullable TrackedRequest record) {
        if (record != null) {
            this.record = record;
        }
        Ending ending = record == null || record.outcome() == dev.spectra.reactive.Outcome.SUCCESS ? Ending.COMPLETE
                : record.outcome() == dev.spectra.reactive.Outcome.CANCELLED ? Ending.CANCEL : Ending.ERROR;
        settle(ending).subscribe(null, e -> owner.storeFailed("settling a call", e));
    }

    /** Reserves what the stream passed plus one more initial estimate; if refused, what it passed alone. */
    private void topUp(Spend needed) {
        Spend step = new Spend(initial.usd(), initial.tokens(), 0);
        Instant now = owner.now();
        Instant expiresAt = owner.expiry(now);
        Spend generous = needed.plus(step);
        reserveFrom(0, generous, now, expiresAt)
                .map(refused -> new TopUp(needed, refused))
                .switchIfEmpty(Mono.fromSupplier(() -> new TopUp(generous, null)))
                .flatMap(t -> t.refused == null ? Mono.just(t)
                        : reserveFrom(0, needed, now, expiresAt).map(refused -> new TopUp(needed, refused))
                                .defaultIfEmpty(new TopUp(needed, null)))
                .subscribe(t -> {
                    synchronized (this) {
                        topUpPending = false;
                        if (t.refused == null) {
                            held = held.plus(t.amount);
                        } else {
                            refusal = t.refused;
                        }
                    }
                }, e -> {
                    owner.storeFailed("reserving more for a stream", e);
                    synchronized (this) {
                        topUpPending = false;
                        held = held.plus(needed); // the stream goes on unchecked for this step
                    }
                });
    }

    private record TopUp(Spend amount, @Nullable Refusal refused) {
    }

    /** Marks the stream cut off (its call's usage estimated, the budget named) and gives the refusal. */
    private BudgetExceededException cutOff(Refusal r) {
        long output;
        synchronized (this) {
            cut = true;
            output = streamedOutput;
        }
        owner.cutOff();
        BudgetExceededException e = r.exception();
        TrackedCall c = call;
        if (c != null) {
            try {
                c.usage(Usage.of(estimate.inputTokens(), output));
                c.addMetadata(SpectraBudgets.USAGE_ESTIMATED_KEY, true);
                c.addMetadata(SpectraBudgets.CUT_OFF_KEY, e.budget());
            } catch (RuntimeException failed) {
                c.trackingFailed("marking a stream cut off by a budget", failed);
            }
        }
        owner.emit(new BudgetEvent(BudgetEvent.Type.STREAM_CUT_OFF, e.budget(), e.subject(), e.dimension(), null,
                e.spent(), e.limit(), true, e.periodEnd(), owner.now()));
        return e;
    }

    // ---------------------------------------------------------------- after the call

    /** Replaces the reservations with the actual spend, once; store failures are counted, never the caller's. */
    Mono<Void> settle(Ending ending) {
        return Mono.defer(() -> {
            if (!settled.compareAndSet(false, true)) {
                return Mono.empty();
            }
            Spend actual = actual(ending);
            return Flux.fromIterable(matches)
                    .concatMap(m -> owner.storeOf().settle(m.key(), id, actual)
                            .doOnNext(s -> thresholds(m, s))
                            .onErrorResume(e -> {
                                Fatal.rethrowIfFatal(e);
                                owner.storeFailed("settling a call", e);
                                return Mono.empty();
                            }))
                    .then();
        });
    }

    /** What the call spent: its record's cost and tokens, else the estimate of what it consumed. */
    private Spend actual(Ending ending) {
        TrackedRequest r = record;
        if (r != null && r.usage() != null) {
            BigDecimal usd = r.cost() != null ? r.cost().total() : BigDecimal.ZERO;
            return new Spend(usd, r.usage().totalTokens(), 1);
        }
        if (streaming) {
            long output;
            synchronized (this) {
                output = streamedOutput;
            }
            if (output == 0 && ending != Ending.COMPLETE) {
                return new Spend(BigDecimal.ZERO, 0, 1);
            }
            return owner.spendOf(provider, model, tier, estimate.inputTokens(), output);
        }
        if (ending == Ending.COMPLETE) {
            synchronized (this) {
                return initial;
            }
        }
        return new Spend(BigDecimal.ZERO, 0, 1);
    }

    /** Emits an event for each threshold the settlement's spend went past. */
    private void thresholds(Match m, BudgetStore.Settlement s) {
        Budget b = m.budget();
        Instant now = owner.now();
        for (BudgetDimension d : b.limits().dimensions()) {
            BigDecimal limit = java.util.Objects.requireNonNull(b.limits().limit(d));
            if (limit.signum() == 0) {
                continue;
            }
            BigDecimal before = s.spentBefore().amount(d);
            BigDecimal after = s.after().spent().amount(d);
            for (int t : b.thresholds()) {
                BigDecimal at = limit.multiply(BigDecimal.valueOf(t)).divide(BigDecimal.valueOf(100));
                if (before.compareTo(at) < 0 && after.compareTo(at) >= 0) {
                    owner.emit(new BudgetEvent(BudgetEvent.Type.THRESHOLD_REACHED, b.name(), m.key().subject(), d, t,
                            after, limit, b.hard(), m.key().window().end(), now));
                }
            }
        }
    }

    @Override
    public String toString() {
        return "BudgetedCall{" + provider + "/" + model + ", reservation=" + id + ", budgets="
                + matches.stream().map(m -> m.budget().name()).toList() + "}";
    }
}
