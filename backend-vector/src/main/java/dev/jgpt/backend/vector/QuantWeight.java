package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import dev.jgpt.api.Dequantize;
import dev.jgpt.api.WeightData;
import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A Q8_0 or Q4_0 weight for the vector kernels ({@link Q8Weight}, {@link Q4Weight}): ggml's blocks of 32 along each
 * row split into their two parts — the quants of all blocks, row-major ({@link #quants}: 32 bytes per block for
 * Q8_0, 16 for Q4_0, as ggml orders them), and the block scales d decoded once from f16 to a {@code float[]}
 * ({@link #scales}: 4 bytes per block instead of 2) — so 1.125 and 0.625 bytes per element (ggml's own: 1.0625 and
 * 0.5625). Every element is d times a small integer, exact in float32 (an 11-bit scale times at most 8 bits), the
 * value {@link Dequantize} gives. The fused one-row passes run block by block: the rows' scales once per block, then
 * per vector of L weights the decoding (L bytes widened to ints or floats with their sign, …, times d) and the
 * recipe's fma.
 */
abstract class QuantWeight extends CompactWeight {
    /** Elements per block. */
    static final int BLOCK = 32;
    /** L bytes, the source of one vector of weights; null with 128-bit vectors (there are no 32-bit byte vectors). */
    static final VectorSpecies<Byte> B = L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    /** Blocks per row. */
    final int nb;
    /** Quant bytes per block. */
    final int qb;
    /** The quants, block after block, row after row. */
    final byte[] quants;
    /** Each block's scale d: block b of row j at {@code j·nb + b}. */
    final float[] scales;

    /** Splits w's blocks; each quant byte is stored XORed with {@code flip}. */
    QuantWeight(WeightData w, int flip) {
        super(w);
        nb = k / BLOCK;
        int blockBytes = w.dtype().blockBytes();
        qb = blockBytes - 2;
        scales = new float[m * nb];
        quants = new byte[m * nb * qb];
        ByteBuffer b = bytes(w);
        for (int blk = 0; blk < scales.length; blk++) {
            int o = blk * blockBytes;
            scales[blk] = Dequantize.halfToFloat(b.getShort(o));
            for (int j = 0; j < qb; j++) {
                quants[blk * qb + j] = (byte) (b.get(o + 2 + j) ^ flip);
            }
        }
    }

    /** The L bytes at q[o …] widened to ints with their sign. */
    static IntVector ints(byte[] q, int o) {
        return (IntVector) ByteVector.fromArray(B, q, o).convertShape(VectorOperators.B2I, I, 0);
    }

    /**
     * Whole blocks only: i0 and i1 are multiples of 32 (K is, and so is K rounded down to whole vectors). Scalar with
     * 128-bit vectors ({@link #B} null), the same values.
     */
    @Override
    abstract void decode(int j, int i0, int i1, float[] out, int o);
}
