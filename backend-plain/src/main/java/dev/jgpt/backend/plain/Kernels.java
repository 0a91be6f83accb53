package dev.jgpt.backend.plain;

import dev.jgpt.api.ScalarMath;

/**
 * The fast loops of {@link PlainBackend}. Each computes a block of the output and keeps, for every output element,
 * the summation order of {@link ReferenceBackend}'s loop (so results are bit-identical to it and independent of how
 * the work is split); what changes is the order in which elements are visited and how memory is laid out for the
 * JIT's vectoriser. The exception is {@link #geluTanh}, within an ulp of the reference (see there).
 *
 * <p><b>Why packing.</b> HotSpot's C2 vectorises {@code acc[j] += a · w[j]} only when the store and the loads use
 * the same index expression: with {@code out[o + j] += a · w[p + j]} it must assume the two arrays may be one and
 * overlap, and emits scalar code. So the matmul copies a tile of weight rows into separate small arrays
 * ({@link Scratch#pack}) and accumulates an output row segment in {@link Scratch#acc}, all indexed by {@code j}: the
 * inner loop then runs 16 floats per instruction (AVX-512) from L1. A decode step (one row) streams each weight once,
 * so it is bound by memory, not arithmetic, and uses the plain scalar loop without the copy.
 */
final class Kernels {
    /** Rows of x per task of the packed matmul. */
    static final int ROW_BLOCK = 32;
    /** Weight rows per packed tile. */
    static final int K_BLOCK = 64;
    /** Most columns per packed tile (tile = K_BLOCK × COL_BLOCK floats = 64 KiB, in L1/L2). */
    static final int COL_BLOCK = 256;
    /** From this many rows on, the matmul packs weight tiles; below, it streams weights in place. */
    static final int PACK_MIN_ROWS = 4;

    private Kernels() {
    }

    /** Per-thread buffers of the packed matmul, reused across calls. */
    static final class Scratch {
        final float[][] pack = new float[K_BLOCK][COL_BLOCK];
        final float[] acc = new float[COL_BLOCK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    // ----------------------------------------------------------------------------------------------------- matmul

    /**
     * out[r, j] += Σ_i a[r, i]·w[i, j] over i in order, for rows [r0, r1) and columns [j0, j1), j1 − j0 ≤
     * {@link #COL_BLOCK}; w is [k, n] (weights [in, out]), out starts zero.
     */
    static void matmulPacked(float[] a, float[] w, float[] out, int k, int n, int r0, int r1, int j0, int j1) {
        Scratch s = SCRATCH.get();
        float[][] p = s.pack;
        float[] acc = s.acc;
        int len = j1 - j0;
        for (int i0 = 0; i0 < k; i0 += K_BLOCK) {
            int il = Math.min(K_BLOCK, k - i0);
            for (int i = 0; i < il; i++) {
                System.arraycopy(w, (i0 + i) * n + j0, p[i], 0, len);
            }
            for (int r = r0; r < r1; r++) {
                int ar = r * k + i0;
                int or = r * n + j0;
                System.arraycopy(out, or, acc, 0, len);
                int i = 0;
                for (; i + 3 < il; i += 4) {
                    axpy4(acc, a[ar + i], a[ar + i + 1], a[ar + i + 2], a[ar + i + 3], p[i], p[i + 1], p[i + 2],
                            p[i + 3], len);
                }
                for (; i < il; i++) {
                    axpy(acc, a[ar + i], p[i], len);
                }
                System.arraycopy(acc, 0, out, or, len);
            }
        }
    }

    /** acc[j] = (((acc[j] + a0·w0[j]) + a1·w1[j]) + a2·w2[j]) + a3·w3[j]: four steps of the reference sum. */
    private static void axpy4(float[] acc, float a0, float a1, float a2, float a3, float[] w0, float[] w1,
            float[] w2, float[] w3, int len) {
        for (int j = 0; j < len; j++) {
            float s = acc[j];
            s += a0 * w0[j];
            s += a1 * w1[j];
            s += a2 * w2[j];
            s += a3 * w3[j];
            acc[j] = s;
        }
    }

    private static void axpy(float[] acc, float a0, float[] w0, int len) {
        for (int j = 0; j < len; j++) {
            acc[j] += a0 * w0[j];
        }
    }

    /**
     * The same sums for a few rows, reading w in place (one pass over the weights, which bounds a decode step):
     * rows [r0, r1), columns [j0, j1), four weight rows per pass over the output segment.
     */
    static void matmulStream(float[] a, float[] w, float[] out, int k, int n, int r0, int r1, int j0, int j1) {
        for (int r = r0; r < r1; r++) {
            int ar = r * k;
            int or = r * n;
            int i = 0;
            for (; i + 3 < k; i += 4) {
                float a0 = a[ar + i];
                float a1 = a[ar + i + 1];
                float a2 = a[ar + i + 2];
                float a3 = a[ar + i + 3];
                int w0 = i * n;
                int w1 = w0 + n;
                int w2 = w1 + n;
                int w3 = w2 + n;
                for (int j = j0; j < j1; j++) {
                    float s = out[or + j];
                    s += a0 * w[w0 + j];
                    s += a1 * w[w1 + j];
                    s += a2 * w[w2 + j];
                    s += a3 * w[w3 + j];
                    out[or + j] = s;
                }
            }
            for (; i < k; i++) {
                float ai = a[ar + i];
                int wi = i * n;
                for (int j = j0; j < j1; j++) {
                    out[or + j] += ai * w[wi + j];
                }
            }
        }
    }

    /**
     * out[r, j] = Σ_i a[r, i]·w[j, i] over i in order (w is [n, k], the tied LM head's wte), for rows [r0, r1) and
     * columns [j0, j1): four dot products at a time, each its own sequential sum.
     */
    static void matmulTransposed(float[] a, float[] w, float[] out, int k, int n, int r0, int r1, int j0, int j1) {
        for (int r = r0; r < r1; r++) {
            int ar = r * k;
            int or = r * n;
            int j = j0;
            for (; j + 3 < j1; j += 4) {
                int w0 = j * k;
                int w1 = w0 + k;
                int w2 = w1 + k;
                int w3 = w2 + k;
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
                out[or + j] = s0;
                out[or + j + 1] = s1;
                out[or + j + 2] = s2;
                out[or + j + 3] = s3;
            }
            for (; j < j1; j++) {
                int wj = j * k;
                float s = 0f;
                for (int i = 0; i < k; i++) {
                    s += a[ar + i] * w[wj + i];
                }
                out[or + j] = s;
            }
        }
    }

    // -------------------------------------------------------------------------------------------------- attention

    /**
     * Causal attention for the query rows [row0, row1) of the B·H·Tq rows: scores, softmax and the weighted sum of
     * values, through one reusable row buffer, with exactly {@link ReferenceBackend}'s arithmetic for
     * attentionScores, softmax and attentionMix. Keys and values are read in place: head g's position j at
     * {@code (g·kvCap + j)·A}.
     */
    static void attentionRows(float[] q, float[] k, float[] v, float[] out, int tq, int tk, int a, int kvCap,
            float scale, int offset, int row0, int row1) {
        float[] p = new float[tk];
        for (int row = row0; row < row1; row++) {
            int g = row / tq;
            int i = row % tq;
            scoreRow(q, k, p, 0, row * a, g * kvCap * a, tk, a, scale, offset + i);
            softmaxRow(p, p, 0, tk);
            mixRow(p, 0, v, out, row * a, g * kvCap * a, tk, a);
        }
    }

    /** p[po + j] = scale·(q·k_j) for j ≤ last, −∞ after. */
    static void scoreRow(float[] q, float[] k, float[] p, int po, int qo, int ko, int tk, int a, float scale,
            int last) {
        for (int j = 0; j < tk; j++) {
            float s = Float.NEGATIVE_INFINITY;
            if (j <= last) {
                s = 0f;
                int kj = ko + j * a;
                for (int d = 0; d < a; d++) {
                    s += q[qo + d] * k[kj + d];
                }
                s *= scale;
            }
            p[po + j] = s;
        }
    }

    /** out[o + d] = Σ_j p[po + j]·v_j[d], summed over j in order. */
    static void mixRow(float[] p, int po, float[] v, float[] out, int o, int vo, int tk, int a) {
        for (int d = 0; d < a; d++) {
            out[o + d] = 0f;
        }
        for (int j = 0; j < tk; j++) {
            float w = p[po + j];
            int vj = vo + j * a;
            for (int d = 0; d < a; d++) {
                out[o + d] += w * v[vj + d];
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
