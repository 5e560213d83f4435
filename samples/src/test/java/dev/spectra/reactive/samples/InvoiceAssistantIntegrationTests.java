package dev.spectra.reactive.samples;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

class InvoiceAssistantIntegrationTests {

    /** A clock the test moves by hand. */
    static final class HandClock extends Clock {
        private volatile Instant now;

        HandClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aBatchItemStartsWhenSubscribedNotWhenAssembled() {
        HandClock clock = new HandClock(Instant.parse("2026-03-01T10:00:00Z"));
        InMemorySink sink = new InMemorySink();
        SpectraTracker tracker = SpectraTracker.builder().sink(sink).clock(clock).build();
        SpectraTracker previous = Spectra.configure(tracker);
        try (ProviderStandIn standIn = ProviderStandIn.start(0.02)) {
            InvoiceAssistant assistant = new InvoiceAssistant(standIn.openAiBaseUrl(), "sk-test",
                    standIn.anthropicBaseUrl(), "sk-ant-test", standIn.geminiBaseUrl(), "gemini-test",
                    SpectraExchangeFilter.builder().build());

            Mono<TrackedRequest> item = assistant.batchItem("batch_t_nightly", "t-1", "INV-1 of t");
            clock.advance(Duration.ofMinutes(5)); // assembled at 10:00, subscribed at 10:05
            TrackedRequest r = item.block(Duration.ofSeconds(30));

            assertThat(r.startedAt()).isEqualTo(Instant.parse("2026-03-01T10:05:00Z"));
            assertThat(r.tags()).contains("batch");
        } finally {
            if (previous != null) {
                Spectra.configure(previous);
            } else {
                Spectra.resetTracker();
            }
            tracker.close(Duration.ofSeconds(5)).block();
        }
    }
}
