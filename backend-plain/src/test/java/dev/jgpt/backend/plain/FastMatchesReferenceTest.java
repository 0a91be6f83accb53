package dev.jgpt.backend.plain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The fast kernels give exactly the reference loops' bits, on 1 thread and on several, on shapes that exercise
 * every path (one row and many, packed tiles and their remainders, KV cache views).
 */
class FastMatchesReferenceTest {
    final TensorBackend ref = new ReferenceBackend();
    final TensorBackend one = new PlainBackend(1);
    final TensorBackend many = new PlainBackend(3);
    final SplittableRandom rnd = new SplittableRandom(7);

    float[] normal(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Runs op on each backend over the same inputs and requires identical bits and shapes. */
    void same(String what, BiFunction<TensorBackend, Tensor[], Tensor> op, Object... shapesAndData) {
        float[] expected = null;
        int[] expectedShape = null;
        for (TensorBackend b : new TensorBackend[] {ref, one, many}) {
            Tensor[] in = new Tensor[shapesAndData.length / 2];
            for (int i = 0; i < in.length; i++) {
                in[i] = b.fromArray((float[]) shapesAndData[2 * i + 1], (int[]) shapesAndData[2 * i]);
            }
            Tensor out = op.apply(b, in);
            float[] got = b.toArray(out);
            if (expected == null) {
                expected = got;
                expectedShape = out.shape();
            } else {
                assertArrayEquals(expectedShape, out.shape(), what + " shape on " + b.name());
                assertArrayEquals(expected, got, 0f, what + " on " + b.name());
                for (int i = 0; i < got.length; i++) {
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]),
                            what + " bits at " + i);
                }
            }
        }
    }

    static int[] s(int... shape) {
        return shape;
    }

    @Test
    void matmulAtEveryRowCountAndRemainder() {
        int[][] cases = {{1, 768, 96}, {2, 67, 33}, {3, 5, 1}, {4, 64, 256}, {5, 130, 300}, {33, 70, 257},
            {128, 48, 144}, {70, 3, 5}, {1, 1, 1}};
        for (int[] c : cases) {
            float[] x = normal(c[0] * c[1]);
            float[] w = normal(c[1] * c[2]);
            same("matmul " + Arrays.toString(c), (be, t) -> be.matmul(t[0], t[1]),
                    s(c[0], c[1]), x, s(c[1], c[2]), w);
            float[] wt = normal(c[2] * c[1]);
            same("matmulTransposed " + Arrays.toString(c), (be, t) -> be.matmulTransposed(t[0], t[1]),
                    s(c[0], c[1]), x, s(c[2], c[1]), wt);
            float[] bias = normal(c[2]);
            same("linear " + Arrays.toString(c), (be, t) -> be.linear(t[0], t[1], t[2]),
                    s(c[0], c[1]), x, s(c[1], c[2]), w, s(c[2]), bias);
        }
    }

    @Test
    void elementwiseAndRowOps() {
        for (int[] shape : new int[][] {{1, 1, 768}, {3, 7, 50}, {2, 130, 300}}) {
            int n = shape[0] * shape[1] * shape[2];
            float[] x = normal(n);
            float[] y = normal(n);
            float[] g = normal(shape[2]);
            float[] bt = normal(shape[2]);
            same("add", (be, t) -> be.add(t[0], t[1]), shape, x, shape, y);
            same("add bias", (be, t) -> be.add(t[0], t[1]), shape, x, s(shape[2]), g);
            same("layerNorm", (be, t) -> be.layerNorm(t[0], t[1], t[2], 1e-5f), shape, x, s(shape[2]), g,
                    s(shape[2]), bt);
            same("layerNorm no beta", (be, t) -> be.layerNorm(t[0], t[1], null, 1e-5f), shape, x,
                    s(shape[2]), g);
            float[] want = ref.toArray(ref.gelu(ref.fromArray(x, shape), Gelu.TANH));
            for (TensorBackend b : new TensorBackend[] {one, many}) {
                float[] got = b.toArray(b.gelu(b.fromArray(x, shape), Gelu.TANH));
                for (int i = 0; i < x.length; i++) {
                    assertEquals(want[i], got[i], 5e-8 * (Math.abs(x[i]) + Math.abs(want[i])), "gelu tanh at " + x[i]);
                }
            }
            same("gelu tanh, threads", (be, t) -> be == ref ? one.gelu(t[0], Gelu.TANH) : be.gelu(t[0], Gelu.TANH),
                    shape, x);
            same("gelu erf", (be, t) -> be.gelu(t[0], Gelu.ERF), shape, x);
            same("softmax", (be, t) -> be.softmax(t[0]), shape, x);
        }
    }

    @Test
    void geluTanhKernelOnEdgeCases() {
        float[] x = {0f, -0f, 1e-30f, -1e-30f, 3f, -3f, -20f, 20f, -1e30f, 1e30f, Float.NaN, Float.POSITIVE_INFINITY};
        for (float v : x) {
            float want = dev.jgpt.api.ScalarMath.geluTanh(v);
            float got = Kernels.geluTanh(v);
            if (Float.isNaN(want)) {
                assertEquals(Float.isNaN(want), Float.isNaN(got), "NaN at " + v);
            } else {
                assertEquals(want, got, 5e-8 * (Math.abs(v) + Math.abs(want)), "gelu at " + v);
            }
        }
        for (double y : new double[] {-800, -707, -1, -1e-9, 0, 1e-9, 0.5, 1, 20, 700, 710}) {
            assertEquals(Math.exp(y), Kernels.exp(y), 1e-14 * Math.exp(y), "exp " + y);
        }
    }

    @Test
    void attentionPrimitivesAndFused() {
        int[][] cases = {{1, 12, 1, 40, 64, 39}, {2, 3, 5, 5, 16, 0}, {2, 3, 4, 9, 8, 5}, {1, 2, 70, 70, 7, 0}};
        for (int[] c : cases) {
            int b = c[0];
            int h = c[1];
            int tq = c[2];
            int tk = c[3];
            int a = c[4];
            int offset = c[5];
            float scale = (float) (1 / Math.sqrt(a));
            float[] q = normal(b * h * tq * a);
            float[] k = normal(b * h * tk * a);
            float[] v = normal(b * h * tk * a);
            String at = " " + Arrays.toString(c);
            same("attentionScores" + at, (be, t) -> be.attentionScores(t[0], t[1], scale, offset),
                    s(b, h, tq, a), q, s(b, h, tk, a), k);
            float[] p = normal(b * h * tq * tk);
            same("attentionMix" + at, (be, t) -> be.attentionMix(t[0], t[1]), s(b, h, tq, tk), p,
                    s(b, h, tk, a), v);
            same("attention" + at, (be, t) -> be.attention(t[0], t[1], t[2], scale, offset), s(b, h, tq, a), q,
                    s(b, h, tk, a), k, s(b, h, tk, a), v);
        }
    }

    @Test
    void kvCacheViewsGiveTheSameAttentionAsContiguousKeys() {
        int b = 2;
        int h = 3;
        int a = 8;
        int cap = 12;
        float scale = 0.35f;
        float[] k = normal(b * h * cap * a);
        float[] v = normal(b * h * cap * a);
        float[] q = normal(b * h * cap * a);
        for (TensorBackend fast : new TensorBackend[] {one, many}) {
            KvCache cache = fast.newKvCache(b, h, a, cap);
            int len = 0;
            for (int chunk : new int[] {5, 1, 1, 3}) {
                int from = len;
                len += chunk;
                cache.append(fast.fromArray(positions(k, b * h, cap, a, from, len), b, h, chunk, a),
                        fast.fromArray(positions(v, b * h, cap, a, from, len), b, h, chunk, a));
                float[] qs = positions(q, b * h, cap, a, from, len);
                Tensor want = ref.attention(ref.fromArray(qs, b, h, chunk, a),
                        ref.fromArray(positions(k, b * h, cap, a, 0, len), b, h, len, a),
                        ref.fromArray(positions(v, b * h, cap, a, 0, len), b, h, len, a), scale, from);
                Tensor got = fast.attention(fast.fromArray(qs, b, h, chunk, a), cache.keys(), cache.values(), scale,
                        from);
                assertArrayEquals(ref.toArray(want), fast.toArray(got), 0f, "attention over the cache at " + len);
                assertArrayEquals(positions(k, b * h, cap, a, 0, len), fast.toArray(cache.keys()), 0f, "keys()");
                Tensor scores = fast.attentionScores(fast.fromArray(qs, b, h, chunk, a), cache.keys(), scale, from);
                Tensor mixed = fast.attentionMix(fast.softmax(scores), cache.values());
                assertArrayEquals(ref.toArray(want), fast.toArray(mixed), 0f, "unfused attention over the cache");
            }
            cache.close();
        }
    }

    private static float[] positions(float[] x, int groups, int t, int a, int from, int to) {
        float[] out = new float[groups * (to - from) * a];
        for (int g = 0; g < groups; g++) {
            System.arraycopy(x, (g * t + from) * a, out, g * (to - from) * a, (to - from) * a);
        }
        return out;
    }
}
