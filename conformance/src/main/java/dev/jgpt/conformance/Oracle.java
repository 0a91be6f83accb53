package dev.jgpt.conformance;

import static dev.jgpt.conformance.Tolerances.ABS;
import static dev.jgpt.conformance.Tolerances.ELEMENTWISE_REL;
import static dev.jgpt.conformance.Tolerances.EPS;
import static dev.jgpt.conformance.Tolerances.PROB_ABS;

import dev.jgpt.api.Gelu;
import java.util.Arrays;

/**
 * The float64 oracle: every {@link dev.jgpt.api.TensorBackend} operation written as the plainest double loops over
 * row-major arrays, straight from the SPI's Javadoc. It shares no code with any backend (not even
 * {@link dev.jgpt.api.ScalarMath}: erf is computed here to double precision). Each method returns the exact-for-our-
 * purposes values and, per element, the tolerance a correct float32 implementation must meet (see {@link Tolerances}).
 * The attention mix and fused attention are in {@link AttentionOracle}.
 */
public final class Oracle {
    private Oracle() {
    }

    // ------------------------------------------------------------------------------------------------ data movement

    /** {@code out[i, :] = table[ids[i], :]}; exact. */
    public static Expected gatherRows(float[] table, int rows, int c, int[] ids, int... prefix) {
        float[] out = new float[ids.length * c];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= rows) {
                throw new IllegalArgumentException("test bug: id " + ids[i]);
            }
            for (int j = 0; j < c; j++) {
                out[i * c + j] = table[ids[i] * c + j];
            }
        }
        return Expected.exact(append(prefix, c), out);
    }

    /** The slice [from, to) of one axis; exact. */
    public static Expected slice(float[] x, int[] shape, int axis, int from, int to) {
        int ax = axis < 0 ? shape.length + axis : axis;
        int[] outShape = shape.clone();
        outShape[ax] = to - from;
        float[] out = new float[size(outShape)];
        int[] idx = new int[shape.length];
        for (int o = 0; o < out.length; o++) {
            unflatten(o, outShape, idx);
            idx[ax] += from;
            out[o] = x[flatten(idx, shape)];
        }
        return Expected.exact(outShape, out);
    }

    /** Concatenation along one axis; exact. */
    public static Expected concat(float[] a, int[] sa, float[] b, int[] sb, int axis) {
        int ax = axis < 0 ? sa.length + axis : axis;
        int[] outShape = sa.clone();
        outShape[ax] = sa[ax] + sb[ax];
        float[] out = new float[size(outShape)];
        int[] idx = new int[sa.length];
        for (int o = 0; o < out.length; o++) {
            unflatten(o, outShape, idx);
            if (idx[ax] < sa[ax]) {
                out[o] = a[flatten(idx, sa)];
            } else {
                idx[ax] -= sa[ax];
                out[o] = b[flatten(idx, sb)];
            }
        }
        return Expected.exact(outShape, out);
    }

    /** {@code out[b, h, t, a] = x[b, t, h·A + a]}; exact. */
    public static Expected splitHeads(float[] x, int b, int t, int c, int heads) {
        int a = c / heads;
        float[] out = new float[x.length];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int ti = 0; ti < t; ti++) {
                    for (int ai = 0; ai < a; ai++) {
                        out[((bi * heads + h) * t + ti) * a + ai] = x[(bi * t + ti) * c + h * a + ai];
                    }
                }
            }
        }
        return Expected.exact(new int[] {b, heads, t, a}, out);
    }

    /** {@code out[b, t, h·A + a] = x[b, h, t, a]}; exact. */
    public static Expected mergeHeads(float[] x, int b, int heads, int t, int a) {
        float[] out = new float[x.length];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int ti = 0; ti < t; ti++) {
                    for (int ai = 0; ai < a; ai++) {
                        out[(bi * t + ti) * heads * a + h * a + ai] = x[((bi * heads + h) * t + ti) * a + ai];
                    }
                }
            }
        }
        return Expected.exact(new int[] {b, t, heads * a}, out);
    }

    // ------------------------------------------------------------------------------------------------- arithmetic

    /** {@code a + b}, b broadcast over a's leading dimensions; one rounding. */
    public static Expected add(float[] a, int[] shapeA, float[] b) {
        double[] v = new double[a.length];
        double[] tol = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            v[i] = (double) a[i] + (double) b[i % b.length];
            tol[i] = EPS * Math.abs(v[i]);
        }
        return new Expected(shapeA, v, tol);
    }

    /** {@code out[r, n] = Σ_k x[r, k] · w[k, n]}, plus {@code bias[n]} when bias is not null. */
    public static Expected matmul(float[] x, int[] shapeX, float[] w, int k, int n, float[] bias) {
        return product(x, shapeX, w, k, n, bias, false);
    }

    /** {@code out[r, n] = Σ_k x[r, k] · w[n, k]} (w stored [N, K]). */
    public static Expected matmulTransposed(float[] x, int[] shapeX, float[] w, int n, int k) {
        return product(x, shapeX, w, k, n, null, true);
    }

    private static Expected product(float[] x, int[] shapeX, float[] w, int k, int n, float[] bias,
            boolean transposed) {
        if (shapeX[shapeX.length - 1] != k) {
            throw new IllegalArgumentException("test bug: x " + Arrays.toString(shapeX) + " vs K " + k);
        }
        int rows = x.length / k;
        double[] v = new double[rows * n];
        double[] tol = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double abs = 0;
                for (int i = 0; i < k; i++) {
                    double term = (double) x[r * k + i] * (transposed ? w[j * k + i] : w[i * n + j]);
                    sum += term;
                    abs += Math.abs(term);
                }
                int terms = k;
                if (bias != null) {
                    sum += bias[j];
                    abs += Math.abs(bias[j]);
                    terms++;
                }
                v[r * n + j] = sum;
                tol[r * n + j] = Tolerances.dot(terms, abs, sum);
            }
        }
        return new Expected(withLast(shapeX, n), v, tol);
    }

    /**
     * {@code (x − μ) / √(σ² + eps) · gamma + beta} per row. Tolerance: the float32 mean may be off by C·EPS·mean|x|
     * (a sum of C terms), which the normalisation multiplies by {@code |gamma| / √(σ² + eps)}; the rest is a relative
     * error of (C + 16)·EPS on the normalised value (variance sum, square root, products) and the bias add.
     */
    public static Expected layerNorm(float[] x, int c, float[] gamma, float[] beta, float eps, int[] shape) {
        double[] v = new double[x.length];
        double[] tol = new double[x.length];
        for (int o = 0; o < x.length; o += c) {
            double mean = 0;
            double meanAbs = 0;
            for (int i = 0; i < c; i++) {
                mean += x[o + i];
                meanAbs += Math.abs(x[o + i]);
            }
            mean /= c;
            meanAbs /= c;
            double var = 0;
            for (int i = 0; i < c; i++) {
                double d = x[o + i] - mean;
                var += d * d;
            }
            var /= c;
            double r = 1.0 / Math.sqrt(var + eps);
            for (int i = 0; i < c; i++) {
                double normed = (x[o + i] - mean) * r * gamma[i];
                double b = beta == null ? 0 : beta[i];
                v[o + i] = normed + b;
                tol[o + i] = ABS + Math.abs(gamma[i]) * r * c * EPS * meanAbs + (c + 16) * EPS * Math.abs(normed)
                        + 2 * EPS * Math.abs(b);
            }
        }
        return new Expected(shape, v, tol);
    }

    /** GELU in the given form, elementwise. */
    public static Expected gelu(float[] x, int[] shape, Gelu form) {
        double[] v = new double[x.length];
        double[] tol = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            v[i] = form == Gelu.TANH ? geluTanh(xi) : geluErf(xi);
            tol[i] = ABS + ELEMENTWISE_REL * (Math.abs(xi) + Math.abs(v[i]));
        }
        return new Expected(shape, v, tol);
    }

    /** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public static double geluTanh(double x) {
        return 0.5 * x * (1.0 + Math.tanh(Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** 0.5·x·(1 + erf(x/√2)) = 0.5·x·erfc(−x/√2) (the erfc form keeps full precision for negative x). */
    public static double geluErf(double x) {
        return 0.5 * x * erfc(-x / Math.sqrt(2.0));
    }

    /**
     * The complementary error function to about 1e-15 relative: Maclaurin series of erf for |z| < 2.5, the
     * continued fraction erfc z = e^(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))) beyond.
     */
    public static double erfc(double z) {
        if (z < 0) {
            return 2.0 - erfc(-z);
        }
        if (z < 2.5) {
            return 1.0 - erfSeries(z);
        }
        double f = z;
        for (int n = 300; n >= 1; n--) {
            f = z + (n / 2.0) / f;
        }
        return Math.exp(-z * z) / (Math.sqrt(Math.PI) * f);
    }

    /** erf by its Maclaurin series, 2/√π · Σ (−1)ⁿ z^(2n+1) / (n!·(2n+1)), for moderate z. */
    public static double erf(double z) {
        if (Math.abs(z) < 2.5) {
            return erfSeries(z);
        }
        return z > 0 ? 1.0 - erfc(z) : erfc(-z) - 1.0;
    }

    private static double erfSeries(double z) {
        double z2 = z * z;
        double term = z;
        double sum = z;
        for (int n = 1; n < 200; n++) {
            term *= -z2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-18 * Math.abs(sum)) {
                break;
            }
        }
        return 2.0 / Math.sqrt(Math.PI) * sum;
    }

    /**
     * Softmax over the last axis, from the row max. −∞ entries get exactly 0 (tolerance 0); others may be off by
     * (C + 8)·EPS relative (C exponentials summed) plus {@link Tolerances#PROB_ABS}.
     */
    public static Expected softmax(float[] x, int c, int[] shape) {
        double[] v = new double[x.length];
        double[] tol = new double[x.length];
        for (int o = 0; o < x.length; o += c) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < c; i++) {
                max = Math.max(max, x[o + i]);
            }
            double sum = 0;
            for (int i = 0; i < c; i++) {
                sum += x[o + i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(x[o + i] - max);
            }
            for (int i = 0; i < c; i++) {
                if (x[o + i] == Float.NEGATIVE_INFINITY) {
                    v[o + i] = 0;
                    tol[o + i] = 0;
                } else {
                    v[o + i] = Math.exp(x[o + i] - max) / sum;
                    tol[o + i] = PROB_ABS + (c + 8) * EPS * v[o + i];
                }
            }
        }
        return new Expected(shape, v, tol);
    }

    // ------------------------------------------------------------------------------------------------- attention

    /**
     * {@code out[b, h, i, j] = scale · Σ_a q[b, h, i, a] · k[b, h, j, a]} for {@code j ≤ offset + i}, −∞ otherwise.
     * q [BH·Tq·A], k [BH·Tk·A].
     */
    public static Expected attentionScores(float[] q, float[] k, int b, int h, int tq, int tk, int a, float scale,
            int offset) {
        int bh = b * h;
        double[] v = new double[bh * tq * tk];
        double[] tol = new double[v.length];
        for (int g = 0; g < bh; g++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    int o = (g * tq + i) * tk + j;
                    if (j > offset + i) {
                        v[o] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double sum = 0;
                    double abs = 0;
                    for (int d = 0; d < a; d++) {
                        double term = (double) q[(g * tq + i) * a + d] * k[(g * tk + j) * a + d];
                        sum += term;
                        abs += Math.abs(term);
                    }
                    v[o] = scale * sum;
                    tol[o] = Tolerances.dot(a, Math.abs(scale) * abs, v[o]) + EPS * Math.abs(v[o]); // + the scaling
                }
            }
        }
        return new Expected(new int[] {b, h, tq, tk}, v, tol);
    }

    // --------------------------------------------------------------------------------------------------- helpers

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    static int[] append(int[] prefix, int last) {
        int[] s = Arrays.copyOf(prefix, prefix.length + 1);
        s[prefix.length] = last;
        return s;
    }

    static int[] withLast(int[] shape, int last) {
        int[] s = shape.clone();
        s[s.length - 1] = last;
        return s;
    }

    private static void unflatten(int flat, int[] shape, int[] idx) {
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
    }

    private static int flatten(int[] idx, int[] shape) {
        int f = 0;
        for (int d = 0; d < shape.length; d++) {
            f = f * shape[d] + idx[d];
        }
        return f;
    }
}
