package dev.spectra.reactive.testsupport.concurrency;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A read held on one thread until the test fails it from another, for stand-in connections whose reader must be
 * blocked at a known point: the stand-in's read throws {@link #holdThenFail()}, the test waits for
 * {@link #awaitReaderBlocked()}, ends the call its own way (a close, a cancel) and then {@link #failReads()}, which
 * returns only once the reader has seen its failure and told {@link #readerDone()}. So "the read fails while the
 * close is under way" is an order, not a race. Every wait gives up after 10 seconds.
 */
public final class BlockedRead {

    private static final long WAIT_SECONDS = 10;

    private final String failure;
    private final CountDownLatch blocked = new CountDownLatch(1);
    private final CountDownLatch fail = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);

    /**
     * @param failure the message of the {@link IOException} the held read fails with
     */
    public BlockedRead(String failure) {
        this.failure = failure;
    }

    /**
     * For the stand-in's read: holds it until {@link #failReads()}, then gives the failure to throw.
     *
     * @return the failure, or a note that the test never failed the read
     */
    public IOException holdThenFail() {
        blocked.countDown();
        try {
            if (!fail.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                return new IOException("the test never failed the read");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IOException(e);
        }
        return new IOException(failure);
    }

    /** Returns once the reader is held in {@link #holdThenFail()}. */
    public void awaitReaderBlocked() {
        await(blocked, "the reader to block");
    }

    /** Fails the held read and returns once the reader has seen it ({@link #readerDone()}). */
    public void failReads() {
        fail.countDown();
        await(done, "the reader to see its failure");
    }

    /** For the reader, once its read has ended, however it ended. */
    public void readerDone() {
        done.countDown();
    }

    private static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("waited " + WAIT_SECONDS + " s for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
