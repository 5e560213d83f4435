package dev.spectra.reactive.web;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * {@link SpectraAccess#springSecurity()}: loaded only when Spring Security is on the class path (its classes are
 * touched only through {@link #INSTANCE}, after {@link #AVAILABLE} said they are there).
 */
final class SpringSecurityAccess implements SpectraAccess {

    static final boolean AVAILABLE = present();
    static final SpectraAccess INSTANCE = new SpringSecurityAccess();

    private SpringSecurityAccess() {
    }

    private static boolean present() {
        try {
            Class.forName("org.springframework.security.core.context.ReactiveSecurityContextHolder", false,
                    SpringSecurityAccess.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public Mono<Boolean> allows(ServerRequest request) {
        return ReactiveSecurityContextHolder.getContext()
                .map(SecurityContext::getAuthentication)
                .map(SpringSecurityAccess::authenticated)
                .defaultIfEmpty(false);
    }

    private static boolean authenticated(Authentication a) {
        return a.isAuthenticated() && !(a instanceof AnonymousAuthenticationToken);
    }

    @Override
    public String toString() {
        return "SpectraAccess.springSecurity()";
    }
}
