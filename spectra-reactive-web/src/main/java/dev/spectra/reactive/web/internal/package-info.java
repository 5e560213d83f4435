/**
 * The handlers, query parameters, JSON and read limits behind {@code SpectraWebRoutes}; not exported.
 */
@NullMarked
package dev.spectra.reactive.web.internal;

import org.jspecify.annotations.NullMarked;
