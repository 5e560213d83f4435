package dev.spectra.reactive.r2dbc.internal;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.spectra.reactive.RequestColumn;
import dev.spectra.reactive.r2dbc.SpectraSchema;
import dev.spectra.reactive.testsupport.postgres.PostgresExtension;
import dev.spectra.reactive.testsupport.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The table the column catalog makes, compared in PostgreSQL's own catalog with the table the released DDL made,
 * and with a table that got some of its columns from a later migration.
 */
@ExtendWith(PostgresExtension.class)
class SchemaDdlIntegrationTests {

    @Test
    void theCurrentSchemaMakesTheSameTableAsTheReleasedDdlWithTheLaterMigrations(TestDatabase db) {
        String released = db.newSchemaName("released");
        db.update("CREATE SCHEMA \"" + released + "\"");
        for (String statement : statementsOf(SchemaDdlUnitTests.RELEASED_VERSION_1)) {
            db.update(statement.formatted("\"" + released + "\""));
        }
        // a database made by the released version 1, then upgraded by the later migrations
        for (SchemaDdl.Migration later : SchemaDdl.MIGRATIONS.subList(1, SchemaDdl.MIGRATIONS.size())) {
            for (String statement : later.statements()) {
                db.update(statement.formatted("\"" + released + "\""));
            }
        }
        SpectraSchema current = SpectraSchema.of(db.newSchemaName("current"));
        current.createOrUpgrade(db.connectionFactory()).block();

        assertThat(columns(db, current.name())).hasSize(RequestColumn.values().length)
                .containsExactlyElementsOf(columns(db, released));
        assertThat(constraints(db, current.name())).hasSize(7).containsExactlyElementsOf(constraints(db, released));
        // the partitioned table's indexes: the primary key (id, started_at) and the six of version 1, no unique
        // response id (spectra_response_ids holds it)
        assertThat(indexes(db, current.name(), current.name())).hasSize(7)
                .allSatisfy(index -> assertThat(index).contains(" ON ONLY S.spectra_requests "))
                .containsExactlyElementsOf(indexes(db, released, released));
        assertThat(indexes(db, current.name(), current.name()))
                .contains("CREATE UNIQUE INDEX spectra_requests_pkey ON ONLY S.spectra_requests USING btree (id, started_at)");
    }

    @Test
    void aColumnAddedByALaterMigrationIsTheColumnVersion1WouldHaveMade(TestDatabase db) {
        RequestColumn[] later = {RequestColumn.TOOL_CALL_COUNTS, RequestColumn.CHUNK_COUNT, RequestColumn.TOTAL_COST,
                RequestColumn.TOKENS_PER_SECOND, RequestColumn.TAGS, RequestColumn.STARTED_AT};
        Set<RequestColumn> first = EnumSet.allOf(RequestColumn.class);
        first.removeAll(Arrays.asList(later));

        String upgraded = db.newSchemaName("upgraded");
        db.update("CREATE SCHEMA \"" + upgraded + "\"");
        db.update(table(List.copyOf(first)).formatted("\"" + upgraded + "\""));
        for (String statement : SchemaDdl.addColumns(2, "later columns", later).statements()) {
            db.update(statement.formatted("\"" + upgraded + "\""));
        }
        String fresh = db.newSchemaName("fresh");
        db.update("CREATE SCHEMA \"" + fresh + "\"");
        db.update(table(List.of(RequestColumn.values())).formatted("\"" + fresh + "\""));

        assertThat(sortedByName(columns(db, upgraded))).hasSize(RequestColumn.values().length)
                .containsExactlyElementsOf(sortedByName(columns(db, fresh)));
    }

    private static String table(List<RequestColumn> columns) {
        return SchemaDdl.createTable(columns) + "    PRIMARY KEY (id)\n)";
    }

    /** A released script's statements, without its header comment. */
    private static List<String> statementsOf(String script) {
        return Arrays.stream(script.substring(script.indexOf('\n') + 1).split(";\n"))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Every column: position, name, type with its precision, nullability and default. */
    private static List<String> columns(TestDatabase db, String schema) {
        return db.column("SELECT ordinal_position || ' ' || column_name || ' ' || data_type"
                + " || coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '')"
                + " || ' nullable=' || is_nullable || ' default=' || coalesce(column_default, '-')"
                + " FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'spectra_requests'"
                + " ORDER BY ordinal_position", String.class, schema);
    }

    private static List<String> sortedByName(List<String> columns) {
        return columns.stream().map(c -> c.substring(c.indexOf(' ') + 1)).sorted().toList();
    }

    private static List<String> constraints(TestDatabase db, String schema) {
        return db.column("SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE conrelid = to_regclass(quote_ident($1) || '.spectra_requests') ORDER BY conname",
                String.class, schema);
    }

    private static List<String> indexes(TestDatabase db, String schema, String name) {
        return db.column("SELECT replace(indexdef, $2, 'S') FROM pg_indexes WHERE schemaname = $1"
                + " AND tablename = 'spectra_requests' ORDER BY indexname", String.class, schema, name);
    }
}
