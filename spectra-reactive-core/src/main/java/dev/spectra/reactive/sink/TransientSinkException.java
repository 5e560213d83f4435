package dev.spectra.reactive.sink;

/**
 * Signals a sink failure that may go away on retry (connection lost, server restarting); the {@link Recorder}
 * retries the batch with backoff.
 *
 * @since 0.1
 */
public class TransientSinkException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the underlying error
     */
    public TransientSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
