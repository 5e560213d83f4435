/**
 * Implementation details of Spectra Reactive: operators, Context keys, metadata validation, id generation.
 * Nothing here is API; it may change in any release.
 */
@NullMarked
package dev.spectra.reactive.internal;

import org.jspecify.annotations.NullMarked;
