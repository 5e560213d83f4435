package dev.spectra.reactive.internal;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Counts writes that started and finished (either way), so that {@link #drained()} can wait for every write
 * started before it, without polling and without holding a lock. Used by direct delivery, whose writes run
 * concurrently, each on its own subscription.
 */
public final class PendingWrites {

    private final AtomicLong started = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

    private record Waiter(long target, Sinks.Empty<Void> done) {
    }

    /** A write started; call {@link #finished()} exactly once when it ends. */
    public void started() {
        started.incrementAndGet();
    }

    /** A started write ended, written or failed. */
    public void finished() {
        finished.incrementAndGet();
        if (!waiters.isEmpty()) {
            release();
        }
    }

    /** @return writes started and not finished yet */
    public long inFlight() {
        return started.get() - finished.get();
    }

    /**
     * @return completes when every write started before subscription has finished (at once when none is in
     *         flight); writes started later are not waited for
     */
    public Mono<Void> drained() {
        return Mono.defer(() -> {
            long target = started.get();
            if (finished.get() >= target) {
                return Mono.empty();
            }
            Sinks.Empty<Void> done = Sinks.empty();
            waiters.add(new Waiter(target, done));
            release(); // the last write may have finished between the check and the add
            return done.asMono();
        });
    }

    private void release() {
        long now = finished.get();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (now >= w.target() && waiters.remove(w)) {
                w.done().tryEmitEmpty();
            }
        }
    }
}
