package dev.spectra.reactive;

import java.util.Objects;

import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * A task that runs with what its submitter's thread carried ({@link Spectra#withThreadContext}). A task
 * submitted by a carried task carries nothing: that thread then runs for another caller, whose metadata must not
 * be given to this task.
 */
final class CarriedTask {

    private static final ThreadLocal<Boolean> RUNNING = new ThreadLocal<>();

    private CarriedTask() {
    }

    /**
     * @param task the task
     * @return the task, run in a scope of the current thread's attributes and tracker
     */
    static Runnable of(Runnable task) {
        Objects.requireNonNull(task, "task");
        ContextView submitter = RUNNING.get() != null ? Context.empty() : Spectra.threadContext();
        return () -> {
            boolean outer = RUNNING.get() == null;
            SpectraScope scope = new SpectraScope(CallAttributes.in(submitter), BoundTracker.in(submitter));
            RUNNING.set(Boolean.TRUE);
            try {
                task.run();
            } finally {
                if (outer) {
                    RUNNING.remove();
                }
                scope.close();
            }
        };
    }
}
