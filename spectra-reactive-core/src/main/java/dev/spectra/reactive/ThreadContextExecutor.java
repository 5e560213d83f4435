package dev.spectra.reactive;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import dev.spectra.reactive.internal.context.ThreadContext;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * An executor service whose tasks carry what the submitting thread carries ({@link Spectra#withThreadContext}).
 * A task submitted by one of its own tasks (a client that starts a queued call when another ends, as OkHttp's
 * dispatcher does) carries nothing: the thread then runs for another caller, whose metadata must not be given to
 * this call.
 */
final class ThreadContextExecutor extends AbstractExecutorService {

    private static final ThreadLocal<Boolean> RUNNING = new ThreadLocal<>();

    private final ExecutorService delegate;

    ThreadContextExecutor(ExecutorService delegate) {
        this.delegate = Objects.requireNonNull(delegate, "executor");
    }

    /** The task, run with the submitter's attributes and tracker; the worker gets its own back afterwards. */
    static Runnable carrying(Runnable task) {
        Objects.requireNonNull(task, "task");
        ContextView submitter = RUNNING.get() != null ? Context.empty() : Spectra.threadContext();
        return () -> {
            Object previousAttributes = ThreadContext.attributes();
            Object previousTracker = ThreadContext.tracker();
            Boolean wasRunning = RUNNING.get();
            SpectraScope scope = new SpectraScope(CallAttributes.in(submitter), BoundTracker.in(submitter));
            RUNNING.set(Boolean.TRUE);
            try {
                task.run();
            } finally {
                if (wasRunning == null) {
                    RUNNING.remove();
                }
                scope.close();
                ThreadContext.attributes(previousAttributes);
                ThreadContext.tracker(previousTracker);
            }
        };
    }

    @Override
    public void execute(Runnable task) {
        delegate.execute(carrying(task));
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return delegate.awaitTermination(timeout, unit);
    }

    @Override
    public String toString() {
        return "ThreadContextExecutor{" + delegate + '}';
    }
}
