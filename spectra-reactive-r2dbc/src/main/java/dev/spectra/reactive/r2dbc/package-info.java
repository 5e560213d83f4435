/**
 * Delivery to PostgreSQL over R2DBC: {@link dev.spectra.reactive.r2dbc.R2dbcSpectraSink} writes batches of
 * tracked requests in one statement each, {@link dev.spectra.reactive.r2dbc.SpectraSchema} creates and upgrades
 * the table, and {@link dev.spectra.reactive.r2dbc.SpectraRequests} reads them back (by id, searches with keyset
 * paging, totals, pruning). Anything under {@code internal} is not API.
 */
@NullMarked
package dev.spectra.reactive.r2dbc;

import org.jspecify.annotations.NullMarked;
