package dev.spectra.reactive;

import java.util.List;

import dev.spectra.reactive.sink.InMemorySink;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class ParentSpanIdUnitTests {

    private final InMemorySink sink = new InMemorySink();

    private List<TrackedRequest> run(SpectraTracker tracker, java.util.function.Function<reactor.util.context.Context,
            reactor.util.context.Context> context) {
        Mono<String> call = Mono.just("x").transform(tracker.tracked("openai", "gpt-4o"));
        StepVerifier.create(call.contextWrite(context)).expectNext("x").verifyComplete();
        return sink.records();
    }

    @Test
    void theSpanOfATraceparentInTheContextIsTheParentInCanonicalForm() {
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery().build();

        List<TrackedRequest> r = run(tracker,
                ctx -> ctx.put("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"));

        assertThat(r).singleElement().satisfies(t -> {
            assertThat(t.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(t.parentSpanId()).isEqualTo("00f067aa0ba902b7");
        });
    }

    @Test
    void aTraceIdGivenByTheCallHasNoParentSpanForTheSpanBelongsToAnotherTrace() {
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery().build();

        List<TrackedRequest> r = run(tracker, ctx -> ctx.put("traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").putAll(
                        Spectra.traceId("order-42").apply(reactor.util.context.Context.empty()).readOnly()));

        assertThat(r).singleElement().satisfies(t -> {
            assertThat(t.traceId()).isEqualTo("order-42");
            assertThat(t.parentSpanId()).isNull();
        });
    }

    @Test
    void anAllZeroOrMalformedSpanIdIsNone() {
        for (String id : List.of("0000000000000000", "00f067aa0ba902b", "00f067aa0ba902bz", "")) {
            sink.clear();
            SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery()
                    .traceIdResolver(v -> "4bf92f3577b34da6a3ce929d0e0e4736").parentSpanIdResolver(v -> id).build();

            assertThat(run(tracker, ctx -> ctx)).singleElement()
                    .satisfies(t -> assertThat(t.parentSpanId()).as(id).isNull());
        }
    }

    @Test
    void aResolverThatThrowsGivesNoParentAndCountsATrackingErrorWithoutTouchingTheCall() {
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery()
                .traceIdResolver(v -> "4bf92f3577b34da6a3ce929d0e0e4736")
                .parentSpanIdResolver(v -> {
                    throw new IllegalStateException("broken resolver");
                }).build();

        assertThat(run(tracker, ctx -> ctx)).singleElement().satisfies(t -> {
            assertThat(t.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(t.parentSpanId()).isNull();
        });
        assertThat(tracker.stats().trackingErrors()).isEqualTo(1);
    }

    @Test
    void withoutATraceThereIsNoParent() {
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery()
                .parentSpanIdResolver(v -> "00f067aa0ba902b7").build();

        assertThat(run(tracker, ctx -> ctx)).singleElement()
                .satisfies(t -> assertThat(t.parentSpanId()).isNull());
    }
}
