package dev.spectra.reactive.sink;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

import dev.spectra.reactive.internal.SystemTicker;

/**
 * Settings of a {@link Recorder}: queue bound, batch size, how long a record may wait for a batch, write timeout
 * and the retry policy for transient sink failures. Immutable; {@link #defaults()} or {@link #builder()}.
 *
 * <p>The defaults follow OpenTelemetry's BatchSpanProcessor, tuned for this job: LLM calls are few per second
 * but each record matters for money, so the queue is larger ({@value #DEFAULT_QUEUE_CAPACITY}, enough to ride
 * out a database restart of a minute at ~100 calls/s), the delay shorter (1 s, so dashboards are fresh), and
 * transient failures are retried for up to 2 minutes instead of dropped.
 *
 * <p>{@link #retryTimeout()} counts from when a record was first offered to the recorder (a tracker timing its
 * calls by the same clock hands over the reading that ended the call:
 * {@link Recorder#deliver(dev.spectra.reactive.TrackedRequest, long)}), not from a batch's first attempt: with the
 * sink down, {@link Recorder#flush()} and {@link Recorder#close(Duration)} end within
 * {@code retryTimeout + writeTimeout}, whatever the number of batches queued.
 *
 * @since 0.1
 */
public final class RecorderOptions {

    /** Default queue bound: {@value}. A full queue drops the newest record and counts it. */
    public static final int DEFAULT_QUEUE_CAPACITY = 8192;
    /** Default largest batch handed to the sink: {@value}. */
    public static final int DEFAULT_BATCH_SIZE = 512;
    /** Default period of the timer that writes partial batches: 1 s. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(1);
    /** Default timeout of one sink write: 10 s. A timed-out write counts as transient and is retried. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(10);
    /** Default first retry backoff: 100 ms (doubling, with jitter). */
    public static final Duration DEFAULT_RETRY_MIN_BACKOFF = Duration.ofMillis(100);
    /** Default longest retry backoff: 5 s. */
    public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(5);
    /** Default time after a record was first offered during which its batch is tried: 2 min. */
    public static final Duration DEFAULT_RETRY_TIMEOUT = Duration.ofMinutes(2);

    private static final RecorderOptions DEFAULTS = builder().build();

    private final int queueCapacity;
    private final int batchSize;
    private final Duration maxDelay;
    private final Duration writeTimeout;
    private final Duration retryMinBackoff;
    private final Duration retryMaxBackoff;
    private final Duration retryTimeout;
    private final LongSupplier nanoTime;

    private RecorderOptions(Builder b) {
        this.queueCapacity = b.queueCapacity;
        this.batchSize = b.batchSize;
        this.maxDelay = b.maxDelay;
        this.writeTimeout = b.writeTimeout;
        this.retryMinBackoff = b.retryMinBackoff;
        this.retryMaxBackoff = b.retryMaxBackoff;
        this.retryTimeout = b.retryTimeout;
        this.nanoTime = b.nanoTime;
    }

    /**
     * @return the default options
     */
    public static RecorderOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @return a builder starting from the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return a builder holding these options
     */
    public Builder toBuilder() {
        return new Builder().queueCapacity(queueCapacity).batchSize(batchSize).maxDelay(maxDelay)
                .writeTimeout(writeTimeout).retryBackoff(retryMinBackoff, retryMaxBackoff).retryTimeout(retryTimeout)
                .nanoTime(nanoTime);
    }

    /**
     * @return the queue bound
     */
    public int queueCapacity() {
        return queueCapacity;
    }

    /**
     * @return the largest batch
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * @return the period of the fixed-rate timer that writes partial batches: a queued record waits at most about
     *         this long, unless a write is still in flight
     */
    public Duration maxDelay() {
        return maxDelay;
    }

    /**
     * @return the timeout of one write
     */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /**
     * @return the first retry backoff
     */
    public Duration retryMinBackoff() {
        return retryMinBackoff;
    }

    /**
     * @return the longest retry backoff
     */
    public Duration retryMaxBackoff() {
        return retryMaxBackoff;
    }

    /**
     * @return how long after a record was first offered its batch is still tried: a batch is written, or retried
     *         after a transient failure, only while its oldest record is younger than this; then its records
     *         count as failed. Zero: each batch is tried once, never retried
     */
    public Duration retryTimeout() {
        return retryTimeout;
    }

    /**
     * @return the monotonic clock, in nanoseconds, that times a record's age for {@link #retryTimeout()}
     */
    public LongSupplier nanoTime() {
        return nanoTime;
    }

    @Override
    public String toString() {
        return "RecorderOptions{queueCapacity=" + queueCapacity + ", batchSize=" + batchSize + ", maxDelay="
                + maxDelay + ", writeTimeout=" + writeTimeout + ", retryBackoff=" + retryMinBackoff + ".."
                + retryMaxBackoff + ", retryTimeout=" + retryTimeout + "}";
    }

    /** Builds {@link RecorderOptions}; setters check their argument. */
    public static final class Builder {
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private Duration retryMinBackoff = DEFAULT_RETRY_MIN_BACKOFF;
        private Duration retryMaxBackoff = DEFAULT_RETRY_MAX_BACKOFF;
        private Duration retryTimeout = DEFAULT_RETRY_TIMEOUT;
        private LongSupplier nanoTime = SystemTicker.INSTANCE;

        private Builder() {
        }

        /**
         * @param v queue bound, 1 .. 10,000,000
         * @return this builder
         */
        public Builder queueCapacity(int v) {
            if (v < 1 || v > 10_000_000) {
                throw new IllegalArgumentException("queueCapacity must be in 1..10000000, was " + v);
            }
            this.queueCapacity = v;
            return this;
        }

        /**
         * @param v largest batch, 1 .. 10,000
         * @return this builder
         */
        public Builder batchSize(int v) {
            if (v < 1 || v > 10_000) {
                throw new IllegalArgumentException("batchSize must be in 1..10000, was " + v);
            }
            this.batchSize = v;
            return this;
        }

        /**
         * @param v period of the fixed-rate timer that writes partial batches, positive
         * @return this builder
         */
        public Builder maxDelay(Duration v) {
            this.maxDelay = positive("maxDelay", v);
            return this;
        }

        /**
         * @param v timeout of one write, positive
         * @return this builder
         */
        public Builder writeTimeout(Duration v) {
            this.writeTimeout = positive("writeTimeout", v);
            return this;
        }

        /**
         * @param min first backoff, positive
         * @param max longest backoff, at least min
         * @return this builder
         */
        public Builder retryBackoff(Duration min, Duration max) {
            positive("retryMinBackoff", min);
            positive("retryMaxBackoff", max);
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("retryMaxBackoff (" + max + ") must be at least retryMinBackoff ("
                        + min + ")");
            }
            this.retryMinBackoff = min;
            this.retryMaxBackoff = max;
            return this;
        }

        /**
         * @param v how long after a record was first offered its batch is still tried (see
         *          {@link RecorderOptions#retryTimeout()}); zero tries each batch once, without retries
         * @return this builder
         */
        public Builder retryTimeout(Duration v) {
            Objects.requireNonNull(v, "retryTimeout");
            if (v.isNegative()) {
                throw new IllegalArgumentException("retryTimeout must not be negative, was " + v);
            }
            this.retryTimeout = v;
            return this;
        }

        /**
         * @param v the monotonic clock, in nanoseconds, that times records' ages for the retry timeout (tests pass
         *          a hand-advanced one); default {@code System::nanoTime}
         * @return this builder
         */
        public Builder nanoTime(LongSupplier v) {
            this.nanoTime = Objects.requireNonNull(v, "nanoTime");
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException when the batch size exceeds the queue bound
         */
        public RecorderOptions build() {
            if (batchSize > queueCapacity) {
                throw new IllegalArgumentException("batchSize (" + batchSize + ") must not exceed queueCapacity ("
                        + queueCapacity + ")");
            }
            return new RecorderOptions(this);
        }

        private static Duration positive(String name, Duration v) {
            Objects.requireNonNull(v, name);
            if (v.isZero() || v.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + v);
            }
            return v;
        }
    }
}
