/**
 * Spectra's WebClient filter: {@code SpectraExchangeFilter} records every provider call made through a
 * {@code WebClient}, streams included.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Spring ships automatic modules
module dev.spectra.reactive.webclient {
    requires transitive dev.spectra.reactive;
    requires transitive spring.webflux;
    requires spring.web;
    requires spring.core;
    requires static org.jspecify;

    exports dev.spectra.reactive.webclient;
}
