package dev.spectra.reactive.spring.boot.autoconfigure;

import dev.spectra.reactive.r2dbc.R2dbcSinkOptions;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Wrapped;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Storage in PostgreSQL: an {@link R2dbcSpectraSink} bean, with a pool of its own, to a database of its own
 * ({@code spectra.r2dbc.url}) or to the application's {@link ConnectionFactory}
 * ({@code spectra.r2dbc.use-application-connection-factory=true}). With {@code spectra.r2dbc.check-on-startup} (the
 * default) it checks at start-up that it can write, creating the schema when {@code spectra.r2dbc.create-schema}
 * is on, and the application does not start when it cannot: the error names the host, port, database and user,
 * never the password. The tracker closes the sink when it closes.
 *
 * @since 0.1
 */
@AutoConfiguration(before = SpectraAutoConfiguration.class,
        afterName = "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration")
@ConditionalOnClass({R2dbcSpectraSink.class, ConnectionFactory.class})
@ConditionalOnBooleanProperty(name = "spectra.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SpectraProperties.class)
public final class SpectraR2dbcAutoConfiguration {

    SpectraR2dbcAutoConfiguration() {
    }

    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    @ConditionalOnProperty("spectra.r2dbc.url")
    R2dbcSpectraSink spectraR2dbcSink(SpectraProperties properties) {
        SpectraProperties.R2dbc r2dbc = properties.r2dbc();
        R2dbcSinkOptions.Builder options = options(r2dbc);
        String url = r2dbc.url();
        if (r2dbc.username() == null && r2dbc.password() == null) {
            options.url(url);
        } else {
            ConnectionFactoryOptions.Builder parsed = ConnectionFactoryOptions.parse(url).mutate();
            if (r2dbc.username() != null) {
                parsed.option(ConnectionFactoryOptions.USER, r2dbc.username());
            }
            if (r2dbc.password() != null) {
                parsed.option(ConnectionFactoryOptions.PASSWORD, r2dbc.password());
            }
            options.connectionFactory(ConnectionFactories.get(parsed.build()));
        }
        return checked(R2dbcSpectraSink.create(options.build()), r2dbc);
    }

    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty("spectra.r2dbc.use-application-connection-factory")
    @ConditionalOnSingleCandidate(ConnectionFactory.class)
    R2dbcSpectraSink spectraApplicationR2dbcSink(SpectraProperties properties, ConnectionFactory application) {
        // the application's pool stays the application's: Spectra pools the connections it opens itself
        ConnectionFactory factory = application instanceof Wrapped<?> wrapped
                && wrapped.unwrap() instanceof ConnectionFactory inner ? inner : application;
        return checked(R2dbcSpectraSink.create(options(properties.r2dbc()).connectionFactory(factory).build()),
                properties.r2dbc());
    }

    private static R2dbcSinkOptions.Builder options(SpectraProperties.R2dbc r2dbc) {
        R2dbcSinkOptions.Builder options = R2dbcSinkOptions.builder().schema(r2dbc.schema())
                .createSchema(r2dbc.createSchema()).maxPoolSize(r2dbc.maxPoolSize())
                .maxAcquireTime(r2dbc.maxAcquireTime()).statementTimeout(r2dbc.statementTimeout());
        Integer writeConcurrency = r2dbc.writeConcurrency();
        return writeConcurrency == null ? options : options.writeConcurrency(writeConcurrency);
    }

    private static R2dbcSpectraSink checked(R2dbcSpectraSink sink, SpectraProperties.R2dbc r2dbc) {
        if (r2dbc.checkOnStartup()) {
            try {
                sink.checkStartup().block();
            } catch (RuntimeException e) {
                sink.close().onErrorComplete().block();
                throw e;
            }
        }
        return sink;
    }
}
