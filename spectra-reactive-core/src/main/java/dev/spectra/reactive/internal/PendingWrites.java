package dev.spectra.reactive.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Counts writes (in flight, written, failed) and tracks those in flight so that {@link #drained()} waits for exactly the writes started before it, however they
 * interleave with later ones, without polling and without a lock on the writing path.
 *
 * <p>Writes are counted per epoch. {@link #drained()} seals the current epoch (later writes count in a new one)
 * and completes when the sealed epoch and every epoch sealed before it have no write in flight. A write that
 * starts and ends quickly after a {@code drained()} therefore never stands in for an earlier one still running.
 * Used by direct delivery, whose writes run concurrently, each on its own subscription.
 */
public final class PendingWrites {

    /** The writes counted together between two {@link #drained()} calls. */
    public static final class Epoch {
        private final AtomicLong inFlight = new AtomicLong();
        private final Sinks.Empty<Void> done = Sinks.empty();
        private volatile boolean sealed;
        private final PendingWrites owner;

        private Epoch(PendingWrites owner) {
            this.owner = owner;
        }

        /**
         * A write of this epoch ended: call exactly once per {@link #started()}.
         *
         * @param written true when it was written, false when it failed
         */
        public void finished(boolean written) {
            (written ? owner.written : owner.failed).increment();
            if (inFlight.decrementAndGet() == 0 && sealed) {
                complete();
            }
        }

        private void complete() {
            if (done.tryEmitEmpty().isSuccess()) {
                owner.sealedEpochs.remove(this);
            }
        }
    }

    private final LongAdder written = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile Epoch current = new Epoch(this);
    /** Sealed epochs with writes still in flight (in practice zero or one). */
    private final ConcurrentLinkedQueue<Epoch> sealedEpochs = new ConcurrentLinkedQueue<>();

    /**
     * A write starts.
     *
     * @return its epoch: call {@link Epoch#finished(boolean)} on it exactly once when the write ends
     */
    public Epoch started() {
        Epoch e = current;
        e.inFlight.incrementAndGet();
        return e;
    }

    /** @return writes that ended written */
    public long written() {
        return written.sum();
    }

    /** @return writes that ended failed */
    public long failed() {
        return failed.sum();
    }

    /**
     * @return completes when every write started before subscription has finished (at once when none is in
     *         flight); a write started concurrently with the subscription may or may not be waited for, later ones
     *         never are
     */
    public Mono<Void> drained() {
        return Mono.defer(() -> {
            Epoch sealed;
            synchronized (this) {
                sealed = current;
                current = new Epoch(this);
                sealed.sealed = true;
                sealedEpochs.add(sealed);
            }
            if (sealed.inFlight.get() == 0) {
                sealed.complete();
            }
            List<Mono<Void>> waits = new ArrayList<>();
            for (Epoch e : sealedEpochs) {
                waits.add(e.done.asMono());
            }
            return waits.isEmpty() ? Mono.empty() : Mono.when(waits);
        });
    }
}
