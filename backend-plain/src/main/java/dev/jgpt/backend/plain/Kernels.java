package dev.jgpt.backend.plain;

import dev.jgpt.backend.array.ScalarMath;

/**
 * The loops of {@link PlainBackend}. Each computes a block of the output; every output element is computed in one
 * fixed order from its own row (and column), so results are independent of how the work is split and of the batch.
 */
final class Kernels {

    private Kernels() {
    }

    // ----------------------------------------------------------------------------------------------------- matmul

    /**
     * out[r, j] = bias[j] + Σ_i a[r, i]·w[j, i] (w [m, k], the [out, in] layout; bias may be null) for rows
     * [r0, r1) and columns [j0, j1): every element is one float sum over i in increasing order, then the bias, so it
     * does not depend on which other rows or columns are computed with it (batch-invariant). Four weight rows at a
     * time give four independent chains for the CPU to overlap.
     */
    static void matmul(float[] a, float[] w, float[] bias, float[] out, int k, int m, int r0, int r1, int j0,
            int j1) {
        int j = j0;
        for (; j + 3 < j1; j += 4) {
            int w0 = j * k;
            int w1 = w0 + k;
            int w2 = w1 + k;
            int w3 = w2 + k;
            for (int r = r0; r < r1; r++) {
                int ar = r * k;
                float s0 = 0f;
                float s1 = 0f;
                float s2 = 0f;
                float s3 = 0f;
                for (int i = 0; i < k; i++) {
                    float x = a[ar + i];
                    s0 += x * w[w0 + i];
                    s1 += x * w[w1 + i];
                    s2 += x * w[w2 + i];
                    s3 += x * w[w3 + i];
                }
                int o = r * m + j;
                out[o] = withBias(s0, bias, j);
                out[o + 1] = withBias(s1, bias, j + 1);
                out[o + 2] = withBias(s2, bias, j + 2);
                out[o + 3] = withBias(s3, bias, j + 3);
            }
        }
        for (; j < j1; j++) {
            for (int r = r0; r < r1; r++) {
                float s = 0f;
                for (int i = 0; i < k; i++) {
                    s += a[r * k + i] * w[j * k + i];
                }
                out[r * m + j] = withBias(s, bias, j);
            }
        }
    }

    private static float withBias(float sum, float[] bias, int j) {
        return bias == null ? sum : sum + bias[j];
    }

    // -------------------------------------------------------------------------------------------------- attention

    /**
     * One query head over positions 0 … last of its sequence (see {@code ParallelArrayBackend.HeadKernel}): the
     * scores, a stable softmax and the weighted sum of values, each sum in increasing order of position and channel.
     */
    static void attentionHead(float[] q, int qo, float[][] keys, float[][] values, int bs, int c, int ho, int a,
            int last, float scale, float[] out, int o) {
        float[] p = new float[last + 1];
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j <= last; j++) {
            float[] kb = keys[j / bs];
            int ko = (j % bs) * c + ho;
            float dot = 0f;
            for (int i = 0; i < a; i++) {
                dot += q[qo + i] * kb[ko + i];
            }
            p[j] = dot * scale;
            max = Math.max(max, p[j]);
        }
        float sum = 0f;
        for (int j = 0; j <= last; j++) {
            p[j] = (float) Math.exp(p[j] - max);
            sum += p[j];
        }
        for (int i = 0; i < a; i++) {
            out[o + i] = 0f;
        }
        for (int j = 0; j <= last; j++) {
            float pj = p[j] / sum;
            float[] vb = values[j / bs];
            int vo = (j % bs) * c + ho;
            for (int i = 0; i < a; i++) {
                out[o + i] += pj * vb[vo + i];
            }
        }
    }

    /** Stable softmax of in[o, o + c) into out[o, o + c) (may be the same array), as the reference computes it. */
    static void softmaxRow(float[] in, float[] out, int o, int c) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < c; i++) {
            max = Math.max(max, in[o + i]);
        }
        float sum = 0f;
        for (int i = 0; i < c; i++) {
            out[o + i] = (float) Math.exp(in[o + i] - max); // exp(-inf) = 0: masked entries vanish
            sum += out[o + i];
        }
        for (int i = 0; i < c; i++) {
            out[o + i] /= sum;
        }
    }

    // ------------------------------------------------------------------------------------------------------- GELU

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double LOG2E = 1.4426950408889634;
    /** ln 2 in two parts (Cody and Waite), so that y − k·ln2 is exact for every k of a double's exponent range. */
    private static final double LN2_HI = 0.6931471803691238;
    private static final double LN2_LO = 1.9082149292705877e-10;

    /**
     * GELU, tanh form, as {@code x·σ(2u)} = 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), in double with
     * {@link #exp}. The one kernel that does not repeat the reference's arithmetic: {@code Math.tanh} is a
     * call into native fdlibm (25-50 ns, more than half the time of a nano sort batch); this is 3-5× cheaper. The
     * sigmoid form avoids the cancellation of 1 + tanh(u) for negative x; 3% of float results differ from
     * {@link ScalarMath#geluTanh} by an ulp, none by more than 5e-8·(|x| + |gelu(x)|), far inside the conformance
     * tolerance (16·2⁻²³ of that).
     */
    static float geluTanh(float x) {
        double xd = x;
        double u = SQRT_2_OVER_PI * (xd + 0.044715 * xd * xd * xd);
        return (float) (xd / (1.0 + exp(-2.0 * u)));
    }

    /**
     * e^y to about 1e-15 relative: y = k·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor series to r¹²/12!, times 2^k built
     * from the exponent bits. 0 below −708 (where a double underflows), ∞ above 709, NaN for NaN.
     */
    static double exp(double y) {
        if (!(y > -708)) {
            return y != y ? y : 0.0;
        }
        if (y > 709) {
            return Double.POSITIVE_INFINITY;
        }
        double k = Math.rint(y * LOG2E);
        double r = (y - k * LN2_HI) - k * LN2_LO;
        double p = 1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
                + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800
                + r * (1.0 / 39916800 + r * (1.0 / 479001600))))))))))));
        return p * Double.longBitsToDouble(((long) k + 1023) << 52);
    }

    /** GELU, tanh form, over in[from, to) by {@link #geluTanh(float)}. */
    static void geluTanh(float[] in, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = geluTanh(in[i]);
        }
    }

    /** One row of a broadcast add, as the reference computes it: out[o + i] = x[o + i] + y[i]. */
    static void addRow(float[] x, float[] y, float[] out, int o, int m) {
        for (int i = 0; i < m; i++) {
            out[o + i] = x[o + i] + y[i];
        }
    }

    /** Layer norm of one row, as the reference computes it. */
    static void layerNormRow(float[] in, float[] out, int o, int c, float[] g, float[] bt, float eps) {
        float mean = 0f;
        for (int i = 0; i < c; i++) {
            mean += in[o + i];
        }
        mean /= c;
        float variance = 0f;
        for (int i = 0; i < c; i++) {
            float d = in[o + i] - mean;
            variance += d * d;
        }
        variance /= c;
        float inv = (float) (1.0 / Math.sqrt(variance + eps));
        for (int i = 0; i < c; i++) {
            out[o + i] = (in[o + i] - mean) * inv * g[i] + (bt == null ? 0f : bt[i]);
        }
    }
}
