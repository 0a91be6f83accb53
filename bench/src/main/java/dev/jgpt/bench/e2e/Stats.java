package dev.jgpt.bench.e2e;

import java.util.Arrays;

/** Median, min and max of repeated measurements. */
public record Stats(double median, double min, double max, int n) {

    public static Stats of(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Stats(median, n == 0 ? Double.NaN : v[0], n == 0 ? Double.NaN : v[n - 1], n);
    }
}
