package dev.spectra.reactive.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Bytes allocated per call of each {@link FilterOverheadBenchmark} variant, counted on every thread of the JVM
 * (caller, Netty event loops, the local server, the recorder) with {@code ThreadMXBean.getThreadAllocatedBytes}
 * around a fixed number of calls, less what the JVM allocates while idle over the same time. Unlike a rate
 * divided by a throughput, the count does not grow when a loaded machine slows the calls down, so it compares runs
 * made at different loads. Each variant is first called {@value #WARM_UP_ROUNDS} rounds' worth, so that the JIT
 * has settled what escape analysis removes. Prints one line per round, and the filter's bytes per call and per
 * stream event from the medians.
 *
 * <pre>
 * java -cp spectra-benchmarks/target/benchmarks.jar dev.spectra.reactive.benchmarks.FilterAllocationCount [calls]
 * </pre>
 */
public final class FilterAllocationCount {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 7;
    private static final int WARM_UP_ROUNDS = 10;

    private FilterAllocationCount() {
    }

    private static long allocated() {
        long sum = 0;
        for (long a : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            if (a > 0) {
                sum += a;
            }
        }
        return sum;
    }

    /**
     * Runs the count.
     *
     * @param args the calls per variant and round (default 1000)
     * @throws Exception when the local server cannot start
     */
    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        if (calls < 1) {
            throw new IllegalArgumentException("calls must be at least 1, was " + calls);
        }
        FilterOverheadBenchmark b = new FilterOverheadBenchmark();
        b.setUp();
        try {
            String[] names = {"jsonPlain", "jsonFiltered", "streamPlain", "streamFiltered"};
            Supplier<?>[] variants = {b::jsonPlain, b::jsonFiltered, b::streamPlain, b::streamFiltered};
            // long enough for the JIT to settle: with 2 rounds the counts still fell by 6% from round to round
            for (int warm = 0; warm < WARM_UP_ROUNDS; warm++) {
                for (Supplier<?> v : variants) {
                    for (int i = 0; i < calls; i++) {
                        v.get();
                    }
                }
            }
            long idleFrom = allocated();
            long idleStart = System.nanoTime();
            Thread.sleep(2000);
            double idlePerNano = (allocated() - idleFrom) / (double) (System.nanoTime() - idleStart);
            double[][] perCall = new double[variants.length][ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
                for (int k = 0; k < variants.length; k++) {
                    long from = allocated();
                    long start = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        variants[k].get();
                    }
                    long nanos = System.nanoTime() - start;
                    perCall[k][round] = (allocated() - from - idlePerNano * nanos) / calls;
                    line.append(String.format(Locale.ROOT, "  %s %.0f B", names[k], perCall[k][round]));
                }
                System.out.println(line);
            }
            double json = median(perCall[1]) - median(perCall[0]);
            double stream = median(perCall[3]) - median(perCall[2]);
            int events = FilterOverheadBenchmark.STREAM_EVENTS;
            System.out.printf(Locale.ROOT, "medians: jsonPlain %.0f B, jsonFiltered %.0f B, streamPlain %.0f B, "
                            + "streamFiltered %.0f B (idle JVM: %.0f B/s)%n", median(perCall[0]), median(perCall[1]),
                    median(perCall[2]), median(perCall[3]), idlePerNano * 1e9);
            System.out.printf(Locale.ROOT, "filter: %+.0f B per JSON call, %+.0f B per stream, %+.0f B per stream "
                    + "event beyond the call (%d events)%n", json, stream, (stream - json) / events, events);
        } finally {
            b.tearDown();
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
