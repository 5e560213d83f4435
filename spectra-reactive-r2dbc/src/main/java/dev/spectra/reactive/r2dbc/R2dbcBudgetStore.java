package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import dev.spectra.reactive.budget.BudgetLimits;
import dev.spectra.reactive.budget.BudgetStore;
import dev.spectra.reactive.budget.BudgetWindow;
import dev.spectra.reactive.budget.Spend;
import dev.spectra.reactive.r2dbc.internal.Identifiers;
import dev.spectra.reactive.r2dbc.internal.SchemaDdl;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link BudgetStore} in PostgreSQL, for budgets shared by every instance that writes to the same database: each
 * budget period is one row of {@code spectra_budget_spend} (spent and reserved), each call in flight one row of
 * {@code spectra_budget_reservations}. The tables come with the Spectra schema ({@link SpectraSchema#createOrUpgrade},
 * or a sink created with {@code createSchema}).
 *
 * <p>Every operation is one statement, atomic on its own:
 * <ul>
 *   <li>a reservation is a conditional {@code UPDATE … SET reserved = reserved + amount WHERE spent + reserved +
 *       amount <= limit RETURNING …} whose result inserts the reservation row, in one statement. PostgreSQL
 *       re-checks the condition on the latest version of the row when two instances race, so no two reservations
 *       can both take the last headroom. When it is refused, reservations expired by the caller's {@code now} are
 *       released and it is tried once more;</li>
 *   <li>a settlement deletes the reservation (if it has not expired and been released) and adds the actual spend,
 *       returning the spend after it: the spend before is that minus the actual, so exactly one settlement sees a
 *       threshold crossed;</li>
 *   <li>expired reservations are released by one {@code DELETE … RETURNING} feeding the {@code UPDATE} of their
 *       periods: a reservation is released once, by a sweep or by its settlement, whichever deletes it.</li>
 * </ul>
 * A call costs one round trip while headroom remains. Rows of ended periods stay, as the history of each budget.
 *
 * <p>A rolling budget ({@link BudgetWindow#rolling()}) keeps, per subject, one running row in
 * {@code spectra_budget_spend} (its {@code window_start} is the epoch) and its spend per time bucket in
 * {@code spectra_budget_buckets}. The running row's spent is the sum of the buckets still in the window, so a
 * reservation stays the same single conditional {@code UPDATE} of one row. Buckets that left the window are
 * subtracted from it by one statement that marks them {@code rolled_out} and updates the row, so each is subtracted
 * once whichever instance does it: before a refused reservation is tried again, and before every read. Until then
 * the row may still hold spend that has left the window, which can only refuse, never admit too much. A settlement
 * adds to the bucket the call started in and, unless that bucket has already rolled out, to the running row, in one
 * statement (a call that outlived its bucket's place in the window is subtracted again by the next roll-out).
 *
 * @since 0.2
 */
public final class R2dbcBudgetStore implements BudgetStore {

    private final ConnectionFactory connections;
    private final String spend;
    private final String reservations;
    private final String buckets;

    private R2dbcBudgetStore(ConnectionFactory connections, SpectraSchema schema) {
        this.connections = connections;
        String quoted = Identifiers.quote("schema", schema.name());
        this.spend = quoted + "." + SchemaDdl.BUDGET_SPEND_TABLE;
        this.reservations = quoted + "." + SchemaDdl.BUDGET_RESERVATIONS_TABLE;
        this.buckets = quoted + "." + SchemaDdl.BUDGET_BUCKETS_TABLE;
    }

    /**
     * A store over a connection factory (best a pool with {@code maxAcquireTime} set) and a schema at
     * {@link SpectraSchema#CURRENT_VERSION}.
     *
     * @param connections where to connect
     * @param schema the Spectra schema
     * @return the store
     */
    public static R2dbcBudgetStore create(ConnectionFactory connections, SpectraSchema schema) {
        return new R2dbcBudgetStore(Objects.requireNonNull(connections, "connections"),
                Objects.requireNonNull(schema, "schema"));
    }

    @Override
    public Mono<Reservation> reserve(Key key, UUID reservation, Spend amount, @Nullable BudgetLimits hardLimits,
                                     Instant now, Instant expiresAt) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(reservation, "reservation");
        Objects.requireNonNull(amount, "amount");
        return Mono.usingWhen(connections.create(), c -> tryReserve(c, key, reservation, amount, hardLimits, expiresAt)
                        .switchIfEmpty(Mono.defer(() -> ensurePeriod(c, key)
                                .then(rollOut(c, key.budget(), key.window(), key.subject()))
                                .then(sweep(c, key.budget(), key.window(), key.subject(), now))
                                .then(tryReserve(c, key, reservation, amount, hardLimits, expiresAt))))
                        .switchIfEmpty(Mono.defer(() -> read(c, key.budget(), key.window(), key.subject())
                                .next().map(s -> new Reservation(false, s.counters()))
                                .defaultIfEmpty(new Reservation(false, Counters.ZERO)))),
                Connection::close);
    }

    @Override
    public Mono<Settlement> settle(Key key, UUID reservation, Spend actual) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(reservation, "reservation");
        Objects.requireNonNull(actual, "actual");
        if (key.window().rolling()) {
            return settleRolling(key, reservation, actual);
        }
        String sql = "WITH gone AS (DELETE FROM " + reservations
                + " WHERE budget = $1 AND subject = $2 AND window_start = $3 AND id = $4 RETURNING usd, tokens, requests)"
                + "\nINSERT INTO " + spend + " AS s (budget, subject, window_start, window_end, spent_usd, spent_tokens,"
                + " spent_requests) VALUES ($1, $2, $3, $5, $6, $7, $8)"
                + "\nON CONFLICT (budget, subject, window_start) DO UPDATE SET"
                + " spent_usd = s.spent_usd + excluded.spent_usd,"
                + " spent_tokens = s.spent_tokens + excluded.spent_tokens,"
                + " spent_requests = s.spent_requests + excluded.spent_requests,"
                + " reserved_usd = s.reserved_usd - coalesce((SELECT sum(usd) FROM gone), 0),"
                + " reserved_tokens = s.reserved_tokens - coalesce((SELECT sum(tokens) FROM gone), 0),"
                + " reserved_requests = s.reserved_requests - coalesce((SELECT sum(requests) FROM gone), 0)"
                + "\nRETURNING " + COUNTERS;
        return Mono.usingWhen(connections.create(), c -> {
            Statement s = c.createStatement(sql)
                    .bind(0, key.budget()).bind(1, key.subject()).bind(2, key.window().start()).bind(3, reservation)
                    .bind(4, key.window().end()).bind(5, actual.usd()).bind(6, actual.tokens())
                    .bind(7, actual.requests());
            return Flux.from(s.execute()).flatMap(r -> r.map(R2dbcBudgetStore::counters)).next()
                    .map(after -> new Settlement(after.spent().minus(actual), after));
        }, Connection::close);
    }

    /** Settles a rolling budget's call: its bucket, and its running row unless the bucket has rolled out. */
    private Mono<Settlement> settleRolling(Key key, UUID reservation, Spend actual) {
        String sql = "WITH gone AS (DELETE FROM " + reservations
                + " WHERE budget = $1 AND subject = $2 AND window_start = $3 AND id = $4 RETURNING usd, tokens, requests),"
                + "\nb AS (INSERT INTO " + buckets + " AS b (budget, subject, bucket_start, bucket_end, spent_usd,"
                + " spent_tokens, spent_requests) VALUES ($1, $2, $9, $10, $6, $7, $8)"
                + "\n  ON CONFLICT (budget, subject, bucket_start) DO UPDATE SET"
                + " spent_usd = b.spent_usd + excluded.spent_usd, spent_tokens = b.spent_tokens + excluded.spent_tokens,"
                + " spent_requests = b.spent_requests + excluded.spent_requests RETURNING NOT rolled_out AS kept),"
                + "\nu AS (INSERT INTO " + spend + " AS s (budget, subject, window_start, window_end, spent_usd,"
                + " spent_tokens, spent_requests) SELECT $1, $2, $3, $5,"
                + " CASE WHEN b.kept THEN $6::numeric ELSE 0 END, CASE WHEN b.kept THEN $7::bigint ELSE 0 END,"
                + " CASE WHEN b.kept THEN $8::bigint ELSE 0 END FROM b"
                + "\nON CONFLICT (budget, subject, window_start) DO UPDATE SET"
                + " spent_usd = s.spent_usd + excluded.spent_usd,"
                + " spent_tokens = s.spent_tokens + excluded.spent_tokens,"
                + " spent_requests = s.spent_requests + excluded.spent_requests,"
                + " reserved_usd = s.reserved_usd - coalesce((SELECT sum(usd) FROM gone), 0),"
                + " reserved_tokens = s.reserved_tokens - coalesce((SELECT sum(tokens) FROM gone), 0),"
                + " reserved_requests = s.reserved_requests - coalesce((SELECT sum(requests) FROM gone), 0)"
                + "\n  RETURNING " + COUNTERS + ")"
                + "\nSELECT u.*, b.kept FROM u, b";
        BudgetWindow w = key.window();
        return Mono.usingWhen(connections.create(), c -> {
            Statement s = c.createStatement(sql)
                    .bind(0, key.budget()).bind(1, key.subject()).bind(2, accountStart(w)).bind(3, reservation)
                    .bind(4, accountEnd(w)).bind(5, actual.usd()).bind(6, actual.tokens())
                    .bind(7, actual.requests()).bind(8, w.currentBucketStart()).bind(9, w.end());
            return Flux.from(s.execute()).flatMap(r -> r.map(row -> {
                Counters after = counters(row);
                boolean kept = Boolean.TRUE.equals(row.get("kept", Boolean.class));
                return new Settlement(kept ? after.spent().minus(actual) : after.spent(), after);
            })).next();
        }, Connection::close);
    }

    @Override
    public Mono<Counters> counters(Key key, Instant now) {
        Objects.requireNonNull(key, "key");
        return Mono.usingWhen(connections.create(), c -> rollOut(c, key.budget(), key.window(), key.subject())
                .then(sweep(c, key.budget(), key.window(), key.subject(), now))
                .then(read(c, key.budget(), key.window(), key.subject()).next().map(SubjectCounters::counters))
                .defaultIfEmpty(Counters.ZERO), Connection::close);
    }

    @Override
    public Flux<SubjectCounters> subjects(String budget, BudgetWindow window, Instant now) {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(window, "window");
        return Flux.usingWhen(connections.create(), c -> rollOut(c, budget, window, null)
                .then(sweep(c, budget, window, null, now))
                .thenMany(read(c, budget, window, null)), Connection::close);
    }

    @Override
    public String toString() {
        return "R2dbcBudgetStore{" + spend + "}";
    }

    // ------------------------------------------------------------------------------------------ statements

    private static final String COUNTERS =
            "spent_usd, spent_tokens, spent_requests, reserved_usd, reserved_tokens, reserved_requests";

    /** The conditional reservation; empty when refused or when the period has no row yet. */
    private Mono<Reservation> tryReserve(Connection c, Key key, UUID id, Spend amount, @Nullable BudgetLimits limits,
                                         Instant expiresAt) {
        String sql = "WITH u AS (UPDATE " + spend + " SET reserved_usd = reserved_usd + $4,"
                + " reserved_tokens = reserved_tokens + $5, reserved_requests = reserved_requests + $6"
                + "\n  WHERE budget = $1 AND subject = $2 AND window_start = $3"
                + "\n    AND ($8::numeric IS NULL OR spent_usd + reserved_usd + $4 <= $8::numeric)"
                + "\n    AND ($9::bigint IS NULL OR spent_tokens + reserved_tokens + $5 <= $9::bigint)"
                + "\n    AND ($10::bigint IS NULL OR spent_requests + reserved_requests + $6 <= $10::bigint)"
                + "\n  RETURNING " + COUNTERS + "),"
                + "\nr AS (INSERT INTO " + reservations + " AS r (budget, subject, window_start, id, usd, tokens,"
                + " requests, expires_at)"
                + "\n  SELECT $1, $2, $3, $7, $4, $5, $6, $11 FROM u"
                + "\n  ON CONFLICT (budget, subject, window_start, id) DO UPDATE SET usd = r.usd + excluded.usd,"
                + " tokens = r.tokens + excluded.tokens, requests = r.requests + excluded.requests,"
                + " expires_at = excluded.expires_at)"
                + "\nSELECT " + COUNTERS + " FROM u";
        return Mono.defer(() -> {
            Statement s = c.createStatement(sql)
                    .bind(0, key.budget()).bind(1, key.subject()).bind(2, accountStart(key.window()))
                    .bind(3, amount.usd()).bind(4, amount.tokens()).bind(5, amount.requests()).bind(6, id)
                    .bind(10, expiresAt);
            bindOrNull(s, 7, limits == null ? null : limits.usd(), BigDecimal.class);
            bindOrNull(s, 8, limits == null ? null : limits.tokens(), Long.class);
            bindOrNull(s, 9, limits == null ? null : limits.requests(), Long.class);
            return Flux.from(s.execute()).flatMap(r -> r.map(R2dbcBudgetStore::counters)).next()
                    .map(after -> new Reservation(true, after));
        });
    }

    /**
     * Subtracts from a rolling budget's running rows (one subject, or all) the buckets that started before its
     * window, marking them rolled out; nothing for a calendar or fixed period.
     */
    private Mono<Void> rollOut(Connection c, String budget, BudgetWindow window, @Nullable String subject) {
        if (!window.rolling()) {
            return Mono.empty();
        }
        String sql = "WITH gone AS (UPDATE " + buckets + " SET rolled_out = true WHERE budget = $1"
                + " AND ($2::text IS NULL OR subject = $2::text) AND NOT rolled_out AND bucket_start < $3"
                + " RETURNING subject, spent_usd, spent_tokens, spent_requests),"
                + "\ng AS (SELECT subject, sum(spent_usd) AS usd, sum(spent_tokens) AS tokens,"
                + " sum(spent_requests) AS requests FROM gone GROUP BY subject)"
                + "\nUPDATE " + spend + " s SET spent_usd = s.spent_usd - g.usd, spent_tokens = s.spent_tokens - g.tokens,"
                + " spent_requests = s.spent_requests - g.requests"
                + " FROM g WHERE s.budget = $1 AND s.window_start = $4 AND s.subject = g.subject";
        return Mono.defer(() -> {
            Statement s = c.createStatement(sql).bind(0, budget).bind(2, window.start()).bind(3, accountStart(window));
            bindOrNull(s, 1, subject, String.class);
            return Flux.from(s.execute()).flatMap(r -> r.getRowsUpdated()).then();
        });
    }

    /** Where a window's row starts: its own start, or the epoch for a rolling budget's running row. */
    private static Instant accountStart(BudgetWindow window) {
        return window.rolling() ? Instant.EPOCH : window.start();
    }

    /** Where a window's row ends: its own end, or one bucket after the epoch for a rolling budget's running row. */
    private static Instant accountEnd(BudgetWindow window) {
        Duration bucket = window.bucket();
        return bucket == null ? window.end() : Instant.EPOCH.plus(bucket);
    }

    /** Creates the period's row when it does not exist. */
    private Mono<Void> ensurePeriod(Connection c, Key key) {
        return Flux.from(c.createStatement("INSERT INTO " + spend + " (budget, subject, window_start, window_end)"
                        + " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(0, key.budget()).bind(1, key.subject()).bind(2, accountStart(key.window()))
                .bind(3, accountEnd(key.window())).execute()).flatMap(r -> r.getRowsUpdated()).then();
    }

    /** Releases the reservations of a period (one subject, or all) expired by {@code now}. */
    private Mono<Void> sweep(Connection c, String budget, BudgetWindow window, @Nullable String subject,
                             Instant now) {
        String sql = "WITH gone AS (DELETE FROM " + reservations + " WHERE budget = $1 AND window_start = $2"
                + " AND ($3::text IS NULL OR subject = $3::text) AND expires_at <= $4"
                + " RETURNING subject, usd, tokens, requests),"
                + "\ng AS (SELECT subject, sum(usd) AS usd, sum(tokens) AS tokens, sum(requests) AS requests"
                + " FROM gone GROUP BY subject)"
                + "\nUPDATE " + spend + " s SET reserved_usd = s.reserved_usd - g.usd,"
                + " reserved_tokens = s.reserved_tokens - g.tokens, reserved_requests = s.reserved_requests - g.requests"
                + " FROM g WHERE s.budget = $1 AND s.window_start = $2 AND s.subject = g.subject";
        return Mono.defer(() -> {
            Statement s = c.createStatement(sql).bind(0, budget).bind(1, accountStart(window)).bind(3, now);
            bindOrNull(s, 2, subject, String.class);
            return Flux.from(s.execute()).flatMap(r -> r.getRowsUpdated()).then();
        });
    }

    private Flux<SubjectCounters> read(Connection c, String budget, BudgetWindow window, @Nullable String subject) {
        return Flux.defer(() -> {
            Statement s = c.createStatement("SELECT subject, " + COUNTERS + " FROM " + spend
                    + " WHERE budget = $1 AND window_start = $2 AND ($3::text IS NULL OR subject = $3::text)"
                    + " ORDER BY subject").bind(0, budget).bind(1, accountStart(window));
            bindOrNull(s, 2, subject, String.class);
            return Flux.from(s.execute()).flatMap(r -> r.map(row -> new SubjectCounters(
                    Objects.requireNonNull(row.get("subject", String.class)), counters(row))));
        });
    }

    private static Counters counters(Readable row) {
        return new Counters(
                new Spend(num(row, "spent_usd"), count(row, "spent_tokens"), count(row, "spent_requests")),
                new Spend(num(row, "reserved_usd"), count(row, "reserved_tokens"), count(row, "reserved_requests")));
    }

    private static BigDecimal num(Readable row, String name) {
        return Objects.requireNonNull(row.get(name, BigDecimal.class), name);
    }

    private static long count(Readable row, String name) {
        return Objects.requireNonNull(row.get(name, Long.class), name);
    }

    private static void bindOrNull(Statement s, int index, @Nullable Object value, Class<?> type) {
        if (value == null) {
            s.bindNull(index, type);
        } else {
            s.bind(index, value);
        }
    }
}
