package dev.spectra.reactive.budget;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where the spend and the reservations of budgets live: {@link InMemoryBudgetStore} for one JVM, the PostgreSQL
 * store of {@code spectra-reactive-r2dbc} for several instances sharing a database.
 *
 * <p>The contract every implementation keeps:
 * <ul>
 *   <li>{@link #reserve} is atomic: two reservations racing for the last headroom of a hard limit never both pass
 *       (in PostgreSQL: one conditional {@code UPDATE … WHERE spent + reserved + amount <= limit});</li>
 *   <li>a reservation not settled by its expiry stops counting (a process that died mid-call frees its share);</li>
 *   <li>{@link #settle} removes what a reservation holds (nothing if it expired) and adds the actual spend, and says
 *       what was spent before and after, atomically, so exactly one settlement sees a threshold crossed;</li>
 *   <li>each {@link Key} names one period of one subject of one budget: a new period starts from zero.</li>
 * </ul>
 * Times come from the caller ({@link SpectraBudgets}' clock), never from the store's own clock, so periods and
 * expiry follow one clock and tests run on virtual time.
 *
 * @since 0.2
 */
public interface BudgetStore {

    /**
     * Reserves an amount, or adds it to the reservation of the same id (a stream's top-up).
     *
     * @param key the budget, subject and period
     * @param reservation the reservation's id (one per call)
     * @param amount what to reserve
     * @param hardLimits the limits spent, reserved and this amount must stay within, or null to reserve whatever
     *        the spend (a soft budget)
     * @param now the current time: reservations expired by then do not count
     * @param expiresAt when this reservation stops counting if not settled
     * @return whether it was granted, with the counters after it (granted) or as they are (refused)
     */
    Mono<Reservation> reserve(Key key, UUID reservation, Spend amount, @Nullable BudgetLimits hardLimits, Instant now,
                              Instant expiresAt);

    /**
     * Ends a reservation: what it holds (nothing if it expired or never existed) stops counting and the actual spend
     * is added.
     *
     * @param key the budget, subject and period of the reservation
     * @param reservation its id
     * @param actual what the call actually spent
     * @return the spend before and the counters after
     */
    Mono<Settlement> settle(Key key, UUID reservation, Spend actual);

    /**
     * @param key a budget, subject and period
     * @param now the current time: expired reservations do not count
     * @return its counters (zero when nothing was ever held)
     */
    Mono<Counters> counters(Key key, Instant now);

    /**
     * @param budget a budget's name
     * @param window one of its periods
     * @param now the current time
     * @return the counters of every subject with spend or reservations in that period
     */
    Flux<SubjectCounters> subjects(String budget, BudgetWindow window, Instant now);

    /**
     * One period of one subject of one budget.
     *
     * @param budget the budget's name
     * @param subject the subject, empty for a budget not split by value
     * @param window the period
     */
    record Key(String budget, String subject, BudgetWindow window) {
        /**
         * @param budget the budget's name
         * @param subject the subject
         * @param window the period
         */
        public Key {
            Objects.requireNonNull(budget, "budget");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(window, "window");
        }
    }

    /**
     * What a period holds.
     *
     * @param spent settled spend
     * @param reserved reserved and not yet settled (unexpired)
     */
    record Counters(Spend spent, Spend reserved) {
        /** Nothing held. */
        public static final Counters ZERO = new Counters(Spend.ZERO, Spend.ZERO);

        /**
         * @return spent plus reserved
         */
        public Spend committed() {
            return spent.plus(reserved);
        }
    }

    /**
     * The answer to a reservation.
     *
     * @param granted whether it was granted
     * @param counters the counters after it when granted, as they are when refused
     */
    record Reservation(boolean granted, Counters counters) {
    }

    /**
     * The answer to a settlement.
     *
     * @param spentBefore the settled spend before it
     * @param after the counters after it
     */
    record Settlement(Spend spentBefore, Counters after) {
    }

    /**
     * The counters of one subject.
     *
     * @param subject the subject
     * @param counters its counters
     */
    record SubjectCounters(String subject, Counters counters) {
    }
}
