package dev.spectra.reactive.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.util.TestLogger;
import reactor.util.Loggers;

class RateLimitedLogUnitTests {

    private final TestLogger logger = new TestLogger(false);

    @BeforeEach
    void captureLogs() {
        Loggers.useCustomLoggers(name -> logger);
    }

    @AfterEach
    void restoreLogs() {
        Loggers.resetLoggerFactory();
    }

    @Test
    void aKindIsLoggedOnceAMinuteAndASuppressedLineBuildsNoMessage() {
        RateLimitedLog log = new RateLimitedLog(RateLimitedLogUnitTests.class);
        AtomicInteger built = new AtomicInteger();

        log.warn("unreadable:openai", "Spectra could not read a ", "openai", " response (", "not JSON", ")");
        log.warn("unreadable:openai", "second ", "openai", " line ", 2, "");
        log.warn("unreadable:openai", () -> {
            built.incrementAndGet();
            return "third line";
        }, null);
        log.warn("unreadable:anthropic", () -> {
            built.incrementAndGet();
            return "another kind is logged";
        }, null);

        assertThat(logger.getErrContent())
                .contains("Spectra could not read a openai response (not JSON)")
                .contains("another kind is logged")
                .doesNotContain("second openai line 2")
                .doesNotContain("third line");
        assertThat(built).as("only the logged line's message was built").hasValue(1);
    }

    @Test
    void aLoggedLineIsScrubbedOfCredentials() {
        RateLimitedLog log = new RateLimitedLog(RateLimitedLogUnitTests.class);

        log.warn("unpriced", "Spectra has no price for ", "openai", "/", "sk-proj-abcdefghijklmnop1234", "");

        assertThat(logger.getErrContent()).contains("Spectra has no price for openai/[REDACTED]")
                .doesNotContain("sk-proj-");
    }

    @Test
    void anErrorLoggedWithALineIsScrubbedThroughItsCauses() {
        RateLimitedLog log = new RateLimitedLog(RateLimitedLogUnitTests.class);
        IllegalStateException cause =
                new IllegalStateException("GET https://x/v1?key=AIzaSyA1234567890abcdefghijklmnopqrstu");
        java.io.IOException error = new java.io.IOException("the call failed", cause);

        log.warn("failed", "Spectra could not write", error);

        String logged = logger.getErrContent();
        assertThat(logged).contains("java.io.IOException: the call failed")
                .contains("java.lang.IllegalStateException: GET https://x/v1?key=[REDACTED]")
                .doesNotContain("AIzaSy");
        Throwable shown = RateLimitedLog.scrubbed(error, 0);
        assertThat(shown.getStackTrace()).isEqualTo(error.getStackTrace());
        assertThat(shown.getCause().getStackTrace()).isEqualTo(cause.getStackTrace());
        // nothing to scrub: the error itself
        java.io.IOException plain = new java.io.IOException("connection reset");
        assertThat(RateLimitedLog.scrubbed(plain, 0)).isSameAs(plain);
    }
}
