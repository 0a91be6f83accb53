package dev.jgpt.conformance;

import java.util.SplittableRandom;

/** Seeded random inputs for the op-level checks. */
final class Inputs {
    private final SplittableRandom rnd;

    Inputs(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    /** Uniform in [lo, hi). */
    float[] uniform(int n, double lo, double hi) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return f;
    }

    /** Normal(mean, std). */
    float[] normal(int n, double mean, double std) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (mean + std * gaussian());
        }
        return f;
    }

    /** Ids uniform in [0, bound). */
    int[] ids(int n, int bound) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rnd.nextInt(bound);
        }
        return ids;
    }

    int nextInt(int bound) {
        return rnd.nextInt(bound);
    }

    double gaussian() {
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    static int size(int... shape) {
        return Oracle.size(shape);
    }
}
