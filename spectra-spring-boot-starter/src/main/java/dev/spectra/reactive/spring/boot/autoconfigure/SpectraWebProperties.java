package dev.spectra.reactive.spring.boot.autoconfigure;

import java.time.Duration;

import dev.spectra.reactive.web.SpectraReadPool;
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
 * @param readPool a connection pool of the API's own for its reads, apart from the one that writes the records
 * @since 0.1
 */
@ConfigurationProperties("spectra.web")
public record SpectraWebProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("/spectra") String path,
        @Nullable String bearerToken,
        @DefaultValue("" + SpectraWebOptions.DEFAULT_MAX_CONCURRENT_READS) int maxConcurrentReads,
        @DefaultValue ReadPool readPool) {

    @Override
    public String toString() {
        return "SpectraWebProperties{enabled=" + enabled + ", path=" + path + ", bearerToken="
                + (bearerToken == null ? "unset" : "[REDACTED]") + ", maxConcurrentReads=" + maxConcurrentReads
                + ", readPool=" + readPool + "}";
    }

    /**
     * A pool of read-only connections for the API's reads ({@code SpectraReadPool}): however many people look at
     * the dashboard, the writes keep their connections. Off by default (the reads then share the sink's pool),
     * unless the application has a {@code SpectraReadPool} bean of its own.
     *
     * @param enabled read through a pool of the API's own
     * @param url the database to read, e.g. a replica (r2dbc:postgresql://replica:5432/app); by default
     *        spectra.r2dbc.url, with spectra.r2dbc.username and password
     * @param username the user, when not in the URL (for the url set here)
     * @param password the password, when not in the URL (for the url set here); never logged
     * @param maxSize upper bound of the pool's connections, 1 to 64
     * @param statementTimeout server-side timeout of each read statement, 100ms to 10m
     * @param acquireTimeout longest a read waits for a connection, creating one included (then the API answers
     *        503), 100ms to 1m
     */
    public record ReadPool(
            @DefaultValue("false") boolean enabled,
            @Nullable String url,
            @Nullable String username,
            @Nullable String password,
            @DefaultValue("" + SpectraReadPool.DEFAULT_SIZE) int maxSize,
            @DefaultValue("10s") Duration statementTimeout,
            @DefaultValue("5s") Duration acquireTimeout) {

        @Override
        public String toString() {
            return "ReadPool{enabled=" + enabled + ", url=" + (url == null ? null : "(set)") + ", username="
                    + username + ", password=" + (password == null ? null : "******") + ", maxSize=" + maxSize
                    + ", statementTimeout=" + statementTimeout + ", acquireTimeout=" + acquireTimeout + "}";
        }
    }
}
