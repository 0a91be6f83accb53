package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import dev.jgpt.api.WeightData;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A Q8_0 weight ({@link QuantWeight}'s layout, 32 quant bytes per block): element i = d · q[i], q a signed byte.
 * Decoded L at a time: L bytes widened to floats (B2F), times the block's d.
 */
final class Q8Weight extends QuantWeight {
    Q8Weight(WeightData w) {
        super(w, 0);
    }

    /** L weights: the signed bytes at q[o …] times d. */
    private static FloatVector q8(byte[] q, int o, float d) {
        return ((FloatVector) ByteVector.fromArray(B, q, o).convertShape(VectorOperators.B2F, S, 0)).mul(d);
    }

    @Override
    void decode(int j, int i0, int i1, float[] out, int o) {
        byte[] q = quants;
        float[] sc = scales;
        int qo = j * k;
        int so = j * nb;
        int vectors = B == null ? i0 : i1;
        for (int i = i0; i < vectors; i += L) {
            q8(q, qo + i, sc[so + (i >>> 5)]).intoArray(out, o + i - i0);
        }
        for (int i = vectors; i < i1; i++) {
            out[o + i - i0] = sc[so + (i >>> 5)] * q[qo + i];
        }
    }

    /** The fused one-row pass: per block the four rows' scales, then per vector the decoding and the fma. */
    @Override
    void fusedRow(float[] x, int xo, int j, int step, int count, int k, Pass p) {
        if (B == null) {
            super.fusedRow(x, xo, j, step, count, k, p);
            return;
        }
        int j0 = member(j, step, count, 0);
        int j1 = member(j, step, count, 1);
        int j2 = member(j, step, count, 2);
        int j3 = member(j, step, count, 3);
        byte[] q = quants;
        float[] sc = scales;
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int blk = 0; blk < nb; blk++) {
            float d0 = sc[j0 * nb + blk];
            float d1 = sc[j1 * nb + blk];
            float d2 = sc[j2 * nb + blk];
            float d3 = sc[j3 * nb + blk];
            int i = blk * BLOCK;
            for (int e = 0; e < BLOCK; e += L) {
                FloatVector a = FloatVector.fromArray(S, x, xo + i + e);
                s0 = a.fma(q8(q, j0 * k + i + e, d0), s0);
                s1 = a.fma(q8(q, j1 * k + i + e, d1), s1);
                s2 = a.fma(q8(q, j2 * k + i + e, d2), s2);
                s3 = a.fma(q8(q, j3 * k + i + e, d3), s3);
            }
        }
        ((FloatVector) s0.check(S)).intoArray(p.acc, 0);
        ((FloatVector) s1.check(S)).intoArray(p.acc, L);
        ((FloatVector) s2.check(S)).intoArray(p.acc, 2 * L);
        ((FloatVector) s3.check(S)).intoArray(p.acc, 3 * L);
    }
}
