/**
 * Implementation details shared by Spectra's own modules: metadata validation and redaction, free-text secret
 * scrubbing, the bounded queue and event stream of delivery, ids, clocks and rate-limited logging. Exported only to
 * Spectra's WebClient and R2DBC modules (see {@code module-info}); nothing here is API and it may change in any
 * release.
 */
@NullMarked
package dev.spectra.reactive.internal;

import org.jspecify.annotations.NullMarked;
