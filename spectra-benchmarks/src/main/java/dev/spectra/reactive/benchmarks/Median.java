package dev.spectra.reactive.benchmarks;

import java.util.List;

/** The median the benchmarks report: of rounds, of iterations, of ratios. */
final class Median {

    private Median() {
    }

    /**
     * @param values at least one value
     * @return the middle value; the mean of the two middle ones for an even count
     */
    static double of(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
