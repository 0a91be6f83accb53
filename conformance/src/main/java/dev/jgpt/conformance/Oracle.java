package dev.jgpt.conformance;

import static dev.jgpt.conformance.Tolerances.ABS;
import static dev.jgpt.conformance.Tolerances.ELEMENTWISE_REL;
import static dev.jgpt.conformance.Tolerances.EPS;
import static dev.jgpt.conformance.Tolerances.PROB_ABS;

import dev.jgpt.api.DType;
import dev.jgpt.api.Gelu;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The float64 oracle: every {@link dev.jgpt.api.TensorBackend} operation written as the plainest double loops over
 * row-major arrays, straight from the SPI's Javadoc. It shares no code with any backend nor with the SPI's own
 * helpers (not {@link dev.jgpt.api.Dequantize}: weights are decoded here bit by bit; not
 * {@code dev.jgpt.backend.array.ScalarMath}: erf is computed here to double precision). Each method returns the
 * exact-for-our-purposes values and, per element, the tolerance a correct float32 implementation must meet (see
 * {@link Tolerances}). Attention is in {@link AttentionOracle}.
 */
public final class Oracle {
    private Oracle() {
    }

    // ------------------------------------------------------------------------------------------------ data movement

    /**
     * The {@code count} elements of {@code type} stored little-endian from {@code bytes}' position, decoded in
     * float64 from their bits (DType's Javadoc): F32, F16 and BF16 as IEEE 754 binary32/16 and bfloat16; Q8_0 and
     * Q4_0 as blocks of 32 with an f16 scale. Every value is exactly a float32.
     */
    public static double[] decode(DType type, ByteBuffer bytes, int count) {
        int p = bytes.position();
        double[] out = new double[count];
        switch (type) {
            case F32 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = ieee(u16(bytes, p + 4 * i) | (long) u16(bytes, p + 4 * i + 2) << 16, 8, 23);
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = half(u16(bytes, p + 2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = ieee(u16(bytes, p + 2 * i), 8, 7);
                }
            }
            case Q8_0 -> {
                for (int blk = 0; blk < count / 32; blk++) {
                    int o = p + blk * 34;
                    double d = half(u16(bytes, o));
                    for (int j = 0; j < 32; j++) {
                        int q = bytes.get(o + 2 + j) & 0xff;
                        out[blk * 32 + j] = d * (q >= 128 ? q - 256 : q); // signed int8
                    }
                }
            }
            case Q4_0 -> {
                for (int blk = 0; blk < count / 32; blk++) {
                    int o = p + blk * 18;
                    double d = half(u16(bytes, o));
                    for (int j = 0; j < 16; j++) {
                        int q = bytes.get(o + 2 + j) & 0xff;
                        out[blk * 32 + j] = d * ((q % 16) - 8); // low nibble: element j
                        out[blk * 32 + j + 16] = d * ((q / 16) - 8); // high nibble: element j + 16
                    }
                }
            }
            default -> throw new IllegalArgumentException("test bug: dtype " + type);
        }
        return out;
    }

    /** An f16 (its 16 bits) in float64. */
    public static double half(int bits) {
        return ieee(bits, 5, 10);
    }

    /** An IEEE-754-style float of {@code expBits} exponent and {@code mantBits} mantissa bits, in float64. */
    static double ieee(long bits, int expBits, int mantBits) {
        int expMax = (1 << expBits) - 1;
        int bias = expMax / 2;
        boolean negative = (bits >>> (expBits + mantBits) & 1) != 0;
        int e = (int) (bits >>> mantBits & expMax);
        long m = bits & ((1L << mantBits) - 1);
        double v;
        if (e == expMax) {
            v = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (e == 0) {
            v = Math.scalb((double) m, 1 - bias - mantBits); // subnormal: m · 2^(1 − bias − mantBits)
        } else {
            v = Math.scalb((double) (m + (1L << mantBits)), e - bias - mantBits);
        }
        return negative ? -v : v;
    }

    private static int u16(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8; // little-endian whatever b.order()
    }

    /** {@code values} as float32, failing if one is not exactly a float (decoded weights always are). */
    public static float[] floats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
            if (f[i] != values[i] && !Double.isNaN(values[i])) {
                throw new IllegalStateException("test bug: " + values[i] + " is not a float32");
            }
        }
        return f;
    }

    /** {@code out[i, :] = table[ids[i], :]}; exact. */
    public static Expected gatherRows(double[] table, int rows, int c, int[] ids) {
        double[] out = new double[ids.length * c];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= rows) {
                throw new IllegalArgumentException("test bug: id " + ids[i]);
            }
            System.arraycopy(table, ids[i] * c, out, i * c, c);
        }
        return Expected.exact(new int[] {ids.length, c}, out);
    }

    // ------------------------------------------------------------------------------------------------- arithmetic

    /** {@code a + b}, b shaped like a or [C] over every row; one rounding. */
    public static Expected add(float[] a, int[] shapeA, float[] b) {
        double[] v = new double[a.length];
        double[] tol = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            v[i] = (double) a[i] + (double) b[i % b.length];
            tol[i] = EPS * Math.abs(v[i]);
        }
        return new Expected(shapeA, v, tol);
    }

    /**
     * {@code out[n, m] = Σ_k x[n, k] · w[m, k]} (w stored [out, in], as given or dequantized), plus {@code bias[m]}
     * when bias is not null; tolerance {@link Tolerances#weightDot} for a weight of type {@code type}.
     */
    public static Expected matmul(float[] x, int n, int k, float[] w, int m, float[] bias, DType type) {
        if (x.length != n * k || w.length != m * k || (bias != null && bias.length != m)) {
            throw new IllegalArgumentException("test bug: matmul x " + x.length + " w " + w.length + " for " + n
                    + "×" + k + "·" + m);
        }
        double[] v = new double[n * m];
        double[] tol = new double[n * m];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < m; j++) {
                double sum = 0;
                double abs = 0;
                for (int i = 0; i < k; i++) {
                    double term = (double) x[r * k + i] * w[j * k + i];
                    sum += term;
                    abs += Math.abs(term);
                }
                int terms = k;
                if (bias != null) {
                    sum += bias[j];
                    abs += Math.abs(bias[j]);
                    terms++;
                }
                v[r * m + j] = sum;
                tol[r * m + j] = Tolerances.weightDot(type, terms, abs, sum);
            }
        }
        return new Expected(new int[] {n, m}, v, tol);
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
     * Softmax of each row of width c, from the row max. −∞ entries get exactly 0 (tolerance 0); others may be off by
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

    // --------------------------------------------------------------------------------------------------- helpers

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    static String s(int... shape) {
        return Arrays.toString(shape);
    }
}
