package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The row kernels of {@link VectorBackend}: broadcast add, layer norm, softmax and GELU, each over
 * whole vectors of {@link VectorMatmul#L} lanes and a scalar loop for the rest of a row. exp is {@link #exp}, a
 * polynomial of fused multiply-adds whose bits do not depend on whether the JIT has compiled the loop.
 */
final class VectorRows {
    /** Per thread: where {@link #sumLanes(FloatVector)} stores a vector to sum its lanes. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

    private VectorRows() {
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

    /**
     * The lanes of {@code v} summed in {@link VectorMatmul#sumLanes}'s fixed order. Not {@code reduceLanes(ADD)}: its
     * order is the implementation's (a tree when compiled, lane by lane in the fallback), so the same row gave other
     * bits on Java 25 depending on whether the kernel had been compiled yet. The lanes go through a per-thread
     * array: a new one per call was not scalar-replaced by C2, and came to 2.2 GB of the 11 GB a nano-sort
     * {@code gpt bench} allocated (JFR allocation samples; layer norm twice per row, softmax once).
     */
    private static float sumLanes(FloatVector v) {
        float[] lanes = LANES.get();
        ((FloatVector) v.check(S)).intoArray(lanes, 0);
        return VectorMatmul.sumLanes(lanes, 0);
    }

    /** Layer norm of in[o, o + c): (x − mean)/√(var + eps)·g + b, the variance about the mean (two passes). */
    static void layerNormRow(float[] in, float[] out, int o, int c, float[] g, float[] b, float eps) {
        int vl = c / L * L;
        FloatVector sum = FloatVector.zero(S);
        for (int i = 0; i < vl; i += L) {
            sum = sum.add(FloatVector.fromArray(S, in, o + i));
        }
        float mean = sumLanes(sum);
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
        float variance = sumLanes(sq);
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
            FloatVector e = exp(FloatVector.fromArray(S, in, o + i).sub(m));
            e.intoArray(out, o + i);
            sv = sv.add(e);
        }
        float sum = sumLanes(sv);
        for (int i = vl; i < c; i++) {
            out[o + i] = exp(in[o + i] - max); // exp(-inf) = 0: masked entries vanish
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

    /**
     * GELU, tanh form, over in[from, to): 0.5·x·(1 + tanh(u)) with u = √(2/π)·(x + 0.044715·x³), computed as
     * x / (1 + exp(−2u)) (the same function: 1 + tanh(u) = 2 / (1 + e^(−2u))). The vector lanes and the scalar loop
     * for the rest run the same operations, so an element's bits do not depend on where the range around it starts.
     */
    static void geluTanh(float[] in, float[] out, int from, int to) {
        int vEnd = from + (to - from) / L * L;
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector cubic = FloatVector.broadcast(S, GELU_CUBIC);
        FloatVector scale = FloatVector.broadcast(S, GELU_SCALE);
        for (int i = from; i < vEnd; i += L) {
            FloatVector x = FloatVector.fromArray(S, in, i);
            FloatVector e = exp(x.mul(x).mul(x).fma(cubic, x).mul(scale));
            x.div(e.add(one)).intoArray(out, i);
        }
        for (int i = vEnd; i < to; i++) {
            float x = in[i];
            out[i] = x / (exp(Math.fma(x * x * x, GELU_CUBIC, x) * GELU_SCALE) + 1f);
        }
    }

    /**
     * e^x in every lane, within 1.01 ulps of the exact value (Cephes' expf: x = n·ln 2 + r with |r| ≤ ln 2 / 2, a
     * degree-6 polynomial for e^r, then 2^n put into the exponent); 0 below −87.34 (where e^x leaves the normal
     * floats), +∞ above 88.376 (e^x &gt; 2^127.5, a hair below the float maximum). Only fused multiply-adds and
     * lanewise IEEE arithmetic, so the bits are the same in the interpreter as in compiled code, and the same as
     * {@link #exp(float)}.
     * (The Vector API's own {@code EXP} is Intel's SVML once compiled and {@code Math.exp} per lane before: results
     * that change by an ulp when the JIT gets to a loop would break batch invariance.)
     */
    static FloatVector exp(FloatVector x) {
        FloatVector t = x.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUND));
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, P0);
        p = p.fma(r, FloatVector.broadcast(S, P1));
        p = p.fma(r, FloatVector.broadcast(S, P2));
        p = p.fma(r, FloatVector.broadcast(S, P3));
        p = p.fma(r, FloatVector.broadcast(S, P4));
        p = p.fma(r, FloatVector.broadcast(S, P5));
        p = p.fma(r.mul(r), r).add(1f);
        FloatVector scale = t.reinterpretAsInts().sub(EXPONENT_BIAS).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        FloatVector y = p.mul(scale);
        y = y.blend(0f, x.compare(VectorOperators.LT, EXP_LOW));
        return y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HIGH));
    }

    /** {@link #exp(FloatVector)} for one float: the same operations, so the same bits. */
    static float exp(float x) {
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, x));
        float p = P0;
        p = Math.fma(p, r, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        p = Math.fma(p, r * r, r) + 1f;
        float y = p * Float.intBitsToFloat((Float.floatToRawIntBits(t) - EXPONENT_BIAS) << 23);
        if (x < EXP_LOW) {
            return 0f;
        }
        return x > EXP_HIGH ? Float.POSITIVE_INFINITY : y;
    }

    private static final float GELU_CUBIC = 0.044715f;
    /** −2·√(2/π): exp's argument is −2u. */
    private static final float GELU_SCALE = (float) (-2 * Math.sqrt(2 / Math.PI));
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer, held in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    /** ROUND's bits less the float exponent bias: (bits(t) − this) &lt;&lt; 23 is the float 2^n. */
    private static final int EXPONENT_BIAS = Float.floatToRawIntBits(ROUND) - 127;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;
    private static final float EXP_LOW = -87.33654f;
    private static final float EXP_HIGH = 88.37626f;
}
