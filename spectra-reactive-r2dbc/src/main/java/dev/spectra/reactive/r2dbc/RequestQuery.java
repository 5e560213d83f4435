package dev.spectra.reactive.r2dbc;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A search: which requests ({@link RequestFilter}), in which order ({@link RequestSort}, ascending or
 * descending), how many per page, and from where ({@code after}, the cursor of the previous page).
 *
 * <p>Paging is by keyset, not offset: a page starts strictly after the (sort value, id) of the previous page's
 * last request, so requests inserted while a client pages through results never shift a page (no duplicates, no
 * gaps among the requests that existed when paging began); requests inserted ahead of the cursor show up in later
 * pages.
 *
 * <pre>{@code
 * RequestQuery first = RequestQuery.builder().filter(filter).sortBy(RequestSort.TOTAL_COST).limit(100).build();
 * RequestPage page = requests.search(first).block();         // in a test or main; never on a reactive thread
 * RequestQuery next = first.toBuilder().after(page.nextCursor()).build();
 * }</pre>
 *
 * @param filter which requests
 * @param sort the order
 * @param ascending true for ascending, false for descending
 * @param limit page size, 1 to {@value #MAX_LIMIT}
 * @param after the cursor of the previous page, null for the first page; must come from a query with the same
 *        sort and direction
 * @since 0.1
 */
public record RequestQuery(RequestFilter filter, RequestSort sort, boolean ascending, int limit,
                           @Nullable String after) {

    /** Default page size. */
    public static final int DEFAULT_LIMIT = 50;
    /** Largest page size. */
    public static final int MAX_LIMIT = 1000;

    /**
     * Validates.
     * not one, or a cursor of another sort or direction
     *
     * @param filter which requests
     * @param sort the order
     * @param ascending true for ascending
     * @param limit page size
     * @param after cursor of the previous page, or null
     * @throws IllegalArgumentException naming the parameter that is wrong: a limit out of range, a cursor that is
     */
    public RequestQuery {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(sort, "sort");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        if (after != null) {
            Cursor cursor = Cursor.decode(after);
            if (cursor.sort() != sort || cursor.ascending() != ascending) {
                throw new IllegalArgumentException("after: the cursor was issued for sort " + cursor.sort()
                        + (cursor.ascending() ? " ascending" : " descending") + ", not " + sort
                        + (ascending ? " ascending" : " descending"));
            }
        }
    }

    /**
     * The first page of the newest requests matching a filter, {@value #DEFAULT_LIMIT} per page.
     *
     * @param filter which requests
     * @return the query
     */
    public static RequestQuery of(RequestFilter filter) {
        return builder().filter(filter).build();
    }

    /**
     * A builder: all requests, newest first ({@link RequestSort#STARTED_AT} descending), {@value #DEFAULT_LIMIT}
     * per page, first page.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this query, for the next page: {@code query.toBuilder().after(page.nextCursor()).build()}.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.filter = filter;
        b.sort = sort;
        b.ascending = ascending;
        b.limit = limit;
        b.after = after;
        return b;
    }

    /** Builds a {@link RequestQuery}. */
    public static final class Builder {
        private RequestFilter filter = RequestFilter.all();
        private RequestSort sort = RequestSort.STARTED_AT;
        private boolean ascending;
        private int limit = DEFAULT_LIMIT;
        private @Nullable String after;

        private Builder() {
        }

        /**
         * @param filter which requests
         * @return this builder
         */
        public Builder filter(RequestFilter filter) {
            this.filter = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /**
         * @param sort the order
         * @return this builder
         */
        public Builder sortBy(RequestSort sort) {
            this.sort = Objects.requireNonNull(sort, "sort");
            return this;
        }

        /**
         * Smallest first.
         * @return this builder
         */
        public Builder ascending() {
            this.ascending = true;
            return this;
        }

        /**
         * Largest (newest) first; the default.
         * @return this builder
         */
        public Builder descending() {
            this.ascending = false;
            return this;
        }

        /**
         * @param limit page size, 1 to {@value RequestQuery#MAX_LIMIT}
         * @return this builder
         */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        /**
         * @param cursor the previous page's {@link RequestPage#nextCursor()}, null for the first page
         * @return this builder
         */
        public Builder after(@Nullable String cursor) {
            this.after = cursor;
            return this;
        }

        /**
         * @return the query
         * @throws IllegalArgumentException naming the parameter that is wrong
         */
        public RequestQuery build() {
            return new RequestQuery(filter, sort, ascending, limit, after);
        }
    }
}
