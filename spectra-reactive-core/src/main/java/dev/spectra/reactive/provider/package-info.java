/**
 * Reading provider responses: what a response (a whole JSON body or the chunks of a stream) says about the
 * call: answered model, response id, {@link dev.spectra.reactive.Usage}, finish reason, tool calls.
 *
 * <p>{@link dev.spectra.reactive.provider.ProviderRegistry} knows the providers (hosts, trackable endpoints,
 * {@link dev.spectra.reactive.provider.WireFormat wire formats}) and is the
 * {@link dev.spectra.reactive.provider.ResponseReader} of the operators. The WebClient filter matches a request
 * with {@code ProviderRegistry.match(...)} and reads its bodies through the
 * {@link dev.spectra.reactive.provider.EndpointMatch}: {@code readRequest}, {@code readResponse} and
 * {@code newStreamReader()} work on bytes, read-only, in constant memory per stream.
 */
@NullMarked
package dev.spectra.reactive.provider;

import org.jspecify.annotations.NullMarked;
