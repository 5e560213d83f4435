package dev.spectra.reactive.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Logs a warning per kind of problem at most once per interval, with how many were suppressed in between, so a
 * sink that is down or a provider that keeps sending odd bodies cannot flood the log. Every line is scrubbed of
 * credentials and cut at 8,192 characters, and so is every message of an error logged with it.
 */
public final class RateLimitedLog {

    private static final long INTERVAL_NANOS = 60_000_000_000L;
    /** The longest line logged: {@value} characters. */
    private static final int MAX_LINE = 8192;
    /** The causes of an error scrubbed before it is logged, at most. */
    private static final int MAX_CAUSES = 16;

    private final Logger log;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        final AtomicLong lastNanos = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong suppressed = new AtomicLong();
    }

    /**
     * @param owner the class logging
     */
    public RateLimitedLog(Class<?> owner) {
        this.log = Loggers.getLogger(owner);
    }

    /**
     * Logs at warn level unless this kind was logged within the last minute.
     *
     * @param kind what went wrong, the rate-limit key (keep the set of kinds small)
     * @param message the message
     * @param error the error, or null
     */
    public void warn(String kind, String message, @Nullable Throwable error) {
        if (due(kind)) {
            log(kind, message, error);
        }
    }

    /**
     * Logs at warn level unless this kind was logged within the last minute, building the message only when it is
     * logged: for problems that can repeat on every call, so a suppressed line costs no string.
     *
     * @param kind what went wrong, the rate-limit key (keep the set of kinds small)
     * @param message the message, asked for only when the line is logged
     * @param error the error, or null
     */
    public void warn(String kind, Supplier<String> message, @Nullable Throwable error) {
        if (due(kind)) {
            log(kind, message.get(), error);
        }
    }

    /**
     * Logs at warn level unless this kind was logged within the last minute; the message is {@code prefix + detail1
     * + middle + detail2 + suffix}, joined only when the line is logged, so a suppressed line on a per-call path
     * allocates nothing (not even a lambda).
     *
     * @param kind what went wrong, the rate-limit key (keep the set of kinds small)
     * @param prefix the message's start
     * @param detail1 the first detail
     * @param middle the text between the details
     * @param detail2 the second detail
     * @param suffix the message's end
     */
    public void warn(String kind, String prefix, Object detail1, String middle, Object detail2, String suffix) {
        if (due(kind)) {
            log(kind, prefix + detail1 + middle + detail2 + suffix, null);
        }
    }

    /** Logs a line, its message scrubbed of credentials (a model name or an error text may carry one). */
    private void log(String kind, String message, @Nullable Throwable error) {
        long n = states.get(kind).suppressed.getAndSet(0);
        String scrubbed = SecretScrubber.scrub(message, MAX_LINE);
        String text = n > 0 ? scrubbed + " (" + n + " similar suppressed in the last minute)" : scrubbed;
        if (error != null) {
            log.warn(text, scrubbed(error, 0));
        } else {
            log.warn(text);
        }
    }

    /**
     * The error as logged: itself when no message of its chain holds a credential, else a copy of the chain with
     * each message scrubbed, each class named and each stack trace as it was.
     */
    static Throwable scrubbed(Throwable error, int depth) {
        if (depth > MAX_CAUSES || !holdsCredential(error, depth)) {
            return error;
        }
        Throwable cause = error.getCause();
        return new ScrubbedError(error, cause == null || cause == error ? null : scrubbed(cause, depth + 1));
    }

    private static boolean holdsCredential(Throwable error, int depth) {
        int d = depth;
        for (Throwable t = error; t != null && d <= MAX_CAUSES; t = t.getCause() == t ? null : t.getCause(), d++) {
            String message = t.getMessage();
            if (message != null && !message.equals(SecretScrubber.scrub(message, MAX_LINE))) {
                return true;
            }
        }
        return false;
    }

    /** An error of the chain as logged: the original's class name, its message scrubbed, its stack trace. */
    static final class ScrubbedError extends Exception {
        private static final long serialVersionUID = 1L;
        private final String shown;

        ScrubbedError(Throwable original, @Nullable Throwable cause) {
            super(SecretScrubber.scrub(original.getMessage(), MAX_LINE), cause, false, true);
            this.shown = original.getClass().getName() + (getMessage() == null ? "" : ": " + getMessage());
            setStackTrace(original.getStackTrace());
        }

        @Override
        public String toString() {
            return shown;
        }
    }

    /**
     * Logs at debug level, when enabled, unless this kind was logged within the last minute.
     *
     * @param kind the rate-limit key (keep the set of kinds small)
     * @param message the message
     */
    public void debug(String kind, String message) {
        if (log.isDebugEnabled() && due(kind)) {
            states.get(kind).suppressed.set(0);
            log.debug(SecretScrubber.scrub(message, MAX_LINE));
        }
    }

    /** Whether a line of this kind may be logged now; counts it as suppressed when not. */
    private boolean due(String kind) {
        State s = states.computeIfAbsent(kind, k -> new State());
        long now = System.nanoTime();
        long last = s.lastNanos.get();
        if (last != Long.MIN_VALUE && now - last < INTERVAL_NANOS) {
            s.suppressed.incrementAndGet();
            return false;
        }
        if (!s.lastNanos.compareAndSet(last, now)) {
            s.suppressed.incrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * @return the underlying logger
     */
    public Logger logger() {
        return log;
    }
}
