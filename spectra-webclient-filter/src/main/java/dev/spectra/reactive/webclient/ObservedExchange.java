package dev.spectra.reactive.webclient;

import dev.spectra.reactive.internal.http.HttpBudgetCall;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.springframework.web.reactive.function.client.ClientResponse;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The exchange as the caller gets it, in one operator: the response handed on with its body observed
 * ({@link SpectraExchangeFilter#observe}), and the call told how the exchange ended when it ends without a
 * response: failed ({@link HttpCallObserver#exchangeFailed}, also when it completes empty) or cancelled
 * ({@link HttpCallObserver#exchangeCancelled}, ignored once a response came).
 * Signals, demand and thread are the caller's; the observer is told before the signal goes on.
 */
final class ObservedExchange extends MonoOperator<ClientResponse, ClientResponse> {

    private final HttpCallObserver call;
    private final @Nullable HttpBudgetCall budget;
    private final boolean completeOnCutOff;

    private ObservedExchange(Mono<ClientResponse> source, HttpCallObserver call, @Nullable HttpBudgetCall budget,
                             boolean completeOnCutOff) {
        super(source);
        this.call = call;
        this.budget = budget;
        this.completeOnCutOff = completeOnCutOff;
    }

    /**
     * @param exchange the exchange of the observed request
     * @param call the observer of the call
     * @param budget the call's budget hold, or null when no budget applies
     * @param completeOnCutOff whether a stream cut off by a budget completes instead of failing
     * @return the exchange as the caller gets it (through Reactor's assembly hooks, as an operator chain is)
     */
    static Mono<ClientResponse> observe(Mono<ClientResponse> exchange, HttpCallObserver call,
                                        @Nullable HttpBudgetCall budget, boolean completeOnCutOff) {
        return onAssembly(new ObservedExchange(exchange, call, budget, completeOnCutOff));
    }

    @Override
    public void subscribe(CoreSubscriber<? super ClientResponse> actual) {
        source.subscribe(new Observer(actual, call, budget, completeOnCutOff));
    }

    /** Forwards every signal, after telling the observer. */
    static final class Observer implements CoreSubscriber<ClientResponse>, Subscription, Scannable {

        private final CoreSubscriber<? super ClientResponse> actual;
        private final HttpCallObserver call;
        private final @Nullable HttpBudgetCall budget;
        private final boolean completeOnCutOff;
        private @Nullable Subscription upstream;
        private boolean responded;
        private boolean done;

        Observer(CoreSubscriber<? super ClientResponse> actual, HttpCallObserver call,
                 @Nullable HttpBudgetCall budget, boolean completeOnCutOff) {
            this.actual = actual;
            this.call = call;
            this.budget = budget;
            this.completeOnCutOff = completeOnCutOff;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(ClientResponse response) {
            if (done) {
                Operators.onNextDropped(response, actual.currentContext());
                return;
            }
            responded = true;
            ClientResponse observed;
            try {
                observed = SpectraExchangeFilter.observe(response, call, budget, completeOnCutOff);
            } catch (Throwable e) { // as a failing map would: the exchange fails, and so does the call
                upstream.cancel();
                onError(Operators.onOperatorError(e, actual.currentContext()));
                return;
            }
            actual.onNext(observed);
        }

        @Override
        public void onError(Throwable t) {
            if (done) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            done = true;
            call.exchangeFailed(t);
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            if (done) {
                return;
            }
            done = true;
            if (!responded) { // a filter downstream answered nothing: still one record
                call.exchangeFailed(new IllegalStateException("the exchange completed without a response"));
            }
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            try {
                call.exchangeCancelled();
            } finally {
                upstream.cancel();
            }
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        @SuppressWarnings("rawtypes") // Reactor's own signature
        public @Nullable Object scanUnsafe(Attr key) {
            if (key == Attr.PARENT) {
                return upstream;
            }
            if (key == Attr.ACTUAL) {
                return actual;
            }
            if (key == Attr.TERMINATED) {
                return done;
            }
            if (key == Attr.RUN_STYLE) {
                return Attr.RunStyle.SYNC;
            }
            return null;
        }
    }
}
