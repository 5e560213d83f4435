package dev.spectra.reactive.budget;

import dev.spectra.reactive.TrackedCall;
import dev.spectra.reactive.TrackedRequest;
import org.jspecify.annotations.Nullable;

/**
 * One call's reservation against its budgets, held by an integration that sees the call's bytes rather than
 * subscribing to it: an HTTP client filter or interceptor, which learns the model and {@code max_tokens} only as the
 * request body is written ({@link SpectraBudgets#hold}). The integration shows it the streamed chunks, cuts the
 * stream off when it is told to, and ends it with the call's record. Thread-safe; chunks are shown serially.
 *
 * @since 0.2
 */
public interface BudgetHold {

    /**
     * The call's handle, so that a stream cut off is recorded with the usage estimated
     * ({@link SpectraBudgets#USAGE_ESTIMATED_KEY}) and the budget that cut it ({@link SpectraBudgets#CUT_OFF_KEY}).
     *
     * @param call the call the integration records
     */
    void track(TrackedCall call);

    /**
     * A streamed chunk arrived: its output tokens are estimated with the budgets' chunk estimate, and more is
     * reserved when the running cost passes what is held.
     *
     * @param chunk the chunk (for an HTTP stream, the event's JSON as a {@code JsonNode})
     * @return null to pass the chunk on; the refusal to end the stream with, once a hard budget refuses (the
     *         stream is then marked cut off: cancel it upstream and do not pass this chunk on)
     */
    @Nullable BudgetExceededException chunk(Object chunk);

    /**
     * The call ended: the reservation is replaced by the record's cost (or, without a record or usage, by the
     * estimate of what was consumed). Once; later calls do nothing. Never blocks: the store is written
     * asynchronously, its failures counted in {@link SpectraBudgets#storeFailures()}.
     *
     * @param record the call's record, or null when it was not recorded
     */
    void end(@Nullable TrackedRequest record);
}
