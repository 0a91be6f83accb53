package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The row kernels of {@link VectorBackend}: dot products, layer norm, softmax, GELU and causal attention, each over
 * whole vectors of {@link VectorMatmul#L} lanes and a scalar loop for the rest of a row. exp and tanh are the Vector
 * API's lanewise operations (HotSpot compiles them to Intel's SVML routines on x86-64, within an ulp or two).
 */
final class VectorRows {
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    private VectorRows() {
    }

    /** Σ_d x[xo + d]·y[yo + d] for d in [0, len). */
    static float dot(float[] x, int xo, float[] y, int yo, int len) {
        int vl = len / L * L;
        FloatVector acc = FloatVector.zero(S);
        for (int d = 0; d < vl; d += L) {
            acc = FloatVector.fromArray(S, x, xo + d).fma(FloatVector.fromArray(S, y, yo + d), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (int d = vl; d < len; d++) {
            s += x[xo + d] * y[yo + d];
        }
        return s;
    }

    /** out[o + d] += p·v[vo + d] for d in [0, len). */
    static void axpy(float p, float[] v, int vo, float[] out, int o, int len) {
        int vl = len / L * L;
        FloatVector pv = FloatVector.broadcast(S, p);
        for (int d = 0; d < vl; d += L) {
            FloatVector.fromArray(S, v, vo + d).fma(pv, FloatVector.fromArray(S, out, o + d)).intoArray(out, o + d);
        }
        for (int d = vl; d < len; d++) {
            out[o + d] += p * v[vo + d];
        }
    }

    /** out[o + i] = x[o + i] + y[i] for i in [0, m): one row of a broadcast add. */
    static void addRow(float[] x, float[] y, float[] out, int o, int m) {
        int vl = m / L * L;
        for (int i = 0; i < vl; i += L) {
            FloatVector.fromArray(S, x, o + i).add(FloatVector.fromArray(S, y, i)).intoArray(out, o + i);
        }
        for (int i = vl; i < m; i++) {
            out[o + i] = x[o + i] + y[i];
        }
    }

    /** Layer norm of in[o, o + c): (x − mean)/√(var + eps)·g + b, the variance about the mean (two passes). */
    static void layerNormRow(float[] in, float[] out, int o, int c, float[] g, float[] b, float eps) {
        int vl = c / L * L;
        FloatVector sum = FloatVector.zero(S);
        for (int i = 0; i < vl; i += L) {
            sum = sum.add(FloatVector.fromArray(S, in, o + i));
        }
        float mean = sum.reduceLanes(VectorOperators.ADD);
        for (int i = vl; i < c; i++) {
            mean += in[o + i];
        }
        mean /= c;
        FloatVector m = FloatVector.broadcast(S, mean);
        FloatVector sq = FloatVector.zero(S);
        for (int i = 0; i < vl; i += L) {
            FloatVector d = FloatVector.fromArray(S, in, o + i).sub(m);
            sq = d.fma(d, sq);
        }
        float variance = sq.reduceLanes(VectorOperators.ADD);
        for (int i = vl; i < c; i++) {
            float d = in[o + i] - mean;
            variance += d * d;
        }
        variance /= c;
        float inv = (float) (1.0 / Math.sqrt(variance + eps));
        FloatVector iv = FloatVector.broadcast(S, inv);
        for (int i = 0; i < vl; i += L) {
            FloatVector y = FloatVector.fromArray(S, in, o + i).sub(m).mul(iv).mul(FloatVector.fromArray(S, g, i));
            if (b != null) {
                y = y.add(FloatVector.fromArray(S, b, i));
            }
            y.intoArray(out, o + i);
        }
        for (int i = vl; i < c; i++) {
            out[o + i] = (in[o + i] - mean) * inv * g[i] + (b == null ? 0f : b[i]);
        }
    }

    /** Stable softmax of in[o, o + c) into out[o, o + c) (may be the same array): exp(x − max) / Σ. */
    static void softmaxRow(float[] in, float[] out, int o, int c) {
        int vl = c / L * L;
        FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < vl; i += L) {
            mv = mv.max(FloatVector.fromArray(S, in, o + i));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (int i = vl; i < c; i++) {
            max = Math.max(max, in[o + i]);
        }
        FloatVector m = FloatVector.broadcast(S, max);
        FloatVector sv = FloatVector.zero(S);
        for (int i = 0; i < vl; i += L) {
            FloatVector e = FloatVector.fromArray(S, in, o + i).sub(m).lanewise(VectorOperators.EXP);
            e.intoArray(out, o + i);
            sv = sv.add(e);
        }
        float sum = sv.reduceLanes(VectorOperators.ADD);
        for (int i = vl; i < c; i++) {
            out[o + i] = (float) Math.exp(in[o + i] - max); // exp(-inf) = 0: masked entries vanish
            sum += out[o + i];
        }
        float inv = 1f / sum;
        FloatVector iv = FloatVector.broadcast(S, inv);
        for (int i = 0; i < vl; i += L) {
            FloatVector.fromArray(S, out, o + i).mul(iv).intoArray(out, o + i);
        }
        for (int i = vl; i < c; i++) {
            out[o + i] *= inv;
        }
    }

    /** GELU, tanh form, over in[from, to): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    static void geluTanh(float[] in, float[] out, int from, int to) {
        int vEnd = from + (to - from) / L * L;
        FloatVector half = FloatVector.broadcast(S, 0.5f);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector cubic = FloatVector.broadcast(S, 0.044715f);
        FloatVector scale = FloatVector.broadcast(S, SQRT_2_OVER_PI);
        for (int i = from; i < vEnd; i += L) {
            FloatVector x = FloatVector.fromArray(S, in, i);
            FloatVector u = x.mul(x).mul(x).fma(cubic, x).mul(scale);
            x.mul(half).mul(u.lanewise(VectorOperators.TANH).add(one)).intoArray(out, i);
        }
        for (int i = vEnd; i < to; i++) {
            float x = in[i];
            out[i] = 0.5f * x * (1f + (float) Math.tanh(SQRT_2_OVER_PI * (x + 0.044715f * x * x * x)));
        }
    }

    /** p[po + j] = scale·(q·k_j) for the keys j ≤ last, −∞ after (the causal mask); q at qo, key j at ko + j·a. */
    static void scoreRow(float[] q, float[] k, float[] p, int po, int qo, int ko, int tk, int a, float scale,
            int last) {
        for (int j = 0; j < tk; j++) {
            p[po + j] = j <= last ? scale * dot(q, qo, k, ko + j * a, a) : Float.NEGATIVE_INFINITY;
        }
    }

    /**
     * Causal attention for the query rows [row0, row1) of the B·H·Tq rows: scores q·k_j·scale for the keys j a query
     * may see (j ≤ offset + its position), their softmax, and the weighted sum of values, through one row buffer.
     * Keys and values are read in place: head g's position j at {@code (g·kvCap + j)·A}.
     */
    static void attentionRows(float[] q, float[] k, float[] v, float[] out, int tq, int tk, int a, int kvCap,
            float scale, int offset, int row0, int row1) {
        // scores padded with −∞ to whole vectors, so that the softmax runs without a scalar (Math.exp) tail
        float[] p = new float[(offset + tq + L - 1) / L * L];
        for (int row = row0; row < row1; row++) {
            int g = row / tq;
            int visible = offset + row % tq + 1;
            int padded = (visible + L - 1) / L * L;
            int base = g * kvCap * a;
            for (int j = 0; j < visible; j++) {
                p[j] = scale * dot(q, row * a, k, base + j * a, a);
            }
            for (int j = visible; j < padded; j++) {
                p[j] = Float.NEGATIVE_INFINITY;
            }
            softmaxRow(p, p, 0, padded);
            mix(p, visible, v, base, a, out, row * a);
        }
    }

    /**
     * out[o, o + a) = Σ_j p[j]·v_j over the first {@code visible} values, head g's value j at {@code base + j·a}. One
     * and four vectors per head (nano-GPT's A = 16, GPT-2's A = 64 with 16 lanes) keep the sum in registers.
     */
    static void mix(float[] p, int visible, float[] v, int base, int a, float[] out, int o) {
        if (a == L) {
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < visible; j++) {
                acc = FloatVector.fromArray(S, v, base + j * a).fma(FloatVector.broadcast(S, p[j]), acc);
            }
            acc.intoArray(out, o);
        } else if (a == 4 * L) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            FloatVector acc3 = FloatVector.zero(S);
            for (int j = 0; j < visible; j++) {
                FloatVector pj = FloatVector.broadcast(S, p[j]);
                int vj = base + j * a;
                acc0 = FloatVector.fromArray(S, v, vj).fma(pj, acc0);
                acc1 = FloatVector.fromArray(S, v, vj + L).fma(pj, acc1);
                acc2 = FloatVector.fromArray(S, v, vj + 2 * L).fma(pj, acc2);
                acc3 = FloatVector.fromArray(S, v, vj + 3 * L).fma(pj, acc3);
            }
            acc0.intoArray(out, o);
            acc1.intoArray(out, o + L);
            acc2.intoArray(out, o + 2 * L);
            acc3.intoArray(out, o + 3 * L);
        } else {
            for (int d = 0; d < a; d++) {
                out[o + d] = 0f;
            }
            for (int j = 0; j < visible; j++) {
                axpy(p[j], v, base + j * a, out, o, a);
            }
        }
    }
}
