package dev.spectra.reactive;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.spectra.reactive.sink.InMemorySink;
import dev.spectra.reactive.testing.SpectraFake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** Bad input fails at the call that gave it, naming the key; secrets never reach a record. */
class BadInputUnitTests {

    private final SpectraFake fake = SpectraFake.create();

    @AfterEach
    void clearGlobals() {
        Spectra.clearGlobals();
    }

    @Test
    void aValueThatIsNotJsonIsRejectedNamingItsKey() {
        assertThatThrownBy(() -> Spectra.metadata("tenant", new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metadata key \"tenant\": value of type java.lang.Object is not JSON "
                        + "(use a String, Number, Boolean, null, or a List or Map of those)");
        assertThatThrownBy(() -> TrackOptions.metadata("when", java.time.Instant.EPOCH))
                .hasMessageStartingWith("metadata key \"when\": value of type java.time.Instant is not JSON");
        assertThatThrownBy(() -> Spectra.withMetadata(Map.of("set", Set.of("a"))))
                .hasMessageStartingWith("metadata key \"set\": value of type java.util.ImmutableCollections$Set12");
    }

    @Test
    void nestedValuesAreCheckedAndTheirPathIsNamed() {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("steps", List.of("parse", new StringBuilder("bad")));

        assertThatThrownBy(() -> Spectra.metadata("job", job))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("metadata key \"job\".steps[1]: value of type java.lang.StringBuilder is not JSON");

        Map<Object, Object> intKeys = new HashMap<>();
        intKeys.put(1, "one");
        assertThatThrownBy(() -> Spectra.metadata("lookup", intKeys))
                .hasMessage("metadata key \"lookup\": map key \"1\" (java.lang.Integer) is not a String; "
                        + "JSON objects have string keys");
    }

    @Test
    void nonFiniteNumbersAreNotJson() {
        assertThatThrownBy(() -> Spectra.metadata("score", Double.NaN))
                .hasMessage("metadata key \"score\": NaN is not a JSON number (NaN and infinities are not JSON)");
        assertThatThrownBy(() -> Spectra.metadata("score", Float.POSITIVE_INFINITY))
                .hasMessage("metadata key \"score\": Infinity is not a JSON number (NaN and infinities are not JSON)");
    }

    @Test
    void nullAndBlankKeysAreRejected() {
        Map<String, Object> nullKey = new HashMap<>();
        nullKey.put(null, "v");
        assertThatThrownBy(() -> Spectra.metadata(nullKey)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metadata key must not be null");
        assertThatThrownBy(() -> Spectra.metadata("  ", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metadata key \"  \" must not be blank");
        assertThatThrownBy(() -> TrackOptions.builder().metadata("", 1))
                .hasMessage("metadata key \"\" must not be blank");
    }

    @Test
    void contextMetadataIsCheckedAgainstTheBoundOfTheTrackerThatReadsIt() {
        // {"blob":"x...x"} = 2 braces + 6 ("blob") + 1 (:) + 20,002 (the quoted value): JSON, so the writer is built
        Function<Context, Context> blob = Spectra.metadata("blob", "x".repeat(20_000));
        String overDefault = "metadata key \"blob\": metadata would be 20011 bytes serialised, over the limit of "
                + "16384 bytes";

        // no tracker bound in the Context: the global tracker's bound (the default 16 KiB) applies when it runs
        assertThatThrownBy(() -> blob.apply(Context.empty())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(overDefault);
        StepVerifier.create(Mono.just(1).transform(Spectra.tracked("openai", "gpt-4o")).contextWrite(blob))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage(overDefault))
                .verify();

        // a tracker bound in the Context reads it with its own bound, larger or smaller
        InMemorySink sink = new InMemorySink();
        SpectraTracker large = SpectraTracker.builder().sink(sink).directDelivery().metadataMaxBytes(32 * 1024).build();
        StepVerifier.create(Mono.just(1).transform(Spectra.tracked("openai", "gpt-4o")).contextWrite(blob)
                .contextWrite(large.bind())).expectNext(1).verifyComplete();
        assertThat(sink.records()).singleElement().satisfies(r -> assertThat(r.metadata()).containsOnlyKeys("blob"));

        SpectraTracker small = SpectraTracker.builder().sink(sink).directDelivery().metadataMaxBytes(1024).build();
        Function<Context, Context> note = Spectra.metadata(Map.of("note", "n".repeat(1100)));
        StepVerifier.create(Mono.just(2).transform(Spectra.tracked("openai", "gpt-4o")).contextWrite(note)
                        .contextWrite(small.bind()))
                .expectErrorMessage("metadata key \"note\": metadata would be 1111 bytes serialised, over the limit "
                        + "of 1024 bytes")
                .verify();
        assertThat(note.apply(Context.empty()).hasKey(CallAttributes.CONTEXT_KEY)).as("fine for the default").isTrue();

        // globals: against the global tracker's bound; {"a":"y...y"} = 2 + 3 ("a") + 1 + 17,002
        assertThatThrownBy(() -> Spectra.withMetadata(Map.of("a", "y".repeat(17_000))))
                .hasMessage("metadata key \"a\": metadata would be 17008 bytes serialised, over the limit of 16384 "
                        + "bytes");
    }

    @Test
    void optionsMetadataIsCheckedAgainstTheBoundOfTheTrackerThatRecordsTheCall() {
        // {"big":"b..."} = 2 + 5 + 1 + 1,502: accepted when built (no tracker is known yet)
        TrackOptions options = TrackOptions.metadata("big", "b".repeat(1500));
        SpectraTracker small = SpectraTracker.builder().directDelivery().metadataMaxBytes(1024).build();
        String over = "metadata key \"big\": metadata would be 1510 bytes serialised, over the limit of 1024 bytes";

        // a tracker's own operators check at once
        assertThatThrownBy(() -> small.tracked("openai", "gpt-4o", options)).hasMessage(over);
        assertThatThrownBy(() -> small.startCall("openai", "gpt-4o", options)).hasMessage(over);
        // the facade's, when the call starts, with the tracker bound in the Context
        StepVerifier.create(Mono.just(1).transform(Spectra.tracked("openai", "gpt-4o", options))
                .contextWrite(small.bind())).expectErrorMessage(over).verify();
        assertThat(small.stats().recorded()).isZero();
        // over what any tracker accepts: at once
        assertThatThrownBy(() -> TrackOptions.metadata("huge", "h".repeat(1024 * 1024)))
                .hasMessage("metadata key \"huge\": metadata would be 1048587 bytes serialised, over the limit of "
                        + "1048576 bytes");
    }

    @Test
    void aKeyHoldingNulIsRefusedAtTheCallAtAnyDepthSoItCannotCollideWithItsReplacementCharacter() {
        String nul = "metadata key \"k\\u0000\" contains the NUL character (U+0000), which storage cannot hold in a "
                + "key: remove it";
        assertThatThrownBy(() -> Spectra.metadata("k\0", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(nul);
        assertThatThrownBy(() -> TrackOptions.metadata("k\0", 1)).hasMessage(nul);
        assertThatThrownBy(() -> TrackOptions.builder().metadata(Map.of("k\0", 1))).hasMessage(nul);
        assertThatThrownBy(() -> Spectra.metadata("job", Map.of("step", List.of(Map.of("id\0", 1)))))
                .hasMessage("metadata key \"job\".step[0]: map key \"id\\u0000\" contains the NUL character (U+0000), "
                        + "which storage cannot hold in a key: remove it");
        assertThatThrownBy(() -> TrackedRequest.builder().metadata(Map.of("a\0b", 1)))
                .hasMessage("metadata: map key \"a\\u0000b\" contains the NUL character (U+0000), which storage "
                        + "cannot hold in a key: remove it");

        SpectraTracker tracker = SpectraTracker.builder().directDelivery().sink(batch -> Mono.empty()).build();
        TrackedCall call = tracker.startCall("openai", "gpt-4o", TrackOptions.none());
        assertThatThrownBy(() -> call.addMetadata("k\0", "lost")).hasMessage(nul);
        call.addMetadata("k\uFFFD", "kept");
        StepVerifier.create(Spectra.recordSuccess(call, null))
                .assertNext(r -> assertThat(r.metadata()).containsExactly(entry("k\uFFFD", "kept")))
                .verifyComplete();
    }

    @Test
    void addMetadataCountsWhatTheLowerLayersAlreadyHold() {
        SpectraTracker tracker = SpectraTracker.builder().directDelivery().metadataMaxBytes(1024).build();

        Mono<String> tracked = tracker.track("openai", "gpt-4o", call -> {
            call.addMetadata("note", "n".repeat(400));
            call.addMetadata("more", "m".repeat(400));
            return Mono.just("unreachable");
        }, TrackOptions.metadata("big", "b".repeat(300)));

        StepVerifier.create(tracked)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        // {"big":"b..","note":"n..","more":"m.."} = 2 + (5+1+302) + (6+1+402) + (6+1+402) + 2 commas
                        .hasMessage("metadata key \"more\": metadata would be 1130 bytes serialised, over the limit "
                                + "of 1024 bytes"))
                .verify();
        assertThat(tracker.stats().recorded()).isEqualTo(1);
    }

    @Test
    void secretLookingKeysAreStoredRedactedAtAnyDepth() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("password", "hunter2");
        nested.put("user", "ada");
        Mono<String> tracked = Spectra.track("openai", "gpt-4o", call -> {
            call.addMetadata("OpenAI-Api-Key", "sk-live-123").addMetadata("db", nested)
                    .addMetadata("max_tokens", 512).addMetadata("auth_token", null);
            return Mono.just("ok");
        });

        StepVerifier.create(tracked.contextWrite(Spectra.metadata("Authorization", "Bearer abc"))
                .contextWrite(fake.bind())).expectNext("ok").verifyComplete();

        TrackedRequest r = fake.last();
        assertThat(r.metadata()).containsExactly(entry("Authorization", "[REDACTED]"),
                entry("OpenAI-Api-Key", "[REDACTED]"), entry("db", Map.of("password", "[REDACTED]", "user", "ada")),
                entry("max_tokens", 512), entry("auth_token", null));
    }

    @Test
    void anOwnerIdThatIsACredentialIsRecordedAsItsDigest() {
        String key = "Zx8Kq2Lm9Np4Rs7Tv1Wy3Ab5Cd7";
        StepVerifier.create(Mono.just(1).transform(Spectra.tracked("openai", "gpt-4o"))
                .contextWrite(Spectra.trackable("api_key", key)).contextWrite(fake.bind()))
                .expectNext(1).verifyComplete();
        StepVerifier.create(Mono.just(1).transform(Spectra.tracked("openai", "gpt-4o"))
                .contextWrite(Spectra.trackable("user", "u-7")).contextWrite(fake.bind()))
                .expectNext(1).verifyComplete();

        Trackable owner = fake.recorded().get(0).trackable();
        assertThat(owner.type()).isEqualTo("api_key");
        assertThat(owner.id()).matches("sha256:[0-9a-f]{32}").doesNotContain(key);
        assertThat(fake.recorded().get(1).trackable()).isEqualTo(new Trackable("user", "u-7"));
    }

    @Test
    void aTraceIdLongerThanItsBoundIsScrubbedBeforeItIsCut() {
        String jwt = "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiJhZGEiLCJyb2xlIjoiYWRtaW4ifQ".repeat(8) + ".c2lnbmF0dXJl";
        SpectraTracker tracker = SpectraTracker.builder().directDelivery().sink(batch -> Mono.empty())
                .traceIdResolver(view -> jwt).build();
        TrackedCall call = tracker.startCall("openai", "gpt-4o", TrackOptions.none());

        StepVerifier.create(Spectra.recordSuccess(call, null))
                .assertNext(r -> assertThat(r.traceId()).isEqualTo("[REDACTED]"))
                .verifyComplete();
    }

    @Test
    void redactionKeysAreConfigurable() {
        SpectraTracker tracker = SpectraTracker.builder().directDelivery().sink(batch -> Mono.empty())
                .addRedactKeys("ssn").build();
        TrackedCall call = tracker.startCall("openai", "gpt-4o", TrackOptions.none());
        call.addMetadata("customer_ssn", "123-45-6789").addMetadata("secret", "s");

        StepVerifier.create(Spectra.recordSuccess(call, null))
                .assertNext(r -> assertThat(r.metadata()).containsExactly(entry("customer_ssn", "[REDACTED]"),
                        entry("secret", "[REDACTED]")))
                .verifyComplete();
    }

    @Test
    void valuesAreCopiedSoLaterMutationDoesNotChangeTheRecord() {
        List<Object> steps = new ArrayList<>(List.of("a"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", steps);
        var writer = Spectra.metadata(m);
        steps.add("b");
        m.put("late", true);

        StepVerifier.create(Mono.just(1).transform(Spectra.tracked("openai", "gpt-4o")).contextWrite(writer)
                .contextWrite(fake.bind())).expectNext(1).verifyComplete();

        assertThat(fake.last().metadata()).containsExactly(entry("steps", List.of("a")));
        assertThatThrownBy(() -> fake.last().metadata().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void badTagsIdsTiersAndCountsAreRejected() {
        assertThatThrownBy(() -> Spectra.tags("ok", " ")).hasMessage("tag \" \" must not be blank");
        assertThatThrownBy(() -> Spectra.tags((String) null)).hasMessage("tag must not be null");
        assertThatThrownBy(() -> Spectra.traceId("")).hasMessage("trace id must not be null or blank");
        assertThatThrownBy(() -> Spectra.trackable("user", " ")).hasMessage("trackable id must not be null or blank");
        assertThatThrownBy(() -> PricingTier.of("Very Fast!")).hasMessage("pricing tier \"very fast!\" is not a "
                + "tier name: use 1 to 32 characters of [a-z0-9_-], e.g. standard, batch, flex, priority");
        assertThatThrownBy(() -> Usage.of(-1, 3)).hasMessage("usage inputTokens must not be negative, was -1");
        assertThatThrownBy(() -> Usage.builder().inputTokens(10).cachedInputTokens(8).cacheWriteTokens(4).build())
                .hasMessage("usage cachedInputTokens (8) + cacheWriteTokens (4) must not exceed inputTokens (10): "
                        + "input counts cache reads and writes");
        assertThatThrownBy(() -> Usage.builder().outputTokens(5).reasoningTokens(6).build())
                .hasMessage("usage reasoningTokens (6) must not exceed outputTokens (5): output counts reasoning");
        assertThatThrownBy(() -> new Cost(BigDecimal.ONE, BigDecimal.ONE, BigDecimal.TEN))
                .hasMessage("cost total (10.0000000000) must equal input (1.0000000000) + output (1.0000000000)");
        assertThatThrownBy(() -> Cost.of("-0.01", "0")).hasMessage("cost input must not be negative, was -0.01");
    }
}
