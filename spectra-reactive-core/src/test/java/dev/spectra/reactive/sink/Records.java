package dev.spectra.reactive.sink;

import java.time.Instant;
import java.util.UUID;

import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.TrackedRequest;

/** Minimal records for delivery tests. */
final class Records {

    private Records() {
    }

    static TrackedRequest record(long n) {
        Instant t = Instant.parse("2026-11-24T00:00:00Z").plusMillis(n);
        return TrackedRequest.builder().id(new UUID(7L, n)).traceId("t" + n).provider("openai").model("gpt-4o")
                .outcome(Outcome.SUCCESS).startedAt(t).completedAt(t).build();
    }
}
