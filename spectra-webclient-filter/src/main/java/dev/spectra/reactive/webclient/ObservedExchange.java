package dev.spectra.reactive.webclient;

import dev.spectra.reactive.internal.Fatal;
import dev.spectra.reactive.internal.http.HttpBudgetCall;
import dev.spectra.reactive.internal.http.HttpCallObserver;
import dev.spectra.reactive.provider.EndpointMatch;
import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.ContextView;

/**
 * The exchange of a recognised call as the caller gets it, in one operator. At each subscription (a
 * {@code retry()} subscribes again: one call per attempt) the call starts with the subscriber's Context, the
 * request goes to the next filter with its body observed ({@link ObservedClientRequest}), the response is handed
 * on with its body observed ({@link SpectraExchangeFilter#observe}), and the call is told how the exchange ended
 * when it ends without a response: failed ({@link HttpCallObserver#exchangeFailed}, also when it completes empty)
 * or cancelled ({@link HttpCallObserver#exchangeCancelled}, ignored once a response came). A call that cannot be
 * started goes to the next filter as it came. Signals, demand and thread are the caller's; the observer is told
 * before the signal goes on.
 */
final class ObservedExchange extends Mono<ClientResponse> implements Scannable {

    private final SpectraExchangeFilter filter;
    private final ClientRequest request;
    private final ExchangeFunction next;
    private final EndpointMatch match;

    private ObservedExchange(SpectraExchangeFilter filter, ClientRequest request, ExchangeFunction next,
                             EndpointMatch match) {
        this.filter = filter;
        this.request = request;
        this.next = next;
        this.match = match;
    }

    /**
     * @param filter the filter, whose capture and budgets apply
     * @param request the caller's request
     * @param next the rest of the filter chain
     * @param match the endpoint the request was recognised as
     * @return the exchange as the caller gets it (through Reactor's assembly hooks, as an operator chain is)
     */
    static Mono<ClientResponse> observe(SpectraExchangeFilter filter, ClientRequest request, ExchangeFunction next,
                                        EndpointMatch match) {
        return onAssembly(new ObservedExchange(filter, request, next, match));
    }

    @Override
    public void subscribe(CoreSubscriber<? super ClientResponse> actual) {
        Mono<ClientResponse> source;
        CoreSubscriber<? super ClientResponse> subscriber = actual;
        HttpCallObserver call = null;
        try {
            ContextView view = actual.currentContext();
            HttpBudgetCall budget = filter.startBudget(view);
            call = filter.startCall(match, budget == null ? view : budget.context());
            ClientRequest observed = call == null ? null : observed(call, budget);
            if (observed == null) {
                call = null;
                source = next.exchange(request);
            } else {
                source = next.exchange(observed);
                if (budget != null) { // the connector wraps a failed write: the caller gets the refusal itself
                    source = source.onErrorMap(e -> SpectraExchangeFilter.refusalIn(e) != null,
                            e -> java.util.Objects.requireNonNull(SpectraExchangeFilter.refusalIn(e)));
                }
                subscriber = new Observer(actual, call, budget, filter.completesOnCutOff());
            }
        } catch (Throwable e) { // as a failing deferred supplier: the exchange fails, and so does a started call
            Throwable error = Operators.onOperatorError(e, actual.currentContext());
            if (call != null) {
                call.exchangeFailed(error);
            }
            Operators.error(actual, error);
            return;
        }
        source.subscribe(subscriber);
    }

    /** The request with its body observed; null when that fails (logged: the call runs untracked). */
    private @Nullable ClientRequest observed(HttpCallObserver call, @Nullable HttpBudgetCall budget) {
        try {
            return new ObservedClientRequest(request, call, filter.rewritesStreamUsage(match), match, budget);
        } catch (Throwable e) {
            Fatal.rethrowIfFatal(e);
            call.internalError("starting to track a " + match.provider() + " call (it runs untracked)", e);
            return null;
        }
    }

    @Override
    @SuppressWarnings("rawtypes") // Reactor's own signature
    public @Nullable Object scanUnsafe(Attr key) {
        return key == Attr.RUN_STYLE ? Attr.RunStyle.SYNC : null;
    }

    /** Forwards every signal, after telling the observer. */
    static final class Observer extends ForwardingSubscriber<ClientResponse> {

        private final HttpCallObserver call;
        private final @Nullable HttpBudgetCall budget;
        private final boolean completeOnCutOff;
        private boolean responded;
        private boolean done;

        Observer(CoreSubscriber<? super ClientResponse> actual, HttpCallObserver call,
                 @Nullable HttpBudgetCall budget, boolean completeOnCutOff) {
            super(actual);
            this.call = call;
            this.budget = budget;
            this.completeOnCutOff = completeOnCutOff;
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
        public void cancel() {
            try {
                call.exchangeCancelled();
            } finally {
                upstream.cancel();
            }
        }

        @Override
        Boolean terminated() {
            return done;
        }
    }
}
