package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import dev.jgpt.api.WeightData;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** A BF16 weight ({@link HalfWeight}): element h is the top half of a float32, {@code float(bits(h << 16))}, exact. */
final class BF16Weight extends HalfWeight {
    BF16Weight(WeightData w) {
        super(w);
    }

    /** Elements [o, o + L) of the shorts, decoded. */
    private static FloatVector bf16(short[] h, int o) {
        return ints(h, o).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    @Override
    void decode(int j, int i0, int i1, float[] out, int o) {
        int base = j * k;
        int i = i0;
        for (; i + L <= i1; i += L) {
            bf16(h, base + i).intoArray(out, o + i - i0);
        }
        for (; i < i1; i++) {
            out[o + i - i0] = Float.intBitsToFloat(h[base + i] << 16);
        }
    }

    /** The fused one-row pass: each weight vector decoded in registers, then the recipe's fma; four rows at a time. */
    @Override
    void fusedRow(float[] x, int xo, int j, int step, int count, int k, Pass p) {
        int w0 = member(j, step, count, 0) * k;
        int w1 = member(j, step, count, 1) * k;
        int w2 = member(j, step, count, 2) * k;
        int w3 = member(j, step, count, 3) * k;
        short[] h = this.h;
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int i = 0; i + L <= k; i += L) {
            FloatVector a = FloatVector.fromArray(S, x, xo + i);
            s0 = a.fma(bf16(h, w0 + i), s0);
            s1 = a.fma(bf16(h, w1 + i), s1);
            s2 = a.fma(bf16(h, w2 + i), s2);
            s3 = a.fma(bf16(h, w3 + i), s3);
        }
        ((FloatVector) s0.check(S)).intoArray(p.acc, 0);
        ((FloatVector) s1.check(S)).intoArray(p.acc, L);
        ((FloatVector) s2.check(S)).intoArray(p.acc, 2 * L);
        ((FloatVector) s3.check(S)).intoArray(p.acc, 3 * L);
        tails(j, step, count, k, p);
    }
}
