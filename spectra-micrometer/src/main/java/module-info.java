/**
 * Micrometer meters for Spectra: {@code SpectraMeters} turns every record into the OpenTelemetry GenAI client
 * metrics and a cost counter; {@code SpectraTrackerMetrics} publishes a tracker's own counters;
 * {@code SpectraBudgetMetrics} publishes where each budget stands, refreshed in the background.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Micrometer ships automatic modules
module dev.spectra.reactive.micrometer {
    requires transitive dev.spectra.reactive;
    requires transitive micrometer.core;
    requires static org.jspecify;

    exports dev.spectra.reactive.micrometer;
}
