package dev.spectra.reactive.r2dbc;

import java.util.List;

import dev.spectra.reactive.TrackedRequest;
import org.jspecify.annotations.Nullable;

/**
 * One page of a search.
 *
 * @param items the requests of this page, in the query's order
 * @param nextCursor the cursor of the next page ({@link RequestQuery.Builder#after}), or null when this is the
 *        last page
 * @since 0.1
 */
public record RequestPage(List<TrackedRequest> items, @Nullable String nextCursor) {

    /**
     * Copies the items.
     *
     * @param items the requests of the page
     * @param nextCursor the next cursor, or null on the last page
     */
    public RequestPage {
        items = List.copyOf(items);
    }

    /**
     * @return whether there is a next page
     */
    public boolean hasNext() {
        return nextCursor != null;
    }
}
