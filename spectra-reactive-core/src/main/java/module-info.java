/**
 * Spectra Reactive's core: the operators and the facade ({@code dev.spectra.reactive}), the provider wire formats
 * ({@code ...provider}), the pricing catalog ({@code ...pricing}), delivery and sinks ({@code ...sink}) and the
 * test fake ({@code ...testing}). {@code ...internal} is shared with Spectra's own modules only.
 */
// "module": the sibling modules that read the internals are built later; reactor ships as automatic modules
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.spectra.reactive {
    requires transitive reactor.core;
    requires transitive org.reactivestreams;
    requires tools.jackson.databind;
    requires static transitive org.jspecify;
    // optional: with Micrometer context-propagation present, Reactor moves Spectra's attributes onto threads
    requires static context.propagation;
    // optional: with the AWS SDK v2 present, its Bedrock Runtime answers and events are read as the JSON they carry
    requires static software.amazon.awssdk.core;
    requires static software.amazon.awssdk.awscore;
    requires static software.amazon.awssdk.services.bedrockruntime;

    exports dev.spectra.reactive;
    exports dev.spectra.reactive.budget;
    exports dev.spectra.reactive.pricing;
    exports dev.spectra.reactive.provider;
    exports dev.spectra.reactive.sink;
    exports dev.spectra.reactive.testing;
    exports dev.spectra.reactive.internal to dev.spectra.reactive.webclient, dev.spectra.reactive.r2dbc,
            dev.spectra.reactive.okhttp, dev.spectra.reactive.anthropic;
    exports dev.spectra.reactive.internal.http to dev.spectra.reactive.webclient, dev.spectra.reactive.okhttp,
            dev.spectra.reactive.anthropic;

    provides io.micrometer.context.ThreadLocalAccessor with
            dev.spectra.reactive.internal.context.AttributesAccessor,
            dev.spectra.reactive.internal.context.TrackerAccessor;
}
