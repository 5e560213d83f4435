package dev.spectra.reactive.r2dbc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaDdlUnitTests {

    /** Version 1's DDL as released; databases in the field were made by exactly this text. */
    static final String RELEASED_VERSION_1 = resource("spectra_requests-v1.sql");

    @Test
    void version1IsTheDdlAsReleased() {
        SchemaDdl.Migration v1 = SchemaDdl.MIGRATIONS.get(0);

        assertThat(script(v1))
                .as("version 1 is released and must not change: a new column of RequestColumn needs a migration "
                        + "that adds it (SchemaDdl.addColumns)")
                .isEqualTo(RELEASED_VERSION_1);
    }

    /** A migration as one script: a header, then each statement followed by a semicolon. */
    static String script(SchemaDdl.Migration m) {
        StringBuilder sb = new StringBuilder("-- version " + m.version() + ": " + m.description() + "\n");
        for (String statement : m.statements()) {
            sb.append('\n').append(statement).append(";\n");
        }
        return sb.toString();
    }

    static String resource(String name) {
        try (InputStream in = SchemaDdlUnitTests.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
