/**
 * Exports every tracked LLM call to OpenTelemetry: a CLIENT span and the GenAI client metrics, in the GenAI semantic
 * conventions, delivered as one more destination of a Spectra tracker. Entry point:
 * {@link dev.spectra.reactive.opentelemetry.SpectraOpenTelemetry}.
 */
// OpenTelemetry's jars are automatic modules
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.spectra.reactive.opentelemetry {
    requires transitive dev.spectra.reactive;
    requires transitive io.opentelemetry.api;
    requires transitive io.opentelemetry.context;
    requires static transitive org.jspecify;

    exports dev.spectra.reactive.opentelemetry;
}
