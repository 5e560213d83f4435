package dev.spectra.reactive.r2dbc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.spectra.reactive.RequestColumn;

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

    @Test
    void theMigrationsTogetherMakeEveryColumnOfTheCatalogOnce() {
        List<RequestColumn> made = SchemaDdl.MIGRATIONS.stream().flatMap(m -> m.columns().stream()).toList();

        assertThat(made).doesNotHaveDuplicates().containsExactlyInAnyOrder(RequestColumn.values());
        assertThat(SchemaDdl.MIGRATIONS.get(0).columns()).isEqualTo(SchemaDdl.columnsOfVersion1());
    }

    @Test
    void aLaterMigrationAddsEachColumnWithItsTypeNullabilityAndDefault() {
        SchemaDdl.Migration m = SchemaDdl.addColumns(2, "more", RequestColumn.CHUNK_COUNT, RequestColumn.TAGS,
                RequestColumn.METADATA, RequestColumn.LATENCY_MS, RequestColumn.TOTAL_COST);

        assertThat(m.statements()).containsExactly(
                "ALTER TABLE %1$s.spectra_requests ADD COLUMN chunk_count integer",
                "ALTER TABLE %1$s.spectra_requests ADD COLUMN tags jsonb NOT NULL DEFAULT '[]'",
                "ALTER TABLE %1$s.spectra_requests ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'",
                "ALTER TABLE %1$s.spectra_requests ADD COLUMN latency_ms bigint NOT NULL",
                "ALTER TABLE %1$s.spectra_requests ADD COLUMN total_cost numeric(20,10)");
        assertThat(m.columns()).containsExactly(RequestColumn.CHUNK_COUNT, RequestColumn.TAGS, RequestColumn.METADATA,
                RequestColumn.LATENCY_MS, RequestColumn.TOTAL_COST);
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
