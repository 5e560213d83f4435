package dev.spectra.reactive.testsupport.postgres;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Scans what Spectra stored for credentials that must never reach storage: provider API keys, AWS access key ids,
 * JWTs, bearer tokens, auth header values, {@code key=} query strings. Every row of {@code spectra_requests} is read as text, all columns.
 * A redacted value ({@code [REDACTED]}) is not a finding.
 */
public final class SecretScan {

    /** What a credential looks like in stored text. */
    public static final List<Pattern> PATTERNS = List.of(
            Pattern.compile("\\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{8,}"),
            Pattern.compile("AIza[0-9A-Za-z_-]{20,}"),
            Pattern.compile("\\b(?:gsk|xai)[_-][A-Za-z0-9]{16,}"),
            Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/=-]{6,}"),
            Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"),
            Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"),
            Pattern.compile("(?i)[?&;]key=(?!\\[REDACTED\\])[^&\\s\"\\\\,)]+"),
            Pattern.compile("(?i)\\b(?:x-api-key|x-goog-api-key|api-key|authorization)\"?\\s*[:=]\\s*\"?(?!\\[REDACTED\\])[A-Za-z0-9]"));

    private SecretScan() {
    }

    /**
     * @param cf the database
     * @param schema the schema holding {@code spectra_requests}
     * @return one line per credential found ("row id: match"); empty when clean or when the table does not exist
     */
    public static List<String> findings(ConnectionFactory cf, String schema) {
        List<String> found = new ArrayList<>();
        for (String row : rows(cf, schema)) {
            for (Pattern p : PATTERNS) {
                Matcher m = p.matcher(row);
                while (m.find()) {
                    found.add(row.substring(0, 36) + ": " + m.group());
                }
            }
        }
        return found;
    }

    /**
     * @param cf the database
     * @param schema the schema holding {@code spectra_requests}
     * @return every stored row as text, all columns, each starting with its id; empty when the table does not
     *         exist
     */
    public static List<String> rows(ConnectionFactory cf, String schema) {
        String table = "\"" + schema.replace("\"", "\"\"") + "\".spectra_requests";
        List<String> rows = Mono.usingWhen(cf.create(), c -> Flux.from(c.createStatement(
                        "SELECT to_regclass($1)::text").bind(0, table).execute())
                .flatMap(r -> r.map((row, m) -> String.valueOf(row.get(0, String.class)))).next()
                .flatMapMany(exists -> exists.equals("null") ? Flux.empty() : Flux.from(c.createStatement(
                        "SELECT t.id::text || ' ' || t::text FROM " + table + " t").execute())
                        .flatMap(r -> r.map((row, m) -> row.get(0, String.class))))
                .collectList(), Connection::close).block(Duration.ofSeconds(60));
        return rows == null ? List.of() : rows;
    }

    /**
     * @param cf the database
     * @param schema the schema holding {@code spectra_requests}
     * @throws AssertionError listing every credential found
     */
    public static void assertNone(ConnectionFactory cf, String schema) {
        List<String> found = findings(cf, schema);
        if (!found.isEmpty()) {
            throw new AssertionError("credentials were stored in " + schema + ".spectra_requests:\n  "
                    + String.join("\n  ", found));
        }
    }
}
