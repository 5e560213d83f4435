package dev.spectra.reactive.spring.boot.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.budget.Budget;
import dev.spectra.reactive.budget.BudgetPeriod;
import dev.spectra.reactive.budget.InMemoryBudgetStore;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.r2dbc.SpectraSchema;
import dev.spectra.reactive.web.SpectraAccess;
import dev.spectra.reactive.web.SpectraReadPool;
import dev.spectra.reactive.web.SpectraWebRoutes;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableReactiveWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard and API routes: only when turned on in a reactive web application with PostgreSQL storage, at the
 * configured path, behind the configured access. Nothing is read from the database here: the storage URL points
 * at a closed port and the requests made need no read.
 */
class SpectraWebAutoConfigurationUnitTests {

    private static final String DB_URL = "r2dbc:postgresql://spectra@127.0.0.1:1/spectra";
    private static final String[] STORAGE = {"spectra.r2dbc.url=" + DB_URL, "spectra.r2dbc.check-on-startup=false",
            "spectra.r2dbc.create-schema=false"};

    private static final String TOKEN = "a-token-of-32-characters-0000000";

    private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SpectraAutoConfiguration.class,
                    SpectraR2dbcAutoConfiguration.class, SpectraWebAutoConfiguration.class))
            .withPropertyValues(STORAGE);

    @AfterEach
    void forgetGlobals() {
        Spectra.resetTracker();
    }

    @Test
    void turnedOnTheRoutesAreMountedAtTheConfiguredPathBehindTheBearerToken() {
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.path=/costs",
                "spectra.web.bearer-token=" + TOKEN).run(context -> {
                    assertThat(context).hasBean("spectraWebRoutes");
                    WebTestClient client = client(context);
                    client.get().uri("/costs").exchange().expectStatus().isPermanentRedirect()
                            .expectHeader().location("/costs/");
                    client.get().uri("/costs/").exchange().expectStatus().isOk()
                            .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML);
                    client.get().uri("/costs/api/requests").exchange().expectStatus().isUnauthorized();
                    client.get().uri("/costs/api/unknown").header("Authorization", "Bearer " + TOKEN)
                            .exchange()
                            .expectStatus().isNotFound()
                            .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON);
                    client.get().uri("/spectra").exchange().expectStatus().isNotFound();
                    assertThat(context.getBean(SpectraWebProperties.class).toString()).doesNotContain(TOKEN);
                });
    }

    @Test
    void theDefaultPathAndTheApplicationsAccessRule() {
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.bearer-token=property-token-0000000000")
                .withBean(SpectraAccess.class, () -> SpectraAccess.bearerToken("application-token-00000000"))
                .run(context -> {
                    WebTestClient client = client(context);
                    client.get().uri("/spectra/api/unknown")
                            .header("Authorization", "Bearer property-token-0000000000").exchange()
                            .expectStatus().isUnauthorized();
                    client.get().uri("/spectra/api/unknown")
                            .header("Authorization", "Bearer application-token-00000000").exchange()
                            .expectStatus().isNotFound();
                });
    }

    @Test
    void offByDefaultAndWithoutStorageOrTheModuleOrAReactiveWebApplication() {
        runner.run(context -> assertThat(context).hasSingleBean(R2dbcSpectraSink.class)
                .doesNotHaveBean("spectraWebRoutes").doesNotHaveBean(SpectraWebProperties.class));
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SpectraAutoConfiguration.class,
                        SpectraR2dbcAutoConfiguration.class, SpectraWebAutoConfiguration.class))
                .withPropertyValues("spectra.web.enabled=true")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("spectraWebRoutes"));
        runner.withPropertyValues("spectra.web.enabled=true")
                .withClassLoader(new FilteredClassLoader(SpectraWebRoutes.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("spectraWebRoutes"));
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("spectraWebRoutes"));
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SpectraAutoConfiguration.class,
                        SpectraR2dbcAutoConfiguration.class, SpectraWebAutoConfiguration.class))
                .withPropertyValues(STORAGE).withPropertyValues("spectra.web.enabled=true")
                .run(context -> assertThat(context).hasSingleBean(R2dbcSpectraSink.class)
                        .doesNotHaveBean("spectraWebRoutes"));
    }

    @Test
    void withABudgetsBeanTheApiAnswersTheirStatus() {
        Instant now = Instant.parse("2026-03-04T10:00:00Z");
        SpectraBudgets budgets = SpectraBudgets.builder()
                .budget(Budget.builder("daily").period(BudgetPeriod.daily(ZoneOffset.UTC)).usd("10.00").build())
                .store(InMemoryBudgetStore.create()).clock(Clock.fixed(now, ZoneOffset.UTC)).build();
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.bearer-token=" + TOKEN)
                .withBean(SpectraBudgets.class, () -> budgets).run(context -> {
                    WebTestClient client = client(context);
                    client.get().uri("/spectra/api/budgets").exchange().expectStatus().isUnauthorized();
                    client.get().uri("/spectra/api/budgets").header("Authorization", "Bearer " + TOKEN).exchange()
                            .expectStatus().isOk()
                            .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                            .expectBody()
                            .jsonPath("$.length()").isEqualTo(1)
                            .jsonPath("$[0].budget").isEqualTo("daily")
                            .jsonPath("$[0].subject").isEqualTo("")
                            .jsonPath("$[0].lines.length()").isEqualTo(1)
                            .jsonPath("$[0].lines[0].limit").isEqualTo(10.00)
                            .jsonPath("$[0].lines[0].spent").isEqualTo(0);
                });
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.bearer-token=" + TOKEN).run(context ->
                client(context).get().uri("/spectra/api/budgets").header("Authorization", "Bearer " + TOKEN)
                        .exchange().expectStatus().isNotFound());
    }

    @Test
    void theApplicationsOwnRoutesBeanIsKept() {
        RouterFunction<ServerResponse> own = request -> Mono.empty();
        runner.withPropertyValues("spectra.web.enabled=true").withBean("spectraWebRoutes", RouterFunction.class,
                () -> own).run(context -> assertThat(context.getBean("spectraWebRoutes")).isSameAs(own));
    }

    @Test
    void theReadPoolIsBuiltFromItsPropertiesOnlyWhenTurnedOn() {
        runner.withPropertyValues("spectra.web.enabled=true").run(context -> assertThat(context)
                .hasBean("spectraWebRoutes").doesNotHaveBean(SpectraReadPool.class));
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.read-pool.enabled=true").run(context ->
                assertThat(context.getBean(SpectraReadPool.class)).hasToString(
                        "SpectraReadPool{PostgreSQL, max 4, statementTimeout=PT10S, acquireTimeout=PT5S}"));
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.read-pool.enabled=true",
                "spectra.web.read-pool.max-size=6", "spectra.web.read-pool.statement-timeout=2s",
                "spectra.web.read-pool.acquire-timeout=1500ms").run(context ->
                assertThat(context.getBean(SpectraReadPool.class)).hasToString(
                        "SpectraReadPool{PostgreSQL, max 6, statementTimeout=PT2S, acquireTimeout=PT1.5S}"));
        runner.withPropertyValues("spectra.web.read-pool.enabled=true").run(context -> assertThat(context)
                .hasNotFailed().doesNotHaveBean(SpectraReadPool.class));
    }

    @Test
    void aReadPoolPropertyOutOfRangeStopsTheApplicationWithItsRange() {
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.read-pool.enabled=true",
                "spectra.web.read-pool.max-size=65").run(context -> assertThat(context).getFailure().rootCause()
                .hasMessage("size must be between 1 and 64, was 65"));
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.read-pool.enabled=true",
                "spectra.web.read-pool.statement-timeout=50ms").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessage("statementTimeout must be between 100 ms and 10 min, was PT0.05S"));
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.read-pool.enabled=true",
                "spectra.web.read-pool.acquire-timeout=2m").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessage("acquireTimeout must be between 100 ms and 1 min, was PT2M"));
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.max-concurrent-reads=0").run(context ->
                assertThat(context).getFailure().rootCause()
                        .hasMessage("maxConcurrentReads must be between 1 and 1000, was 0"));
    }

    @Test
    void storedThroughTheApplicationsConnectionFactoryTheReadPoolNeedsItsOwnUrl() {
        ReactiveWebApplicationContextRunner application = new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SpectraAutoConfiguration.class,
                        SpectraR2dbcAutoConfiguration.class, SpectraWebAutoConfiguration.class))
                .withBean(ConnectionFactory.class, () -> ConnectionFactories.get(DB_URL))
                .withPropertyValues("spectra.r2dbc.use-application-connection-factory=true",
                        "spectra.r2dbc.check-on-startup=false", "spectra.r2dbc.create-schema=false",
                        "spectra.web.enabled=true", "spectra.web.read-pool.enabled=true");
        application.run(context -> assertThat(context).getFailure().rootCause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("spectra.web.read-pool.enabled=true needs the database to read: set "
                        + "spectra.web.read-pool.url (the records are stored through the application's "
                        + "ConnectionFactory, whose URL Spectra does not know)"));
        application.withPropertyValues("spectra.web.read-pool.url=" + DB_URL, "spectra.web.read-pool.max-size=2")
                .run(context -> assertThat(context.getBean(SpectraReadPool.class).toString())
                        .startsWith("SpectraReadPool{PostgreSQL, max 2,"));
    }

    @Test
    void theApplicationsOwnReadPoolIsKeptAndThePropertiesNeverShowThePassword() {
        SpectraReadPool own = SpectraReadPool.create(DB_URL, SpectraSchema.defaultSchema(), 1,
                Duration.ofSeconds(1));
        try {
            runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.read-pool.enabled=true")
                    .withBean(SpectraReadPool.class, () -> own)
                    .run(context -> assertThat(context.getBean(SpectraReadPool.class)).isSameAs(own));
        } finally {
            own.close();
        }
        runner.withPropertyValues("spectra.web.enabled=true", "spectra.web.read-pool.enabled=true",
                "spectra.web.read-pool.url=r2dbc:postgresql://reader:url-secret@127.0.0.1:1/spectra",
                "spectra.web.read-pool.username=reader", "spectra.web.read-pool.password=property-secret")
                .run(context -> assertThat(context.getBean(SpectraWebProperties.class).toString())
                        .contains("username=reader").doesNotContain("url-secret").doesNotContain("property-secret"));
    }

    @SuppressWarnings("unchecked")
    private static WebTestClient client(AssertableReactiveWebApplicationContext context) {
        return WebTestClient.bindToRouterFunction(
                (RouterFunction<ServerResponse>) context.getBean("spectraWebRoutes", RouterFunction.class)).build();
    }
}
