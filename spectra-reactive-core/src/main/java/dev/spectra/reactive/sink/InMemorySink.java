package dev.spectra.reactive.sink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.spectra.reactive.TrackedRequest;
import reactor.core.publisher.Mono;

/**
 * Keeps the newest records in memory, up to a bound; the default sink, so tracking works before any database
 * is configured. The oldest record is evicted when the bound is reached. Thread-safe.
 *
 * @since 0.1
 */
public final class InMemorySink implements SpectraSink {

    /** Default bound: {@value} records. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final int capacity;
    private final ArrayDeque<TrackedRequest> records;
    private final HashMap<UUID, TrackedRequest> byId;
    private long evicted;

    /** A sink of {@value #DEFAULT_CAPACITY} records. */
    public InMemorySink() {
        this(DEFAULT_CAPACITY);
    }

    /**
     * @param capacity how many records to keep, at least 1
     */
    public InMemorySink(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("InMemorySink capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.records = new ArrayDeque<>(Math.min(capacity, 1024));
        this.byId = new HashMap<>(Math.min(capacity, 1024) * 2);
    }

    @Override
    public Mono<Void> write(List<TrackedRequest> batch) {
        return Mono.fromRunnable(() -> store(batch));
    }

    private synchronized void store(List<TrackedRequest> batch) {
        for (TrackedRequest r : batch) {
            if (byId.containsKey(r.id())) {
                continue;
            }
            if (records.size() == capacity) {
                TrackedRequest old = records.removeFirst();
                byId.remove(old.id());
                evicted++;
            }
            records.addLast(r);
            byId.put(r.id(), r);
        }
    }

    /**
     * @param id a record id
     * @return the record, if still held
     */
    public synchronized Optional<TrackedRequest> findById(UUID id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * @return the held records, oldest first (a copy)
     */
    public synchronized List<TrackedRequest> records() {
        return new ArrayList<>(records);
    }

    /**
     * @return how many records are held
     */
    public synchronized int size() {
        return records.size();
    }

    /**
     * @return how many records were evicted to respect the bound
     */
    public synchronized long evicted() {
        return evicted;
    }

    /** Forgets every record. */
    public synchronized void clear() {
        records.clear();
        byId.clear();
    }

    /**
     * @return the bound
     */
    public int capacity() {
        return capacity;
    }

    @Override
    public String toString() {
        return "InMemorySink{capacity=" + capacity + "}";
    }
}
