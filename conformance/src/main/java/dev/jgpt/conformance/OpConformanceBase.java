package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.DType;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.WeightData;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

/**
 * What the op-level families share: the seed, the {@code In} input holder and {@link #check}, which verifies the
 * SPI's contract around every call (inputs unchanged, result still valid after the inputs are
 * {@linkplain dev.jgpt.api.TensorBackend#release released}), and {@link #attend}, one attention call over a
 * {@link PagedSequences} checked against the {@link AttentionOracle}.
 */
public abstract class OpConformanceBase extends ConformanceBase {
    static final long SEED = 0x5EEDC0DEL;

    /** Every weight dtype, in the order the checks run them. */
    static final DType[] DTYPES = DType.values();

    /**
     * An input: float32 data and shape (made with {@code fromArray}), or a weight (made with {@code weight}); a null
     * {@code In} stands for an absent optional argument (bias, beta).
     */
    static final class In {
        final float[] data;
        final int[] shape;
        final WeightData weight;

        In(float[] data, int... shape) {
            if (data.length != Oracle.size(shape)) {
                throw new IllegalArgumentException("test bug: " + data.length + " for " + Arrays.toString(shape));
            }
            this.data = data;
            this.shape = shape;
            this.weight = null;
        }

        In(WeightData weight) {
            this.data = null;
            this.shape = weight.shape();
            this.weight = weight;
        }
    }

    static In in(float[] data, int... shape) {
        return new In(data, shape);
    }

    static In in(WeightData w) {
        return new In(w);
    }

    static String s(int... shape) {
        return Arrays.toString(shape);
    }

    static DynamicTest test(String name, Executable body) {
        return dynamicTest(name, body);
    }

    /**
     * Makes the inputs, applies {@code op}, checks the inputs are unchanged (a weight's bytes included), releases
     * them, then reads the result and checks it against {@code want}.
     */
    final void check(String label, Expected want, Function<Tensor[], Tensor> op, In... inputs) {
        Tensor[] ts = new Tensor[inputs.length];
        byte[][] bytes = new byte[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            In in = inputs[i];
            if (in != null && in.weight != null) {
                bytes[i] = Inputs.bytesOf(in.weight);
                ts[i] = backend.weight(in.weight);
            } else if (in != null) {
                ts[i] = backend.fromArray(in.data, in.shape);
            }
        }
        Tensor out = op.apply(ts);
        for (int i = 0; i < inputs.length; i++) {
            if (ts[i] == null) {
                continue;
            }
            assertArrayEquals(inputs[i].shape, ts[i].shape(), label + ": input " + i + " changed shape");
            if (bytes[i] != null) {
                assertArrayEquals(bytes[i], Inputs.bytesOf(inputs[i].weight), label + ": the backend modified the "
                        + "bytes of weight input " + i + " (weights must stay unchanged)");
            } else {
                assertArrayEquals(inputs[i].data, backend.toArray(ts[i]), label + ": the operation modified input "
                        + i + " (operations must never modify their inputs)");
            }
        }
        for (Tensor t : ts) {
            if (t != null) {
                backend.release(t);
            }
        }
        int[] shape = out.shape().clone();
        float[] got = backend.toArray(out);
        backend.release(out);
        want.verify(label + " (read after its inputs were released)", shape, got);
    }

    /**
     * One attention call: tokens {@code (seq[i], pos[i])} in that order, with random qkv (queries and keys of std
     * {@code std}, values of std 1), over {@code seqs}' cache in layer {@code layer}; checked against the oracle on
     * the host copy of every key and value the sequences hold.
     */
    final void attend(String label, PagedSequences seqs, Inputs r, int layer, int[] seq, int[] pos, double std) {
        AttentionBatch batch = seqs.batch(seq, pos);
        int c = seqs.spec.width();
        float[] qkv = new float[seq.length * 3 * c];
        for (int t = 0; t < seq.length; t++) {
            System.arraycopy(r.normal(2 * c, 0, std), 0, qkv, t * 3 * c, 2 * c);
            System.arraycopy(r.normal(c, 0, 1), 0, qkv, t * 3 * c + 2 * c, c);
        }
        Expected want = seqs.expect(qkv, batch, layer);
        check(label, want, t -> backend.attention(t[0], batch, seqs.cache, layer), in(qkv, seq.length, 3 * c));
    }

    /** Tokens at positions {@code from … to − 1} of one sequence. */
    static int[] range(int from, int to) {
        int[] a = new int[to - from];
        for (int i = 0; i < a.length; i++) {
            a[i] = from + i;
        }
        return a;
    }

    /** {@code n} copies of {@code v}. */
    static int[] repeat(int v, int n) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    /** Sets −∞ where column j lies in the future of row i (j > offset + i), for {@code groups} [tq, tk] blocks. */
    static float[] masked(float[] x, int groups, int tq, int tk, int offset) {
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    if (j > offset + i) {
                        x[(g * tq + i) * tk + j] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
        }
        return x;
    }
}
