package dev.spectra.reactive.r2dbc;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keyset paging over 400 generated requests full of ties and unknown values, compared with a reference order
 * computed here; then paging while other requests are inserted.
 */
@ExtendWith(PostgresExtension.class)
class KeysetPagingIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Instant BASE = Instant.parse("2025-05-01T00:00:00Z");
    private static final Map<String, String> SEEDED = Map.of("set", "seeded");

    private static R2dbcSpectraSink sink;
    private static SpectraRequests requests;
    private static List<TrackedRequest> seeded;

    @BeforeAll
    static void seed(TestDatabase db) {
        sink = R2dbcSpectraSink.create(R2dbcSinkOptions.builder().url(db.url()).schema(db.schemaName()).build());
        requests = sink.requests();
        seeded = generate(new Random(11), 400, SEEDED);
        sink.write(seeded).block(TIMEOUT);
    }

    @AfterAll
    static void close() {
        sink.close().block(TIMEOUT);
    }

    @Test
    void everyOrderPagesThroughTiesAndUnknownValuesWithoutGapsOrDuplicates() {
        RequestFilter onlySeeded = RequestFilter.builder().metadataContains(SEEDED).build();
        for (RequestSort sort : RequestSort.values()) {
            for (boolean ascending : new boolean[] {true, false}) {
                List<UUID> expected = seeded.stream().sorted(order(sort, ascending)).map(TrackedRequest::id).toList();

                List<UUID> paged = pageThrough(onlySeeded, sort, ascending, 37, page -> { });

                assertThat(paged).as("%s %s", sort, ascending ? "asc" : "desc").containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void insertsBehindTheCursorAreNeverSeenAndInsertsAheadAreSeenOnce() {
        Random random = new Random(5);
        RequestFilter batchOnly = RequestFilter.builder().metadataContains(Map.of("set", "interleaved")).build();
        List<TrackedRequest> initial = generate(random, 120, Map.of("set", "interleaved"));
        sink.write(initial).block(TIMEOUT);
        List<TrackedRequest> aheadWhenInserted = new ArrayList<>();
        Comparator<TrackedRequest> newestFirst = order(RequestSort.STARTED_AT, false);

        List<TrackedRequest> lastOfPage = new ArrayList<>();
        List<UUID> seen = pageThrough(batchOnly, RequestSort.STARTED_AT, false, 25, page -> {
            TrackedRequest cursor = page.items().get(page.items().size() - 1);
            lastOfPage.add(cursor);
            List<TrackedRequest> inserted = new ArrayList<>();
            Map<String, String> md = Map.of("set", "interleaved");
            inserted.add(at(BASE.plusSeconds(100_000), md));                    // newer than all: behind
            inserted.add(at(cursor.startedAt(), md));                           // same instant: either side by id
            inserted.add(at(cursor.startedAt(), md));
            inserted.add(at(cursor.startedAt().minusMillis(1), md));           // just ahead
            inserted.add(at(BASE.minusSeconds(100_000 + random.nextInt(1000)), md));   // older than all: ahead
            for (TrackedRequest r : inserted) {
                if (newestFirst.compare(r, cursor) > 0) {
                    aheadWhenInserted.add(r);
                }
            }
            sink.write(inserted).block(TIMEOUT);
        });

        assertThat(new HashSet<>(seen)).as("no duplicates").hasSameSizeAs(seen);
        List<TrackedRequest> expected = new ArrayList<>(initial);
        expected.addAll(aheadWhenInserted);
        List<UUID> expectedIds = expected.stream().sorted(newestFirst).map(TrackedRequest::id).toList();
        assertThat(seen).containsExactlyElementsOf(expectedIds);
        assertThat(aheadWhenInserted).hasSizeGreaterThan(lastOfPage.size() * 2);   // the test inserted on both sides
    }

    @Test
    void pagingWhileAnotherWriterInsertsConcurrently() throws Exception {
        RequestFilter concurrent = RequestFilter.builder().metadataContains(Map.of("set", "concurrent")).build();
        List<TrackedRequest> initial = generate(new Random(8), 200, Map.of("set", "concurrent"));
        sink.write(initial).block(TIMEOUT);
        AtomicBoolean writing = new AtomicBoolean(true);
        Random random = new Random(9);
        List<TrackedRequest> written = java.util.Collections.synchronizedList(new ArrayList<>());
        // One batch after another (never two at once), until paging is over.
        Disposable writer = Mono.defer(() -> {
                    List<TrackedRequest> batch = generate(random, 10, Map.of("set", "concurrent"));
                    written.addAll(batch);
                    return sink.write(batch);
                })
                .then(Mono.delay(Duration.ofMillis(2)))
                .repeat(writing::get)
                .subscribeOn(Schedulers.boundedElastic())
                .subscribe();
        List<UUID> seen;
        try {
            // After each page, let the writer land at least one more batch before asking for the next.
            int[] before = {0};
            seen = pageThrough(concurrent, RequestSort.TOTAL_COST, false, 20, page -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (written.size() <= before[0] + 10 && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(Duration.ofMillis(2).toNanos()); // the writer has the cores
                }
                before[0] = written.size();
            });
        } finally {
            writing.set(false);
            writer.dispose();
        }

        assertThat(new HashSet<>(seen)).as("no duplicates").hasSameSizeAs(seen);
        assertThat(seen).as("every request that existed before paging began")
                .containsAll(initial.stream().map(TrackedRequest::id).toList());
        assertThat(written).as("the writer inserted between pages").hasSizeGreaterThanOrEqualTo(100);
        assertThat(seen).as("some concurrent inserts landed ahead of the cursor")
                .hasSizeGreaterThan(initial.size());
        Map<UUID, TrackedRequest> byId = new java.util.HashMap<>();
        initial.forEach(r -> byId.put(r.id(), r));
        written.forEach(r -> byId.put(r.id(), r));
        List<TrackedRequest> inOrder = seen.stream().map(byId::get).toList();
        assertThat(inOrder).as("pages continue the order").isSortedAccordingTo(order(RequestSort.TOTAL_COST, false));
    }

    /** Pages through a search, calling back after each page, and returns the ids in the order seen. */
    private static List<UUID> pageThrough(RequestFilter filter, RequestSort sort, boolean ascending, int limit,
                                          java.util.function.Consumer<RequestPage> afterPage) {
        List<UUID> ids = new ArrayList<>();
        @Nullable String cursor = null;
        int pages = 0;
        do {
            RequestQuery.Builder q = RequestQuery.builder().filter(filter).sortBy(sort).limit(limit).after(cursor);
            RequestPage page = requests.search((ascending ? q.ascending() : q.descending()).build()).block(TIMEOUT);
            page.items().forEach(r -> ids.add(r.id()));
            cursor = page.nextCursor();
            if (cursor != null) {
                afterPage.accept(page);
            }
            assertThat(++pages).as("pages").isLessThan(1000);
        } while (cursor != null);
        return ids;
    }

    /** The order the database must produce: value (unknown last in both directions), then id, unsigned bytes. */
    static Comparator<TrackedRequest> order(RequestSort sort, boolean ascending) {
        Function<TrackedRequest, @Nullable Comparable<?>> key = switch (sort) {
            case STARTED_AT -> TrackedRequest::startedAt;
            case TOTAL_COST -> TrackedRequest::totalCost;
            case TOTAL_TOKENS -> TrackedRequest::totalTokens;
            case LATENCY -> TrackedRequest::latencyMs;
        };
        return (a, b) -> {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Comparable<Object> x = (Comparable) key.apply(a);
            Object y = key.apply(b);
            int c;
            if (x == null || y == null) {
                c = x == null && y == null ? 0 : x == null ? 1 : -1;     // nulls last, whatever the direction
                if (c != 0) {
                    return c;
                }
            } else {
                c = ascending ? x.compareTo(y) : -x.compareTo(y);
                if (c != 0) {
                    return c;
                }
            }
            int ids = Long.compareUnsigned(a.id().getMostSignificantBits(), b.id().getMostSignificantBits());
            if (ids == 0) {
                ids = Long.compareUnsigned(a.id().getLeastSignificantBits(), b.id().getLeastSignificantBits());
            }
            return ascending ? ids : -ids;
        };
    }

    /** Many ties: 40 start instants, 10 costs and unpriced, 12 token totals and unknown usage, 15 latencies. */
    private static List<TrackedRequest> generate(Random random, int n, Map<String, String> metadata) {
        List<TrackedRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant start = BASE.plusSeconds(60L * random.nextInt(40));
            TrackedRequest.Builder b = at(start, metadata).toBuilder()
                    .id(new UUID(random.nextLong(), random.nextLong()))     // random ids: ties broken anywhere
                    .latencyMs(10L * (1 + random.nextInt(15)))
                    .pricingStatus(null);
            int usage = random.nextInt(13);
            if (usage < 12) {
                b.usage(Usage.of(100L * usage, 10L * usage));
                int cost = random.nextInt(11);
                if (cost < 10) {
                    b.cost(Cost.of(new BigDecimal("0.001").multiply(BigDecimal.valueOf(cost)), BigDecimal.ZERO));
                }
            }
            out.add(b.build());
        }
        return out;
    }

    private static TrackedRequest at(Instant start, Map<String, String> metadata) {
        return Records.minimal(start).toBuilder().id(new UUID(new Random().nextLong(), new Random().nextLong()))
                .metadata(metadata).build();
    }
}
