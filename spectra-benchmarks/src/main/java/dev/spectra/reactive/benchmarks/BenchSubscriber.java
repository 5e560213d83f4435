package dev.spectra.reactive.benchmarks;

import org.openjdk.jmh.infra.Blackhole;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/** The same minimal subscriber for every variant: requests everything and feeds the blackhole. */
final class BenchSubscriber<T> implements CoreSubscriber<T> {

    private final Blackhole bh;

    BenchSubscriber(Blackhole bh) {
        this.bh = bh;
    }

    @Override
    public void onSubscribe(Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(T t) {
        bh.consume(t);
    }

    @Override
    public void onError(Throwable t) {
        throw new IllegalStateException("a benchmarked call failed", t);
    }

    @Override
    public void onComplete() {
        bh.consume(true);
    }
}
