package dev.spectra.reactive.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One period of a budget: from {@code start} (inclusive) to {@code end} (exclusive).
 *
 * @param start the first instant
 * @param end the first instant after it
 * @since 0.2
 */
public record BudgetWindow(Instant start, Instant end) {

    /**
     * @param start the first instant
     * @param end the first instant after it, after {@code start}
     */
    public BudgetWindow {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("a budget window ends after it starts: " + start + " .. " + end);
        }
    }

    /**
     * @return its length
     */
    public Duration length() {
        return Duration.between(start, end);
    }
}
