package dev.spectra.reactive.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * Who may read the API: checked before every API route (the dashboard's page itself holds no data and is served
 * to anyone who may reach it, but its reads go through this check).
 *
 * <ul>
 *   <li>{@link #bearerToken(String)}: every API request needs {@code Authorization: Bearer <token>}; the
 *       built-in hook.</li>
 *   <li>{@link #localOnly()}: no token, for a server bound to a loopback address; the {@code Host} header must
 *       name the local machine ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}), so a web page of another
 *       site cannot read the API through DNS rebinding. The default.</li>
 *   <li>{@link #springSecurity()}: the request's Spring Security authentication must be present and not
 *       anonymous; the default ({@link #byDefault()}) when Spring Security is on the class path, so an application
 *       secured by it only has to let its {@code SecurityWebFilterChain} authenticate these routes.</li>
 *   <li>{@link #anyone()}: no check at all, for an application that secures these routes itself (Spring
 *       Security's {@code SecurityWebFilterChain}, a gateway): the caller's choice, never a default.</li>
 *   <li>Any other rule: implement {@link #allows(ServerRequest)}.</li>
 * </ul>
 *
 * @since 0.1
 */
@FunctionalInterface
public interface SpectraAccess {

    /**
     * Whether this request may read.
     *
     * @param request the request
     * @return true to serve it; false (or an error) answers 401
     */
    Mono<Boolean> allows(ServerRequest request);

    /**
     * Requires {@code Authorization: Bearer <token>}, compared in constant time.
     *
     * @param token the token, at least 16 characters
     * @return the rule
     * @throws IllegalArgumentException when the token is shorter than 16 characters or has spaces
     */
    static SpectraAccess bearerToken(String token) {
        return new BearerToken(token);
    }

    /**
     * No token; requests must name the local machine in {@code Host}.
     *
     * @return the rule
     */
    static SpectraAccess localOnly() {
        return LocalOnly.INSTANCE;
    }

    /**
     * Requires an authenticated (not anonymous) Spring Security principal in the request's reactive security
     * context, as Spring Security's {@code SecurityWebFilterChain} puts it there.
     *
     * @return the rule
     * @throws IllegalStateException when Spring Security ({@code spring-security-core}) is not on the class path
     */
    static SpectraAccess springSecurity() {
        if (!SpringSecurityAccess.AVAILABLE) {
            throw new IllegalStateException("SpectraAccess.springSecurity() needs spring-security-core on the "
                    + "class path");
        }
        return SpringSecurityAccess.INSTANCE;
    }

    /**
     * The rule when none is chosen: {@link #springSecurity()} when Spring Security is on the class path, else
     * {@link #localOnly()}.
     *
     * @return the rule
     */
    static SpectraAccess byDefault() {
        return SpringSecurityAccess.AVAILABLE ? SpringSecurityAccess.INSTANCE : localOnly();
    }

    /**
     * No check: for routes the application secures by other means.
     *
     * @return the rule
     */
    static SpectraAccess anyone() {
        return Anyone.INSTANCE;
    }

    /**
     * Whether this rule lets requests in without any credential, which {@link SpectraWebServer} refuses on a
     * non-loopback address.
     *
     * @return true for {@link #localOnly()} and {@link #anyone()}
     */
    default boolean needsNoCredential() {
        return false;
    }

    /** The built-in bearer token. */
    final class BearerToken implements SpectraAccess {
        private final byte[] expected;

        private BearerToken(String token) {
            Objects.requireNonNull(token, "token");
            if (token.length() < 16 || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw new IllegalArgumentException("the API token must be at least 16 printable ASCII characters "
                        + "without spaces, was " + token.length() + " characters");
            }
            this.expected = ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public Mono<Boolean> allows(ServerRequest request) {
            String header = request.headers().firstHeader("Authorization");
            return Mono.just(header != null
                    && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String toString() {
            return "SpectraAccess.bearerToken(***)";
        }
    }

    /** No credential, local Host names only. */
    final class LocalOnly implements SpectraAccess {
        private static final LocalOnly INSTANCE = new LocalOnly();
        private static final Set<String> LOCAL = Set.of("localhost", "127.0.0.1", "[::1]");

        private LocalOnly() {
        }

        @Override
        public Mono<Boolean> allows(ServerRequest request) {
            String host = request.headers().firstHeader("Host");
            if (host == null) {
                return Mono.just(false);
            }
            String name = host.toLowerCase(Locale.ROOT);
            int colon = name.lastIndexOf(':');
            if (colon > name.lastIndexOf(']')) {
                name = name.substring(0, colon);
            }
            return Mono.just(LOCAL.contains(name));
        }

        @Override
        public boolean needsNoCredential() {
            return true;
        }

        @Override
        public String toString() {
            return "SpectraAccess.localOnly()";
        }
    }

    /** No check. */
    final class Anyone implements SpectraAccess {
        private static final Anyone INSTANCE = new Anyone();

        private Anyone() {
        }

        @Override
        public Mono<Boolean> allows(ServerRequest request) {
            return Mono.just(true);
        }

        @Override
        public boolean needsNoCredential() {
            return true;
        }

        @Override
        public String toString() {
            return "SpectraAccess.anyone()";
        }
    }
}
