/**
 * JMH benchmarks of Spectra Reactive; run them with {@code scripts/bench.sh}, which writes {@code docs/benchmarks.md}.
 */
package dev.spectra.reactive.benchmarks;
