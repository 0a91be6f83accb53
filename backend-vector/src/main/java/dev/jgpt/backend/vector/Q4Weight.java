package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import dev.jgpt.api.WeightData;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A Q4_0 weight ({@link QuantWeight}'s layout, 16 quant bytes per block in ggml's order: byte j holds element j in
 * its low nibble and element j + 16 in its high one), each byte XORed with 0x88 once, at load: a nibble n becomes
 * n ⊕ 8, whose value as a signed 4-bit number is n − 8. So element = d · (n − 8) is a signed nibble times d: L bytes
 * widened to ints with their sign, then {@code (b << 28) >> 28} for the low nibbles or {@code b >> 4} for the high
 * ones, to floats, times d.
 */
final class Q4Weight extends QuantWeight {
    private static final int HALF = BLOCK / 2;

    Q4Weight(WeightData w) {
        super(w, 0x88);
    }

    /** L weights from the low nibbles of the bytes at q[o …], times d. */
    private static FloatVector low(byte[] q, int o, float d) {
        return low(ints(q, o), d);
    }

    /** L weights from the high nibbles of the bytes at q[o …], times d. */
    private static FloatVector high(byte[] q, int o, float d) {
        return high(ints(q, o), d);
    }

    /** The low nibbles of the bytes b (widened to ints with their sign) as signed 4-bit numbers, times d. */
    private static FloatVector low(IntVector b, float d) {
        return ((FloatVector) b.lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.ASHR, 28)
                .convertShape(VectorOperators.I2F, S, 0)).mul(d);
    }

    /** The high nibbles of the bytes b (widened to ints with their sign) as signed 4-bit numbers, times d. */
    private static FloatVector high(IntVector b, float d) {
        return ((FloatVector) b.lanewise(VectorOperators.ASHR, 4).convertShape(VectorOperators.I2F, S, 0)).mul(d);
    }

    @Override
    void decode(int j, int i0, int i1, float[] out, int o) {
        byte[] q = quants;
        for (int blk = i0 / BLOCK; blk < i1 / BLOCK; blk++) {
            float d = scales[j * nb + blk];
            int qo = (j * nb + blk) * HALF;
            int at = o + blk * BLOCK - i0;
            int vectors = B == null ? 0 : HALF;
            for (int e = 0; e < vectors; e += L) {
                IntVector b = ints(q, qo + e);
                low(b, d).intoArray(out, at + e);
                high(b, d).intoArray(out, at + HALF + e);
            }
            for (int e = vectors; e < HALF; e++) {
                out[at + e] = d * ((q[qo + e] << 28) >> 28);
                out[at + HALF + e] = d * (q[qo + e] >> 4);
            }
        }
    }

    /**
     * The fused one-row pass, two weight rows at a time: with four, C2 ran out of its inlining budget
     * (NodeCountInliningCutoff) and left the decoding calls in place, on boxed vectors — 3.5 MB allocated and 3.6×
     * slower per 768 × 3072 product.
     */
    @Override
    void fusedRow(float[] x, int xo, int j, int step, int count, int k, Pass p) {
        if (B == null) {
            super.fusedRow(x, xo, j, step, count, k, p);
            return;
        }
        for (int t = 0; t < 4; t += 2) {
            pair(x, xo, member(j, step, count, t), member(j, step, count, t + 1), p.acc, t * L);
        }
    }

    /** Step 1 of the recipe for row x[xo …] and the weight rows ja and jb, into acc[a, a + 2L). */
    private void pair(float[] x, int xo, int ja, int jb, float[] acc, int a) {
        byte[] q = quants;
        float[] sc = scales;
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        for (int blk = 0; blk < nb; blk++) {
            float d0 = sc[ja * nb + blk];
            float d1 = sc[jb * nb + blk];
            int i = xo + blk * BLOCK;
            int q0 = (ja * nb + blk) * HALF;
            int q1 = (jb * nb + blk) * HALF;
            if (L == HALF) {
                // one vector per half block (AVX-512): each row's 16 bytes loaded and widened once for both
                // halves; the same fmas in the same order as the loops below
                IntVector b0 = ints(q, q0);
                IntVector b1 = ints(q, q1);
                FloatVector lo = FloatVector.fromArray(S, x, i);
                s0 = lo.fma(low(b0, d0), s0);
                s1 = lo.fma(low(b1, d1), s1);
                FloatVector hi = FloatVector.fromArray(S, x, i + HALF);
                s0 = hi.fma(high(b0, d0), s0);
                s1 = hi.fma(high(b1, d1), s1);
                continue;
            }
            for (int e = 0; e < HALF; e += L) {
                FloatVector v = FloatVector.fromArray(S, x, i + e);
                s0 = v.fma(low(q, q0 + e, d0), s0);
                s1 = v.fma(low(q, q1 + e, d1), s1);
            }
            for (int e = 0; e < HALF; e += L) {
                FloatVector v = FloatVector.fromArray(S, x, i + HALF + e);
                s0 = v.fma(high(q, q0 + e, d0), s0);
                s1 = v.fma(high(q, q1 + e, d1), s1);
            }
        }
        ((FloatVector) s0.check(S)).intoArray(acc, a);
        ((FloatVector) s1.check(S)).intoArray(acc, a + L);
    }
}
