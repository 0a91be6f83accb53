package dev.jgpt.bench.e2e;

import java.util.Arrays;

/** Median, min and max of repeated measurements. */
public final class Stats {
    public final double median;
    public final double min;
    public final double max;
    public final int n;

    private Stats(double median, double min, double max, int n) {
        this.median = median;
        this.min = min;
        this.max = max;
        this.n = n;
    }

    public static Stats of(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Stats(median, n == 0 ? Double.NaN : v[0], n == 0 ? Double.NaN : v[n - 1], n);
    }
}
