package dev.spectra.reactive.sink;

import java.util.List;
import java.util.Objects;

import dev.spectra.reactive.TrackedRequest;

/**
 * Signals that a sink stored a batch except some records it refused for good (a constraint, bad data); the
 * {@link Recorder} counts those as failed and the rest as written, and does not retry.
 *
 * @since 0.1
 */
public class RejectedRecordsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * One refused record and why.
     *
     * @param record the record
     * @param reason why it was refused
     */
    public record Rejection(TrackedRequest record, String reason) {
        /**
         * Checks arguments.
         *
         * @param record the record
         * @param reason why it was refused
         */
        public Rejection {
            Objects.requireNonNull(record, "record");
            Objects.requireNonNull(reason, "reason");
        }
    }

    private final transient List<Rejection> rejections;

    /**
     * @param rejections the refused records, not empty
     */
    public RejectedRecordsException(List<Rejection> rejections) {
        super(rejections.size() + " record(s) rejected by the sink, first: " + (rejections.isEmpty() ? "-"
                : rejections.get(0).record().id() + ": " + rejections.get(0).reason()));
        this.rejections = List.copyOf(rejections);
    }

    /**
     * @return the refused records and their reasons
     */
    public List<Rejection> rejections() {
        return rejections;
    }
}
