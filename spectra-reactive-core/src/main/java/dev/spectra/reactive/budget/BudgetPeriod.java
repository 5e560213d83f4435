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
 * daylight-saving change is one day), fixed-length windows following each other from an anchor instant, or never:
 * a rolling window ("the last 24 hours") that spend leaves as time passes.
 *
 * <p>A rolling window is kept in buckets ({@link #rolling(Duration, Duration)}): a call counts in the bucket it
 * started in, and leaves the window when that whole bucket does. So spend counts for at least the window's length
 * minus one bucket and never longer than the window's length: with the default buckets (one minute for windows up
 * to a day, one hour for longer ones), the last 24 hours forget a call 23 h 59 min to 24 h after it started.
 *
 * @since 0.2
 */
public final class BudgetPeriod {

    private enum Kind { DAY, WEEK, MONTH, FIXED, ROLLING }

    private final Kind kind;
    private final ZoneId zone;
    private final DayOfWeek firstDay;
    private final @Nullable Duration length;
    private final Instant anchor;
    private final @Nullable Duration bucket;

    /** The bucket of a rolling window up to a day long: {@value} minute(s). */
    public static final int DEFAULT_SHORT_BUCKET_MINUTES = 1;
    /** The bucket of a rolling window longer than a day: {@value} hour(s). */
    public static final int DEFAULT_LONG_BUCKET_HOURS = 1;

    private BudgetPeriod(Kind kind, ZoneId zone, DayOfWeek firstDay, @Nullable Duration length, Instant anchor) {
        this(kind, zone, firstDay, length, anchor, null);
    }

    private BudgetPeriod(Kind kind, ZoneId zone, DayOfWeek firstDay, @Nullable Duration length, Instant anchor,
                         @Nullable Duration bucket) {
        this.kind = kind;
        this.zone = zone;
        this.firstDay = firstDay;
        this.length = length;
        this.anchor = anchor;
        this.bucket = bucket;
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
     * A rolling window kept in the default buckets: one minute for a window up to a day long, one hour for a longer
     * one (see the class comment for what that means for precision).
     *
     * @param length the window, e.g. {@code Duration.ofHours(24)}, {@code Duration.ofDays(7)} or
     *        {@code Duration.ofDays(30)}: a whole number of minutes (up to a day) or hours (longer)
     * @return the period
     */
    public static BudgetPeriod rolling(Duration length) {
        Objects.requireNonNull(length, "length");
        return rolling(length, length.compareTo(Duration.ofDays(1)) <= 0
                ? Duration.ofMinutes(DEFAULT_SHORT_BUCKET_MINUTES) : Duration.ofHours(DEFAULT_LONG_BUCKET_HOURS));
    }

    /**
     * A rolling window: its spend is what calls started in the last {@code length} spent, at the precision of one
     * bucket. Buckets are aligned on the epoch (UTC), so every instance sharing a store agrees on them.
     *
     * @param length the window
     * @param bucket the precision, at least one second; {@code length} is a whole number of buckets, at most
     *        100 000 of them
     * @return the period
     */
    public static BudgetPeriod rolling(Duration length, Duration bucket) {
        Objects.requireNonNull(length, "length");
        Objects.requireNonNull(bucket, "bucket");
        if (bucket.compareTo(Duration.ofSeconds(1)) < 0 || bucket.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException("a rolling budget's bucket is at least one second, in whole "
                    + "milliseconds, was " + bucket);
        }
        if (length.compareTo(bucket) < 0 || length.toMillis() % bucket.toMillis() != 0) {
            throw new IllegalArgumentException("a rolling budget's length is a whole number of its buckets: "
                    + length + " is not a multiple of " + bucket);
        }
        if (length.toMillis() / bucket.toMillis() > 100_000) {
            throw new IllegalArgumentException("a rolling budget holds at most 100000 buckets: " + length + " in "
                    + "buckets of " + bucket + " would be " + length.toMillis() / bucket.toMillis()
                    + "; use longer buckets");
        }
        return new BudgetPeriod(Kind.ROLLING, java.time.ZoneOffset.UTC, DayOfWeek.MONDAY, length, Instant.EPOCH,
                bucket);
    }

    /**
     * @return whether spend leaves the window as time passes ({@link #rolling}) rather than resetting
     */
    public boolean isRolling() {
        return kind == Kind.ROLLING;
    }

    /**
     * @param now an instant
     * @return the window holding it: for a rolling period, the window's length ending with the end of the bucket
     *         holding {@code now}
     */
    public BudgetWindow window(Instant now) {
        if (kind == Kind.ROLLING) {
            long b = Objects.requireNonNull(bucket).toMillis();
            long end = Math.floorDiv(now.toEpochMilli(), b) * b + b;
            return new BudgetWindow(Instant.ofEpochMilli(end - Objects.requireNonNull(length).toMillis()),
                    Instant.ofEpochMilli(end), bucket);
        }
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
            case FIXED, ROLLING -> throw new AssertionError();
        };
        LocalDate next = switch (kind) {
            case DAY -> first.plusDays(1);
            case WEEK -> first.plusWeeks(1);
            case MONTH -> first.plusMonths(1);
            case FIXED, ROLLING -> throw new AssertionError();
        };
        return new BudgetWindow(first.atStartOfDay(zone).toInstant(), next.atStartOfDay(zone).toInstant());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BudgetPeriod p && p.kind == kind && p.zone.equals(zone) && p.firstDay == firstDay
                && Objects.equals(p.length, length) && p.anchor.equals(anchor) && Objects.equals(p.bucket, bucket);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, zone, firstDay, length, anchor, bucket);
    }

    /**
     * @return e.g. {@code day@Europe/Paris}, {@code week(MONDAY)@UTC}, {@code every PT6H from 1970-01-01T00:00:00Z},
     *         {@code rolling PT24H in PT1M}
     */
    @Override
    public String toString() {
        return switch (kind) {
            case DAY -> "day@" + zone;
            case WEEK -> "week(" + firstDay + ")@" + zone;
            case MONTH -> "month@" + zone;
            case FIXED -> "every " + length + " from " + anchor;
            case ROLLING -> "rolling " + length + " in " + bucket;
        };
    }
}
