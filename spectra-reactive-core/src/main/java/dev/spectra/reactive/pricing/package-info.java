/**
 * Pricing: turns a model's {@link dev.spectra.reactive.Usage} into a {@link dev.spectra.reactive.Cost} in USD.
 */
@NullMarked
package dev.spectra.reactive.pricing;

import org.jspecify.annotations.NullMarked;
