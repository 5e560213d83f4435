package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A call refused, or a stream cut off, because it would cross a hard budget's limit. The provider was not called
 * (refused) or its stream was cancelled (cut off).
 *
 * @since 0.2
 */
public final class BudgetExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String budget;
    private final String subject;
    private final BudgetDimension dimension;
    private final BigDecimal spent;
    private final BigDecimal limit;
    private final Instant periodEnd;

    /**
     * @param budget the budget's name
     * @param subject the subject (the metadata value or owner id of a budget split by value, else empty)
     * @param dimension the unit whose limit would be crossed
     * @param spent what was spent and reserved in that unit when the call was refused
     * @param limit the limit in that unit
     * @param periodEnd when the budget's period ends and its spend resets; for a rolling budget, the end of the
     *        current bucket, the first instant some spend may leave its window
     */
    public BudgetExceededException(String budget, String subject, BudgetDimension dimension, BigDecimal spent,
                                   BigDecimal limit, Instant periodEnd) {
        super("budget \"" + budget + "\"" + (subject.isEmpty() ? "" : " for \"" + subject + "\"") + ": "
                + dimension.id() + " limit " + limit.stripTrailingZeros().toPlainString() + " reached ("
                + spent.stripTrailingZeros().toPlainString() + " spent or reserved); resets at " + periodEnd);
        this.budget = budget;
        this.subject = subject;
        this.dimension = dimension;
        this.spent = spent;
        this.limit = limit;
        this.periodEnd = periodEnd;
    }

    /**
     * @return the budget's name
     */
    public String budget() {
        return budget;
    }

    /**
     * @return the subject, empty for a budget that is not split by value
     */
    public String subject() {
        return subject;
    }

    /**
     * @return the unit whose limit would be crossed
     */
    public BudgetDimension dimension() {
        return dimension;
    }

    /**
     * @return spent and reserved in that unit
     */
    public BigDecimal spent() {
        return spent;
    }

    /**
     * @return the limit in that unit
     */
    public BigDecimal limit() {
        return limit;
    }

    /**
     * @return when the period ends (for a rolling budget: when the current bucket ends, the first instant some
     *         spend may leave the window)
     */
    public Instant periodEnd() {
        return periodEnd;
    }
}
