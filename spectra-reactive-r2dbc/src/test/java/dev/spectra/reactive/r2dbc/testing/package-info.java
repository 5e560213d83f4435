/**
 * Test support for integration tests against PostgreSQL: {@link dev.spectra.reactive.r2dbc.testing.PostgresExtension}
 * (one server per run, external or embedded, a schema per test class) and its
 * {@link dev.spectra.reactive.r2dbc.testing.TestDatabase}. Published in this module's {@code test-jar} so other
 * modules (the samples) can reuse it.
 */
package dev.spectra.reactive.r2dbc.testing;
