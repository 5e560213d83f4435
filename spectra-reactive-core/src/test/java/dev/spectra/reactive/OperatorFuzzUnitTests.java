package dev.spectra.reactive;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.spectra.reactive.testsupport.fuzz.Category;
import dev.spectra.reactive.testsupport.fuzz.FuzzCase;
import dev.spectra.reactive.testsupport.fuzz.FuzzCorpus;
import dev.spectra.reactive.testing.SpectraFake;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault proof of the operators: every case of the fuzz corpus (10,000 by default; see
 * {@link FuzzCorpus} for the properties) goes through {@code Mono.just(body).transform(Spectra.tracked(...))} as a
 * String and as bytes, and through {@code Spectra.stream(...)} as decoded payloads, raw lines and byte chunks,
 * ending in completion, an error (at the end or midway) or a cancellation. Each run is compared with the same
 * pipeline without tracking: the same value instances, the same terminal signal (the same exception instance),
 * nothing extra, nothing thrown or dropped, the chunks' bytes unchanged; and the tracked run gave exactly one record,
 * with the right outcome and chunk count, and usage unknown (or, for the legitimate framing changes, the usage
 * of the unchanged fixture read the same way).
 */
class OperatorFuzzUnitTests {

    private static final String MODEL = "fuzz-model";
    private static final int DEFAULT_CASES = 10_000;

    enum Rep { MONO_STRING, MONO_BYTES, PAYLOADS, LINES, BYTE_CHUNKS }

    enum End { COMPLETE, ERROR_AT_END, ERROR_MIDWAY, CANCEL }

    private static final ConcurrentLinkedQueue<Object> DROPPED = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void hooks() {
        Hooks.onErrorDropped(DROPPED::add);
        Hooks.onNextDropped(DROPPED::add);
    }

    @AfterAll
    static void resetHooks() {
        Hooks.resetOnErrorDropped();
        Hooks.resetOnNextDropped();
    }

    private final SpectraFake fake = SpectraFake.create();
    private final SpectraFake originals = SpectraFake.create();
    private final Map<String, Optional<Usage>> originalUsage = new ConcurrentHashMap<>();
    private long tracked;
    private long knownUsage;

    @Test
    void fuzzedBodiesAndStreamsPassUntouchedAndAreRecordedWithUsageUnknown() {
        FuzzCorpus corpus = new FuzzCorpus(FuzzCorpus.seedProperty(), FuzzCorpus.fixtures());
        int[] indexes = FuzzCorpus.indexes(DEFAULT_CASES);
        List<String> failures = new ArrayList<>();
        int failed = 0;
        Map<Category, Integer> counts = new EnumMap<>(Category.class);
        int unknown = 0;
        long started = System.nanoTime();
        for (int i : indexes) {
            FuzzCase c = corpus.get(i);
            c.categories().forEach(k -> counts.merge(k, 1, Integer::sum));
            unknown += c.usageUnknown() ? 1 : 0;
            for (Rep rep : Rep.values()) {
                String problem;
                try {
                    problem = check(c, rep);
                } catch (Throwable t) {
                    problem = "threw " + t;
                }
                if (problem != null) {
                    if (failed < 500) {
                        System.out.println("FUZZ FAILURE " + rep + " " + c + ": " + problem);
                    }
                    if (failed++ < 15) {
                        failures.add(rep + ": " + problem + "\n  " + c.describe());
                    }
                }
            }
            fake.reset();
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("operator fuzz: seed 0x%x, %d cases x %d representations in %d ms; %d with usage unknown,"
                + " %d legitimate (%d runs of them with a known usage, equal to the original's); categories %s%n",
                corpus.seed(), indexes.length, Rep.values().length, ms, unknown, indexes.length - unknown, knownUsage,
                counts);
        TrackerStats stats = fake.tracker().stats();
        assertThat(failures).as("%d of %d runs failed (seed 0x%x); the first ones:\n%s", failed,
                indexes.length * Rep.values().length, corpus.seed(), String.join("\n\n", failures)).isEmpty();
        assertThat(stats.recorded()).as("one record per tracked subscription").isEqualTo(tracked);
        assertThat(originals.tracker().stats().readFailures()).as("no unchanged fixture is unreadable").isZero();
        if (indexes.length >= 1000) {
            assertThat(stats.readFailures()).as("unreadable fuzzed answers are counted").isPositive();
        }
        assertThat(stats.trackingErrors()).as("no internal error while tracking").isZero();
        assertThat(DROPPED).as("signals dropped to the hooks").isEmpty();
        if (indexes.length >= 1000) {
            assertThat(knownUsage).as("legitimate changes were checked against a real usage").isGreaterThan(100);
        }
    }

    /** @return null when the case passed in this representation, else what went wrong */
    private @Nullable String check(FuzzCase c, Rep rep) {
        SplittableRandom rng = c.random(rep.ordinal());
        String provider = c.fixture().provider();
        boolean mono = rep == Rep.MONO_STRING || rep == Rep.MONO_BYTES;
        boolean keepEnds = rng.nextBoolean();
        List<Object> values = values(c, rep, keepEnds, rng);
        List<byte[]> before = copies(values);
        End end = End.COMPLETE;
        int k = values.size();
        if (!mono) {
            int roll = rng.nextInt(100);
            end = roll < 60 ? End.COMPLETE : roll < 75 ? End.ERROR_AT_END : roll < 87 ? End.ERROR_MIDWAY : End.CANCEL;
            if ((end == End.ERROR_MIDWAY || end == End.CANCEL) && !c.usageUnknownWhenCut()) {
                end = End.COMPLETE; // a cut stream legitimately keeps what its prefix says
            }
            if (end == End.ERROR_MIDWAY) {
                k = rng.nextInt(values.size() + 1);
            } else if (end == End.CANCEL) {
                k = values.isEmpty() ? 0 : 1 + rng.nextInt(values.size());
            }
        }
        IOException error = new IOException("connection reset (fuzz)");
        int cancelAfter = end == End.CANCEL ? k : -1;

        Recorder plain = new Recorder(cancelAfter);
        Recorder observed = new Recorder(cancelAfter);
        int recordsBefore = fake.recorded().size();
        long readFailuresBefore = fake.tracker().stats().readFailures();
        try {
            if (mono) {
                Mono.just(values.get(0)).subscribe(plain);
                Mono.just(values.get(0)).transform(Spectra.tracked(provider, MODEL)).contextWrite(fake.bind())
                        .subscribe(observed);
            } else {
                source(values, end, k, error).subscribe(plain);
                source(values, end, k, error).transform(Spectra.stream(provider, MODEL)).contextWrite(fake.bind())
                        .subscribe(observed);
            }
        } catch (Throwable t) {
            return "an exception escaped subscribe: " + t;
        }
        tracked++;
        if (!DROPPED.isEmpty()) {
            return "dropped signals: " + DROPPED;
        }
        String diff = plain.differsFrom(observed);
        if (diff != null) {
            return diff;
        }
        if (!plain.terminatedOrCancelled()) {
            return "the untracked run did not end: " + plain.signals;
        }
        for (int i = 0; i < before.size(); i++) {
            if (before.get(i) != null && !Arrays.equals(before.get(i), (byte[]) values.get(i))) {
                return "chunk " + i + " was changed";
            }
        }
        List<TrackedRequest> records = fake.recorded();
        if (records.size() != recordsBefore + 1) {
            return (records.size() - recordsBefore) + " records instead of 1";
        }
        TrackedRequest r = records.get(records.size() - 1);
        // a completed call fails only when the bytes still hold a provider's error (an in-band error event or an
        // error body): then its type is the provider's, since no exception reached the operator
        Outcome outcome = end == End.CANCEL ? Outcome.CANCELLED
                : end == End.COMPLETE ? (r.errorType() != null ? Outcome.FAILURE : Outcome.SUCCESS) : Outcome.FAILURE;
        if (end == End.COMPLETE && r.errorType() != null && r.errorType().contains(".")) {
            return "error type " + r.errorType() + " of a completed call is not a provider's";
        }
        if (r.outcome() != outcome) {
            return "outcome " + r.outcome() + " instead of " + outcome;
        }
        if (r.streaming() == mono) {
            return "streaming " + r.streaming();
        }
        if (!mono && !Objects.equals(r.chunkCount(), plain.values)) {
            return "chunk count " + r.chunkCount() + " instead of " + plain.values;
        }
        Usage expected = c.usageUnknown() ? null : original(c, rep, keepEnds);
        knownUsage += expected != null ? 1 : 0;
        if (!Objects.equals(r.usage(), expected)) {
            return "usage " + r.usage() + " instead of " + (expected == null ? "unknown" : expected);
        }
        if (expected == null && (r.cost() != null || r.pricingStatus() != PricingStatus.USAGE_UNKNOWN)) {
            return "usage unknown, yet cost " + r.cost() + ", " + r.pricingStatus();
        }
        long readFailures = fake.tracker().stats().readFailures() - readFailuresBefore;
        if (readFailures > (r.outcome() == Outcome.SUCCESS && r.usage() == null ? 1 : 0)) {
            return readFailures + " read failures counted for a " + r.outcome() + " record with usage " + r.usage()
                    + " (only a successful call whose answer could not be read counts, once)";
        }
        return null;
    }

    /** The usage the unchanged fixture gives in the same representation. */
    private @Nullable Usage original(FuzzCase c, Rep rep, boolean keepEnds) {
        String key = c.fixture().file() + '/' + rep + '/' + keepEnds;
        return originalUsage.computeIfAbsent(key, x -> {
            FuzzCase o = FuzzCase.unchanged(c.fixture());
            List<Object> values = values(o, rep, keepEnds, o.random(rep.ordinal()));
            Publisher<Object> p = rep == Rep.MONO_STRING || rep == Rep.MONO_BYTES
                    ? Mono.just(values.get(0)).transform(Spectra.tracked(c.fixture().provider(), MODEL))
                    : Flux.fromIterable(values).transform(Spectra.stream(c.fixture().provider(), MODEL));
            originals.reset();
            Flux.from(p).contextWrite(originals.bind()).subscribe(new Recorder(-1));
            return Optional.ofNullable(originals.last().usage());
        }).orElse(null);
    }

    private static List<Object> values(FuzzCase c, Rep rep, boolean keepEnds, SplittableRandom rng) {
        switch (rep) {
            case MONO_STRING:
                return List.of(c.text());
            case MONO_BYTES:
                return List.of(c.bytes().clone());
            case PAYLOADS:
                return new ArrayList<>(c.payloads());
            case LINES:
                return new ArrayList<>(c.lines(keepEnds));
            default:
                return new ArrayList<>(c.byteChunks(rng));
        }
    }

    private static List<byte[]> copies(List<Object> values) {
        List<byte[]> out = new ArrayList<>(values.size());
        for (Object v : values) {
            out.add(v instanceof byte[] ? ((byte[]) v).clone() : null);
        }
        return out;
    }

    private static Flux<Object> source(List<Object> values, End end, int k, Throwable error) {
        switch (end) {
            case ERROR_AT_END:
                return Flux.fromIterable(values).concatWith(Flux.error(error));
            case ERROR_MIDWAY:
                return Flux.fromIterable(values.subList(0, k)).concatWith(Flux.error(error));
            default:
                return Flux.fromIterable(values);
        }
    }

    /** Keeps every signal as it came (values as instances), on which thread, and cancels after n values if asked. */
    static final class Recorder implements CoreSubscriber<Object> {
        private static final Object COMPLETE = new Object() {
            @Override
            public String toString() {
                return "onComplete";
            }
        };

        final List<Object> signals = new ArrayList<>();
        final int cancelAfter;
        final Thread thread = Thread.currentThread();
        @Nullable Subscription subscription;
        int values;
        boolean cancelled;
        boolean otherThread;

        Recorder(int cancelAfter) {
            this.cancelAfter = cancelAfter;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            if (cancelAfter == 0) {
                cancelled = true;
                s.cancel();
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Object o) {
            otherThread |= Thread.currentThread() != thread;
            signals.add(o);
            if (++values == cancelAfter) {
                cancelled = true;
                subscription.cancel();
            }
        }

        @Override
        public void onError(Throwable t) {
            otherThread |= Thread.currentThread() != thread;
            signals.add(new Failed(t));
        }

        @Override
        public void onComplete() {
            otherThread |= Thread.currentThread() != thread;
            signals.add(COMPLETE);
        }

        boolean terminatedOrCancelled() {
            return cancelled || (!signals.isEmpty() && (signals.get(signals.size() - 1) == COMPLETE
                    || signals.get(signals.size() - 1) instanceof Failed));
        }

        /** @return null when both saw the same signals (same instances, same order, same thread), else how not */
        @Nullable String differsFrom(Recorder other) {
            if (otherThread || other.otherThread) {
                return "a signal came on another thread";
            }
            if (signals.size() != other.signals.size()) {
                return "untracked saw " + signals.size() + " signals, tracked " + other.signals.size() + ": "
                        + tail(signals) + " vs " + tail(other.signals);
            }
            for (int i = 0; i < signals.size(); i++) {
                Object a = signals.get(i);
                Object b = other.signals.get(i);
                boolean same = a instanceof Failed && b instanceof Failed ? ((Failed) a).error == ((Failed) b).error
                        : a == b;
                if (!same) {
                    return "signal " + i + " differs: " + a + " vs " + b;
                }
            }
            return null;
        }

        private static String tail(List<Object> s) {
            return s.subList(Math.max(0, s.size() - 2), s.size()).toString();
        }
    }

    record Failed(Throwable error) {
    }
}
