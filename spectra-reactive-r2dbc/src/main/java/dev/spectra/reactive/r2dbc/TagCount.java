package dev.spectra.reactive.r2dbc;

import java.util.Objects;

/**
 * How many stored requests carry a tag; what {@link SpectraRequests#tagCounts} returns, most used first.
 *
 * @param tag the tag
 * @param requests how many requests carry it
 * @since 0.1
 */
public record TagCount(String tag, long requests) {

    /**
     * Checks the arguments.
     *
     * @param tag the tag
     * @param requests how many requests carry it
     */
    public TagCount {
        Objects.requireNonNull(tag, "tag");
        if (requests < 0) {
            throw new IllegalArgumentException("requests must not be negative, was " + requests);
        }
    }
}
