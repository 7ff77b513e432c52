package org.sparrowmesh.bench.decoder;

import java.util.Arrays;

/** Median, minimum and maximum of repeated measurements. */
record Stats(double median, double min, double max) {

    static Stats of(double[] samples) {
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Stats(median, sorted[0], sorted[n - 1]);
    }

    @Override
    public String toString() {
        return String.format("%.1f (%.1f–%.1f)", median, min, max);
    }
}
