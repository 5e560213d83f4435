/**
 * The read API and dashboard over what Spectra stored: {@link dev.spectra.reactive.web.SpectraWebRoutes} builds
 * the routes (WebFlux functional endpoints) from {@link dev.spectra.reactive.web.SpectraWebOptions};
 * {@link dev.spectra.reactive.web.SpectraAccess} says who may read; {@link dev.spectra.reactive.web.SpectraReadPool}
 * gives reads a connection pool of their own, apart from the sink's writes;
 * {@link dev.spectra.reactive.web.SpectraWebServer} serves the routes on bare Reactor Netty.
 */
@NullMarked
package dev.spectra.reactive.web;

import org.jspecify.annotations.NullMarked;
