package dev.spectra.reactive.internal;

/**
 * The metadata size bound applied where no tracker is known yet (Context writers, {@code TrackOptions},
 * globals): the bound of the global tracker, kept here when {@code Spectra.configure} installs one.
 */
public final class Limits {

    /** Default bound on a request's serialised metadata: 16 KiB. */
    public static final int DEFAULT_METADATA_MAX_BYTES = 16 * 1024;

    private static volatile int metadataMaxBytes = DEFAULT_METADATA_MAX_BYTES;

    private Limits() {
    }

    /**
     * @return the bound for writes that have no tracker
     */
    public static int metadataMaxBytes() {
        return metadataMaxBytes;
    }

    /**
     * @param bytes the global tracker's bound
     */
    public static void metadataMaxBytes(int bytes) {
        metadataMaxBytes = bytes;
    }

    /**
     * Checks a short identifier (trace id, conversation id).
     *
     * @param what its name, for the message
     * @param value the value
     * @param max the longest allowed
     * @return the value
     * @throws IllegalArgumentException when null, blank or too long
     */
    public static String checkId(String what, String value, int max) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be null or blank");
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(what + " must be at most " + max + " characters, was " + value.length());
        }
        return value;
    }
}
