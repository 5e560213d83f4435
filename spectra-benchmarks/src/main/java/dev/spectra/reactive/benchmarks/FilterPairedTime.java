package dev.spectra.reactive.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The time a call of {@link FilterOverheadBenchmark} takes with and without the filter, in one JVM, the two
 * variants alternating in blocks of equal length (without, with, with, without, ...), so that each block with the
 * filter has one without it right beside it: a drift of the shared machine moves both of a pair alike, and the
 * median of the pairs' differences is far steadier than a difference between forks run minutes apart. Also the
 * process's CPU time per call, user and system apart (Linux, from {@code /proc/self/stat}), which tells whether the
 * filter's time is spent in the JVM or in the kernel.
 *
 * <p>Both variants share the JVM's compiled code: the plain call's call sites also see the filter's types, which
 * may make it a little slower than in a JVM of its own. So this figure corroborates the forks of the JMH benchmark;
 * the report lets it decide a target's mark only where the forks' iterations spread too far to tell.
 *
 * <pre>
 * taskset -c 1 java -Xms1g -Xmx1g -XX:+UseParallelGC -cp spectra-benchmarks/target/benchmarks.jar \
 *     dev.spectra.reactive.benchmarks.FilterPairedTime [pairs] [block ms] [warm-up s]
 * </pre>
 */
public final class FilterPairedTime {

    private static final Path STAT = Path.of("/proc/self/stat");
    /** Linux's clock ticks per second for {@code /proc} times (USER_HZ), the same on every architecture. */
    private static final double TICKS_PER_SECOND = 100;

    private FilterPairedTime() {
    }

    /**
     * Runs the measurement and prints one line per call.
     *
     * @param args pairs of blocks (default 30), the block length in ms (default 500), the warm-up in s (default 40)
     * @throws Exception when the local server cannot start
     */
    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        long blockNanos = (args.length > 1 ? Long.parseLong(args[1]) : 500) * 1_000_000L;
        long warmUpNanos = (args.length > 2 ? Long.parseLong(args[2]) : 40) * 1_000_000_000L;
        if (pairs < 2 || blockNanos <= 0 || warmUpNanos < 0) {
            throw new IllegalArgumentException("usage: FilterPairedTime [pairs >= 2] [block ms > 0] [warm-up s >= 0]");
        }
        FilterOverheadBenchmark b = new FilterOverheadBenchmark();
        b.setUp();
        try {
            System.out.printf(Locale.ROOT, "%d pairs of %d ms blocks after a %d s warm-up, per call%n", pairs,
                    blockNanos / 1_000_000, warmUpNanos / 1_000_000_000);
            Paired json = measure(b::jsonPlain, b::jsonFiltered, pairs, blockNanos, warmUpNanos);
            System.out.println("json:   " + json);
            Paired stream = measure(b::streamPlain, b::streamFiltered, pairs, blockNanos, warmUpNanos);
            System.out.println("stream: " + stream);
            System.out.printf(Locale.ROOT, "per stream event beyond the call: %+.0f ns (%d events)%n",
                    (stream.difference - json.difference) / FilterOverheadBenchmark.STREAM_EVENTS * 1000,
                    FilterOverheadBenchmark.STREAM_EVENTS);
        } finally {
            b.tearDown();
        }
    }

    private static Paired measure(Supplier<?> without, Supplier<?> with, int pairs, long blockNanos,
                                  long warmUpNanos) throws IOException {
        long end = System.nanoTime() + warmUpNanos;
        while (System.nanoTime() < end) {
            block(without, blockNanos);
            block(with, blockNanos);
        }
        Block[] plain = new Block[pairs];
        Block[] filtered = new Block[pairs];
        double[] differences = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            if (i % 2 == 0) {
                plain[i] = block(without, blockNanos);
                filtered[i] = block(with, blockNanos);
            } else {
                filtered[i] = block(with, blockNanos);
                plain[i] = block(without, blockNanos);
            }
            differences[i] = filtered[i].micros - plain[i].micros;
        }
        return new Paired(Block.total(plain), Block.total(filtered), median(times(plain)), median(times(filtered)),
                median(differences), quantile(differences, 0.25), quantile(differences, 0.75));
    }

    private static Block block(Supplier<?> call, long blockNanos) throws IOException {
        long[] cpuBefore = cpuTicks();
        long start = System.nanoTime();
        long calls = 0;
        long now;
        do {
            call.get();
            calls++;
        } while ((now = System.nanoTime()) - start < blockNanos);
        long[] cpuAfter = cpuTicks();
        return new Block((now - start) / 1000.0 / calls, calls, cpuAfter[0] - cpuBefore[0],
                cpuAfter[1] - cpuBefore[1]);
    }

    /** The process's user and system CPU time in clock ticks; -1 each where {@code /proc} is not there. */
    private static long[] cpuTicks() throws IOException {
        if (!Files.isReadable(STAT)) {
            return new long[] {-1, -1};
        }
        String stat = Files.readString(STAT, StandardCharsets.US_ASCII);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
    }

    private static double[] times(Block[] blocks) {
        return Arrays.stream(blocks).mapToDouble(Block::micros).toArray();
    }

    private static double median(double[] values) {
        return quantile(values, 0.5);
    }

    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double at = q * (sorted.length - 1);
        int low = (int) Math.floor(at);
        int high = Math.min(sorted.length - 1, low + 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
    }

    /** One block: the wall time per call, the calls, and the process's CPU ticks over it. */
    private record Block(double micros, long calls, long userTicks, long systemTicks) {

        static Block total(Block[] blocks) {
            long calls = 0;
            long user = 0;
            long system = 0;
            for (Block b : blocks) {
                calls += b.calls;
                user += b.userTicks;
                system += b.systemTicks;
            }
            return new Block(Double.NaN, calls, user, system);
        }

        String cpu() {
            if (userTicks < 0 || systemTicks < 0) {
                return "CPU not read";
            }
            double perTick = 1e6 / TICKS_PER_SECOND / calls;
            return String.format(Locale.ROOT, "CPU user %.1f, system %.1f", userTicks * perTick,
                    systemTicks * perTick);
        }
    }

    /** Both variants of one call, side by side. */
    private record Paired(Block plainTotal, Block filteredTotal, double plain, double filtered, double difference,
                          double firstQuartile, double thirdQuartile) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "without %.1f us (%s), with %.1f us (%s); with less without, paired: "
                            + "median %+.1f us (quartiles %+.1f to %+.1f); throughput with %.3fx of without",
                    plain, plainTotal.cpu(), filtered, filteredTotal.cpu(), difference, firstQuartile,
                    thirdQuartile, plain / filtered);
        }
    }
}
