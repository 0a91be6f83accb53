package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import dev.jgpt.api.DType;
import dev.jgpt.api.Dequantize;
import dev.jgpt.api.WeightData;
import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A Q8_0 or Q4_0 weight for the vector kernels: ggml's blocks of 32 along each row split into their two parts —
 * the quants of all blocks, row-major ({@code quants}: 32 bytes per block for Q8_0, 16 for Q4_0), and the block
 * scales d decoded once from f16 to a {@code float[]} (4 bytes per block instead of 2): 1.125 and 0.625 bytes per
 * element (ggml: 1.0625 and 0.5625).
 * <ul>
 *   <li>Q8_0: element i = d · q[i]. Decoded L at a time: L signed bytes widened to floats, times d.</li>
 *   <li>Q4_0: ggml's layout kept (byte j of a block holds element j in its low nibble and j + 16 in its high one), each
 *       byte XORed with 0x88 once, at load: a nibble n becomes n ⊕ 8, whose value as a signed 4-bit number is
 *       n − 8. So element = d · (n − 8) is the signed nibble times d: L bytes widened to ints with their sign, then
 *       {@code (b << 28) >> 28} for the low nibbles or {@code b >> 4} for the high ones, to floats, times d.</li>
 * </ul>
 * Both products are exact in float32 (an 11-bit scale times a 4- or 8-bit integer), the same values
 * {@link Dequantize} gives. A fused one-row pass runs block by block: the four rows' scales once per block, then per
 * vector the decoding and the recipe's fma.
 */
final class QuantWeight extends CompactWeight {
    /** L bytes, the source of one vector of weights; null with 128-bit vectors (no 32-bit byte vectors). */
    private static final VectorSpecies<Byte> B = L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8))
            : null;
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    private static final int BLOCK = 32;
    private final boolean four;
    /** Quant bytes per block: 32 (Q8_0) or 16 (Q4_0). */
    private final int qb;
    /** Blocks per row. */
    private final int nb;
    private final byte[] quants;
    private final float[] scales;

    QuantWeight(WeightData w) {
        super(w);
        four = w.dtype() == DType.Q4_0;
        qb = four ? BLOCK / 2 : BLOCK;
        nb = k / BLOCK;
        scales = new float[m * nb];
        quants = new byte[m * nb * qb];
        ByteBuffer b = bytes(w);
        int blockBytes = w.dtype().blockBytes();
        for (int blk = 0; blk < scales.length; blk++) {
            int o = blk * blockBytes;
            scales[blk] = Dequantize.halfToFloat(b.getShort(o));
            for (int j = 0; j < qb; j++) {
                quants[blk * qb + j] = (byte) (four ? b.get(o + 2 + j) ^ 0x88 : b.get(o + 2 + j));
            }
        }
    }

    /** L Q8_0 weights: the signed bytes at q[o …] times d. */
    private static FloatVector q8(byte[] q, int o, float d) {
        return ((FloatVector) ByteVector.fromArray(B, q, o).convertShape(VectorOperators.B2F, S, 0)).mul(d);
    }

    /** The bytes at q[o …] widened to ints with their sign. */
    private static IntVector ints(byte[] q, int o) {
        return (IntVector) ByteVector.fromArray(B, q, o).convertShape(VectorOperators.B2I, I, 0);
    }

    /** L Q4_0 weights from the low nibbles of the bytes at q[o …], times d. */
    private static FloatVector low(byte[] q, int o, float d) {
        IntVector n = ints(q, o).lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.ASHR, 28);
        return ((FloatVector) n.convert(VectorOperators.I2F, 0)).mul(d);
    }

    /** L Q4_0 weights from the high nibbles of the bytes at q[o …], times d. */
    private static FloatVector high(byte[] q, int o, float d) {
        return ((FloatVector) ints(q, o).lanewise(VectorOperators.ASHR, 4).convert(VectorOperators.I2F, 0)).mul(d);
    }

    /** Whole blocks only: i0 and i1 are multiples of 32 (K is, and so is K rounded down to whole vectors). */
    @Override
    void decode(int j, int i0, int i1, float[] out, int o) {
        for (int blk = i0 / BLOCK; blk < i1 / BLOCK; blk++) {
            float d = scales[j * nb + blk];
            int qo = (j * nb + blk) * qb;
            int at = o + blk * BLOCK - i0;
            if (B == null) {
                for (int e = 0; e < BLOCK; e++) {
                    out[at + e] = d * (four ? nibble(quants[qo + e % 16], e >= 16) : quants[qo + e]);
                }
            } else if (four) {
                for (int e = 0; e < BLOCK / 2; e += L) {
                    low(quants, qo + e, d).intoArray(out, at + e);
                }
                for (int e = 0; e < BLOCK / 2; e += L) {
                    high(quants, qo + e, d).intoArray(out, at + BLOCK / 2 + e);
                }
            } else {
                for (int e = 0; e < BLOCK; e += L) {
                    q8(quants, qo + e, d).intoArray(out, at + e);
                }
            }
        }
    }

    /** A Q4_0 quant minus 8, from a stored (XORed) byte: its low or high nibble as a signed 4-bit number. */
    private static int nibble(byte b, boolean high) {
        return high ? b >> 4 : (b << 28) >> 28;
    }

    @Override
    void oneRow(float[] x, int xo, int j, int step, int count, int k, Pass p) {
        if (B == null) {
            super.oneRow(x, xo, j, step, count, k, p);
        } else if (four) {
            oneRow4(x, xo, member(j, step, count, 0), member(j, step, count, 1), member(j, step, count, 2),
                    member(j, step, count, 3), p.acc);
        } else {
            oneRow8(x, xo, member(j, step, count, 0), member(j, step, count, 1), member(j, step, count, 2),
                    member(j, step, count, 3), p.acc);
        }
    }

    /** The fused one-row pass over the Q8_0 weight rows j0 … j3. */
    private void oneRow8(float[] x, int xo, int j0, int j1, int j2, int j3, float[] acc) {
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
        VectorMatmul.keep(s0, s1, s2, s3, acc);
    }

    /** The fused one-row pass over the Q4_0 weight rows j0 … j3: per block the low nibbles, then the high ones. */
    private void oneRow4(float[] x, int xo, int j0, int j1, int j2, int j3, float[] acc) {
        byte[] q = quants;
        float[] sc = scales;
        int half = BLOCK / 2;
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int blk = 0; blk < nb; blk++) {
            float d0 = sc[j0 * nb + blk];
            float d1 = sc[j1 * nb + blk];
            float d2 = sc[j2 * nb + blk];
            float d3 = sc[j3 * nb + blk];
            int i = xo + blk * BLOCK;
            int o = blk * half;
            for (int e = 0; e < half; e += L) {
                FloatVector a = FloatVector.fromArray(S, x, i + e);
                s0 = a.fma(low(q, j0 * half * nb + o + e, d0), s0);
                s1 = a.fma(low(q, j1 * half * nb + o + e, d1), s1);
                s2 = a.fma(low(q, j2 * half * nb + o + e, d2), s2);
                s3 = a.fma(low(q, j3 * half * nb + o + e, d3), s3);
            }
            for (int e = 0; e < half; e += L) {
                FloatVector a = FloatVector.fromArray(S, x, i + half + e);
                s0 = a.fma(high(q, j0 * half * nb + o + e, d0), s0);
                s1 = a.fma(high(q, j1 * half * nb + o + e, d1), s1);
                s2 = a.fma(high(q, j2 * half * nb + o + e, d2), s2);
                s3 = a.fma(high(q, j3 * half * nb + o + e, d3), s3);
            }
        }
        VectorMatmul.keep(s0, s1, s2, s3, acc);
    }
}
