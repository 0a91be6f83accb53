package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.jgpt.api.Tensor;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

/**
 * What the op-level families share: the seed, the {@code In} input holder and {@link #check}, which verifies the
 * SPI's contract around every call (inputs unchanged, result still valid after the inputs are
 * {@linkplain dev.jgpt.api.TensorBackend#release released}).
 */
public abstract class OpConformanceBase extends ConformanceBase {
    static final long SEED = 0x5EEDC0DEL;

    /** An input: data and shape; a null {@code In} stands for an absent optional argument (bias, beta). */
    static final class In {
        final float[] data;
        final int[] shape;

        In(float[] data, int... shape) {
            if (data.length != Oracle.size(shape)) {
                throw new IllegalArgumentException("test bug: " + data.length + " for " + Arrays.toString(shape));
            }
            this.data = data;
            this.shape = shape;
        }
    }

    static In in(float[] data, int... shape) {
        return new In(data, shape);
    }

    static String s(int... shape) {
        return Arrays.toString(shape);
    }

    static DynamicTest test(String name, Executable body) {
        return dynamicTest(name, body);
    }

    /**
     * Makes the inputs, applies {@code op}, checks the inputs are unchanged, releases them, then reads the result and
     * checks it against {@code want}.
     */
    final void check(String label, Expected want, Function<Tensor[], Tensor> op, In... inputs) {
        Tensor[] ts = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            ts[i] = inputs[i] == null ? null : backend.fromArray(inputs[i].data, inputs[i].shape);
        }
        Tensor out = op.apply(ts);
        for (int i = 0; i < inputs.length; i++) {
            if (ts[i] != null) {
                assertArrayEquals(inputs[i].shape, ts[i].shape(), label + ": input " + i + " changed shape");
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

    /** Sets −∞ where key j lies in the future of query i (j > offset + i), for {@code groups} [tq, tk] blocks. */
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
