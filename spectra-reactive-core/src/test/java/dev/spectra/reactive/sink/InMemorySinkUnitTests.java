package dev.spectra.reactive.sink;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class InMemorySinkUnitTests {

    @Test
    void keepsTheNewestRecordsUpToItsBoundAndFindsThemById() {
        InMemorySink sink = new InMemorySink(3);

        StepVerifier.create(sink.write(List.of(Records.record(1), Records.record(2)))).verifyComplete();
        StepVerifier.create(sink.write(List.of(Records.record(3), Records.record(4), Records.record(2))))
                .verifyComplete();

        assertThat(sink.records()).extracting(r -> r.id().getLeastSignificantBits()).containsExactly(2L, 3L, 4L);
        assertThat(sink.evicted()).isEqualTo(1);
        assertThat(sink.findById(new UUID(7, 1))).isEmpty();
        assertThat(sink.findById(new UUID(7, 4))).contains(Records.record(4));
        sink.clear();
        assertThat(sink.size()).isZero();
    }
}
