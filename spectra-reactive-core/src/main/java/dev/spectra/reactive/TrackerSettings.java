package dev.spectra.reactive;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.spectra.reactive.pricing.Pricing;
import dev.spectra.reactive.provider.ProviderRegistry;
import dev.spectra.reactive.provider.ResponseReader;
import dev.spectra.reactive.sink.RecorderOptions;
import dev.spectra.reactive.sink.SpectraSink;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * What a {@link SpectraTrackerBuilder} was told, checked and with its defaults filled in: the settings a
 * {@link TrackingEngine} runs with.
 *
 * @param sink where records go
 * @param recorder the primary delivery's queue settings; null for direct delivery
 * @param destinations further destinations by name, in the order added
 * @param clock the clock of start times
 * @param ticker the monotonic time of durations, or null for the default
 * @param idGenerator the ids of records, or null for UUID version 7 of the start time
 * @param redactKeys the secret-looking metadata keys
 * @param metadataMaxBytes the bound on a call's serialised metadata
 * @param enabled the master switch's initial position
 * @param pricing turns usage into cost
 * @param providers the providers recognised by host and path
 * @param responseReader reads responses and stream chunks
 * @param traceIdResolver reads a trace id from a subscriber's Context
 * @param parentSpanIdResolver reads the current span's id from a subscriber's Context
 */
record TrackerSettings(SpectraSink sink, @Nullable RecorderOptions recorder, Map<String, Destination> destinations,
                       Clock clock, @Nullable LongSupplier ticker, @Nullable Supplier<UUID> idGenerator,
                       List<String> redactKeys, int metadataMaxBytes, boolean enabled, Pricing pricing,
                       ProviderRegistry providers, ResponseReader responseReader,
                       Function<ContextView, @Nullable String> traceIdResolver,
                       Function<ContextView, @Nullable String> parentSpanIdResolver) {

    /**
     * A destination added to a tracker.
     *
     * @param sink where its records go
     * @param options its queue, batch, timeout and retry settings
     */
    record Destination(SpectraSink sink, RecorderOptions options) {
    }

    @Override
    public String toString() {
        return "sink=" + sink + ", delivery=" + (recorder != null ? recorder : "direct")
                + (destinations.isEmpty() ? "" : ", destinations=" + destinations.keySet())
                + ", metadataMaxBytes=" + metadataMaxBytes + ", redactKeys=" + redactKeys + ", pricing=" + pricing
                + ", responseReader=" + responseReader;
    }
}
