package dev.spectra.reactive.r2dbc;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spectra.reactive.Cost;
import dev.spectra.reactive.Outcome;
import dev.spectra.reactive.Trackable;
import dev.spectra.reactive.TrackedRequest;
import dev.spectra.reactive.Usage;
import org.jspecify.annotations.Nullable;

/**
 * Ten requests designed by hand, so that the expected answer of every query over them can be written down
 * literally in the tests (see the table in each test's comments). Day D is 2025-03-10 (UTC); Paris is UTC+1 then.
 *
 * <pre>
 *      provider   model              outcome   http stream tags              tenant trace trackable    start(UTC)  tokens(in,out,total) cost      latency
 * R1   openai     gpt-4o             success   200  no     billing           t1     trA   user/u1      D 08:00     100,50,150           0.0010    100
 * R2   openai     gpt-4o             success   200  yes    billing,beta      t1     trA   user/u1      D 09:00     200,100,300          0.0020    200
 * R3   openai     gpt-4o-mini        failure   429  no     beta              t2     trB   user/u2      D 10:00     -                    -         50
 * R4   anthropic  claude-sonnet-4-5  success   200  yes    billing           t2     trC   team/x       D 23:30     1000,500,1500        0.0105    1000
 * R5   anthropic  claude-sonnet-4-5  cancelled -    yes    -                 t1     trC   -            D+1 01:00   300,0,300            0.0009    300
 * R6   gcp.gemini gemini-2.5-flash   success   200  no     chat              t3     trD   user/u1      D+1 12:00   400,100,500          (unpriced) 400
 * R7   openai     gpt-4o             failure   500  no     billing           -      trE   -            D+1 13:00   -                    -         150
 * R8   openai     gpt-4o             success   200  no     billing           t1     trF   user/u3      D+2 00:00   100,50,150           0.0010    120
 * R9   mistral_ai mistral-large      success   201  no     -                 t2     trG   -            D+2 05:00   50,25,75             0.0001    80
 * R10  openai     gpt-4o             success   200  yes    (injection texts) t1     trH   user/(inj.)  D+2 06:00   10,5,15              0.00003   60
 * </pre>
 */
final class HandSet {

    static final Instant D = Instant.parse("2025-03-10T00:00:00Z");

    /** Tags, metadata keys and values, owner id that look like SQL: they must be stored and matched as text. */
    static final String INJECTION_TAG = "'; DROP TABLE spectra_requests; --";
    static final String QUOTED_TAG = "it's \"quoted\" \\ $1 ?| @>";
    static final String INJECTION_KEY = "k'ey\"; DROP TABLE x; --";
    static final String INJECTION_VALUE = "v'al\"ue; --) OR 1=1";
    static final String INJECTION_OWNER = "u1' OR '1'='1";

    static final TrackedRequest R1 = r(1, "openai", "gpt-4o", Outcome.SUCCESS, 200, false, List.of("billing"),
            md("tenant_id", "t1", "feature", "invoice", "attempt", 1), "trA", new Trackable("user", "u1"),
            D.plusSeconds(8 * 3600), Usage.of(100, 50), Cost.of("0.0004", "0.0006"), 100);
    static final TrackedRequest R2 = r(2, "openai", "gpt-4o", Outcome.SUCCESS, 200, true, List.of("billing", "beta"),
            md("tenant_id", "t1", "feature", "chat", "attempt", 2), "trA", new Trackable("user", "u1"),
            D.plusSeconds(9 * 3600), Usage.of(200, 100), Cost.of("0.0008", "0.0012"), 200);
    static final TrackedRequest R3 = r(3, "openai", "gpt-4o-mini", Outcome.FAILURE, 429, false, List.of("beta"),
            md("tenant_id", "t2"), "trB", new Trackable("user", "u2"),
            D.plusSeconds(10 * 3600), null, null, 50);
    static final TrackedRequest R4 = r(4, "anthropic", "claude-sonnet-4-5", Outcome.SUCCESS, 200, true,
            List.of("billing"),
            md("tenant_id", "t2", "feature", "chat", "nested", Map.of("region", "eu", "flags", List.of("a", "b"))),
            "trC", new Trackable("team", "x"),
            D.plusSeconds(23 * 3600 + 30 * 60), Usage.of(1000, 500), Cost.of("0.0030", "0.0075"), 1000);
    static final TrackedRequest R5 = r(5, "anthropic", "claude-sonnet-4-5", Outcome.CANCELLED, null, true, List.of(),
            md("tenant_id", "t1"), "trC", null,
            D.plusSeconds(25 * 3600), Usage.of(300, 0), Cost.of("0.0009", "0"), 300);
    static final TrackedRequest R6 = r(6, "gcp.gemini", "gemini-2.5-flash", Outcome.SUCCESS, 200, false,
            List.of("chat"), md("tenant_id", "t3", "attempt", 1), "trD", new Trackable("user", "u1"),
            D.plusSeconds(36 * 3600), Usage.of(400, 100), null, 400);
    static final TrackedRequest R7 = r(7, "openai", "gpt-4o", Outcome.FAILURE, 500, false, List.of("billing"),
            md(), "trE", null,
            D.plusSeconds(37 * 3600), null, null, 150);
    static final TrackedRequest R8 = r(8, "openai", "gpt-4o", Outcome.SUCCESS, 200, false, List.of("billing"),
            md("tenant_id", "t1"), "trF", new Trackable("user", "u3"),
            D.plusSeconds(48 * 3600), Usage.of(100, 50), Cost.of("0.0004", "0.0006"), 120);
    static final TrackedRequest R9 = r(9, "mistral_ai", "mistral-large", Outcome.SUCCESS, 201, false, List.of(),
            md("tenant_id", "t2"), "trG", null,
            D.plusSeconds(53 * 3600), Usage.of(50, 25), Cost.of("0.00003", "0.00007"), 80);
    static final TrackedRequest R10 = r(10, "openai", "gpt-4o", Outcome.SUCCESS, 200, true,
            List.of(QUOTED_TAG, INJECTION_TAG),
            md("tenant_id", "t1", INJECTION_KEY, INJECTION_VALUE, "%", "_"), "trH",
            new Trackable("user", INJECTION_OWNER),
            D.plusSeconds(54 * 3600), Usage.of(10, 5), Cost.of("0.00001", "0.00002"), 60);

    static final List<TrackedRequest> ALL = List.of(R1, R2, R3, R4, R5, R6, R7, R8, R9, R10);

    private HandSet() {
    }

    private static TrackedRequest r(int n, String provider, String model, Outcome outcome, @Nullable Integer status,
                                    boolean streaming, List<String> tags, Map<String, Object> metadata,
                                    String traceId, @Nullable Trackable trackable, Instant start,
                                    @Nullable Usage usage, @Nullable Cost cost, long latencyMs) {
        return TrackedRequest.builder()
                .id(Records.uuid7(start))
                .traceId(traceId)
                .responseId(usage == null ? null : "resp-" + n)
                .provider(provider)
                .model(model)
                .outcome(outcome)
                .httpStatus(status)
                .errorType(outcome == Outcome.FAILURE ? "http_" + status : null)
                .streaming(streaming)
                .tags(tags)
                .metadata(metadata)
                .trackable(trackable)
                .usage(usage)
                .cost(cost)
                .latencyMs(latencyMs)
                .startedAt(start)
                .completedAt(start.plusMillis(latencyMs))
                .build();
    }

    private static Map<String, Object> md(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** "R4" for HandSet.R4, for readable assertion messages. */
    static String name(TrackedRequest r) {
        int i = ALL.indexOf(r);
        return i < 0 ? r.id().toString() : "R" + (i + 1);
    }
}
