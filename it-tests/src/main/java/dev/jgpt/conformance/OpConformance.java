package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Op level: every {@link dev.jgpt.api.TensorBackend} method against the float64 {@link Oracle} on seeded random
 * inputs, including awkward shapes (one row, widths that are not a multiple of 8, K = 1, N = 1, T = 1 and T = 1024,
 * GPT-2's context), softmax rows of magnitude 1e3 and masked (−∞) entries.
 *
 * <p>Every check also verifies the SPI's contract around the call: inputs are unchanged afterwards, and the result
 * stays valid after every input has been {@linkplain dev.jgpt.api.TensorBackend#release released} (the model
 * releases the source of a slice, the inputs of a concat, the input of splitHeads while it keeps the result).
 */
public abstract class OpConformance extends ConformanceBase {
    private static final long SEED = 0x5EEDC0DEL;

    /** An input: data and shape; a null {@code In} stands for an absent optional argument (bias, beta). */
    private static final class In {
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

    private static In in(float[] data, int... shape) {
        return new In(data, shape);
    }

    private static String s(int... shape) {
        return Arrays.toString(shape);
    }

    private static DynamicTest test(String name, Executable body) {
        return dynamicTest(name, body);
    }

    /**
     * Makes the inputs, applies {@code op}, checks the inputs are unchanged, releases them, then reads the result and
     * checks it against {@code want}.
     */
    private void check(String label, Expected want, Function<Tensor[], Tensor> op, In... inputs) {
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

    // ------------------------------------------------------------------------------------------- data in and out

    @Test
    void nameIsTheProvidersName() {
        assertEquals(backendName(), backend.name(), "TensorBackend.name() must equal its provider's name()");
    }

    @Test
    void fromArrayCopiesItsInputAndToArrayReturnsACopy() {
        float[] src = {1, 2, 3, 4, 5, 6};
        Tensor t = backend.fromArray(src, 2, 3);
        src[0] = 99;
        float[] got = backend.toArray(t);
        assertEquals(1f, got[0], "fromArray must copy: changing the source array changed the tensor");
        got[1] = 77;
        assertEquals(2f, backend.toArray(t)[1], "toArray must return a copy: changing it changed the tensor");
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertEquals(2, t.rank());
        assertEquals(3, t.dim(-1));
        assertEquals(2, t.dim(0));
        assertEquals(6L, t.size());
        backend.release(t);
    }

    @TestFactory
    Stream<DynamicTest> fromArrayToArrayRoundTripIsExact() {
        Inputs r = new Inputs(SEED + 1);
        int[][] shapes = {{1}, {7}, {1, 1}, {3, 5}, {2, 3, 13}, {2, 3, 4, 5}, {1, 1, 1, 1}, {2, 11, 3}};
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] shape : shapes) {
            float[] data = r.normal(Inputs.size(shape), 0, 10);
            float[] specials = {0f, -0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.MAX_VALUE,
                -Float.MAX_VALUE, Float.MIN_NORMAL, 1e-30f, -3.5e7f};
            for (int i = 0; i < data.length && i < specials.length; i++) {
                data[(i * 7) % data.length] = specials[i];
            }
            tests.add(test("fromArray/toArray " + s(shape), () -> {
                Tensor t = backend.fromArray(data, shape);
                int[] got = t.shape().clone();
                float[] back = backend.toArray(t);
                backend.release(t);
                Expected.exact(shape, data).verify("round trip " + s(shape), got, back);
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> weightReadsFromTheBufferPosition() {
        Inputs r = new Inputs(SEED + 2);
        List<DynamicTest> tests = new ArrayList<>();
        int[][] shapes = {{4, 5}, {13}, {3, 48}};
        for (int[] shape : shapes) {
            int n = Inputs.size(shape);
            float[] all = r.normal(n + 11, 0, 1);
            float[] want = Arrays.copyOfRange(all, 5, 5 + n);
            tests.add(test("weight heap buffer at position 5 " + s(shape), () -> {
                FloatBuffer b = FloatBuffer.wrap(all);
                b.position(5);
                checkWeight(shape, want, b);
            }));
            tests.add(test("weight direct little-endian buffer (like a mapped file) " + s(shape), () -> {
                ByteBuffer bytes = ByteBuffer.allocateDirect(all.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(all);
                FloatBuffer b = bytes.asFloatBuffer();
                b.position(5);
                checkWeight(shape, want, b);
            }));
            tests.add(test("weight read-only buffer " + s(shape), () -> {
                FloatBuffer b = FloatBuffer.wrap(all).asReadOnlyBuffer();
                b.position(5);
                checkWeight(shape, want, b);
            }));
        }
        return tests.stream();
    }

    private void checkWeight(int[] shape, float[] want, FloatBuffer buffer) {
        Tensor w = backend.weight(buffer, shape);
        int[] got = w.shape().clone();
        float[] data = backend.toArray(w);
        backend.release(w);
        Expected.exact(shape, want).verify("weight " + s(shape), got, data);
    }

    // ----------------------------------------------------------------------------------------------- primitives

    @TestFactory
    Stream<DynamicTest> gatherRows() {
        Inputs r = new Inputs(SEED + 3);
        List<DynamicTest> tests = new ArrayList<>();
        Object[][] cases = {
            // rows, C, prefix
            {11, 5, new int[] {3}},
            {11, 5, new int[] {1, 3}},
            {50, 48, new int[] {2, 10}},
            {7, 13, new int[] {1, 1}}, // one token (T = 1)
            {3, 1, new int[] {4}}, // C = 1
            {97, 64, new int[] {3, 1}}, // a decode step of a batch
            {1024, 8, new int[] {1, 1024}}, // every position of a 1024 context, as wpe is gathered
        };
        for (Object[] c : cases) {
            int rows = (Integer) c[0];
            int width = (Integer) c[1];
            int[] prefix = (int[]) c[2];
            float[] table = r.normal(rows * width, 0, 1);
            int n = Inputs.size(prefix);
            int[] ids = rows == 1024 ? range(1024) : r.ids(n, rows);
            if (n > 2) {
                ids[0] = rows - 1; // the last row, and a repeat
                ids[1] = ids[2];
            }
            String label = "gatherRows table " + s(rows, width) + " ids " + n + " prefix " + s(prefix);
            tests.add(test(label, () -> check(label, Oracle.gatherRows(table, rows, width, ids, prefix),
                    t -> backend.gatherRows(t[0], ids, prefix), in(table, rows, width))));
        }
        return tests.stream();
    }

    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @TestFactory
    Stream<DynamicTest> add() {
        Inputs r = new Inputs(SEED + 4);
        int[][][] cases = {
            {{2, 3, 5}, {2, 3, 5}}, // residual
            {{2, 3, 13}, {13}}, // bias
            {{4, 11, 48}, {11, 48}}, // position embeddings over B
            {{1, 1, 1}, {1}},
            {{2, 3, 4, 5}, {4, 5}},
            {{7}, {7}},
            {{1, 1024, 8}, {1024, 8}},
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (int[][] c : cases) {
            float[] a = r.normal(Inputs.size(c[0]), 0, 3);
            float[] b = r.normal(Inputs.size(c[1]), 0, 3);
            String label = "add " + s(c[0]) + " + " + s(c[1]);
            tests.add(test(label, () -> check(label, Oracle.add(a, c[0], b), t -> backend.add(t[0], t[1]),
                    in(a, c[0]), in(b, c[1]))));
        }
        return tests.stream();
    }

    /** x shapes and (K, N): one row, K = 1, N = 1, widths not a multiple of 8, long K, rank 4. */
    private static final Object[][] MATMUL_CASES = {
        {new int[] {1, 13}, 7},
        {new int[] {1, 1, 1}, 3},
        {new int[] {2, 5, 48}, 144},
        {new int[] {3, 11, 192}, 48},
        {new int[] {2, 768}, 9},
        {new int[] {2, 2, 3, 17}, 33},
        {new int[] {4, 100}, 1},
        {new int[] {1, 64, 64}, 256},
        {new int[] {13}, 7}, // rank 1: "[..., K]" includes an empty prefix
    };

    @TestFactory
    Stream<DynamicTest> matmul() {
        Inputs r = new Inputs(SEED + 5);
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] c : MATMUL_CASES) {
            int[] xs = (int[]) c[0];
            int k = xs[xs.length - 1];
            int n = (Integer) c[1];
            float[] x = r.uniform(Inputs.size(xs), -1, 1);
            float[] w = r.uniform(k * n, -1, 1);
            String label = "matmul x" + s(xs) + " · w" + s(k, n);
            tests.add(test(label, () -> check(label, Oracle.matmul(x, xs, w, k, n, null),
                    t -> backend.matmul(t[0], t[1]), in(x, xs), in(w, k, n))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> matmulTransposed() {
        Inputs r = new Inputs(SEED + 6);
        Object[][] cases = {
            {new int[] {3, 11, 48}, 3}, // llm-viz's LM head
            {new int[] {1, 1, 64}, 97}, // a decode step through a tied head
            {new int[] {5, 768}, 50},
            {new int[] {1, 13}, 7},
            {new int[] {2, 3, 4, 17}, 1},
            {new int[] {1, 1, 1}, 5},
            {new int[] {48}, 3}, // rank 1
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] c : cases) {
            int[] xs = (int[]) c[0];
            int k = xs[xs.length - 1];
            int n = (Integer) c[1];
            float[] x = r.uniform(Inputs.size(xs), -1, 1);
            float[] w = r.uniform(n * k, -1, 1);
            String label = "matmulTransposed x" + s(xs) + " · w" + s(n, k) + "ᵀ";
            tests.add(test(label, () -> check(label, Oracle.matmulTransposed(x, xs, w, n, k),
                    t -> backend.matmulTransposed(t[0], t[1]), in(x, xs), in(w, n, k))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> linear() {
        Inputs r = new Inputs(SEED + 7);
        Object[][] cases = {
            {new int[] {2, 3, 48}, 144, true},
            {new int[] {2, 3, 48}, 144, false},
            {new int[] {1, 1, 13}, 7, true},
            {new int[] {1, 64, 256}, 64, true},
            {new int[] {3, 1, 5}, 1, true},
            {new int[] {5}, 3, true}, // rank 1
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] c : cases) {
            int[] xs = (int[]) c[0];
            int k = xs[xs.length - 1];
            int n = (Integer) c[1];
            boolean hasBias = (Boolean) c[2];
            float[] x = r.uniform(Inputs.size(xs), -1, 1);
            float[] w = r.uniform(k * n, -1, 1);
            float[] b = hasBias ? r.uniform(n, -1, 1) : null;
            String label = "linear x" + s(xs) + " · w" + s(k, n) + (hasBias ? " + bias" + s(n) : ", bias null");
            tests.add(test(label, () -> check(label, Oracle.matmul(x, xs, w, k, n, b),
                    t -> backend.linear(t[0], t[1], t[2]), in(x, xs), in(w, k, n), hasBias ? in(b, n) : null)));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> layerNorm() {
        Inputs r = new Inputs(SEED + 8);
        List<DynamicTest> tests = new ArrayList<>();
        // shape, eps, beta?, mean of x, std of x, description
        Object[][] cases = {
            {new int[] {2, 3, 48}, 1e-5f, true, 0.0, 1.0, ""},
            {new int[] {2, 3, 48}, 1e-5f, false, 0.0, 1.0, ", beta null"},
            {new int[] {1, 1, 1}, 1e-5f, true, 0.5, 1.0, ", C = 1"},
            {new int[] {4, 13}, 1e-6f, true, 0.0, 2.0, ", with constant rows"},
            {new int[] {2, 768}, 1e-5f, true, 30.0, 1.0, ", mean 30 (a residual stream with an offset)"},
            {new int[] {1, 5}, 1e-5f, true, 0.0, 1000.0, ", values of magnitude 1e3"},
            {new int[] {3, 7}, 1e-5f, true, 0.0, 1e-3, ", variance below eps"},
            {new int[] {13}, 1e-5f, true, 0.0, 1.0, ", rank 1"},
        };
        for (Object[] c : cases) {
            int[] xs = (int[]) c[0];
            int width = xs[xs.length - 1];
            float eps = (Float) c[1];
            boolean hasBeta = (Boolean) c[2];
            float[] x = r.normal(Inputs.size(xs), (Double) c[3], (Double) c[4]);
            if (((String) c[5]).contains("constant")) {
                Arrays.fill(x, 0, width, 0.1f);
                Arrays.fill(x, 2 * width, 3 * width, -7f);
            }
            float[] gamma = r.normal(width, 1, 0.3);
            float[] beta = hasBeta ? r.normal(width, 0, 0.3) : null;
            String label = "layerNorm x" + s(xs) + " eps " + eps + c[5];
            tests.add(test(label, () -> check(label, Oracle.layerNorm(x, width, gamma, beta, eps, xs),
                    t -> backend.layerNorm(t[0], t[1], t[2], eps), in(x, xs), in(gamma, width),
                    hasBeta ? in(beta, width) : null)));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> gelu() {
        Inputs r = new Inputs(SEED + 9);
        float[] grid = {-30f, -10f, -5f, -3f, -2f, -1f, -0.5f, -1e-3f, 0f, 1e-3f, 0.5f, 1f, 2f, 3f, 5f, 10f, 30f};
        List<DynamicTest> tests = new ArrayList<>();
        for (Gelu form : Gelu.values()) {
            tests.add(test("gelu " + form + " on a grid -30..30", () -> check("gelu " + form + " grid",
                    Oracle.gelu(grid, new int[] {grid.length}, form), t -> backend.gelu(t[0], form),
                    in(grid, grid.length))));
            for (int[] xs : new int[][] {{1, 1}, {3, 7}, {2, 3, 13}, {2, 5, 192}}) {
                float[] x = r.uniform(Inputs.size(xs), -8, 8);
                String label = "gelu " + form + " x" + s(xs);
                tests.add(test(label, () -> check(label, Oracle.gelu(x, xs, form), t -> backend.gelu(t[0], form),
                        in(x, xs))));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> softmax() {
        Inputs r = new Inputs(SEED + 10);
        List<DynamicTest> tests = new ArrayList<>();
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {new int[] {1, 1}, new float[] {3.5f}, "width 1"});
        cases.add(new Object[] {new int[] {2, 3}, r.normal(6, 0, 1), ""});
        cases.add(new Object[] {new int[] {5}, r.normal(5, 0, 1), "rank 1"});
        cases.add(new Object[] {new int[] {3, 13}, r.normal(39, 0, 1000), "scores of magnitude 1e3"});
        float[] near = r.normal(14, 1000, 3);
        for (int i = 7; i < 14; i++) {
            near[i] -= 2000; // a row around −1000
        }
        cases.add(new Object[] {new int[] {2, 7}, near, "rows around +1000 and −1000"});
        cases.add(new Object[] {new int[] {1, 1024}, r.normal(1024, 0, 2), "width 1024"});
        cases.add(new Object[] {new int[] {2, 2, 5, 5}, masked(r.normal(100, 0, 3), 2 * 2, 5, 5, 0),
            "causally masked (−∞ above the diagonal)"});
        cases.add(new Object[] {new int[] {2, 4}, new float[] {Float.NEGATIVE_INFINITY, 7f, Float.NEGATIVE_INFINITY,
            Float.NEGATIVE_INFINITY, -1000f, Float.NEGATIVE_INFINITY, 1000f, 999.5f}, "one finite entry; ±1e3"});
        cases.add(new Object[] {new int[] {1, 1, 64, 64}, masked(r.normal(64 * 64, 0, 1000), 1, 64, 64, 0),
            "masked 64×64 of magnitude 1e3"});
        for (Object[] c : cases) {
            int[] xs = (int[]) c[0];
            float[] x = (float[]) c[1];
            String label = "softmax x" + s(xs) + (((String) c[2]).isEmpty() ? "" : ", " + c[2]);
            tests.add(test(label, () -> check(label, Oracle.softmax(x, xs[xs.length - 1], xs),
                    t -> backend.softmax(t[0]), in(x, xs))));
        }
        return tests.stream();
    }

    /** Sets −∞ where key j lies in the future of query i (j > offset + i), for {@code groups} [tq, tk] blocks. */
    private static float[] masked(float[] x, int groups, int tq, int tk, int offset) {
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

    @TestFactory
    Stream<DynamicTest> slice() {
        Inputs r = new Inputs(SEED + 11);
        Object[][] cases = {
            {new int[] {2, 3, 13}, 0, 1, 2},
            {new int[] {2, 3, 13}, 1, 0, 3},
            {new int[] {2, 3, 13}, -1, 4, 11},
            {new int[] {2, 3, 13}, 2, 12, 13},
            {new int[] {2, 5, 144}, -1, 48, 96}, // k out of qkv
            {new int[] {1, 1, 7}, 1, 0, 1},
            {new int[] {3, 4, 5, 6}, 1, 1, 3},
            {new int[] {3, 4, 5, 6}, -2, 2, 5},
            {new int[] {2, 11, 3}, 1, 10, 11}, // the last position
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] c : cases) {
            int[] xs = (int[]) c[0];
            int axis = (Integer) c[1];
            int from = (Integer) c[2];
            int to = (Integer) c[3];
            float[] x = r.normal(Inputs.size(xs), 0, 1);
            String label = "slice x" + s(xs) + " axis " + axis + " [" + from + ", " + to + ")";
            tests.add(test(label, () -> check(label, Oracle.slice(x, xs, axis, from, to),
                    t -> backend.slice(t[0], axis, from, to), in(x, xs))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> concat() {
        Inputs r = new Inputs(SEED + 12);
        Object[][] cases = {
            {new int[] {2, 3, 4, 5}, new int[] {2, 3, 1, 5}, 2}, // a KV cache growing by one position
            {new int[] {2, 3, 4, 5}, new int[] {2, 3, 2, 5}, -2},
            {new int[] {1, 3, 4}, new int[] {2, 3, 4}, 0},
            {new int[] {2, 3}, new int[] {2, 5}, -1},
            {new int[] {1, 1, 1, 8}, new int[] {1, 1, 1, 8}, 2},
            {new int[] {2, 7, 13}, new int[] {2, 1, 13}, 1},
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] c : cases) {
            int[] sa = (int[]) c[0];
            int[] sb = (int[]) c[1];
            int axis = (Integer) c[2];
            float[] a = r.normal(Inputs.size(sa), 0, 1);
            float[] b = r.normal(Inputs.size(sb), 0, 1);
            String label = "concat " + s(sa) + " and " + s(sb) + " axis " + axis;
            tests.add(test(label, () -> check(label, Oracle.concat(a, sa, b, sb, axis),
                    t -> backend.concat(t[0], t[1], axis), in(a, sa), in(b, sb))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> splitHeads() {
        Inputs r = new Inputs(SEED + 13);
        int[][] cases = {{2, 3, 48, 3}, {1, 1, 13, 1}, {1, 4, 7, 7}, {2, 11, 64, 4}, {1, 64, 36, 3}, {3, 1, 20, 5}};
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] c : cases) {
            int b = c[0];
            int t = c[1];
            int width = c[2];
            int heads = c[3];
            float[] x = r.normal(b * t * width, 0, 1);
            String label = "splitHeads x" + s(b, t, width) + " into " + heads;
            tests.add(test(label, () -> check(label, Oracle.splitHeads(x, b, t, width, heads),
                    ts -> backend.splitHeads(ts[0], heads), in(x, b, t, width))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> mergeHeads() {
        Inputs r = new Inputs(SEED + 14);
        int[][] cases = {{2, 3, 4, 16}, {1, 1, 1, 13}, {1, 7, 4, 1}, {2, 4, 11, 16}, {1, 3, 64, 12}};
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] c : cases) {
            float[] x = r.normal(Inputs.size(c), 0, 1);
            String label = "mergeHeads x" + s(c);
            tests.add(test(label, () -> check(label, Oracle.mergeHeads(x, c[0], c[1], c[2], c[3]),
                    ts -> backend.mergeHeads(ts[0]), in(x, c))));
        }
        return tests.stream();
    }

    /**
     * Attention shapes: B, H, Tq, Tk, A, offset. T = 1, prefill, a decode step at an offset, a chunk in the middle of
     * a cache (keys beyond offset + Tq are all in the future), and T = 1024 (GPT-2's context length).
     */
    private static final int[][] ATTENTION_CASES = {
        {1, 1, 1, 1, 1, 0},
        {2, 3, 11, 11, 16, 0},
        {1, 2, 1, 9, 8, 8},
        {2, 2, 3, 10, 5, 4},
        {1, 4, 64, 64, 16, 0},
        {3, 1, 1, 24, 7, 23},
        {1, 1, 1024, 1024, 8, 0},
    };

    private static String attentionLabel(String op, int[] c, float scale) {
        return op + " q" + s(c[0], c[1], c[2], c[4]) + " k" + s(c[0], c[1], c[3], c[4]) + " offset " + c[5]
                + " scale " + scale;
    }

    @TestFactory
    Stream<DynamicTest> attentionScores() {
        Inputs r = new Inputs(SEED + 15);
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] c : ATTENTION_CASES) {
            int b = c[0];
            int h = c[1];
            int tq = c[2];
            int tk = c[3];
            int a = c[4];
            int offset = c[5];
            for (float scale : new float[] {(float) (1.0 / Math.sqrt(a)), 1f}) {
                float[] q = r.normal(b * h * tq * a, 0, 1);
                float[] k = r.normal(b * h * tk * a, 0, 1);
                String label = attentionLabel("attentionScores", c, scale);
                tests.add(test(label, () -> check(label, Oracle.attentionScores(q, k, b, h, tq, tk, a, scale, offset),
                        t -> backend.attentionScores(t[0], t[1], scale, offset), in(q, b, h, tq, a),
                        in(k, b, h, tk, a))));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> attentionMix() {
        Inputs r = new Inputs(SEED + 16);
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] c : ATTENTION_CASES) {
            int b = c[0];
            int h = c[1];
            int tq = c[2];
            int tk = c[3];
            int a = c[4];
            int offset = c[5];
            float[] p = probabilities(r, b * h, tq, tk, offset);
            float[] v = r.normal(b * h * tk * a, 0, 1);
            String label = "attentionMix p" + s(b, h, tq, tk) + " v" + s(b, h, tk, a);
            tests.add(test(label, () -> check(label, Oracle.attentionMix(p, v, b, h, tq, tk, a),
                    t -> backend.attentionMix(t[0], t[1]), in(p, b, h, tq, tk), in(v, b, h, tk, a))));
        }
        return tests.stream();
    }

    /** Causal rows of probabilities (softmax of random scores on the host), zero in the future. */
    private static float[] probabilities(Inputs r, int groups, int tq, int tk, int offset) {
        float[] p = masked(r.normal(groups * tq * tk, 0, 2), groups, tq, tk, offset);
        for (int row = 0; row < groups * tq; row++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < tk; j++) {
                max = Math.max(max, p[row * tk + j]);
            }
            double sum = 0;
            for (int j = 0; j < tk; j++) {
                sum += Math.exp(p[row * tk + j] - max);
            }
            for (int j = 0; j < tk; j++) {
                p[row * tk + j] = (float) (Math.exp(p[row * tk + j] - max) / sum);
            }
        }
        return p;
    }

    @TestFactory
    Stream<DynamicTest> attention() {
        Inputs r = new Inputs(SEED + 17);
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] c : ATTENTION_CASES) {
            for (double std : new double[] {1, 30}) { // 30: scores of magnitude ~1e3, one-hot attention
                int b = c[0];
                int h = c[1];
                int tq = c[2];
                int tk = c[3];
                int a = c[4];
                int offset = c[5];
                float scale = (float) (1.0 / Math.sqrt(a));
                float[] q = r.normal(b * h * tq * a, 0, std);
                float[] k = r.normal(b * h * tk * a, 0, std);
                float[] v = r.normal(b * h * tk * a, 0, 1);
                String label = attentionLabel("attention", c, scale) + (std > 1 ? ", scores of magnitude 1e3" : "");
                tests.add(test(label, () -> check(label, Oracle.attention(q, k, v, b, h, tq, tk, a, scale, offset),
                        t -> backend.attention(t[0], t[1], t[2], scale, offset), in(q, b, h, tq, a),
                        in(k, b, h, tk, a), in(v, b, h, tk, a))));
            }
        }
        return tests.stream();
    }

    // ------------------------------------------------------------------------------------------------ KV cache

    @Test
    void kvCacheGrowsToCapacityRefusesMoreAndDecodesLikeFullAttention() {
        int b = 2;
        int h = 3;
        int a = 5;
        int cap = 7;
        float scale = (float) (1.0 / Math.sqrt(a));
        Inputs r = new Inputs(SEED + 18);
        float[] qAll = r.normal(b * h * cap * a, 0, 1);
        float[] kAll = r.normal(b * h * cap * a, 0, 1);
        float[] vAll = r.normal(b * h * cap * a, 0, 1);
        KvCache cache = backend.newKvCache(b, h, a, cap);
        try {
            assertEquals(0, cache.length(), "a new cache holds no positions");
            assertEquals(cap, cache.capacity(), "capacity");
            int len = 0;
            for (int chunk : new int[] {3, 1, 1, 1, 1}) { // prefill 3 positions, then decode one at a time
                int from = len;
                len += chunk;
                cache.append(backend.fromArray(positions(kAll, b, h, cap, a, from, len), b, h, chunk, a),
                        backend.fromArray(positions(vAll, b, h, cap, a, from, len), b, h, chunk, a));
                assertEquals(len, cache.length(), "length after appending " + chunk);
                String at = "KV cache after " + len + " positions: ";
                float[] keysWant = positions(kAll, b, h, cap, a, 0, len);
                float[] valuesWant = positions(vAll, b, h, cap, a, 0, len);
                Expected.exact(new int[] {b, h, len, a}, keysWant).verify(at + "keys()", cache.keys().shape(),
                        backend.toArray(cache.keys()));
                Expected.exact(new int[] {b, h, len, a}, valuesWant).verify(at + "values()", cache.values().shape(),
                        backend.toArray(cache.values()));
                float[] q = positions(qAll, b, h, cap, a, from, len);
                Tensor qt = backend.fromArray(q, b, h, chunk, a);
                Tensor y = backend.attention(qt, cache.keys(), cache.values(), scale, from);
                Expected want = Oracle.attention(q, keysWant, valuesWant, b, h, chunk, len, a, scale, from);
                want.verify(at + "attention of " + chunk + " new queries at offset " + from, y.shape(),
                        backend.toArray(y));
                backend.release(qt);
                backend.release(y);
            }
            Tensor k = backend.fromArray(new float[b * h * a], b, h, 1, a);
            Tensor v = backend.fromArray(new float[b * h * a], b, h, 1, a);
            assertThrows(IllegalStateException.class, () -> cache.append(k, v),
                    "appending beyond the capacity must throw IllegalStateException");
            backend.release(k);
            backend.release(v);
        } finally {
            cache.close();
        }
    }

    /** Positions [from, to) of a [b, h, t, a] array. */
    private static float[] positions(float[] x, int b, int h, int t, int a, int from, int to) {
        float[] out = new float[b * h * (to - from) * a];
        for (int g = 0; g < b * h; g++) {
            System.arraycopy(x, (g * t + from) * a, out, g * (to - from) * a, (to - from) * a);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ threads

    @Test
    void severalThreadsAtOnceGetCorrectResults() throws InterruptedException {
        int k = 64;
        int n = 96;
        Inputs r = new Inputs(SEED + 19);
        float[] w = r.uniform(k * n, -0.3, 0.3);
        Tensor shared = backend.fromArray(w, k, n); // shared like a weight
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                long seed = SEED + 100 + thread;
                futures.add(pool.submit(() -> {
                    Inputs ri = new Inputs(seed);
                    for (int it = 0; it < 10; it++) {
                        float[] x = ri.uniform(3 * 5 * k, -1, 1);
                        Tensor xt = backend.fromArray(x, 3, 5, k);
                        Tensor y = backend.matmul(xt, shared);
                        Tensor p = backend.softmax(y);
                        float[] yHost = backend.toArray(y);
                        Oracle.matmul(x, new int[] {3, 5, k}, w, k, n, null).verify("matmul on thread " + seed,
                                y.shape(), yHost);
                        Oracle.softmax(yHost, n, new int[] {3, 5, n}).verify("softmax on thread " + seed, p.shape(),
                                backend.toArray(p));
                        backend.release(xt);
                        backend.release(y);
                        backend.release(p);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof AssertionError) {
                        throw (AssertionError) e.getCause();
                    }
                    fail("a thread failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
            backend.release(shared);
        }
    }
}
