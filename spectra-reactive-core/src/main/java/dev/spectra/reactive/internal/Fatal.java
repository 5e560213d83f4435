package dev.spectra.reactive.internal;

/**
 * Which throwables tracking code lets escape. Unlike Reactor's {@code Exceptions.throwIfJvmFatal}, a
 * {@link LinkageError} (a class that failed to initialise, an optional dependency missing) is treated as a tracking
 * failure, counted and logged, because it must not break the user's pipeline; only a {@link VirtualMachineError}
 * (out of memory, stack overflow) is rethrown.
 */
public final class Fatal {

    private Fatal() {
    }

    /**
     * @param t a throwable caught by tracking code
     * @throws VirtualMachineError when {@code t} is one
     */
    public static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError e) {
            throw e;
        }
    }
}
