package dev.jgpt.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/**
 * The float64 oracle the tests hold the ND4J backend against: every operation written out as the plainest double
 * loop, from the SPI's definitions (not from any backend's code), plus the comparison and the random inputs.
 */
final class Oracle {
    private Oracle() {
    }

    // ------------------------------------------------------------------------------------------------------ checking

    /**
     * Asserts {@code |actual − expected| ≤ atol + rtol·|expected|} everywhere; an expected −∞ must come back exactly
     * −∞ (the causal mask), and nothing may be NaN.
     */
    static void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            float a = actual[i];
            if (e == Double.NEGATIVE_INFINITY) {
                if (a != Float.NEGATIVE_INFINITY) {
                    fail(what + "[" + i + "]: expected -inf (masked) but got " + a);
                }
                continue;
            }
            if (Float.isNaN(a) || Math.abs(a - e) > atol + rtol * Math.abs(e)) {
                fail(what + "[" + i + "]: expected " + e + " but got " + a + " (|diff| " + Math.abs(a - e)
                        + " > " + (atol + rtol * Math.abs(e)) + ")");
            }
        }
    }

    /** Uniform floats in [lo, hi). */
    static float[] uniform(Random r, int n, double lo, double hi) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return out;
    }

    static double[] widen(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------- operations

    /** out[r, n] = Σ_k x[r, k]·w[k, n] (or w[n, k] when {@code transposed}). */
    static double[] matmul(float[] x, float[] w, int rows, int k, int n, boolean transposed) {
        double[] out = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int i = 0; i < k; i++) {
                    s += (double) x[r * k + i] * (transposed ? w[j * k + i] : w[i * n + j]);
                }
                out[r * n + j] = s;
            }
        }
        return out;
    }

    /** Adds {@code b} (a trailing-suffix shape) to every block of {@code a}. */
    static double[] add(double[] a, float[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i % b.length];
        }
        return out;
    }

    /** (x − μ)/√(σ² + eps)·γ + β per row of width c, σ² the biased variance, all in double. */
    static double[] layerNorm(float[] x, int c, float[] gamma, float[] beta, double eps) {
        double[] out = new double[x.length];
        for (int o = 0; o < x.length; o += c) {
            double mean = 0;
            for (int i = 0; i < c; i++) {
                mean += x[o + i];
            }
            mean /= c;
            double var = 0;
            for (int i = 0; i < c; i++) {
                var += (x[o + i] - mean) * (x[o + i] - mean);
            }
            var /= c;
            for (int i = 0; i < c; i++) {
                out[o + i] = (x[o + i] - mean) / Math.sqrt(var + eps) * gamma[i] + (beta == null ? 0 : beta[i]);
            }
        }
        return out;
    }

    /** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** 0.5·x·(1 + erf(x/√2)) = 0.5·x·erfc(−x/√2). */
    static double geluErf(double x) {
        return 0.5 * x * erfc(-x / Math.sqrt(2));
    }

    /**
     * erfc by direct quadrature of its definition, (2/√π)·∫_z^∞ e^{−t²} dt, with Simpson's rule over [z, z + 8]
     * (the tail beyond is below e^{−64}); erfc(z) = 2 − erfc(−z) for z &lt; 0. Accurate to ~1e-10 relative here.
     */
    static double erfc(double z) {
        if (z < 0) {
            return 2 - erfc(-z);
        }
        int n = 4000;
        double h = 8.0 / n;
        double s = 0;
        for (int i = 0; i <= n; i++) {
            double t = z + i * h;
            double f = Math.exp(-t * t);
            s += (i == 0 || i == n) ? f : (i % 2 == 1 ? 4 * f : 2 * f);
        }
        return 2 / Math.sqrt(Math.PI) * s * h / 3;
    }

    /** exp(x − max)/Σ exp(x − max) per row of width c. */
    static double[] softmax(float[] x, int c) {
        return softmax(widen(x), c);
    }

    /** Row-major flat index of {@code idx} in {@code shape}. */
    static int flat(int[] shape, int... idx) {
        int f = 0;
        for (int i = 0; i < shape.length; i++) {
            f = f * shape[i] + idx[i];
        }
        return f;
    }

    /** Scores [BH, Tq, Tk]: scale·q·k where j ≤ offset + i, −∞ otherwise. */
    static double[] attentionScores(float[] q, float[] k, int bh, int tq, int tk, int a, double scale, int offset) {
        double[] out = new double[bh * tq * tk];
        for (int h = 0; h < bh; h++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    double s = Double.NEGATIVE_INFINITY;
                    if (j <= offset + i) {
                        s = 0;
                        for (int d = 0; d < a; d++) {
                            s += (double) q[(h * tq + i) * a + d] * k[(h * tk + j) * a + d];
                        }
                        s *= scale;
                    }
                    out[(h * tq + i) * tk + j] = s;
                }
            }
        }
        return out;
    }

    /** out[h, i, d] = Σ_j p[h, i, j]·v[h, j, d]. */
    static double[] attentionMix(double[] p, float[] v, int bh, int tq, int tk, int a) {
        double[] out = new double[bh * tq * a];
        for (int h = 0; h < bh; h++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    for (int d = 0; d < a; d++) {
                        out[(h * tq + i) * a + d] += p[(h * tq + i) * tk + j] * v[(h * tk + j) * a + d];
                    }
                }
            }
        }
        return out;
    }

    /** Softmax of double rows (for the oracle of fused attention); −∞ entries give 0. */
    static double[] softmax(double[] x, int c) {
        double[] out = new double[x.length];
        for (int o = 0; o < x.length; o += c) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < c; i++) {
                max = Math.max(max, x[o + i]);
            }
            double sum = 0;
            for (int i = 0; i < c; i++) {
                out[o + i] = Math.exp(x[o + i] - max);
                sum += out[o + i];
            }
            for (int i = 0; i < c; i++) {
                out[o + i] /= sum;
            }
        }
        return out;
    }
}
