/**
 * Implementation details of the R2DBC module: SQL text, batch encoding, row mapping, error classification.
 * Nothing here is API; it may change in any release.
 */
@NullMarked
package dev.spectra.reactive.r2dbc.internal;

import org.jspecify.annotations.NullMarked;
