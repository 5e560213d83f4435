package dev.spectra.reactive.web.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The dashboard: one page and its script and style, read once from this module's resources. It holds no data:
 * it reads the API with the viewer's token. Strict headers: no inline script, nothing from another origin.
 */
final class Dashboard {

    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final byte[] PAGE = read("index.html");
    private static final byte[] SCRIPT = read("dashboard.js");
    private static final byte[] STYLE = read("dashboard.css");

    private Dashboard() {
    }

    static RouterFunction<ServerResponse> routes() {
        RequestPredicate get = RequestPredicates.method(HttpMethod.GET).or(RequestPredicates.method(HttpMethod.HEAD));
        return RouterFunctions.route(get.and(RequestPredicates.path("/")), req -> file(PAGE, MediaType.TEXT_HTML))
                // mounted under /spectra: /spectra goes to /spectra/, where the page's relative links resolve
                .andRoute(get.and(RequestPredicates.path("")), req -> ServerResponse.permanentRedirect(
                        URI.create(req.uri().getRawPath() + "/")).build())
                .andRoute(get.and(RequestPredicates.path("/dashboard.js")),
                        req -> file(SCRIPT, MediaType.valueOf("text/javascript;charset=UTF-8")))
                .andRoute(get.and(RequestPredicates.path("/dashboard.css")),
                        req -> file(STYLE, MediaType.valueOf("text/css;charset=UTF-8")));
    }

    private static reactor.core.publisher.Mono<ServerResponse> file(byte[] bytes, MediaType type) {
        return ServerResponse.ok().contentType(type)
                .header("Cache-Control", "no-cache")
                .header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .bodyValue(bytes);
    }

    private static byte[] read(String name) {
        try (InputStream in = Dashboard.class.getResourceAsStream("/dev/spectra/reactive/web/dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + name + " is missing from spectra-reactive-web");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
