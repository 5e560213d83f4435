package dev.spectra.reactive.budget;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How a budget's spend resets: each calendar day, week or month in a time zone (a day of 23 or 25 hours across a
 * daylight-saving change is one day), or fixed-length windows following each other from an anchor instant.
 *
 * @since 0.2
 */
public final class BudgetPeriod {

    private enum Kind { DAY, WEEK, MONTH, FIXED }

    private final Kind kind;
    private final ZoneId zone;
    private final DayOfWeek firstDay;
    private final @Nullable Duration length;
    private final Instant anchor;

    private BudgetPeriod(Kind kind, ZoneId zone, DayOfWeek firstDay, @Nullable Duration length, Instant anchor) {
        this.kind = kind;
        this.zone = zone;
        this.firstDay = firstDay;
        this.length = length;
        this.anchor = anchor;
    }

    /**
     * @param zone the time zone whose midnight starts a day
     * @return calendar days
     */
    public static BudgetPeriod daily(ZoneId zone) {
        return new BudgetPeriod(Kind.DAY, Objects.requireNonNull(zone, "zone"), DayOfWeek.MONDAY, null, Instant.EPOCH);
    }

    /**
     * @param zone the time zone
     * @return calendar weeks starting on Monday (ISO)
     */
    public static BudgetPeriod weekly(ZoneId zone) {
        return weekly(zone, DayOfWeek.MONDAY);
    }

    /**
     * @param zone the time zone
     * @param firstDay the day a week starts on
     * @return calendar weeks
     */
    public static BudgetPeriod weekly(ZoneId zone, DayOfWeek firstDay) {
        return new BudgetPeriod(Kind.WEEK, Objects.requireNonNull(zone, "zone"),
                Objects.requireNonNull(firstDay, "firstDay"), null, Instant.EPOCH);
    }

    /**
     * @param zone the time zone
     * @return calendar months
     */
    public static BudgetPeriod monthly(ZoneId zone) {
        return new BudgetPeriod(Kind.MONTH, Objects.requireNonNull(zone, "zone"), DayOfWeek.MONDAY, null,
                Instant.EPOCH);
    }

    /**
     * Windows of a fixed length, one after the other from an anchor (e.g. every 6 hours from midnight UTC).
     *
     * @param length the window length, at least one second
     * @param anchor an instant at which a window starts
     * @return the period
     */
    public static BudgetPeriod every(Duration length, Instant anchor) {
        Objects.requireNonNull(length, "length");
        Objects.requireNonNull(anchor, "anchor");
        if (length.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("a budget period is at least one second long, was " + length);
        }
        return new BudgetPeriod(Kind.FIXED, java.time.ZoneOffset.UTC, DayOfWeek.MONDAY, length, anchor);
    }

    /**
     * @param now an instant
     * @return the window holding it
     */
    public BudgetWindow window(Instant now) {
        if (kind == Kind.FIXED) {
            long len = Objects.requireNonNull(length).toMillis();
            long since = now.toEpochMilli() - anchor.toEpochMilli();
            long start = anchor.toEpochMilli() + Math.floorDiv(since, len) * len;
            return new BudgetWindow(Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + len));
        }
        LocalDate day = now.atZone(zone).toLocalDate();
        LocalDate first = switch (kind) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(firstDay));
            case MONTH -> day.withDayOfMonth(1);
            case FIXED -> throw new AssertionError();
        };
        LocalDate next = switch (kind) {
            case DAY -> first.plusDays(1);
            case WEEK -> first.plusWeeks(1);
            case MONTH -> first.plusMonths(1);
            case FIXED -> throw new AssertionError();
        };
        return new BudgetWindow(first.atStartOfDay(zone).toInstant(), next.atStartOfDay(zone).toInstant());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BudgetPeriod p && p.kind == kind && p.zone.equals(zone) && p.firstDay == firstDay
                && Objects.equals(p.length, length) && p.anchor.equals(anchor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, zone, firstDay, length, anchor);
    }

    /**
     * @return e.g. {@code day@Europe/Paris}, {@code week(MONDAY)@UTC}, {@code every PT6H from 1970-01-01T00:00:00Z}
     */
    @Override
    public String toString() {
        return switch (kind) {
            case DAY -> "day@" + zone;
            case WEEK -> "week(" + firstDay + ")@" + zone;
            case MONTH -> "month@" + zone;
            case FIXED -> "every " + length + " from " + anchor;
        };
    }
}
