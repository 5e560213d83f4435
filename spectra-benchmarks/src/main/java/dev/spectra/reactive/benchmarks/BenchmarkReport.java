package dev.spectra.reactive.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes {@code docs/benchmarks.md} from the files one run of {@code scripts/bench.sh} leaves in its results
 * directory, and marks every performance target met or missed from the figures of that run.
 *
 * <p>Usage: {@code BenchmarkReport <results dir> <docs/benchmarks.md>}. The results directory holds:
 * <ul>
 *   <li>{@code machine.txt}: one line describing the machine and its load;</li>
 *   <li>{@code jmh.json}: JMH's JSON for the operators ({@code TrackingOverheadBenchmark}) and stream scanning
 *       ({@code StreamScanBenchmark}), run with {@code -prof gc};</li>
 *   <li>{@code filter-jmh-1.json}, {@code filter-jmh-2.json} ...: JMH's JSON of each run of one
 *       {@code FilterOverheadBenchmark} variant in one fork, pinned to one CPU, with {@code -prof gc}, numbered in the
 *       order they ran (or one {@code filter-jmh.json} of all of them); a variant's time is the median of the
 *       measurement iterations of all its forks;</li>
 *   <li>{@code filter-pinning.txt}: the command that pinned the filter's JVM to one CPU, empty when it ran
 *       unpinned;</li>
 *   <li>{@code filter-paired.txt}: the output of {@link FilterPairedTime} (both variants side by side in one pinned
 *       JVM), absent when not run;</li>
 *   <li>{@code filter-alloc.txt}: the output of {@link FilterAllocationCount} (bytes per call on every thread);</li>
 *   <li>{@code r2dbc-write.txt}: {@link WriteBenchmark}'s output, sections headed {@code == indexes=NAME};</li>
 *   <li>{@code scale.txt}: {@link ScaleQueryBenchmark}'s output (absent when the run skipped it).</li>
 * </ul>
 *
 * <p>Text written by hand survives a rewrite: whatever the existing document holds between
 * {@code <!-- notes:NAME -->} and {@code <!-- /notes:NAME -->} is carried into the new one at the same place, for
 * the names {@code tracking}, {@code filter}, {@code scan}, {@code write} and {@code scale}. Such text explains where
 * the time and bytes go; the figures themselves all come from the run.
 */
public final class BenchmarkReport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern NOTES = Pattern.compile(
            "<!-- notes:(\\w+) -->\\n(.*?)<!-- /notes:\\1 -->", Pattern.DOTALL);
    /** A method row of the write benchmark's table: {@code | sink | 17,000 | ...}. */
    private static final Pattern WRITE_ROW = Pattern.compile("^\\| (sink|sink1|copy) \\| ([0-9,]+) \\|");
    /** A method's ratios to {@code copy}, round by round: {@code sink / copy, round by round: … (median 0.93×)}. */
    private static final Pattern WRITE_PAIRED = Pattern.compile(
            "^(sink|sink1) / copy, round by round: .* \\(median ([0-9.]+)×\\)");
    /** The number of rounds in the write benchmark's table header. */
    private static final Pattern WRITE_ROUNDS = Pattern.compile("rows/s \\(median of ([0-9]+) rounds\\)");
    /** The summary line of {@link FilterAllocationCount}. */
    private static final Pattern ALLOC = Pattern.compile(
            "filter: ([+-][0-9]+) B per JSON call, ([+-][0-9]+) B per stream, ([+-][0-9]+) B per stream event");
    /** A call's line of {@link FilterPairedTime}: its median difference, quartiles and throughput ratio. */
    private static final Pattern PAIRED = Pattern.compile("(json|stream): +without ([0-9.]+) us .*? with "
            + "([0-9.]+) us .*?median ([+-][0-9.]+) us \\(quartiles ([+-][0-9.]+) to ([+-][0-9.]+)\\); "
            + "throughput with ([0-9.]+)x");
    private static final Pattern PAIRED_EVENT = Pattern.compile("per stream event beyond the call: ([+-][0-9]+) ns");
    /** A row of the scale benchmark's timing table: {@code | name | 1.2 ms | 3.4 ms | 5.6 ms |}. */
    private static final Pattern SCALE_ROW = Pattern.compile(
            "^\\| (.+?) \\| ([0-9.]+) ms \\| ([0-9.]+) ms \\| ([0-9.]+) ms \\|$");
    private static final Pattern EXECUTION = Pattern.compile("Execution Time: ([0-9.]+) ms");

    private static final double TRACKED_NS = 300;
    private static final double TRACKED_BYTES = 400;
    private static final double TRACKED_VS_MICROMETER = 0.5;
    private static final double FILTER_CALL_US = 3;
    private static final double FILTER_CALL_BYTES = 2048;
    private static final double FILTER_JSON_RATIO = 0.92;
    private static final double FILTER_EVENT_NS = 250;
    private static final double FILTER_STREAM_RATIO = 0.93;
    private static final double SINK_VS_COPY = 0.95;
    private static final double SCALE_P95_MS = 50;

    /** One JMH result: the primary metric (mean, error, median) and allocation per operation. */
    record Result(String benchmark, Map<String, String> params, double score, double error, double median,
                  double min, double max, String unit, double bytesPerOp, double auxBytesPerSecond) {

        /** Whether the slowest measured iteration took more than {@link #NOISY} times the fastest. */
        boolean noisy() {
            return max > min * NOISY;
        }
    }

    /** Iterations further apart than this ratio make a figure derived from them inconclusive. */
    private static final double NOISY = 1.2;

    /** One row of the targets table. */
    record Target(String what, String target, String figure, boolean met, boolean noisy) {
    }

    private final Path results;
    private final Map<String, String> notes;
    private final List<Target> targets = new ArrayList<>();

    private BenchmarkReport(Path results, Map<String, String> notes) {
        this.results = results;
        this.notes = notes;
    }

    /**
     * @param args the results directory and the document to write (and whose notes blocks to keep)
     * @throws IOException when a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: BenchmarkReport <results dir> <docs/benchmarks.md>");
            System.exit(2);
        }
        Path doc = Path.of(args[1]);
        Map<String, String> notes = new LinkedHashMap<>();
        if (Files.exists(doc)) {
            Matcher m = NOTES.matcher(Files.readString(doc));
            while (m.find()) {
                notes.put(m.group(1), m.group(2));
            }
        }
        String text = new BenchmarkReport(Path.of(args[0]), notes).write();
        Files.writeString(doc, text, StandardCharsets.UTF_8);
        System.out.println("wrote " + doc);
    }

    private String write() throws IOException {
        List<Result> jmh = readJmh(results.resolve("jmh.json"));
        List<Fork> filter = filterForks();
        StringBuilder body = new StringBuilder();
        tracking(body, jmh);
        filter(body, filter, read("filter-paired.txt"), read("filter-alloc.txt"));
        scan(body, jmh);
        write(body, read("r2dbc-write.txt"));
        scale(body, read("scale.txt"));

        StringBuilder md = new StringBuilder("# Benchmarks\n\n");
        md.append("Written by `scripts/bench.sh` on ").append(LocalDate.now(ZoneOffset.UTC))
                .append(" from one run of it; every figure below comes from that run. Run `scripts/bench.sh` to "
                        + "reproduce (about 40 minutes on 2 cores; "
                        + "`SKIP_SCALE=1` leaves the scale section out). Keep the machine otherwise idle.\n\n");
        md.append("- **Machine**: ").append(read("machine.txt").strip()).append("\n");
        if (!jmh.isEmpty()) {
            md.append("- **JVM**: ").append(jvm(results.resolve("jmh.json"))).append("; JMH 1.37, one fork per "
                    + "benchmark unless a section says otherwise, `-prof gc` for bytes per operation. Errors are "
                    + "JMH's 99.9% intervals.\n");
        }
        md.append("- Client and server share the machine; the headline figures are differences and ratios between "
                + "variants measured side by side in this run.\n\n");
        md.append("## Targets\n\n| target | limit | this run | |\n|---|---|---:|---|\n");
        for (Target t : targets) {
            md.append("| ").append(t.what()).append(" | ").append(t.target()).append(" | ").append(t.figure())
                    .append(" | ").append(t.met() ? "met" : "**missed**")
                    .append(t.noisy() ? " (not conclusive: iterations more than 20% apart)" : "").append(" |\n");
        }
        long missed = targets.stream().filter(t -> !t.met()).count();
        long noisy = targets.stream().filter(Target::noisy).count();
        md.append(String.format(Locale.ROOT, "%n%d of %d targets met%s.%n%n", targets.size() - missed,
                targets.size(), noisy == 0 ? "" : String.format(Locale.ROOT, "; %d marks not conclusive", noisy)));
        return md.append(body).toString();
    }

    private void tracking(StringBuilder md, List<Result> all) {
        md.append("## What tracking adds to a Mono\n\n");
        md.append("`TrackingOverheadBenchmark`: one `Mono.just(value)` assembled and subscribed per operation: bare, "
                + "with `.transform(Spectra.tracked(...))`, and observed by Micrometer "
                + "(`.name(..).tap(Micrometer.observation(registry))` with a meter handler, the observation path "
                + "Spring AI users have). `tracked`: a value without usage (the operator's own cost); "
                + "`trackedJson`: an OpenAI chat response (`JsonNode`) read and priced, the full work of a real call. "
                + "`recorder` delivers through the real Recorder (queue offer on the caller's thread, batching on its "
                + "own); `direct` writes each record to a sink that discards it, on the caller's thread.\n\n");
        if (all.isEmpty()) {
            md.append("(not run)\n\n");
            return;
        }
        md.append("| variant | delivery | ns/op | B/op | over bare: ns | over bare: B |\n|---|---|---:|---:|---:|---:|\n");
        for (String delivery : List.of("recorder", "direct")) {
            Result bare = find(all, "TrackingOverheadBenchmark.bare", delivery);
            for (String v : List.of("bare", "tracked", "trackedJson", "micrometer")) {
                Result r = find(all, "TrackingOverheadBenchmark." + v, delivery);
                md.append(String.format(Locale.ROOT, "| %s | %s | %.1f ± %.1f | %.0f | %s | %s |%n", v, delivery,
                        r.score(), r.error(), r.bytesPerOp(), v.equals("bare") ? "" : signed(r.score() - bare.score(), 1),
                        v.equals("bare") ? "" : signed(r.bytesPerOp() - bare.bytesPerOp(), 0)));
            }
        }
        md.append("\n");
        for (String delivery : List.of("recorder", "direct")) {
            Result bare = find(all, "TrackingOverheadBenchmark.bare", delivery);
            Result t = find(all, "TrackingOverheadBenchmark.tracked", delivery);
            Result m = find(all, "TrackingOverheadBenchmark.micrometer", delivery);
            double ns = t.score() - bare.score();
            double bytes = t.bytesPerOp() - bare.bytesPerOp();
            double ratio = ns / (m.score() - bare.score());
            target("`tracked` over bare, " + delivery + ": time", "≤ +" + (int) TRACKED_NS + " ns",
                    signed(ns, 0) + " ns", ns <= TRACKED_NS);
            target("`tracked` over bare, " + delivery + ": bytes", "≤ +" + (int) TRACKED_BYTES + " B",
                    signed(bytes, 0) + " B", bytes <= TRACKED_BYTES);
            target("`tracked` over bare, " + delivery + ": share of Micrometer's overhead",
                    "≤ " + TRACKED_VS_MICROMETER + "×", String.format(Locale.ROOT, "%.2f×", ratio),
                    ratio <= TRACKED_VS_MICROMETER);
        }
        notes(md, "tracking");
    }

    private void filter(StringBuilder md, List<Fork> forks, String paired, String alloc) throws IOException {
        List<Result> all = pooled(forks);
        int events = FilterOverheadBenchmark.STREAM_EVENTS;
        md.append("## What the WebClient filter adds to a call, on against off\n\n");
        md.append("`FilterOverheadBenchmark`: the same `WebClient` with and without `SpectraExchangeFilter`, against a "
                + "local Reactor Netty server that answers at once (no simulated latency, so the filter's share is "
                + "as large as it can be): a chat completion (JSON, 634 bytes) and an SSE stream of " + events
                + " events (a role chunk, " + FilterOverheadBenchmark.EVENTS + " content chunks, the finish chunk, the "
                + "usage chunk, `[DONE]`), read by the caller as Strings. The filter's tracker has the real Recorder "
                + "in front of a discarding sink.\n\n");
        if (all.isEmpty()) {
            md.append("(not run)\n\n");
        } else {
            Result jp = find(all, "FilterOverheadBenchmark.jsonPlain", null);
            Result jf = find(all, "FilterOverheadBenchmark.jsonFiltered", null);
            Result sp = find(all, "FilterOverheadBenchmark.streamPlain", null);
            Result sf = find(all, "FilterOverheadBenchmark.streamFiltered", null);
            String pinning = read("filter-pinning.txt").strip();
            md.append("Each variant in " + forks.size() / all.size() + " forks, each fork its own JVM "
                    + (pinning.isEmpty() ? "not pinned to a CPU" : "pinned to one CPU (`" + pinning + "`)")
                    + ", run in the order of the table below: " + forks.get(0).settings() + "; a variant's time is "
                    + "the median of the measurement iterations of all its forks, with the fastest and slowest "
                    + "iteration beside it.\n\n");
            md.append("| call | without: median µs | with: median µs | without: iterations µs "
                    + "| with: iterations µs | B/op without | B/op with |\n|---|---:|---:|---:|---:|---:|---:|\n");
            md.append(String.format(Locale.ROOT, "| JSON chat completion | %.1f | %.1f | %.1f to %.1f | %.1f to %.1f "
                    + "| %.0f | %.0f |%n", jp.median(), jf.median(), jp.min(), jp.max(), jf.min(), jf.max(),
                    jp.bytesPerOp(), jf.bytesPerOp()));
            md.append(String.format(Locale.ROOT, "| SSE stream, %d events | %.1f | %.1f | %.1f to %.1f | %.1f to %.1f "
                    + "| %.0f | %.0f |%n", events, sp.median(), sf.median(), sp.min(), sp.max(), sf.min(), sf.max(),
                    sp.bytesPerOp(), sf.bytesPerOp()));
            boolean jsonNoisy = jp.noisy() || jf.noisy();
            boolean streamNoisy = sp.noisy() || sf.noisy();
            double perCall = jf.median() - jp.median();
            double jsonRatio = jp.median() / jf.median();
            double perEvent = ((sf.median() - sp.median()) - perCall) / events * 1000;
            double streamRatio = sp.median() / sf.median();
            md.append(String.format(Locale.ROOT, "%n- per JSON call: **%+.1f µs**; throughput with the filter "
                    + "**%.2f×** of without;%n- per stream event beyond the call: **%+.0f ns**; the stream's "
                    + "throughput with the filter **%.2f×** of without.%n%n", perCall, jsonRatio, perEvent,
                    streamRatio));
            md.append("The forks in the order they ran:\n\n| run | variant | median µs | iterations µs |\n"
                    + "|---:|---|---:|---:|\n");
            for (int i = 0; i < forks.size(); i++) {
                Fork f = forks.get(i);
                md.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f to %.1f |%n", i + 1,
                        f.benchmark().replace("FilterOverheadBenchmark.", ""), Median.of(f.iterations()),
                        min(f.iterations()), max(f.iterations())));
            }
            md.append("\n");
            if (jsonNoisy || streamNoisy) {
                md.append("The iterations of " + (jsonNoisy && streamNoisy ? "both calls" : jsonNoisy ? "the JSON call"
                        : "the stream") + " lie more than 20% apart: a difference between medians smaller than that "
                        + "spread says little, and the per-event figure, which subtracts the JSON call's difference "
                        + "from the stream's, carries both spreads"
                        + (paired.isBlank() ? "" : "; such targets are marked by the side-by-side figure below")
                        + ".\n\n");
            }
            Map<String, SideBySide> side = new LinkedHashMap<>();
            Matcher p = PAIRED.matcher(paired);
            while (p.find()) {
                side.put(p.group(1), new SideBySide(p.group(4), p.group(5), p.group(6), p.group(7)));
            }
            Matcher pe = PAIRED_EVENT.matcher(paired);
            String pairedEvent = pe.find() ? pe.group(1) : null;
            if (!paired.isBlank()) {
                md.append("Side by side in one JVM (`FilterPairedTime`, pinned as the forks): the two variants of a "
                        + "call alternate in blocks of equal length after a warm-up, each block with the filter beside "
                        + "one without it, so that a drift of the machine moves both of a pair alike; the difference "
                        + "is the median of the pairs' differences, with its quartiles, and CPU is the process's "
                        + "(all threads) per call, from `/proc`. The plain call shares its JVM with the filter's types "
                        + "here, so this corroborates the forks; it decides a mark only where the forks spread too far "
                        + "to tell:\n\n```\n")
                        .append(withoutLogging(paired)).append("\n```\n\n");
            }
            // where the forks spread too far to tell, the side-by-side figure, steadier, decides the mark
            SideBySide js = side.get("json");
            SideBySide ss = side.get("stream");
            boolean eventNoisy = jsonNoisy || streamNoisy;
            filterTarget("filter, per JSON call: time", "≤ +" + (int) FILTER_CALL_US + " µs",
                    signed(perCall, 1) + " µs", perCall <= FILTER_CALL_US, jsonNoisy,
                    js == null ? null : js.difference + " µs (quartiles " + js.firstQuartile + " to "
                            + js.thirdQuartile + ")",
                    js != null && Double.parseDouble(js.difference) <= FILTER_CALL_US);
            filterTarget("filter, JSON call throughput", "≥ " + FILTER_JSON_RATIO + "× of without",
                    String.format(Locale.ROOT, "%.2f×", jsonRatio), jsonRatio >= FILTER_JSON_RATIO, jsonNoisy,
                    js == null ? null : js.ratio + "×",
                    js != null && Double.parseDouble(js.ratio) >= FILTER_JSON_RATIO);
            filterTarget("filter, per stream event: time", "≤ +" + (int) FILTER_EVENT_NS + " ns",
                    signed(perEvent, 0) + " ns", perEvent <= FILTER_EVENT_NS, eventNoisy,
                    pairedEvent == null ? null : pairedEvent + " ns",
                    pairedEvent != null && Double.parseDouble(pairedEvent) <= FILTER_EVENT_NS);
            filterTarget("filter, " + events + "-event stream throughput",
                    "≥ " + FILTER_STREAM_RATIO + "× of without",
                    String.format(Locale.ROOT, "%.2f×", streamRatio), streamRatio >= FILTER_STREAM_RATIO, streamNoisy,
                    ss == null ? null : ss.ratio + "×",
                    ss != null && Double.parseDouble(ss.ratio) >= FILTER_STREAM_RATIO);
        }
        Matcher m = ALLOC.matcher(alloc);
        if (m.find()) {
            double perCall = Double.parseDouble(m.group(1));
            md.append("Bytes per call on every thread of the JVM (`FilterAllocationCount 1000`: 7 rounds of 1,000 calls "
                    + "per variant, medians, `ThreadMXBean.getThreadAllocatedBytes` of all threads less what the "
                    + "idle JVM allocates over the same time, so that, unlike JMH's per-operation figure, it does "
                    + "not grow when calls are slowed by other load):\n\n```\n").append(withoutLogging(alloc))
                    .append("\n```\n\n");
            md.append(String.format(Locale.ROOT, "- per JSON call: **%+,.0f B**; per stream: %+,.0f B; per stream "
                            + "event beyond the call: **%+,.0f B**.%n%n", perCall, Double.parseDouble(m.group(2)),
                    Double.parseDouble(m.group(3))));
            target("filter, per JSON call: bytes", "≤ +" + (int) FILTER_CALL_BYTES + " B",
                    String.format(Locale.ROOT, "%+,.0f B", perCall), perCall <= FILTER_CALL_BYTES);
        } else {
            md.append("(the allocation count was not run)\n\n");
        }
        notes(md, "filter");
    }

    private void scan(StringBuilder md, List<Result> all) {
        md.append("## Scanning provider streams for usage, one core\n\n");
        md.append("`StreamScanBenchmark`: a real fixture of each format stretched to about 4 MiB by repeating its "
                + "content events, fed to the provider's `StreamReader` in 8 KiB read-only direct buffers, as the "
                + "filter does with a response body; one thread.\n\n");
        md.append("| stream | MB/s (10^6 bytes) | B allocated per stream |\n|---|---:|---:|\n");
        for (Result r : all) {
            if (r.benchmark().equals("StreamScanBenchmark.scan")) {
                md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f |%n", r.params().get("stream"),
                        r.auxBytesPerSecond() / 1e6, r.bytesPerOp()));
            }
        }
        md.append("\n");
        notes(md, "scan");
    }

    private void write(StringBuilder md, String output) {
        Matcher rowsWritten = Pattern.compile("rows: ([0-9]+), batch: ([0-9]+), warmup: ([0-9]+)").matcher(output);
        boolean found = rowsWritten.find();
        String rows = found ? String.format(Locale.ROOT, "%,d", Long.parseLong(rowsWritten.group(1))) : "200,000";
        String warmup = found ? String.format(Locale.ROOT, "%,d", Long.parseLong(rowsWritten.group(3))) : "60,000";
        md.append("## Writing ").append(rows).append(" records to PostgreSQL\n\n");
        Matcher roundsRun = WRITE_ROUNDS.matcher(output);
        String rounds = roundsRun.find() ? roundsRun.group(1) : null;
        md.append("`WriteBenchmark` (a `main` in `spectra-benchmarks`, also run alone by "
                + "`scripts/bench-r2dbc-write.sh`): " + rows + " realistic records written into the real "
                + "`spectra_requests` table of an embedded PostgreSQL 17, each method into a fresh schema after a "
                + warmup + "-row warm-up and a `CHECKPOINT`: `sink` = `R2dbcSpectraSink.write` in batches of 512 "
                + "as the Recorder calls it with the default options, two batches in flight on two connections "
                + "(one statement per batch: the batch unnested once, its response ids claimed, the new rows "
                + "inserted, the daily rollups moved); `sink1` = the same, one batch at a time (`writeConcurrency(1)`, which keeps queue "
                + "order); `add` = the same columns with one `Statement.add()` "
                + "binding per row; `copy` = `COPY … FROM STDIN` through `copyIn`, per batch of 512, into the same "
                + "table (rows only: no deduplication, no rollup); `copyIds` = that COPY and a second COPY of the "
                + "batch's response ids into `spectra_response_ids` (the like-for-like baseline for the "
                + "deduplication, real table only); `copyAll` = one COPY of all rows. Each method "
                + "pays for its own encoding. Run against the real table, then without its GIN indexes and without "
                + "any secondary index, to show where the time goes."
                + (rounds == null ? "" : " Every method but `add` is measured in " + rounds + " rounds, odd rounds "
                + "in the order given and even rounds reversed, so that a drift of the shared machine over the run "
                + "favours no method: rows/s are each method's median, and a ratio to `copyIn` is the median of "
                + "its ratios to the `copyIn` run of the same round.")
                + "\n\n");
        Map<String, double[]> byIndexes = new LinkedHashMap<>(); // indexes -> {sink, copy, sink1 (NaN: not run)}
        Map<String, double[]> ratiosByIndexes = new LinkedHashMap<>(); // indexes -> {sink / copy, sink1 / copy}
        String section = "all";
        for (String line : output.split("\n")) {
            if (line.startsWith("== indexes=")) {
                section = line.substring("== indexes=".length()).strip();
            }
            Matcher m = WRITE_ROW.matcher(line);
            if (m.find()) {
                double[] v = byIndexes.computeIfAbsent(section, k -> new double[] {0, 0, Double.NaN});
                v[switch (m.group(1)) {
                    case "sink" -> 0;
                    case "copy" -> 1;
                    default -> 2;
                }] = Double.parseDouble(m.group(2).replace(",", ""));
            }
            Matcher p = WRITE_PAIRED.matcher(line);
            if (p.find()) {
                ratiosByIndexes.computeIfAbsent(section, k -> new double[] {Double.NaN, Double.NaN})
                        [p.group(1).equals("sink") ? 0 : 1] = Double.parseDouble(p.group(2));
            }
        }
        // the ratio of a method to copyIn: paired round by round when the run had rounds, else of the two rates
        byIndexes.forEach((ix, v) -> {
            double[] paired = ratiosByIndexes.getOrDefault(ix, new double[] {Double.NaN, Double.NaN});
            ratiosByIndexes.put(ix, new double[] {Double.isNaN(paired[0]) ? v[0] / v[1] : paired[0],
                    Double.isNaN(paired[1]) ? v[2] / v[1] : paired[1]});
        });
        if (byIndexes.isEmpty()) {
            md.append("(not run)\n\n");
            notes(md, "write");
            return;
        }
        md.append("| indexes on `spectra_requests` | sink rows/s | `copyIn` rows/s | sink / `copyIn` "
                + "| one batch at a time: rows/s | one at a time / `copyIn` |\n|---|---:|---:|---:|---:|---:|\n");
        byIndexes.forEach((ix, v) -> md.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f× | %s | %s |%n",
                ix.equals("all") ? "all (the real table)" : ix.equals("nogin") ? "without the GIN indexes"
                        : ix.equals("none") ? "none" : ix, v[0], v[1], ratiosByIndexes.get(ix)[0],
                Double.isNaN(v[2]) ? "" : String.format(Locale.ROOT, "%,.0f", v[2]),
                Double.isNaN(v[2]) ? "" : String.format(Locale.ROOT, "%.2f×", ratiosByIndexes.get(ix)[1]))));
        double[] real = byIndexes.get("all");
        if (real != null) {
            double ratio = ratiosByIndexes.get("all")[0];
            target("sink into the real table, against `copyIn`", "≥ " + SINK_VS_COPY + "×",
                    String.format(Locale.ROOT, "%.2f× (%,.0f against %,.0f rows/s%s)", ratio, real[0], real[1],
                            rounds == null ? "" : "; medians of " + rounds + " rounds, the ratio paired by round"),
                    ratio >= SINK_VS_COPY);
        }
        md.append("\nOutput of the run:\n\n```\n").append(output.strip()).append("\n```\n\n");
        notes(md, "write");
    }

    private void scale(StringBuilder md, String output) {
        Matcher loaded = Pattern.compile("scale: ([0-9,]+) rows loaded").matcher(output);
        String rowCount = loaded.find() ? loaded.group(1) : "10,000,000";
        md.append("## The query API on ").append(rowCount).append(" rows\n\n");
        md.append("`ScaleQueryBenchmark` (also run alone by `scripts/bench-scale.sh`): rows generated on the server "
                + "with `generate_series` (90 days, 200 tenants, 8 models of 4 providers, 2% failures, tags and "
                + "metadata) into the monthly partitions of `spectra_requests`, the secondary indexes dropped during "
                + "the load and rebuilt after it, the daily rollup filled as the sink's statement fills it; "
                + "`tenant_id` made a metadata dimension (its rollup backfilled, its index built); then 200 timed "
                + "runs of each read through `SpectraRequests` over a pool of 2 connections, after 20 warm-up runs, "
                + "and the plan of the SQL the API ran (`EXPLAIN (ANALYZE, BUFFERS)` of one more run).\n\n");
        List<String[]> rows = new ArrayList<>();
        Map<String, String> plans = new LinkedHashMap<>();
        StringBuilder facts = new StringBuilder();
        String plan = null;
        StringBuilder planText = new StringBuilder();
        for (String line : output.split("\n")) {
            Matcher row = SCALE_ROW.matcher(line);
            if (line.startsWith("plan of ")) {
                if (plan != null) {
                    plans.put(plan, planText.toString().strip());
                }
                plan = line.substring("plan of ".length()).strip();
                planText.setLength(0);
            } else if (plan != null) {
                planText.append(line).append('\n');
            } else if (row.matches()) {
                rows.add(new String[] {row.group(1), row.group(2), row.group(3), row.group(4)});
            } else if (line.startsWith("scale: ") && !line.matches("scale: [0-9,]+ rows")) {
                facts.append("- ").append(line.substring("scale: ".length())).append('\n');
            }
        }
        if (plan != null) {
            plans.put(plan, planText.toString().strip());
        }
        if (rows.isEmpty()) {
            md.append("(not run in this run of the script: `SKIP_SCALE` was set)\n\n");
            notes(md, "scale");
            return;
        }
        md.append(facts).append('\n');
        md.append("| read | p50 | p95 | max | server execution time of the plan |\n|---|---:|---:|---:|---:|\n");
        for (String[] r : rows) {
            Matcher exec = EXECUTION.matcher(plans.getOrDefault(r[0], ""));
            String execution = exec.find() ? exec.group(1) + " ms" : "";
            md.append("| ").append(r[0]).append(" | ").append(r[1]).append(" ms | ").append(r[2]).append(" ms | ")
                    .append(r[3]).append(" ms | ").append(execution).append(" |\n");
            double p95 = Double.parseDouble(r[2]);
            target(rowCount + " rows, p95 of " + r[0], "≤ " + (int) SCALE_P95_MS + " ms", r[2] + " ms", p95 <= SCALE_P95_MS);
        }
        md.append("\nThe plans, as printed by the run:\n\n```\n");
        plans.forEach((name, text) -> md.append("plan of ").append(name).append('\n').append(text).append("\n\n"));
        md.setLength(md.length() - 1);
        md.append("```\n\n");
        notes(md, "scale");
    }

    /** The output without the lines a logging library prints when it finds no binding. */
    private static String withoutLogging(String output) {
        return output.lines().filter(l -> !l.startsWith("SLF4J")).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    private void target(String what, String limit, String figure, boolean met) {
        target(what, limit, figure, met, false);
    }

    private void target(String what, String limit, String figure, boolean met, boolean noisy) {
        targets.add(new Target(what, limit, figure, met, noisy));
    }

    /** A call's figures side by side, as {@link FilterPairedTime} printed them: µs, µs, µs and a ratio. */
    private record SideBySide(String difference, String firstQuartile, String thirdQuartile, String ratio) {
    }

    /**
     * A filter target: marked by the forks, unless their iterations spread too far to tell and the side-by-side
     * figure is there (not null), which then decides.
     */
    private void filterTarget(String what, String limit, String forks, boolean forksMet, boolean forksNoisy,
                              String sideBySide, boolean sideBySideMet) {
        if (sideBySide == null) {
            target(what, limit, forks, forksMet, forksNoisy);
        } else if (forksNoisy) {
            target(what, limit, "forks " + forks + " (iterations more than 20% apart); side by side **" + sideBySide
                    + "**, which decides", sideBySideMet);
        } else {
            target(what, limit, forks + "; side by side " + sideBySide, forksMet);
        }
    }

    private void notes(StringBuilder md, String name) {
        String text = notes.get(name);
        md.append("<!-- notes:").append(name).append(" -->\n");
        if (text != null) {
            md.append(text);
        }
        md.append("<!-- /notes:").append(name).append(" -->\n\n");
    }

    private String read(String name) throws IOException {
        Path file = results.resolve(name);
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** One fork of one JMH benchmark: its measurement iterations, bytes per operation and run settings. */
    record Fork(String benchmark, List<Double> iterations, double bytesPerOp, String settings) {
    }

    /** The filter's forks in the order they ran: the numbered files, else every fork of {@code filter-jmh.json}. */
    private List<Fork> filterForks() throws IOException {
        List<Path> files = new ArrayList<>();
        for (int n = 1; Files.exists(results.resolve("filter-jmh-" + n + ".json")); n++) {
            files.add(results.resolve("filter-jmh-" + n + ".json"));
        }
        if (files.isEmpty() && Files.exists(results.resolve("filter-jmh.json"))) {
            files.add(results.resolve("filter-jmh.json"));
        }
        List<Fork> forks = new ArrayList<>();
        for (Path file : files) {
            for (JsonNode r : JSON.readTree(Files.readString(file))) {
                String benchmark = r.path("benchmark").asString().replaceAll(".*\\.(\\w+\\.\\w+)$", "$1");
                String settings = String.format(Locale.ROOT,
                        "warm-up: %d iterations of %s, measurement: %d iterations of %s",
                        r.path("warmupIterations").asInt(), r.path("warmupTime").asString(),
                        r.path("measurementIterations").asInt(), r.path("measurementTime").asString());
                double bytes = num(r.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score"));
                for (JsonNode fork : r.path("primaryMetric").path("rawData")) {
                    List<Double> iterations = new ArrayList<>();
                    fork.forEach(v -> iterations.add(num(v)));
                    forks.add(new Fork(benchmark, iterations, bytes, settings));
                }
            }
        }
        return forks;
    }

    /** One result per benchmark, from the iterations of all its forks together (bytes: the forks' mean). */
    private static List<Result> pooled(List<Fork> forks) {
        Map<String, List<Fork>> byBenchmark = new LinkedHashMap<>();
        forks.forEach(f -> byBenchmark.computeIfAbsent(f.benchmark(), k -> new ArrayList<>()).add(f));
        List<Result> results = new ArrayList<>();
        byBenchmark.forEach((benchmark, list) -> {
            List<Double> all = new ArrayList<>();
            list.forEach(f -> all.addAll(f.iterations()));
            double bytes = list.stream().mapToDouble(Fork::bytesPerOp).average().orElse(Double.NaN);
            double mean = all.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            results.add(new Result(benchmark, Map.of(), mean, Double.NaN, Median.of(all), min(all), max(all), "us/op",
                    bytes, Double.NaN));
        });
        return results;
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static List<Result> readJmh(Path file) throws IOException {
        List<Result> results = new ArrayList<>();
        if (!Files.exists(file)) {
            return results;
        }
        for (JsonNode r : JSON.readTree(Files.readString(file))) {
            Map<String, String> params = new LinkedHashMap<>();
            r.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asString()));
            JsonNode primary = r.path("primaryMetric");
            JsonNode secondary = r.path("secondaryMetrics");
            results.add(new Result(r.path("benchmark").asString().replaceAll(".*\\.(\\w+\\.\\w+)$", "$1"), params,
                    num(primary.path("score")), num(primary.path("scoreError")),
                    num(primary.path("scorePercentiles").path("50.0")),
                    num(primary.path("scorePercentiles").path("0.0")),
                    num(primary.path("scorePercentiles").path("100.0")), primary.path("scoreUnit").asString(),
                    num(secondary.path("gc.alloc.rate.norm").path("score")),
                    num(secondary.path("bytes").path("score"))));
        }
        return results;
    }

    private static String jvm(Path file) throws IOException {
        JsonNode first = JSON.readTree(Files.readString(file)).get(0);
        return first.path("vmName").asString() + " " + first.path("vmVersion").asString()
                + " (JDK " + first.path("jdkVersion").asString() + ")";
    }

    private static Result find(List<Result> all, String benchmark, String paramValue) {
        for (Result r : all) {
            if (r.benchmark().equals(benchmark) && (paramValue == null || r.params().containsValue(paramValue))) {
                return r;
            }
        }
        throw new IllegalArgumentException("no result for " + benchmark + " " + paramValue);
    }

    /** A JMH number, which JMH writes as a string ("NaN") when it cannot compute it. */
    private static double num(JsonNode n) {
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isString()) {
            try {
                return Double.parseDouble(n.asString());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    private static String signed(double v, int decimals) {
        return String.format(Locale.ROOT, "%+,." + decimals + "f", v);
    }
}
