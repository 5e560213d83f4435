/**
 * Reading provider responses: what a response (a whole JSON body or the chunks of a stream) says about the
 * call: answered model, response id, {@link dev.spectra.reactive.Usage}, finish reason, tool calls.
 */
@NullMarked
package dev.spectra.reactive.provider;

import org.jspecify.annotations.NullMarked;
