package dev.spectra.reactive;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.spectra.reactive.testing.SpectraFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpectraScopeUnitTests {

    private final SpectraFake fake = SpectraFake.create();

    @AfterEach
    void close() {
        fake.close();
    }

    /** What a capture path outside Reactor records: a call started with the thread's Context. */
    private TrackedRequest recordOnThisThread() {
        TrackedCall call = Spectra.tracker(Spectra.threadContext())
                .startCall("openai", "gpt-4o", TrackOptions.none(), Spectra.threadContext());
        call.succeed();
        return fake.last();
    }

    @Test
    void aScopeGivesItsAttributesAndTrackerToTheCallsOfItsThread() {
        try (SpectraScope scope = Spectra.scope(fake.bind(), Spectra.metadata("tenant_id", "acme"),
                Spectra.tags("batch"), Spectra.traceId("trace-1"), Spectra.trackable("user", "u-7"),
                Spectra.conversationId("conv-3"))) {
            TrackedRequest r = recordOnThisThread();
            assertThat(r.metadata()).containsEntry("tenant_id", "acme");
            assertThat(r.tags()).containsExactly("batch");
            assertThat(r.traceId()).isEqualTo("trace-1");
            assertThat(r.trackable()).isEqualTo(new Trackable("user", "u-7"));
            assertThat(r.conversationId()).isEqualTo("conv-3");
        }
        assertThat(Spectra.threadContext().isEmpty()).isTrue();
    }

    @Test
    void nestedScopesMergeAndClosingGivesBackTheOuterOne() {
        try (SpectraScope outer = Spectra.scope(fake.bind(), Spectra.metadata(Map.of("a", 1, "b", 1)),
                Spectra.tags("outer"))) {
            try (SpectraScope inner = Spectra.scope(Spectra.metadata("b", 2), Spectra.tags("inner"))) {
                TrackedRequest r = recordOnThisThread();
                assertThat(r.metadata()).containsEntry("a", 1).containsEntry("b", 2);
                assertThat(r.tags()).containsExactly("outer", "inner");
            }
            TrackedRequest r = recordOnThisThread();
            assertThat(r.metadata()).containsEntry("a", 1).containsEntry("b", 1);
            assertThat(r.tags()).containsExactly("outer");
            assertThat(fake.recorded()).hasSize(2);
        }
    }

    @Test
    void aScopeIsClosedOnItsOwnThreadOnceAndOnlyThere() throws Exception {
        SpectraScope scope = Spectra.scope(Spectra.tags("x"));
        try {
            Throwable elsewhere = CompletableFuture.supplyAsync(() -> {
                try {
                    scope.close();
                    return null;
                } catch (IllegalStateException e) {
                    return (Throwable) e;
                }
            }).get();
            assertThat(elsewhere).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("must be closed on the thread that opened it");
            assertThat(Spectra.threadContext().isEmpty()).isFalse();
        } finally {
            scope.close();
        }
        scope.close();
        assertThat(Spectra.threadContext().isEmpty()).isTrue();
    }

    @Test
    void otherThreadsDoNotSeeAScope() throws Exception {
        try (SpectraScope scope = Spectra.scope(Spectra.tags("here"))) {
            assertThat(CompletableFuture.supplyAsync(() -> Spectra.threadContext().isEmpty()).get()).isTrue();
            assertThat(Spectra.threadContext().isEmpty()).isFalse();
        }
    }

    @Test
    void badWritersFailAtTheCallSiteAndLeaveTheThreadAsItWas() {
        assertThatThrownBy(() -> Spectra.scope(Spectra.tags("ok"), null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("a scope's writer");
        assertThatThrownBy(() -> Spectra.scope(Spectra.metadata("big", "x".repeat(70_000))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("big");
        assertThat(Spectra.threadContext().isEmpty()).isTrue();
        assertThat(fake.recorded()).isEmpty();
    }

    @Test
    void aCarryingExecutorRunsEachTaskWithItsSubmittersScope() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Executor carrying = Spectra.withThreadContext(pool);
            CompletableFuture<TrackedRequest> recorded = new CompletableFuture<>();
            try (SpectraScope scope = Spectra.scope(fake.bind(), Spectra.metadata("tenant_id", "acme"))) {
                carrying.execute(() -> recorded.complete(recordOnThisThread()));
            }
            assertThat(recorded.get().metadata()).containsEntry("tenant_id", "acme");
            CompletableFuture<Boolean> after = new CompletableFuture<>();
            pool.execute(() -> after.complete(Spectra.threadContext().isEmpty()));
            assertThat(after.get()).isTrue();
        } finally {
            pool.shutdown();
        }
    }
}
