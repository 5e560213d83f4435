package dev.spectra.reactive.budget;

import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link BudgetStore} in this JVM's memory: exact and atomic for every caller of this JVM, nothing shared with
 * other instances (use the PostgreSQL store for that) and nothing kept across restarts. Each period of each subject
 * is one account, locked while it is read or changed; accounts of ended periods are dropped once no reservation
 * holds them, so memory follows the live subjects.
 *
 * @since 0.2
 */
public final class InMemoryBudgetStore implements BudgetStore {

    /** How often, in the callers' time, accounts of ended periods are looked for. */
    private static final long SWEEP_EVERY_MILLIS = 60_000;

    private final ConcurrentHashMap<Key, Account> accounts = new ConcurrentHashMap<>();
    private volatile long nextSweepMillis = Long.MIN_VALUE;

    private InMemoryBudgetStore() {
    }

    /**
     * @return an empty store
     */
    public static InMemoryBudgetStore create() {
        return new InMemoryBudgetStore();
    }

    @Override
    public Mono<Reservation> reserve(Key key, UUID reservation, Spend amount, @Nullable BudgetLimits hardLimits,
                                     Instant now, Instant expiresAt) {
        return Mono.fromSupplier(() -> {
            dropEnded(now);
            while (true) {
                Account a = accounts.computeIfAbsent(key, k -> new Account());
                synchronized (a) {
                    if (a.dropped) {
                        continue; // dropped between the lookup and the lock: take the new one
                    }
                    a.expire(now);
                    Spend after = a.spent.plus(a.reserved).plus(amount);
                    if (hardLimits != null && hardLimits.firstExceeded(after) != null) {
                        return new Reservation(false, a.counters());
                    }
                    Held h = a.held.get(reservation);
                    a.held.put(reservation, new Held(h == null ? amount : h.amount.plus(amount), expiresAt));
                    a.reserved = a.reserved.plus(amount);
                    return new Reservation(true, a.counters());
                }
            }
        });
    }

    @Override
    public Mono<Settlement> settle(Key key, UUID reservation, Spend actual) {
        return Mono.fromSupplier(() -> {
            while (true) {
                Account a = accounts.computeIfAbsent(key, k -> new Account());
                synchronized (a) {
                    if (a.dropped) {
                        continue;
                    }
                    Held h = a.held.remove(reservation);
                    if (h != null) {
                        a.reserved = a.reserved.minus(h.amount);
                    }
                    Spend before = a.spent;
                    a.spent = a.spent.plus(actual);
                    return new Settlement(before, a.counters());
                }
            }
        });
    }

    @Override
    public Mono<Counters> counters(Key key, Instant now) {
        return Mono.fromSupplier(() -> {
            Account a = accounts.get(key);
            if (a == null) {
                return Counters.ZERO;
            }
            synchronized (a) {
                a.expire(now);
                return a.counters();
            }
        });
    }

    @Override
    public Flux<SubjectCounters> subjects(String budget, BudgetWindow window, Instant now) {
        return Flux.defer(() -> {
            List<Map.Entry<Key, Account>> matching = accounts.entrySet().stream()
                    .filter(e -> e.getKey().budget().equals(budget) && e.getKey().window().equals(window))
                    .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(Key::subject)))
                    .toList();
            return Flux.fromIterable(matching).map(e -> {
                Account a = e.getValue();
                synchronized (a) {
                    a.expire(now);
                    return new SubjectCounters(e.getKey().subject(), a.counters());
                }
            });
        });
    }

    /** Drops the accounts of periods ended before now that hold no reservation. */
    private void dropEnded(Instant now) {
        long millis = now.toEpochMilli();
        if (millis < nextSweepMillis) {
            return;
        }
        nextSweepMillis = millis + SWEEP_EVERY_MILLIS;
        for (Iterator<Map.Entry<Key, Account>> it = accounts.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Account> e = it.next();
            if (e.getKey().window().end().isAfter(now)) {
                continue;
            }
            Account a = e.getValue();
            synchronized (a) {
                a.expire(now);
                if (a.held.isEmpty()) {
                    a.dropped = true;
                    it.remove();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "InMemoryBudgetStore{accounts=" + accounts.size() + "}";
    }

    private record Held(Spend amount, Instant expiresAt) {
    }

    /** One period of one subject; guarded by itself. */
    private static final class Account {
        Spend spent = Spend.ZERO;
        Spend reserved = Spend.ZERO;
        final Map<UUID, Held> held = new HashMap<>();
        boolean dropped;

        void expire(Instant now) {
            for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
                Held h = it.next();
                if (!h.expiresAt.isAfter(now)) {
                    reserved = reserved.minus(h.amount);
                    it.remove();
                }
            }
        }

        Counters counters() {
            return new Counters(spent, reserved);
        }
    }
}
