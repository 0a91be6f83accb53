package dev.jgpt.backend.nd4j;

import static dev.jgpt.backend.nd4j.Nd4jBackend.array;
import static dev.jgpt.backend.nd4j.Nd4jBackend.copyOf;
import static dev.jgpt.backend.nd4j.Nd4jBackend.free;
import static dev.jgpt.backend.nd4j.Nd4jBackend.uninitialized;

import dev.jgpt.api.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attention ops of {@link Nd4jBackend}: scores and mix as batched {@code Nd4j.matmul}s over the B·H heads, and
 * the causal mask. A key or value that is a KV cache view is first copied into c-order memory, freed at once.
 */
final class Nd4jAttention {
    private Nd4jAttention() {
    }

    /**
     * q by kᵀ over the B·H heads, {@code muli(scale)}, then the [Tq, Tk] causal mask added by broadcast over the
     * heads, skipped when nothing is masked.
     */
    static Tensor scores(Tensor q, Tensor k, float scale, int offset) {
        int bh = q.dim(0) * q.dim(1);
        int tq = q.dim(2);
        int a = q.dim(3);
        int tk = k.dim(2);
        if (q.rank() != 4 || k.rank() != 4 || k.dim(3) != a || k.dim(0) * k.dim(1) != bh || offset < 0
                || offset + tq > tk) {
            throw new IllegalArgumentException("attentionScores: q " + Arrays.toString(q.shape()) + ", k "
                    + Arrays.toString(k.shape()) + ", offset " + offset);
        }
        INDArray out = uninitialized(q.dim(0), q.dim(1), tq, tk);
        INDArray scores = out.reshape(bh, tq, tk);
        INDArray keys = contiguous(k);
        Nd4j.matmul(array(q).reshape(bh, tq, a), keys.reshape(bh, tk, a), scores, false, true, false);
        if (keys != array(k)) {
            free(keys);
        }
        scores.muli(scale);
        if (offset < tk - 1) {
            INDArray mask = causalMask(tq, tk, offset);
            scores.addi(mask);
            free(mask);
        }
        return new Nd4jTensor(out, q.dim(0), q.dim(1), tq, tk);
    }

    /** p by v over the B·H heads, written into the result. */
    static Tensor mix(Tensor p, Tensor v) {
        int bh = p.dim(0) * p.dim(1);
        int tq = p.dim(2);
        int tk = p.dim(3);
        int a = v.dim(3);
        if (p.rank() != 4 || v.rank() != 4 || v.dim(2) != tk || v.dim(0) * v.dim(1) != bh) {
            throw new IllegalArgumentException("attentionMix: p " + Arrays.toString(p.shape()) + ", v "
                    + Arrays.toString(v.shape()));
        }
        INDArray out = uninitialized(p.dim(0), p.dim(1), tq, a);
        INDArray values = contiguous(v);
        Nd4j.matmul(array(p).reshape(bh, tq, tk), values.reshape(bh, tk, a), out.reshape(bh, tq, a),
                false, false, false);
        if (values != array(v)) {
            free(values);
        }
        return new Nd4jTensor(out, p.dim(0), p.dim(1), tq, a);
    }

    /**
     * The causal mask [Tq, Tk]: 0 where j ≤ offset + i, −∞ after. Filled on the host and uploaded, because
     * {@code Nd4j.tri(n, m, k)} of ND4J 1.0.0-M2.1 is wrong for a single row (n = 1 gives all ones or all zeros).
     */
    private static INDArray causalMask(int tq, int tk, int offset) {
        float[] mask = new float[tq * tk];
        for (int i = 0; i < tq; i++) {
            Arrays.fill(mask, i * tk + Math.min(tk, offset + i + 1), (i + 1) * tk, Float.NEGATIVE_INFINITY);
        }
        return copyOf(FloatBuffer.wrap(mask), new int[] {tq, tk});
    }

    /**
     * The tensor's array if it owns c-order memory, else (a KV cache view) a c-order copy the caller frees: made
     * here rather than by a reshape, so it is freed at once instead of at garbage collection.
     */
    private static INDArray contiguous(Tensor t) {
        INDArray a = array(t);
        return a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
    }
}
