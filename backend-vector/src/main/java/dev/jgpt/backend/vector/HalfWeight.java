package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import dev.jgpt.api.DType;
import dev.jgpt.api.Dequantize;
import dev.jgpt.api.WeightData;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * An F16 or BF16 weight for the vector kernels: its 16-bit elements as a {@code short[]}, row-major (2 bytes per
 * element, as stored). Both decode by one formula on the element h sign-extended to 32 bits:
 * {@code float(bits((h << shift) & mask)) · scale} —
 * <ul>
 *   <li>F16: shift 13, mask 0x8fffe000 (the sign to bit 31, exponent and mantissa to bits 27…13), scale 2^112,
 *       which moves the exponent bias from 15 to 127: exact for normal and subnormal halves and zeros. Infinities
 *       and NaN would decode as finite values: the loader refuses non-finite weights, so they never arrive;</li>
 *   <li>BF16: shift 16, mask all ones, scale 1: the top half of a float32, exact for every value.</li>
 * </ul>
 * In vectors: a load of L shorts, a widening to ints, shift, and, multiply — then the fma. The scalar tail (K not a
 * multiple of L) decodes the same way. Measured throughput: see {@link VectorMatmul}.
 */
final class HalfWeight extends CompactWeight {
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    private final short[] h;
    private final int shift;
    private final int mask;
    private final float scale;

    HalfWeight(WeightData w) {
        super(w);
        boolean brain = w.dtype() == DType.BF16;
        shift = brain ? 16 : 13;
        mask = brain ? -1 : 0x8fffe000;
        scale = brain ? 1f : 0x1p112f;
        h = new short[m * k];
        bytes(w).asShortBuffer().get(h);
    }

    /** Elements [o, o + L) of the shorts, decoded. */
    private static FloatVector decode(short[] h, int o, int shift, int mask, float scale) {
        IntVector bits = (IntVector) ShortVector.fromArray(H, h, o).convertShape(VectorOperators.S2I, I, 0);
        return bits.lanewise(VectorOperators.LSHL, shift).and(mask).reinterpretAsFloats().mul(scale);
    }

    @Override
    void decode(int j, int i0, int i1, float[] out, int o) {
        int base = j * k;
        int i = i0;
        for (; i + L <= i1; i += L) {
            decode(h, base + i, shift, mask, scale).intoArray(out, o + i - i0);
        }
        for (; i < i1; i++) {
            out[o + i - i0] = Float.intBitsToFloat((h[base + i] << shift) & mask) * scale;
        }
    }

    /** Exact for every value, infinities and NaN of F16 included ({@link Dequantize#halfToFloat}). */
    @Override
    public void row(int r, float[] out, int o) {
        if (mask == -1) {
            decode(r, 0, k, out, o);
            return;
        }
        for (int i = 0; i < k; i++) {
            out[o + i] = Dequantize.halfToFloat(h[r * k + i]);
        }
    }

    /** The fused one-row pass: each weight vector decoded in registers, then the recipe's fma. */
    @Override
    void oneRow(float[] x, int xo, int j, int step, int count, int k, Pass p) {
        int w0 = member(j, step, count, 0) * k;
        int w1 = member(j, step, count, 1) * k;
        int w2 = member(j, step, count, 2) * k;
        int w3 = member(j, step, count, 3) * k;
        short[] h = this.h;
        int shift = this.shift;
        int mask = this.mask;
        float scale = this.scale;
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int i = 0; i + L <= k; i += L) {
            FloatVector a = FloatVector.fromArray(S, x, xo + i);
            s0 = a.fma(decode(h, w0 + i, shift, mask, scale), s0);
            s1 = a.fma(decode(h, w1 + i, shift, mask, scale), s1);
            s2 = a.fma(decode(h, w2 + i, shift, mask, scale), s2);
            s3 = a.fma(decode(h, w3 + i, shift, mask, scale), s3);
        }
        s0.intoArray(p.acc, 0);
        s1.intoArray(p.acc, L);
        s2.intoArray(p.acc, 2 * L);
        s3.intoArray(p.acc, 3 * L);
        tails(j, step, count, k, p);
    }
}
