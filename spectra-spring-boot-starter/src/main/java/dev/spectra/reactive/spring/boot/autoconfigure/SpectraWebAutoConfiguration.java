package dev.spectra.reactive.spring.boot.autoconfigure;

import java.util.List;

import dev.spectra.reactive.SpectraTracker;
import dev.spectra.reactive.budget.BudgetStatus;
import dev.spectra.reactive.budget.SpectraBudgets;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import dev.spectra.reactive.web.SpectraAccess;
import dev.spectra.reactive.web.SpectraReadPool;
import dev.spectra.reactive.web.SpectraWebOptions;
import dev.spectra.reactive.web.SpectraWebRoutes;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The dashboard and JSON API of {@code spectra-reactive-web} in the application's reactive web server, over the
 * records stored in PostgreSQL ({@link R2dbcSpectraSink}): a {@code RouterFunction} bean named
 * {@code spectraWebRoutes} mounted at {@code spectra.web.path} ({@code /spectra}), with the tracker's records as
 * the live feed. Only with {@code spectra.web.enabled=true}: the API shows what every call cost.
 *
 * <p>Reads go through a {@link SpectraReadPool} (a pool of their own, so that the dashboard never takes the writes'
 * connections) when the application has one as a bean, or when {@code spectra.web.read-pool.enabled=true} builds
 * one from {@code spectra.web.read-pool.*} (its database by default {@code spectra.r2dbc.url}'s); else through the
 * sink's pool. Who may read: the
 * application's {@link SpectraAccess} bean, else {@code spectra.web.bearer-token} when set, else
 * {@link SpectraAccess#byDefault()} (Spring Security's authentication when present, else localhost only). When
 * the application has a {@link SpectraBudgets} bean, {@code GET path/api/budgets} answers its
 * {@linkplain SpectraBudgets#status() status}: a JSON array of {@link BudgetStatus}, one per budget and subject.
 *
 * @since 0.1
 */
@AutoConfiguration(after = {SpectraAutoConfiguration.class, SpectraR2dbcAutoConfiguration.class})
@ConditionalOnClass(name = "dev.spectra.reactive.web.SpectraWebRoutes")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty("spectra.web.enabled")
@ConditionalOnBean({SpectraTracker.class, R2dbcSpectraSink.class})
@EnableConfigurationProperties({SpectraWebProperties.class, SpectraProperties.class})
public final class SpectraWebAutoConfiguration {

    private static final ParameterizedTypeReference<List<BudgetStatus>> BUDGET_STATUSES =
            new ParameterizedTypeReference<>() { };

    SpectraWebAutoConfiguration() {
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty("spectra.web.read-pool.enabled")
    SpectraReadPool spectraReadPool(SpectraWebProperties web, SpectraProperties spectra, R2dbcSpectraSink sink) {
        SpectraWebProperties.ReadPool pool = web.readPool();
        SpectraProperties.R2dbc storage = spectra.r2dbc();
        ConnectionFactoryOptions options;
        if (pool.url() != null) {
            options = options(pool.url(), pool.username(), pool.password());
        } else if (storage.url() != null) {
            options = options(storage.url(), storage.username(), storage.password());
        } else {
            throw new IllegalStateException("spectra.web.read-pool.enabled=true needs the database to read: set "
                    + "spectra.web.read-pool.url (the records are stored through the application's "
                    + "ConnectionFactory, whose URL Spectra does not know)");
        }
        return SpectraReadPool.create(options, sink.schema(), pool.maxSize(), pool.statementTimeout(),
                pool.acquireTimeout());
    }

    private static ConnectionFactoryOptions options(String url, @Nullable String username,
                                                    @Nullable String password) {
        ConnectionFactoryOptions.Builder options = ConnectionFactoryOptions.parse(url).mutate();
        if (username != null) {
            options.option(ConnectionFactoryOptions.USER, username);
        }
        if (password != null) {
            options.option(ConnectionFactoryOptions.PASSWORD, password);
        }
        return options.build();
    }

    @Bean
    @ConditionalOnMissingBean(name = "spectraWebRoutes")
    RouterFunction<ServerResponse> spectraWebRoutes(SpectraWebProperties properties, SpectraTracker tracker,
                                                    R2dbcSpectraSink sink, ObjectProvider<SpectraReadPool> readPool,
                                                    ObjectProvider<SpectraAccess> access,
                                                    ObjectProvider<SpectraBudgets> budgets) {
        SpectraReadPool reads = readPool.getIfUnique();
        SpectraWebOptions.Builder options = SpectraWebOptions.builder(reads != null ? reads.requests()
                        : sink.requests())
                .events(tracker.events())
                .maxConcurrentReads(properties.maxConcurrentReads());
        SpectraAccess own = access.getIfUnique();
        if (own != null) {
            options.access(own);
        } else if (properties.bearerToken() != null) {
            options.bearerToken(properties.bearerToken());
        }
        SpectraBudgets statuses = budgets.getIfUnique();
        if (statuses != null) {
            options.apiRoutes(RouterFunctions.route(RequestPredicates.GET("/api/budgets"), request -> ServerResponse
                    .ok().contentType(MediaType.APPLICATION_JSON)
                    .body(statuses.status().collectList(), BUDGET_STATUSES)));
        }
        return SpectraWebRoutes.create(properties.path(), options.build());
    }
}
