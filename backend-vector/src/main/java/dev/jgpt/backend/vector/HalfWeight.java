package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;
import static dev.jgpt.backend.vector.VectorMatmul.S;

import dev.jgpt.api.WeightData;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * An F16 or BF16 weight for the vector kernels ({@link F16Weight}, {@link BF16Weight}): its 16-bit elements as a
 * {@code short[]}, row-major (2 bytes per element, as stored), decoded L at a time from the shorts widened to ints
 * with their sign. The two dtypes are two classes, each with its own fused one-row pass, because C2 compiles (and
 * budgets its inlining) per method: when F16's longer decoding shared one pass with BF16's, both ran 2–10× slower
 * (docs/PERFORMANCE.md).
 */
abstract class HalfWeight extends CompactWeight {
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    /** The elements, row after row. */
    final short[] h;

    HalfWeight(WeightData w) {
        super(w);
        h = new short[m * k];
        bytes(w).asShortBuffer().get(h);
    }

    /** The L shorts at h[o …], widened to ints with their sign. */
    static IntVector ints(short[] h, int o) {
        return (IntVector) ShortVector.fromArray(H, h, o).convertShape(VectorOperators.S2I, I, 0);
    }
}
