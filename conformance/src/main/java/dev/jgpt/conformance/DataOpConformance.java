package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.api.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Op level, data movement: name, fromArray/toArray, weight buffers, gatherRows, add, slice, concat, splitHeads and
 * mergeHeads against the float64 {@link Oracle} on seeded random inputs, including awkward shapes (one row, widths
 * that are not a multiple of 8, T = 1 and T = 1024). Part of {@link OpConformance}.
 */
public abstract class DataOpConformance extends OpConformanceBase {
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
}
