package dev.spectra.reactive.spring.boot.autoconfigure;

import dev.spectra.reactive.Spectra;
import dev.spectra.reactive.r2dbc.R2dbcSpectraSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The start-up check against a port where no PostgreSQL listens: the application does not start, and says which
 * database it could not write to, without the password; turned off, the application starts and writes are retried
 * in the background.
 */
class SpectraStartupCheckIntegrationTests {

    private static final String UNREACHABLE = "r2dbc:postgresql://spectra:hunter2@127.0.0.1:1/spectra";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SpectraAutoConfiguration.class,
                    SpectraR2dbcAutoConfiguration.class))
            .withPropertyValues("spectra.r2dbc.url=" + UNREACHABLE);

    @AfterEach
    void forgetGlobals() {
        Spectra.resetTracker();
    }

    @Test
    void anUnreachableDatabaseStopsTheApplicationNamingItWithoutThePassword() {
        runner.run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining(
                    "Spectra cannot write to PostgreSQL at 127.0.0.1:1, database \"spectra\", user \"spectra\"");
            assertThat(stackTrace(context.getStartupFailure())).doesNotContain("hunter2");
        });
    }

    @Test
    void withTheCheckOffTheApplicationStarts() {
        runner.withPropertyValues("spectra.r2dbc.check-on-startup=false").run(context -> assertThat(context)
                .hasNotFailed().hasSingleBean(R2dbcSpectraSink.class));
    }

    private static String stackTrace(Throwable error) {
        java.io.StringWriter out = new java.io.StringWriter();
        error.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
