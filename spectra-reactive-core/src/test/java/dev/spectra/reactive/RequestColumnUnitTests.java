package dev.spectra.reactive;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestColumnUnitTests {

    /** Every field set, each number distinct, so that two columns swapped cannot read back equal. */
    static TrackedRequest full() {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("tenant_id", "acme");
        metadata.put("ratio", new BigDecimal("0.10"));
        metadata.put("nested", Map.of("list", List.of(1, 2.5, "x", true)));
        metadata.put("nothing", null);
        return TrackedRequest.builder()
                .id(UUID.fromString("0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"))
                .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .responseId("chatcmpl-abc")
                .provider("openai").model("gpt-4o").responseModel("gpt-4o-2024-08-06")
                .modelType(ModelType.EMBEDDING).endpoint("/v1/chat/completions").operation("chat").httpStatus(429)
                .outcome(Outcome.FAILURE).errorType("rate_limit").errorMessage("slow down")
                .finishReason("tool_calls").toolCallCounts(Map.of("function", 2, "web_search", 1))
                .streaming(true)
                .usage(Usage.builder().inputTokens(1200).outputTokens(345).cachedInputTokens(1000)
                        .cacheWriteTokens(100).reasoningTokens(45).totalTokens(1546).images(2)
                        .audioSeconds(new BigDecimal("12.50")).characters(77).cacheWrite1hTokens(40)
                        .audioInputTokens(60).imageInputTokens(30).audioOutputTokens(70).imageOutputTokens(80)
                        .build())
                .cost(Cost.of(new BigDecimal("0.00000015"), new BigDecimal("1234.5"))
                        .withProviderStated(new BigDecimal("1234.4")))
                .pricingTier(PricingTier.of("custom-tier"))
                .latencyMs(1834).timeToFirstTokenMs(212L).tokensPerSecond(61.25).chunkCount(42)
                .trackable(new Trackable("user", "u-42")).conversationId("conv-7")
                .tags(List.of("billing", "live-chat"))
                .metadata(metadata)
                .startedAt(Instant.parse("2025-03-04T05:06:07.123456789Z"))
                .completedAt(Instant.parse("2025-03-04T05:06:09Z"))
                .parentSpanId("00f067aa0ba902b7").upstreamProvider("Amazon Bedrock")
                .build();
    }

    /** Only what a record requires. */
    static TrackedRequest minimal() {
        return TrackedRequest.builder()
                .id(UUID.fromString("0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6e"))
                .provider("anthropic").model("claude").outcome(Outcome.SUCCESS)
                .startedAt(Instant.parse("2025-03-04T05:06:07Z"))
                .completedAt(Instant.parse("2025-03-04T05:06:07.5Z"))
                .build();
    }

    @Test
    void everyFieldOfTheRecordHasItsColumns() {
        // A column belongs to the record component named by the first part of its JSON name: trace_id to
        // traceId, usage.input_tokens to usage.
        Set<String> covered = Arrays.stream(RequestColumn.values())
                .map(c -> camelCase(c.jsonName().split("\\.")[0])).collect(Collectors.toSet());
        Set<String> components = Arrays.stream(TrackedRequest.class.getRecordComponents())
                .map(RecordComponent::getName).collect(Collectors.toSet());

        assertThat(components).as("fields of TrackedRequest without a RequestColumn").isSubsetOf(covered);
        assertThat(covered).as("RequestColumns that name no field of TrackedRequest").isSubsetOf(components);
    }

    @Test
    void everyFieldOfUsageCostAndTrackableHasItsColumn() {
        // every component but the set of stated details, which is the columns' nullness
        assertThat(columnsIn("usage")).hasSize(Usage.class.getRecordComponents().length - 1);
        assertThat(columnsIn("cost")).hasSize(Cost.class.getRecordComponents().length);
        assertThat(columnsIn("trackable")).hasSize(Trackable.class.getRecordComponents().length);
    }

    private static List<RequestColumn> columnsIn(String jsonObject) {
        return Arrays.stream(RequestColumn.values()).filter(c -> c.jsonName().startsWith(jsonObject + ".")).toList();
    }

    @Test
    void aFullRecordHasAValueOfTheColumnsTypeInEveryColumn() {
        TrackedRequest full = full();
        for (RequestColumn c : RequestColumn.values()) {
            assertThat(c.value(full)).as(c.columnName()).isNotNull().isInstanceOf(c.javaType());
        }
    }

    @Test
    void aMinimalRecordLeavesExactlyTheNullableColumnsEmpty() {
        TrackedRequest minimal = minimal();
        for (RequestColumn c : RequestColumn.values()) {
            if (c.nullable()) {
                assertThat(c.value(minimal)).as(c.columnName()).isNull();
            } else {
                assertThat(c.value(minimal)).as(c.columnName()).isNotNull().isInstanceOf(c.javaType());
            }
        }
    }

    @Test
    void readsBackTheRecordItsColumnsHold() {
        for (TrackedRequest r : List.of(full(), minimal())) {
            TrackedRequest read = RequestColumn.toRequest(c -> c.value(r));
            assertThat(read).usingRecursiveComparison().isEqualTo(r);
            assertThat(read).isEqualTo(r);
        }
    }

    @Test
    void readsCountsFromAnyJsonNumberAndCollectionsOfAnyKind() {
        TrackedRequest r = full();
        Map<RequestColumn, Object> values = valuesOf(r);
        values.put(RequestColumn.TOOL_CALL_COUNTS,
                new HashMap<>(Map.of("function", 2L, "web_search", new BigDecimal("1"))));
        values.put(RequestColumn.TAGS, new java.util.ArrayList<>(r.tags()));

        assertThat(RequestColumn.toRequest(values::get)).isEqualTo(r);
    }

    @Test
    void namesAreSnakeCaseAndUnique() {
        Pattern snakeCase = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
        for (RequestColumn c : RequestColumn.values()) {
            assertThat(c.columnName()).matches(snakeCase).hasSizeLessThanOrEqualTo(63);   // PostgreSQL's limit
            assertThat(c.jsonName()).matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?");
            assertThat(c.name()).isEqualTo(c.columnName().toUpperCase(java.util.Locale.ROOT));
            assertThat(c.description()).isNotBlank().endsWith(".").doesNotContain("\n");
        }
        assertThat(Arrays.stream(RequestColumn.values()).map(RequestColumn::columnName)).doesNotHaveDuplicates();
        assertThat(Arrays.stream(RequestColumn.values()).map(RequestColumn::jsonName)).doesNotHaveDuplicates();
        assertThat(Arrays.stream(RequestColumn.values()).map(RequestColumn::otelAttribute).filter(Objects::nonNull))
                .doesNotHaveDuplicates().allMatch(a -> a.matches("[a-z_]+(\\.[a-z_]+)+"));
    }

    @Test
    void eachSqlTypeHoldsOneJavaType() {
        Map<String, Set<Class<?>>> javaTypes = Map.of(
                "uuid", Set.of(UUID.class),
                "text", Set.of(String.class),
                "integer", Set.of(Integer.class),
                "bigint", Set.of(Long.class),
                "numeric", Set.of(BigDecimal.class),
                "numeric(20,10)", Set.of(BigDecimal.class),
                "double precision", Set.of(Double.class),
                "boolean", Set.of(Boolean.class),
                "timestamptz", Set.of(Instant.class),
                "jsonb", Set.of(Map.class, List.class));
        for (RequestColumn c : RequestColumn.values()) {
            assertThat(javaTypes.get(c.sqlType())).as(c.columnName()).contains(c.javaType());
        }
    }

    @Test
    void theJsonNamesAreTheColumnNamesSaveWhereTheApiNamedThemOtherwise() {
        Map<String, String> renamed = new LinkedHashMap<>();
        for (RequestColumn c : RequestColumn.values()) {
            String field = c.jsonName().substring(c.jsonName().indexOf('.') + 1);
            if (!field.equals(c.columnName())) {
                renamed.put(c.columnName(), c.jsonName());
            }
        }
        assertThat(renamed).containsExactly(
                Map.entry("input_cost", "cost.input_usd"),
                Map.entry("output_cost", "cost.output_usd"),
                Map.entry("total_cost", "cost.total_usd"),
                Map.entry("trackable_type", "trackable.type"),
                Map.entry("trackable_id", "trackable.id"),
                Map.entry("cost_source", "cost.source"),
                Map.entry("provider_cost", "cost.provider_usd"));
    }

    @Test
    void refusesColumnValuesThatAreNoRecord() {
        Map<RequestColumn, Object> values = valuesOf(full());

        values.put(RequestColumn.LATENCY_MS, null);
        assertThatThrownBy(() -> RequestColumn.toRequest(values::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("column latency_ms is NOT NULL but has no value");

        values.put(RequestColumn.LATENCY_MS, 12);
        assertThatThrownBy(() -> RequestColumn.toRequest(values::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("column latency_ms: a value of type java.lang.Integer is not a Long");

        values.put(RequestColumn.LATENCY_MS, 12L);
        values.put(RequestColumn.OUTPUT_TOKENS, null);
        assertThatThrownBy(() -> RequestColumn.toRequest(values::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("column output_tokens has no value but other columns of usage have: usage is all or "
                        + "nothing");
        values.put(RequestColumn.INPUT_TOKENS, null);
        values.put(RequestColumn.TOTAL_TOKENS, null);
        assertThatThrownBy(() -> RequestColumn.toRequest(values::get)).as("only details of a usage")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("column input_tokens has no value but other columns of usage have: usage is all or "
                        + "nothing");
        values.put(RequestColumn.INPUT_TOKENS, full().usage().inputTokens());
        values.put(RequestColumn.OUTPUT_TOKENS, full().usage().outputTokens());
        values.put(RequestColumn.TOTAL_TOKENS, full().usage().totalTokens());
        values.put(RequestColumn.REASONING_TOKENS, null);
        assertThat(RequestColumn.toRequest(values::get).usage().isStated(Usage.Detail.REASONING_TOKENS))
                .as("a detail that is null was not stated").isFalse();

        values.put(RequestColumn.REASONING_TOKENS, 45L);
        values.put(RequestColumn.TOOL_CALL_COUNTS, Map.of("function", 2.5));
        assertThatThrownBy(() -> RequestColumn.toRequest(values::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("column tool_call_counts: function=2.5 is not a count");

        values.put(RequestColumn.TOOL_CALL_COUNTS, Map.of());
        values.put(RequestColumn.TAGS, List.of(1));
        assertThatThrownBy(() -> RequestColumn.toRequest(values::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("column tags: 1 is not a string");

        values.put(RequestColumn.TAGS, List.of());
        values.put(RequestColumn.OUTCOME, "exploded");
        assertThatThrownBy(() -> RequestColumn.toRequest(values::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outcome \"exploded\" is not one of");
    }

    @Test
    void jsonNestsTheRecordsPartsAndIsNullWhereARecordHasNone() {
        Map<String, Object> full = RequestColumn.toJson(full());
        Map<String, Object> minimal = RequestColumn.toJson(minimal());

        assertThat(full.keySet()).containsExactlyElementsOf(minimal.keySet());
        assertThat(full).containsEntry("id", "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d")
                .containsEntry("started_at", "2025-03-04T05:06:07.123456789Z")
                .containsEntry("model_type", "embedding")
                .containsEntry("pricing_tier", "custom-tier")
                .containsEntry("trackable", Map.of("type", "user", "id", "u-42"))
                .containsEntry("cost", Map.of("input_usd", new BigDecimal("0.0000001500"),
                        "output_usd", new BigDecimal("1234.5000000000"),
                        "total_usd", new BigDecimal("1234.5000001500"), "source", "catalog",
                        "provider_usd", new BigDecimal("1234.4000000000")));
        assertThat(full.get("usage")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .hasSize(14).containsEntry("cache_write_1h_tokens", 40L).containsEntry("audio_seconds",
                        new BigDecimal("12.50"));
        assertThat(minimal).containsEntry("usage", null).containsEntry("cost", null).containsEntry("trackable", null)
                .containsEntry("trace_id", "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6e")
                .containsEntry("tags", List.of()).containsEntry("metadata", Map.of());
        assertThat(List.copyOf(full.keySet()).subList(0, 3)).containsExactly("id", "trace_id", "response_id");
    }

    @Test
    void theJavadocOfEachColumnIsItsDescription() throws IOException {
        String source = Files.readString(Path.of("src/main/java/dev/spectra/reactive/RequestColumn.java"),
                StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("/\\*\\*((?:(?!\\*/).)*)\\*/\\s*([A-Z0-9_]+)\\(", Pattern.DOTALL).matcher(source);
        Map<RequestColumn, String> javadoc = new EnumMap<>(RequestColumn.class);
        while (m.find()) {
            javadoc.put(RequestColumn.valueOf(m.group(2)), m.group(1).replaceAll("\\s*\\n\\s*\\*\\s*", " ").trim());
        }
        for (RequestColumn c : RequestColumn.values()) {
            assertThat(javadoc.get(c)).as("javadoc of %s", c).isEqualTo(c.description());
        }
    }

    @Test
    void theDocsListEveryColumn() throws IOException {
        String docs = Files.readString(Path.of("../docs/columns.md"), StandardCharsets.UTF_8);
        String table = markdownTable();

        assertThat(docs).as("docs/columns.md is out of date: replace its table with%n%s", table).contains(table);
    }

    /** The catalog as the Markdown table of docs/columns.md. */
    static String markdownTable() {
        StringBuilder t = new StringBuilder("""
                | column | PostgreSQL type | null | JSON | OpenTelemetry | what it holds |
                |---|---|---|---|---|---|
                """);
        for (RequestColumn c : RequestColumn.values()) {
            t.append("| `").append(c.columnName()).append("` | `").append(c.sqlType()).append("` | ")
                    .append(c.nullable() ? "null" : "not null").append(" | `").append(c.jsonName()).append("` | ")
                    .append(c.otelAttribute() == null ? "" : "`" + c.otelAttribute() + "`").append(" | ")
                    .append(c.description().replace("|", "\\|")).append(" |\n");
        }
        return t.toString();
    }

    private static Map<RequestColumn, Object> valuesOf(TrackedRequest r) {
        Map<RequestColumn, Object> values = new EnumMap<>(RequestColumn.class);
        for (RequestColumn c : RequestColumn.values()) {
            values.put(c, c.value(r));
        }
        return values;
    }

    private static String camelCase(String snake) {
        return Pattern.compile("_([a-z0-9])").matcher(snake)
                .replaceAll(r -> r.group(1).toUpperCase(java.util.Locale.ROOT));
    }

    @Test
    void theColumnsAndTheJsonShowNullForWhatWasNotStatedAndReadBackTheSameUsage() {
        Usage u = Usage.builder().inputTokens(10).outputTokens(4).cachedInputTokens(0).build();
        TrackedRequest r = full().toBuilder().usage(u).build();
        assertThat(RequestColumn.CACHED_INPUT_TOKENS.value(r)).isEqualTo(0L);
        assertThat(RequestColumn.REASONING_TOKENS.value(r)).isNull();
        assertThat(RequestColumn.AUDIO_SECONDS.value(r)).isNull();
        assertThat(RequestColumn.INPUT_TOKENS.value(r)).isEqualTo(10L);
        @SuppressWarnings("unchecked")
        Map<String, Object> usage = (Map<String, Object>) RequestColumn.toJson(r).get("usage");
        assertThat(usage).containsEntry("cached_input_tokens", 0L).containsEntry("reasoning_tokens", null)
                .containsEntry("input_tokens", 10L);
        TrackedRequest back = RequestColumn.toRequest(c -> c.value(r));
        assertThat(back.usage()).isEqualTo(u);
        assertThat(back).isEqualTo(r);
    }
}
