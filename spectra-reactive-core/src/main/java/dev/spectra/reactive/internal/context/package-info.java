/**
 * Spectra's attributes (metadata, tags, trace id, trackable ...) and bound tracker as a thread carries them, for
 * code that leaves Reactor: the thread-local values behind {@code Spectra.scope(...)} and
 * {@code Spectra.threadContext()}, and their Micrometer context-propagation accessors, which Reactor uses to move
 * them between a subscription's Context and the threads that run it ({@code Hooks.enableAutomaticContextPropagation()},
 * {@code contextCapture()}). Not API; it may change in any release.
 */
@NullMarked
package dev.spectra.reactive.internal.context;

import org.jspecify.annotations.NullMarked;
