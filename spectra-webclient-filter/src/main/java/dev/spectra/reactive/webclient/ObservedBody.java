package dev.spectra.reactive.webclient;

import java.nio.ByteBuffer;

import dev.spectra.reactive.budget.BudgetExceededException;
import dev.spectra.reactive.internal.http.HttpBudgetCall;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import dev.spectra.reactive.internal.http.LentBuffers;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;

/**
 * A response body that shows each buffer to its {@link HttpCallObserver} as it passes ({@link #show}) and tells it
 * how the body ended.
 * The buffers themselves go to the caller untouched: same instances, same read positions, same reference counts,
 * same demand, same thread. Nothing is queued here, so there is nothing to release on cancel either: a buffer is
 * the caller's as soon as it is seen.
 *
 * <p>With budgets, a streamed answer is priced as it passes; when a hard budget refuses more, the buffer holding
 * the event that would cross the limit is released instead of passed on, the response is cancelled, and the caller
 * gets the refusal (or the end of the body).
 *
 * <p>Only the first subscriber is observed (a body can be read once; Spring's {@code releaseBody()} after a
 * consumed body subscribes again, and that second subscription passes through as it is).
 */
final class ObservedBody extends FluxOperator<DataBuffer, DataBuffer> {

    private final HttpCallObserver call;
    private final @Nullable HttpBudgetCall budget;
    private final boolean completeOnCutOff;

    ObservedBody(Flux<DataBuffer> source, HttpCallObserver call, @Nullable HttpBudgetCall budget,
                 boolean completeOnCutOff) {
        super(source);
        this.call = call;
        this.budget = budget;
        this.completeOnCutOff = completeOnCutOff;
    }

    @Override
    public void subscribe(CoreSubscriber<? super DataBuffer> actual) {
        if (call.claimResponseBody()) {
            source.subscribe(new Observer(actual, call, budget, completeOnCutOff));
        } else {
            source.subscribe(actual);
        }
    }

    /**
     * Shows a buffer's readable bytes to the observer and leaves the buffer as it was (read position, content and
     * reference count): copied into a lent buffer ({@link LentBuffers}) when they fit one, which allocates nothing;
     * else, or when none is free, as views of the buffer. Never throws.
     *
     * @param buffer the buffer
     * @param call the observer
     * @param part which body, and whether the buffer holds all of it
     */
    static void show(DataBuffer buffer, HttpCallObserver call, Part part) {
        int n = buffer.readableByteCount();
        if (n == 0) {
            return;
        }
        try {
            ByteBuffer lent = n <= LentBuffers.SIZE ? LentBuffers.borrow() : null;
            if (lent != null) {
                try {
                    int at = buffer.readPosition();
                    try {
                        buffer.read(lent.array(), 0, n);
                    } finally {
                        buffer.readPosition(at);
                    }
                    lent.limit(n);
                    show(lent, call, part);
                } finally {
                    LentBuffers.giveBack(lent);
                }
                return;
            }
            try (DataBuffer.ByteBufferIterator it = buffer.readableByteBuffers()) {
                while (it.hasNext()) {
                    show(it.next(), call, part == Part.RESPONSE ? part : Part.REQUEST);
                }
            }
        } catch (Throwable e) {
            call.internalError(part == Part.RESPONSE ? "reading a response body" : "reading a request body", e);
        }
    }

    private static void show(ByteBuffer bytes, HttpCallObserver call, Part part) {
        switch (part) {
            case REQUEST -> call.requestBody(bytes);
            case WHOLE_REQUEST -> call.wholeRequestBody(bytes);
            default -> call.responseBody(bytes);
        }
    }

    /** Which body a buffer belongs to. */
    enum Part {
        /** A piece of the request body. */
        REQUEST,
        /** The whole request body, in this one buffer. */
        WHOLE_REQUEST,
        /** A piece of the response body. */
        RESPONSE
    }

    /**
     * Forwards every signal; the call is recorded before a terminal signal goes on, so that the record exists
     * once the caller has seen the end of the body.
     */
    static final class Observer extends ForwardingSubscriber<DataBuffer> {

        private final HttpCallObserver call;
        private final @Nullable HttpBudgetCall budget;
        private final boolean completeOnCutOff;
        private boolean done;

        Observer(CoreSubscriber<? super DataBuffer> actual, HttpCallObserver call, @Nullable HttpBudgetCall budget,
                 boolean completeOnCutOff) {
            super(actual);
            this.call = call;
            this.budget = budget;
            this.completeOnCutOff = completeOnCutOff;
        }

        @Override
        public void onNext(DataBuffer buffer) {
            if (done) {
                Operators.onNextDropped(buffer, actual.currentContext());
                return;
            }
            show(buffer, call, Part.RESPONSE);
            BudgetExceededException refusal = budget == null ? null : priced(buffer, budget);
            if (refusal != null) {
                done = true;
                DataBufferUtils.release(buffer);
                upstream.cancel();
                call.responseCancelled();
                if (completeOnCutOff) {
                    actual.onComplete();
                } else {
                    actual.onError(refusal);
                }
                return;
            }
            actual.onNext(buffer);
        }

        /** Prices the events completed by this buffer; the refusal when a hard budget cuts the stream off. */
        private @Nullable BudgetExceededException priced(DataBuffer buffer, HttpBudgetCall budget) {
            if (buffer.readableByteCount() == 0) {
                return null;
            }
            try (DataBuffer.ByteBufferIterator it = buffer.readableByteBuffers()) {
                while (it.hasNext()) {
                    BudgetExceededException refusal = budget.responseBody(it.next());
                    if (refusal != null) {
                        return refusal;
                    }
                }
            } catch (Throwable e) {
                call.internalError("pricing a streamed answer for its budget", e);
            }
            return null;
        }

        @Override
        public void onError(Throwable t) {
            if (done) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            done = true;
            call.responseFailed(t);
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            if (done) {
                return;
            }
            done = true;
            call.responseCompleted();
            actual.onComplete();
        }

        @Override
        public void cancel() {
            try {
                upstream.cancel();
            } finally {
                call.responseCancelled();
            }
        }

        @Override
        Boolean terminated() {
            return done;
        }
    }
}
