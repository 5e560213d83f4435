package dev.spectra.reactive.benchmarks;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import dev.spectra.reactive.testsupport.postgres.EmbeddedServer;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Two or more builds of Spectra measured against each other in one JVM, each build's {@code benchmarks.jar} loaded
 * by a class loader of its own, their runs interleaved in a shuffled order: a change too small for separate runs to
 * show on a shared machine (which drifts by more than it between runs minutes apart) is paired here with the build
 * before it, moment by moment, and the median of the pairs' differences shows it.
 *
 * <ul>
 *   <li>{@code json}, {@code stream}: the calls of {@link FilterOverheadBenchmark}, each build with its own local
 *       server and clients, without and with the filter in blocks of equal length, in a new shuffled order every
 *       round after a warm-up of all of them; per build the medians and the filter's difference, then each build's
 *       filtered call and difference against the first build's, paired by round.</li>
 *   <li>{@code sink}: each build's {@code R2dbcSpectraSink} writing the same generated batches (as
 *       {@link WriteBenchmark} makes them) one at a time into a schema of its own on one embedded PostgreSQL, after a
 *       warm-up of 60,000 rows each; every batch is written by every build in a shuffled order, and each write is
 *       timed, so the builds are paired batch by batch.</li>
 * </ul>
 *
 * <p>Only what every build since the shaded benchmarks jar has is used, through reflection: the benchmark's public
 * methods, the sink's options builder, {@code write} and {@code close}. Pin the JVM for the filter
 * ({@code taskset -c 1}), not for the sink (the server needs the other core).
 *
 * <pre>
 * git worktree add /tmp/before HEAD~1
 * (cd /tmp/before &amp;&amp; ./mvnw -q -pl spectra-benchmarks -am package -DskipTests)
 * cp /tmp/before/spectra-benchmarks/target/benchmarks.jar before.jar
 * cp spectra-benchmarks/target/benchmarks.jar after.jar
 * taskset -c 1 java -Xmx2g -XX:+UseParallelGC -cp spectra-benchmarks/target/benchmarks.jar \
 *     dev.spectra.reactive.benchmarks.BuildComparison json before.jar after.jar [rounds=30] [block=300] [warmup=60]
 * java -Xmx2g -XX:+UseParallelGC -cp spectra-benchmarks/target/benchmarks.jar \
 *     dev.spectra.reactive.benchmarks.BuildComparison sink before.jar after.jar [rows=200000] [batch=512]
 * </pre>
 */
public final class BuildComparison {

    private static final String BENCHMARK = "dev.spectra.reactive.benchmarks.FilterOverheadBenchmark";

    private BuildComparison() {
    }

    /**
     * Runs the comparison and prints its figures.
     *
     * @param args the workload ({@code json}, {@code stream} or {@code sink}), two or more jars, then
     *             {@code name=value} options: {@code rounds}, {@code block} (ms), {@code warmup} (s) for the filter;
     *             {@code rows}, {@code batch} for the sink
     * @throws Exception when a build cannot be loaded or run
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: BuildComparison json|stream|sink A.jar B.jar [more.jar ...]"
                    + " [name=value ...]");
        }
        String workload = args[0];
        List<Path> jars = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (String a : Arrays.asList(args).subList(1, args.length)) {
            if (a.contains("=")) {
                options.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else if (Files.isRegularFile(Path.of(a))) {
                jars.add(Path.of(a));
            } else {
                throw new IllegalArgumentException("no such jar: " + a);
            }
        }
        if (jars.size() < 2) {
            throw new IllegalArgumentException("two builds or more to compare, got " + jars.size());
        }
        List<ClassLoader> builds = new ArrayList<>();
        for (Path jar : jars) {
            builds.add(new URLClassLoader("build " + jar, new URL[] {jar.toUri().toURL()},
                    ClassLoader.getPlatformClassLoader()));
        }
        switch (workload) {
            case "json", "stream" -> filter(workload, jars, builds, intOption(options, "rounds", 30),
                    intOption(options, "block", 300) * 1_000_000L, intOption(options, "warmup", 60) * 1_000_000_000L);
            case "sink" -> sink(jars, builds, intOption(options, "rows", 200_000), intOption(options, "batch", 512));
            default -> throw new IllegalArgumentException("unknown workload " + workload + ": json, stream or sink");
        }
        System.exit(0); // each build's event loops and pools are left running
    }

    private static int intOption(Map<String, String> options, String name, int otherwise) {
        int value = options.containsKey(name) ? Integer.parseInt(options.get(name)) : otherwise;
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1: " + value);
        }
        return value;
    }

    /** One variant of a call in one build: the benchmark instance and the method that makes the call. */
    private record Variant(Object benchmark, Method call) {

        /** Calls it for a block of time; the mean time of a call in µs. */
        double block(long nanos) throws ReflectiveOperationException {
            long start = System.nanoTime();
            long end = start + nanos;
            long calls = 0;
            long now;
            do {
                call.invoke(benchmark);
                calls++;
                now = System.nanoTime();
            } while (now < end);
            return (now - start) / 1e3 / calls;
        }
    }

    private static void filter(String kind, List<Path> jars, List<ClassLoader> builds, int rounds, long blockNanos,
                               long warmUpNanos) throws Exception {
        int k = builds.size();
        List<Variant> variants = new ArrayList<>(); // build i: 2i without the filter, 2i + 1 with it
        List<Object> benchmarks = new ArrayList<>();
        for (ClassLoader build : builds) {
            Class<?> type = build.loadClass(BENCHMARK);
            Object benchmark = type.getConstructor().newInstance();
            type.getMethod("setUp").invoke(benchmark);
            benchmarks.add(benchmark);
            variants.add(new Variant(benchmark, type.getMethod(kind + "Plain")));
            variants.add(new Variant(benchmark, type.getMethod(kind + "Filtered")));
        }
        System.out.printf(Locale.ROOT, "%s call, %d builds, %d rounds of %d ms blocks after a %d s warm-up%n", kind,
                k, rounds, blockNanos / 1_000_000, warmUpNanos / 1_000_000_000);
        long end = System.nanoTime() + warmUpNanos;
        while (System.nanoTime() < end) {
            for (Variant v : variants) {
                v.block(blockNanos);
            }
        }
        double[][] times = new double[2 * k][rounds];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 2 * k; i++) {
            order.add(i);
        }
        Random random = new Random(1);
        for (int r = 0; r < rounds; r++) {
            Collections.shuffle(order, random);
            for (int i : order) {
                times[i][r] = variants.get(i).block(blockNanos);
            }
        }
        for (int b = 0; b < k; b++) {
            double[] difference = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                difference[r] = times[2 * b + 1][r] - times[2 * b][r];
            }
            double plain = quartiles(times[2 * b].clone())[1];
            double filtered = quartiles(times[2 * b + 1].clone())[1];
            System.out.printf(Locale.ROOT, "%s: without %.1f µs, with %.1f µs, the filter %s µs, %.3f×%n",
                    jars.get(b), plain, filtered, signed(quartiles(difference)), plain / filtered);
        }
        for (int b = 1; b < k; b++) {
            double[] filtered = new double[rounds];
            double[] difference = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                filtered[r] = times[2 * b + 1][r] - times[1][r];
                difference[r] = (times[2 * b + 1][r] - times[2 * b][r]) - (times[1][r] - times[0][r]);
            }
            System.out.printf(Locale.ROOT, "%s against %s, paired by round: the filtered call %s µs, the filter's"
                    + " difference %s µs%n", jars.get(b), jars.get(0), signed(quartiles(filtered)),
                    signed(quartiles(difference)));
        }
        for (Object benchmark : benchmarks) {
            benchmark.getClass().getMethod("tearDown").invoke(benchmark);
        }
    }

    private static void sink(List<Path> jars, List<ClassLoader> builds, int rows, int batch) throws Exception {
        int k = builds.size();
        try (EmbeddedServer server = EmbeddedServer.start(Map.of())) {
            String url = server.r2dbcUrl("postgres");
            ConnectionFactory admin = ConnectionFactories.get(url);
            List<BuildSink> sinks = new ArrayList<>();
            for (int b = 0; b < k; b++) {
                String schema = "build_" + b + "_" + Long.toString(System.nanoTime(), 36);
                BuildSink sink = BuildSink.open(builds.get(b), url, schema);
                List<?> warm = sink.generate(60_000, 7);
                sink.write(warm.subList(0, 1)); // creates the schema
                execute(admin, "SELECT \"" + schema + "\".spectra_create_partition('2025-01-01')");
                for (int i = 1; i < warm.size(); i += batch) {
                    sink.write(warm.subList(i, Math.min(warm.size(), i + batch)));
                }
                sinks.add(sink);
            }
            List<List<?>> data = new ArrayList<>();
            for (BuildSink sink : sinks) {
                data.add(sink.generate(rows, 42));
            }
            execute(admin, "CHECKPOINT");
            int batches = (rows + batch - 1) / batch;
            System.out.printf(Locale.ROOT, "sink, %d builds, %d batches of %d, one at a time, each batch written by"
                    + " every build in a shuffled order%n", k, batches, batch);
            double[][] times = new double[k][batches];
            List<Integer> order = new ArrayList<>();
            for (int b = 0; b < k; b++) {
                order.add(b);
            }
            Random random = new Random(3);
            for (int j = 0; j < batches; j++) {
                Collections.shuffle(order, random);
                for (int b : order) {
                    List<?> records = data.get(b).subList(j * batch, Math.min(rows, (j + 1) * batch));
                    long start = System.nanoTime();
                    sinks.get(b).write(records);
                    times[b][j] = (System.nanoTime() - start) / 1e6;
                }
            }
            for (int b = 0; b < k; b++) {
                double[] q = quartiles(times[b].clone());
                System.out.printf(Locale.ROOT, "%s: a batch %.2f ms (quartiles %.2f to %.2f)%n", jars.get(b), q[1],
                        q[0], q[2]);
            }
            for (int b = 1; b < k; b++) {
                double[] difference = new double[batches];
                for (int j = 0; j < batches; j++) {
                    difference[j] = times[b][j] - times[0][j];
                }
                System.out.printf(Locale.ROOT, "%s against %s, paired by batch: %s ms%n", jars.get(b), jars.get(0),
                        signed(quartiles(difference)));
            }
            for (BuildSink sink : sinks) {
                sink.close();
            }
        }
    }

    /** One build's sink, driven through reflection: its classes are not this class loader's. */
    private record BuildSink(ClassLoader build, Object sink, Method writeMethod, Method closeMethod,
                             Method blockMethod) {

        static BuildSink open(ClassLoader build, String url, String schema) throws ReflectiveOperationException {
            Class<?> optionsType = build.loadClass("dev.spectra.reactive.r2dbc.R2dbcSinkOptions");
            Object builder = optionsType.getMethod("builder").invoke(null);
            Class<?> builderType = builder.getClass();
            builderType.getMethod("url", String.class).invoke(builder, url);
            builderType.getMethod("schema", String.class).invoke(builder, schema);
            builderType.getMethod("writeConcurrency", int.class).invoke(builder, 1);
            Object options = builderType.getMethod("build").invoke(builder);
            Class<?> sinkType = build.loadClass("dev.spectra.reactive.r2dbc.R2dbcSpectraSink");
            Object sink = sinkType.getMethod("create", optionsType).invoke(null, options);
            return new BuildSink(build, sink, sinkType.getMethod("write", List.class), sinkType.getMethod("close"),
                    build.loadClass("reactor.core.publisher.Mono").getMethod("block"));
        }

        List<?> generate(int n, long seed) throws ReflectiveOperationException {
            Method generate = build.loadClass(WriteBenchmark.class.getName())
                    .getDeclaredMethod("generate", int.class, long.class);
            generate.setAccessible(true);
            return (List<?>) generate.invoke(null, n, seed);
        }

        void write(List<?> records) throws ReflectiveOperationException {
            blockMethod.invoke(writeMethod.invoke(sink, records));
        }

        void close() throws ReflectiveOperationException {
            blockMethod.invoke(closeMethod.invoke(sink));
        }
    }

    private static void execute(ConnectionFactory cf, String sql) {
        Mono.usingWhen(cf.create(), c -> Flux.from(c.createStatement(sql).execute()).flatMap(Result::getRowsUpdated)
                .then(), Connection::close).block();
    }

    /** The lower quartile, the median and the upper quartile; sorts the values. */
    private static double[] quartiles(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return new double[] {values[n / 4], values[n / 2], values[Math.min(n - 1, 3 * n / 4)]};
    }

    /** A difference: its median, then its quartiles, signed. */
    private static String signed(double[] q) {
        return String.format(Locale.ROOT, "%+.2f (quartiles %+.2f to %+.2f)", q[1], q[0], q[2]);
    }
}
