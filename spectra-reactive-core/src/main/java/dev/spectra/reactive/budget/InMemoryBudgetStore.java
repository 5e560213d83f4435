package dev.spectra.reactive.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * <p>A subject of a rolling budget ({@link BudgetWindow#rolling()}) has one account for as long as it spends: its
 * spent is the sum of its buckets still in the window, and the buckets that left the window are subtracted before
 * each reservation and each read (a call settled into a bucket that already left counts nowhere).
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
                Account a = accounts.computeIfAbsent(account(key), k -> new Account());
                synchronized (a) {
                    if (a.dropped) {
                        continue; // dropped between the lookup and the lock: take the new one
                    }
                    a.expire(now);
                    a.rollOut(key.window());
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
                Account a = accounts.computeIfAbsent(account(key), k -> new Account());
                synchronized (a) {
                    if (a.dropped) {
                        continue;
                    }
                    Held h = a.held.remove(reservation);
                    if (h != null) {
                        a.reserved = a.reserved.minus(h.amount);
                    }
                    a.rollOut(key.window());
                    Spend before = a.spent;
                    a.add(key.window(), actual);
                    return new Settlement(before, a.counters());
                }
            }
        });
    }

    @Override
    public Mono<Counters> counters(Key key, Instant now) {
        return Mono.fromSupplier(() -> {
            Account a = accounts.get(account(key));
            if (a == null) {
                return Counters.ZERO;
            }
            synchronized (a) {
                a.expire(now);
                a.rollOut(key.window());
                return a.counters();
            }
        });
    }

    @Override
    public Flux<SubjectCounters> subjects(String budget, BudgetWindow window, Instant now) {
        return Flux.defer(() -> {
            BudgetWindow stored = accountWindow(window);
            List<Map.Entry<Key, Account>> matching = accounts.entrySet().stream()
                    .filter(e -> e.getKey().budget().equals(budget) && e.getKey().window().equals(stored))
                    .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(Key::subject)))
                    .toList();
            return Flux.fromIterable(matching).map(e -> {
                Account a = e.getValue();
                synchronized (a) {
                    a.expire(now);
                    a.rollOut(window);
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
            Account a = e.getValue();
            if (a.window == null && e.getKey().window().end().isAfter(now)) {
                continue;
            }
            synchronized (a) {
                a.expire(now);
                if (a.window != null) {
                    BudgetWindow w = a.window;
                    Duration bucket = java.util.Objects.requireNonNull(w.bucket());
                    a.rollOut(BudgetPeriod.rolling(w.length(), bucket).window(now));
                }
                if (a.held.isEmpty() && (a.window == null || a.buckets.isEmpty())) {
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

    /** The key of the account holding a key's spend: all windows of a rolling budget's subject share one. */
    private static Key account(Key key) {
        return key.window().rolling() ? new Key(key.budget(), key.subject(), accountWindow(key.window())) : key;
    }

    private static BudgetWindow accountWindow(BudgetWindow window) {
        Duration bucket = window.bucket();
        return bucket == null ? window : new BudgetWindow(Instant.EPOCH, Instant.EPOCH.plus(bucket), bucket);
    }

    private record Held(Spend amount, Instant expiresAt) {
    }

    /** One period of one subject; guarded by itself. */
    private static final class Account {
        Spend spent = Spend.ZERO;
        Spend reserved = Spend.ZERO;
        final Map<UUID, Held> held = new HashMap<>();
        boolean dropped;
        /** A rolling account's last window seen, null for a calendar or fixed period's account. */
        @Nullable BudgetWindow window;
        /** A rolling account's spend per bucket start, for the buckets still in its window. */
        final TreeMap<Instant, Spend> buckets = new TreeMap<>();
        /** Buckets starting before this have left the window. */
        Instant rolledOutBefore = Instant.MIN;

        /** Subtracts the buckets that started before a rolling window. */
        void rollOut(BudgetWindow w) {
            if (!w.rolling()) {
                return;
            }
            if (window == null || w.end().isAfter(window.end())) {
                window = w;
            }
            if (!w.start().isAfter(rolledOutBefore)) {
                return;
            }
            rolledOutBefore = w.start();
            for (Iterator<Spend> it = buckets.headMap(w.start()).values().iterator(); it.hasNext(); ) {
                spent = spent.minus(it.next());
                it.remove();
            }
        }

        /** Adds a call's spend: to its period, or to the bucket a rolling window's call started in. */
        void add(BudgetWindow w, Spend actual) {
            if (!w.rolling()) {
                spent = spent.plus(actual);
                return;
            }
            rollOut(w);
            Instant bucket = w.currentBucketStart();
            if (bucket.isBefore(rolledOutBefore)) {
                return; // the call outlived its bucket's place in the window
            }
            buckets.merge(bucket, actual, Spend::plus);
            spent = spent.plus(actual);
        }

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
