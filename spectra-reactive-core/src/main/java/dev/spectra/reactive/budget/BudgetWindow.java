package dev.spectra.reactive.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One period of a budget: from {@code start} (inclusive) to {@code end} (exclusive).
 *
 * <p>A calendar or fixed period has no {@code bucket}: its spend belongs to it alone and a new period starts from
 * zero. A rolling period ({@link BudgetPeriod#rolling}) has one: its spend is kept per bucket of that length, the
 * window is the buckets from {@code start} to the end of the current bucket ({@code end}), and it slides by one
 * bucket at a time, so spend leaves it as time passes instead of resetting.
 *
 * @param start the first instant
 * @param end the first instant after it
 * @param bucket the bucket a rolling window's spend is kept in, null for a calendar or fixed period
 * @since 0.2
 */
public record BudgetWindow(Instant start, Instant end, @Nullable Duration bucket) {

    /**
     * @param start the first instant
     * @param end the first instant after it, after {@code start}
     * @param bucket for a rolling window, its bucket: positive, and the window's length a whole number of them
     */
    public BudgetWindow {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("a budget window ends after it starts: " + start + " .. " + end);
        }
        if (bucket != null && (bucket.isNegative() || bucket.isZero()
                || Duration.between(start, end).toMillis() % bucket.toMillis() != 0)) {
            throw new IllegalArgumentException("a rolling budget window is a whole number of buckets: " + start
                    + " .. " + end + " in buckets of " + bucket);
        }
    }

    /**
     * A calendar or fixed period.
     *
     * @param start the first instant
     * @param end the first instant after it, after {@code start}
     */
    public BudgetWindow(Instant start, Instant end) {
        this(start, end, null);
    }

    /**
     * @return its length
     */
    public Duration length() {
        return Duration.between(start, end);
    }

    /**
     * @return whether it is a rolling window, kept in buckets
     */
    public boolean rolling() {
        return bucket != null;
    }

    /**
     * @return the start of the current (last) bucket of a rolling window, where a call started in it is counted;
     *         {@code start} for a calendar or fixed period
     */
    public Instant currentBucketStart() {
        return bucket == null ? start : end.minus(bucket);
    }
}
