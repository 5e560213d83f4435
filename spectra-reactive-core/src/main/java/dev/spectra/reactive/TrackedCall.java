package dev.spectra.reactive;

import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.provider.ResponseDetails;
import org.jspecify.annotations.Nullable;
import reactor.util.Loggers;

/**
 * A call being tracked by a capture path other than Spectra's operators: an HTTP client filter (Spectra's own
 * {@code SpectraExchangeFilter} uses it), an SDK interceptor, a gRPC client. Start one with
 * {@link SpectraTracker#startCall}, tell it what the request and response say as they pass, and end it exactly
 * once with {@link #succeed()}, {@link #fail} or {@link #cancel()}: the first of those records the call; later
 * ones return false and change nothing.
 *
 * <p>Thread-safe. Spectra implements this interface; do not implement it yourself.
 *
 * @since 0.1
 */
public interface TrackedCall extends RequestContext {

    /**
     * @param model the requested model, when only known after the start (e.g. read from the request body)
     * @return this call
     */
    TrackedCall model(String model);

    /**
     * @param path the URL path called; a query string is dropped
     * @return this call
     */
    TrackedCall endpoint(String path);

    /**
     * @param operation e.g. {@code chat}, {@code embeddings}
     * @return this call
     */
    TrackedCall operation(String operation);

    /**
     * @param type the model type
     * @return this call
     */
    TrackedCall modelType(ModelType type);

    /**
     * @param streaming whether the response is streamed (adds {@code streaming: true} to the metadata)
     * @return this call
     */
    TrackedCall streaming(boolean streaming);

    /**
     * @param status the HTTP status of the response
     * @return this call
     */
    TrackedCall httpStatus(int status);

    /**
     * Notes that a chunk of the response arrived: the first one sets the time to first token, each one counts.
     */
    void chunkArrived();

    /**
     * What the response said (model, id, usage, finish reason, tool calls, tier, error); replaces earlier details.
     *
     * @param details the details
     */
    void responseDetails(ResponseDetails details);

    /**
     * Records the call as a success.
     *
     * @return true when this recorded it, false when it was already recorded
     */
    boolean succeed();

    /**
     * Records the call as a failure; the error type and message come from the response details when they carry
     * them, else from the exception.
     *
     * @param error the exception, or null (an HTTP error status with a provider error body)
     * @return true when this recorded it
     */
    boolean fail(@Nullable Throwable error);

    /**
     * Records the call as cancelled, with whatever usage arrived.
     *
     * @return true when this recorded it
     */
    boolean cancel();

    /**
     * @return whether the call has been recorded (or ended untracked)
     */
    boolean isRecorded();

    /**
     * Reports that the integration driving this call failed while observing it (the call itself goes on):
     * counted in {@link TrackerStats#trackingErrors()} and logged, rate-limited. Never throws, except a
     * {@link VirtualMachineError} given to it. The default only logs; the trackers' calls count too.
     *
     * @param what what was being done, e.g. {@code "reading a response body"}
     * @param error the failure
     */
    default void trackingFailed(String what, Throwable error) {
        Fatal.rethrowIfFatal(error);
        Loggers.getLogger(TrackedCall.class).warn("Spectra failed while " + what + "; the call itself is not affected",
                error);
    }

    /**
     * Reports that the integration driving this call left its response unread for a reason of its own, not of
     * the response's content (the body passed a memory bound): the record's usage is unknown, and this is counted
     * in {@link TrackerStats#readFailures()} and logged, rate-limited. Never throws. The default only logs; the
     * trackers' calls count too.
     *
     * @param why what happened, for the log, e.g. {@code "Spectra did not read a 5000000-byte openai response:
     *        ..."}
     */
    default void responseUnread(String why) {
        Loggers.getLogger(TrackedCall.class).warn(why + "; its usage is recorded as unknown");
    }
}
