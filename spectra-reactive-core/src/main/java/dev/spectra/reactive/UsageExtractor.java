package dev.spectra.reactive;

import org.jspecify.annotations.Nullable;

/**
 * Reads usage out of a typed response (an SDK object, your own record) where Spectra's JSON readers cannot.
 * Given to {@link TrackOptions.Builder#usageExtractor}. For streams it is applied to every chunk of its type and
 * the last non-null result wins, so return the cumulative usage a chunk reports, or null.
 *
 * <p>An exception thrown here is counted and logged; the user's value passes on untouched and the record's usage
 * is left unknown.
 *
 * @param <T> the response (or chunk) type
 * @since 0.1
 */
@FunctionalInterface
public interface UsageExtractor<T> {

    /**
     * @param response a response or chunk
     * @return its usage, or null when it reports none
     */
    @Nullable Usage extract(T response);
}
