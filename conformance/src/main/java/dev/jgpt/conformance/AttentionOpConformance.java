package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Op level, attention: attentionScores, attentionMix and fused attention against the float64 oracle (T = 1,
 * prefill, decode offsets, keys beyond offset + Tq, T = 1024), and the KV cache up to its capacity. Part of
 * {@link OpConformance}.
 */
public abstract class AttentionOpConformance extends OpConformanceBase {
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
            tests.add(test(label, () -> check(label, AttentionOracle.attentionMix(p, v, b, h, tq, tk, a),
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
                tests.add(test(label, () -> check(label,
                        AttentionOracle.attention(q, k, v, b, h, tq, tk, a, scale, offset),
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
                Expected want = AttentionOracle.attention(q, keysWant, valuesWant, b, h, chunk, len, a, scale, from);
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
}
