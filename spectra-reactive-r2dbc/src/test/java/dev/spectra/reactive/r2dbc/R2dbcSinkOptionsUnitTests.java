package dev.spectra.reactive.r2dbc;

import java.time.Duration;

import io.r2dbc.spi.ConnectionFactories;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class R2dbcSinkOptionsUnitTests {

    @Test
    void hasDocumentedDefaults() {
        R2dbcSinkOptions o = R2dbcSinkOptions.builder().url("r2dbc:postgresql://localhost/db").build();

        assertThat(o.schema()).isEqualTo(SpectraSchema.of("public"));
        assertThat(o.createSchema()).isTrue();
        assertThat(o.initialPoolSize()).isEqualTo(1);
        assertThat(o.maxPoolSize()).isEqualTo(4);
        assertThat(o.writeConcurrency()).isEqualTo(2);
        // the default concurrency never asks for more connections than the pool has
        assertThat(R2dbcSinkOptions.builder().url("r2dbc:postgresql://localhost/db").maxPoolSize(1).build()
                .writeConcurrency()).isEqualTo(1);
        assertThat(R2dbcSinkOptions.builder().url("r2dbc:postgresql://localhost/db").writeConcurrency(1).build()
                .writeConcurrency()).isEqualTo(1);
        assertThat(o.maxAcquireTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.maxCreateConnectionTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.maxIdleTime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(o.statementTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.maxAcquireTime().plus(o.statementTimeout()))
                .isLessThan(dev.spectra.reactive.sink.RecorderOptions.DEFAULT_WRITE_TIMEOUT);
        assertThat(o.applicationName()).isEqualTo("spectra-reactive");
    }

    @Test
    void toStringShowsTheConfigurationButNeverThePassword() {
        R2dbcSinkOptions o = R2dbcSinkOptions.builder()
                .url("r2dbc:postgresql://spectra:s3cr%40t@db.internal:5432/app?sslMode=require")
                .schema("billing").maxPoolSize(2).build();
        R2dbcSpectraSink sink = R2dbcSpectraSink.create(o);

        assertThat(o.toString()).isEqualTo("R2dbcSinkOptions{url=r2dbc:postgresql://spectra:****@db.internal:5432/app"
                + "?sslMode=require, schema=\"billing\", createSchema=true, pool=1..2, writeConcurrency=2, maxAcquireTime=PT3S,"
                + " maxCreateConnectionTime=PT3S, maxIdleTime=PT30M, statementTimeout=PT5S,"
                + " applicationName=spectra-reactive}");
        assertThat(sink.toString()).doesNotContain("s3cr").contains("db.internal");
        sink.close().block(Duration.ofSeconds(5));
    }

    @Test
    void toStringOfAConnectionFactoryNamesItsKindOnly() {
        R2dbcSinkOptions o = R2dbcSinkOptions.builder()
                .connectionFactory(ConnectionFactories.get("r2dbc:postgresql://u:topsecret@localhost/db")).build();

        assertThat(o.toString()).startsWith("R2dbcSinkOptions{connectionFactory=PostgresqlConnectionFactory(PostgreSQL)")
                .doesNotContain("topsecret");
    }

    @Test
    void validatesWhereTheValueIsGiven() {
        R2dbcSinkOptions.Builder b = R2dbcSinkOptions.builder();
        assertThatIllegalArgumentException().isThrownBy(() -> b.url("r2dbc:pool:postgresql://u:pw@host/db"))
                .withMessage("url must be an r2dbc:postgresql: URL (the sink pools connections itself, so no r2dbc:pool:),"
                        + " was r2dbc:pool:postgresql://u:****@host/db");
        assertThatIllegalArgumentException().isThrownBy(() -> b.url(" ")).withMessage("url must not be null or blank");
        assertThatIllegalArgumentException().isThrownBy(() -> b.maxPoolSize(0))
                .withMessage("maxPoolSize must be at least 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> b.initialPoolSize(-1))
                .withMessage("initialPoolSize must not be negative, was -1");
        assertThatIllegalArgumentException().isThrownBy(() -> b.maxAcquireTime(Duration.ZERO))
                .withMessage("maxAcquireTime must be positive, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> b.statementTimeout(Duration.ofNanos(10)))
                .withMessage("statementTimeout must be at least 1 ms, was PT0.00000001S");
        assertThatIllegalArgumentException().isThrownBy(() -> b.schema(""))
                .withMessage("schema name must not be null or empty");
        assertThatIllegalArgumentException().isThrownBy(() -> b.schema("x".repeat(64)))
                .withMessageContaining("is 64 bytes long; PostgreSQL identifiers are at most 63 bytes");
        assertThatIllegalArgumentException().isThrownBy(() -> b.schema("é".repeat(32)))
                .withMessageContaining("is 64 bytes long");
        assertThatIllegalArgumentException().isThrownBy(() -> b.schema("a\u0000b"))
                .withMessage("schema name must not contain the NUL character");
        assertThatIllegalStateException().isThrownBy(() -> R2dbcSinkOptions.builder().build())
                .withMessage("set url(...) or connectionFactory(...): the sink needs a database");
        assertThatIllegalStateException().isThrownBy(() -> R2dbcSinkOptions.builder().url("r2dbc:postgresql://h/d")
                        .initialPoolSize(5).maxPoolSize(2).build())
                .withMessage("initialPoolSize (5) must not exceed maxPoolSize (2)");
        assertThatIllegalArgumentException().isThrownBy(() -> b.writeConcurrency(0))
                .withMessage("writeConcurrency must be at least 1, was 0");
        assertThatIllegalStateException().isThrownBy(() -> R2dbcSinkOptions.builder().url("r2dbc:postgresql://h/d")
                        .writeConcurrency(3).maxPoolSize(2).build())
                .withMessage("writeConcurrency (3) must not exceed maxPoolSize (2): each write in flight holds a connection");
    }
}
