package dev.spectra.reactive.web.internal;

import java.util.concurrent.atomic.AtomicInteger;

/** How many reads run at once: a permit per read, none waiting; a read without a permit is answered 503. */
final class ReadLimiter {

    private final int max;
    private final AtomicInteger running = new AtomicInteger();

    ReadLimiter(int max) {
        this.max = max;
    }

    boolean tryAcquire() {
        while (true) {
            int now = running.get();
            if (now >= max) {
                return false;
            }
            if (running.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void release() {
        running.decrementAndGet();
    }
}
