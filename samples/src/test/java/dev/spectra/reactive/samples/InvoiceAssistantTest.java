package dev.spectra.reactive.samples;

import java.time.Duration;
import java.time.Instant;

import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.testing.SpectraFake;
import dev.spectra.reactive.webclient.SpectraExchangeFilter;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

class InvoiceAssistantTest {

    @Test
    void aBatchItemStartsWhenSubscribedNotWhenAssembled() throws InterruptedException {
        try (ProviderStandIn standIn = ProviderStandIn.start(0.02); SpectraFake fake = SpectraFake.install()) {
            InvoiceAssistant assistant = new InvoiceAssistant(standIn.openAiBaseUrl(), "sk-test",
                    standIn.anthropicBaseUrl(), "sk-ant-test", standIn.geminiBaseUrl(), "gemini-test",
                    SpectraExchangeFilter.builder().build());

            Mono<TrackedRequest> item = assistant.batchItem("batch_t_nightly", "t-1", "INV-1 of t");
            Thread.sleep(300);
            Instant subscribed = Instant.now();
            TrackedRequest r = item.block(Duration.ofSeconds(30));

            // the start time is the subscription's, not the assembly's 300 ms earlier (50 ms of clock leeway)
            assertThat(r.startedAt()).isAfter(subscribed.minusMillis(50));
            fake.assertRequestCount(1).assertTrackedWithTags("batch");
        }
    }
}
