package dev.spectra.reactive.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.testsupport.postgres.EmbeddedServer;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableReactiveWebApplicationContext;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read pool of {@code spectra.web.read-pool.*} on a real PostgreSQL that asks for passwords: the API's reads go
 * through it, as its own user (the user and password of its properties), and not through the sink's connections;
 * a wrong password fails the reads, never the writes.
 */
class SpectraReadPoolIntegrationTests {

    private static final String TOKEN = "a-token-of-32-characters-0000000";
    private static final String READER_PASSWORD = "reader-password-never-logged";

    private static EmbeddedServer postgres;

    @BeforeAll
    static void startPostgres() {
        postgres = EmbeddedServer.start(Map.of("fsync", "off"));
        postgres.requirePasswords();
        postgres.execute("postgres", "CREATE ROLE reader LOGIN PASSWORD '" + READER_PASSWORD + "'");
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void forgetGlobals() {
        Spectra.resetTracker();
    }

    @Test
    void theApiReadsThroughItsOwnPoolAsTheReadPoolsUser() {
        runner().withPropertyValues("spectra.web.read-pool.username=reader",
                "spectra.web.read-pool.password=" + READER_PASSWORD)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    postgres.execute("postgres", "GRANT USAGE ON SCHEMA tracking TO reader");
                    postgres.execute("postgres", "GRANT SELECT ON ALL TABLES IN SCHEMA tracking TO reader");

                    client(context).get().uri("/spectra/api/requests").header("Authorization", "Bearer " + TOKEN)
                            .exchange().expectStatus().isOk()
                            .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON);

                    // the pool keeps the connection it read with, as the read pool's user
                    assertThat(readConnections()).containsExactly("reader");
                });
    }

    @Test
    void aWrongReadPoolPasswordFailsTheReadsNotTheWrites() {
        runner().withPropertyValues("spectra.web.read-pool.username=reader",
                "spectra.web.read-pool.password=not-the-password", "spectra.web.read-pool.acquire-timeout=2s")
                .run(context -> {
                    // the sink checked at start-up that it can write, as postgres: the application started
                    assertThat(context).hasNotFailed();
                    client(context).get().uri("/spectra/api/requests").header("Authorization", "Bearer " + TOKEN)
                            .exchange().expectStatus().is5xxServerError();
                });
    }

    private static ReactiveWebApplicationContextRunner runner() {
        String url = postgres.r2dbcUrl("postgres");
        return new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SpectraAutoConfiguration.class,
                        SpectraR2dbcAutoConfiguration.class, SpectraWebAutoConfiguration.class))
                .withPropertyValues("spectra.r2dbc.url=" + url, "spectra.r2dbc.schema=tracking",
                        "spectra.web.enabled=true", "spectra.web.bearer-token=" + TOKEN,
                        "spectra.web.read-pool.enabled=true", "spectra.web.read-pool.url=" + url.replace(
                                "postgres@", ""));
    }

    /** The users of the read pool's connections, as the server sees them. */
    private static List<String> readConnections() {
        return Flux.usingWhen(ConnectionFactories.get(postgres.r2dbcUrl("postgres")).create(),
                        (Connection c) -> Flux.from(c.createStatement("SELECT usename FROM pg_stat_activity "
                                        + "WHERE application_name = 'spectra-reads'").execute())
                                .flatMap(result -> result.map((row, meta) -> row.get("usename", String.class))),
                        c -> Mono.from(c.close()))
                .collectList().block(Duration.ofSeconds(30));
    }

    @SuppressWarnings("unchecked")
    private static WebTestClient client(AssertableReactiveWebApplicationContext context) {
        // the first read opens the pool's first connection (with a password exchange): slow on a loaded machine
        return WebTestClient.bindToRouterFunction(
                (RouterFunction<ServerResponse>) context.getBean("spectraWebRoutes", RouterFunction.class))
                .configureClient().responseTimeout(Duration.ofSeconds(30)).build();
    }
}
