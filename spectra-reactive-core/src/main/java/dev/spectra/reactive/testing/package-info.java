/**
 * Test support for users' own suites: {@link dev.spectra.reactive.testing.SpectraFake}, a tracker that records
 * synchronously in memory and asserts on what was recorded.
 */
@NullMarked
package dev.spectra.reactive.testing;

import org.jspecify.annotations.NullMarked;
