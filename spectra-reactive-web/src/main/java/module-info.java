/**
 * Spectra's web module: the read API over stored LLM calls as WebFlux functional endpoints, a live feed of
 * records, and a one-page dashboard, mountable in any WebFlux application or served on bare Reactor Netty
 * ({@code SpectraWebRoutes}, {@code SpectraWebServer}). {@code ...web.internal} is not exported.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Spring and R2DBC ship automatic modules
module dev.spectra.reactive.web {
    requires transitive dev.spectra.reactive;
    requires transitive dev.spectra.reactive.r2dbc;
    requires transitive spring.webflux;
    requires transitive spring.web;
    requires spring.core;
    requires reactor.netty.http;
    requires reactor.netty.core;
    requires io.netty.codec.http;
    requires r2dbc.pool;
    requires r2dbc.postgresql;
    requires tools.jackson.databind;
    requires static org.jspecify;
    requires static spring.security.core;

    exports dev.spectra.reactive.web;
}
