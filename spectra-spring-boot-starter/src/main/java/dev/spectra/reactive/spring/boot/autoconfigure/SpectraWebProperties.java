package dev.spectra.reactive.spring.boot.autoconfigure;

import dev.spectra.reactive.web.SpectraWebOptions;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The dashboard and JSON API of {@code spectra-reactive-web}, under {@code spectra.web.*}. Off unless
 * {@code spectra.web.enabled=true}: the API shows what every call cost.
 *
 * @param enabled serve the dashboard and the API in the application's reactive web server
 * @param path where they are mounted: the dashboard at the path, the API under {@code path/api}
 * @param bearerToken when set, every read needs {@code Authorization: Bearer <token>}; when not, Spring Security's
 *        authentication when it is present, else requests from localhost only (unless the application has a
 *        {@code SpectraAccess} bean)
 * @param maxConcurrentReads reads running at once; more get a 503 with {@code Retry-After}
 * @since 0.1
 */
@ConfigurationProperties("spectra.web")
public record SpectraWebProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("/spectra") String path,
        @Nullable String bearerToken,
        @DefaultValue("" + SpectraWebOptions.DEFAULT_MAX_CONCURRENT_READS) int maxConcurrentReads) {

    @Override
    public String toString() {
        return "SpectraWebProperties{enabled=" + enabled + ", path=" + path + ", bearerToken="
                + (bearerToken == null ? "unset" : "[REDACTED]") + ", maxConcurrentReads=" + maxConcurrentReads
                + "}";
    }
}
