package dev.spectra.reactive.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import dev.spectra.reactive.internal.SetClock;
import dev.spectra.reactive.sink.InMemorySink;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.spectra.reactive.budget.Budgets.T0;
import static org.assertj.core.api.Assertions.assertThat;

class BudgetStreamCutOffUnitTests {

    private final SetClock clock = new SetClock(T0);
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicInteger produced = new AtomicInteger();

    /** A stand-in stream of 20 chunks of 40 characters: 10 tokens each. */
    private Flux<String> stream() {
        return Flux.range(1, 20).map(i -> {
            produced.incrementAndGet();
            return String.format("%02d", i) + "x".repeat(38);
        }).doOnCancel(() -> cancelled.set(true));
    }

    /**
     * Tokens limited to 95; 10 input tokens and 20 output tokens reserved at the start: chunks 1 and 2 fit, then
     * top-ups of what passed plus 30 more (3..6), then of what passed alone (7, 8); chunk 9 would make 100.
     */
    private SpectraBudgets budgets(SpectraBudgets.Builder b) {
        return b.budget(Budget.builder("tokens").tokens(95).build()).build();
    }

    @Test
    void aStreamStopsAtTheChunkThatWouldCrossAHardLimit() {
        SpectraBudgets budgets = budgets(Budgets.builder(clock));
        try (Budgets.Events events = new Budgets.Events(budgets)) {
            stream().transform(budgets.enforceStream("openai", "gpt-4o", BudgetEstimate.of(10, 20)))
                    .map(s -> s.substring(0, 2))
                    .as(StepVerifier::create)
                    .expectNext("01", "02", "03", "04", "05", "06", "07", "08")
                    .verifyErrorSatisfies(e -> {
                        BudgetExceededException x = (BudgetExceededException) e;
                        assertThat(x.dimension()).isEqualTo(BudgetDimension.TOKENS);
                        assertThat(x.spent()).isEqualByComparingTo("90");
                        assertThat(x.limit()).isEqualByComparingTo("95");
                    });
            assertThat(events.list()).extracting(BudgetEvent::type).containsExactly(
                    BudgetEvent.Type.STREAM_CUT_OFF, BudgetEvent.Type.THRESHOLD_REACHED,
                    BudgetEvent.Type.THRESHOLD_REACHED, BudgetEvent.Type.THRESHOLD_REACHED);
        }
        assertThat(cancelled).isTrue();
        assertThat(produced).hasValue(9);
        assertThat(budgets.cutOffStreams()).isEqualTo(1);
        // the ninth chunk was generated: it is spent, one chunk past the limit
        budgets.status("tokens", "").as(StepVerifier::create).assertNext(s -> {
            assertThat(s.line(BudgetDimension.TOKENS).spent()).isEqualByComparingTo("100");
            assertThat(s.line(BudgetDimension.TOKENS).reserved()).isEqualByComparingTo("0");
        }).verifyComplete();
    }

    @Test
    void aCutOffCanCompleteCleanly() {
        SpectraBudgets budgets = budgets(Budgets.builder(clock).completeOnCutOff());
        stream().transform(budgets.enforceStream("openai", "gpt-4o", BudgetEstimate.of(10, 20)))
                .as(StepVerifier::create).expectNextCount(8).verifyComplete();
        assertThat(cancelled).isTrue();
    }

    @Test
    void theRecordOfACutOffStreamIsCancelledWithItsEstimatedUsageFlagged() {
        InMemorySink sink = new InMemorySink();
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).directDelivery().pricing(Budgets.PRICES).build();
        SpectraBudgets budgets = budgets(Budgets.builder(clock));

        stream().transform(tracker.stream("openai", "gpt-4o"))
                .transform(budgets.enforceStream("openai", "gpt-4o", BudgetEstimate.of(10, 20)))
                .as(StepVerifier::create).expectNextCount(8).verifyError(BudgetExceededException.class);

        TrackedRequest r = sink.records().get(0);
        assertThat(sink.records()).hasSize(1);
        assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(r.usage()).isEqualTo(Usage.of(10, 90));
        assertThat(r.cost().total()).isEqualByComparingTo("0.0028"); // 10 × 0.00001 + 90 × 0.00003
        assertThat(r.metadata()).containsAllEntriesOf(Map.of(
                SpectraBudgets.USAGE_ESTIMATED_KEY, true, SpectraBudgets.CUT_OFF_KEY, "tokens", "streaming", true));
        assertThat(r.chunkCount()).isEqualTo(9);
        tracker.close(Duration.ofSeconds(1)).block();
    }

    @Test
    void aStreamWithinItsReservationPassesWholeAndSettlesWithWhatItStreamed() {
        SpectraBudgets budgets = Budgets.builder(clock).budget(Budget.builder("usd").usd("1.00").build()).build();
        stream().take(3).transform(budgets.enforceStream("openai", "gpt-4o", BudgetEstimate.of(10, 1000)))
                .as(StepVerifier::create).expectNextCount(3).verifyComplete();
        budgets.status("usd", "").as(StepVerifier::create).assertNext(s -> {
            // 10 × 0.00001 + 30 × 0.00003
            assertThat(s.line(BudgetDimension.USD).spent()).isEqualByComparingTo(new BigDecimal("0.001"));
            assertThat(s.line(BudgetDimension.USD).reserved()).isEqualByComparingTo("0");
        }).verifyComplete();
    }

    @Test
    void theDefaultChunkEstimateReadsTheGeneratedTextOfProviderEvents() {
        JsonMapper json = JsonMapper.builder().build();
        JsonNode openAi = json.readTree("{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"Hello there, friend\"}}]}");
        JsonNode anthropic = json.readTree("{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"12345678\"}}");
        assertThat(ChunkTokens.estimate(openAi)).isEqualTo(5); // 19 characters
        assertThat(ChunkTokens.estimate(anthropic)).isEqualTo(2);
        assertThat(ChunkTokens.estimate("abcde")).isEqualTo(2);
        assertThat(ChunkTokens.estimate(new byte[8])).isEqualTo(2);
        assertThat(ChunkTokens.estimate(42)).isEqualTo(1);
    }
}
