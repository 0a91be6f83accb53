package dev.jgpt.backend.nd4j;

import static dev.jgpt.backend.nd4j.Oracle.assertClose;
import static dev.jgpt.backend.nd4j.Oracle.flat;
import static dev.jgpt.backend.nd4j.Oracle.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Copies that only move elements (slice, concat, heads: compared exactly against index arithmetic), and attention
 * (scores with the causal mask at offsets as in a KV cache, mix, the fused form) against {@link Oracle}.
 */
class Nd4jLayoutAndAttentionTest {
    private static final Nd4jBackend ND = new Nd4jBackend();
    private static final int[] SHAPE = {2, 3, 5, 7};

    @ParameterizedTest(name = "axis {0} [{1}, {2})")
    @CsvSource({"0, 1, 2", "1, 0, 3", "2, 1, 4", "3, 6, 7", "-1, 2, 5", "-2, 0, 5", "2, 3, 4"})
    void sliceKeepsTheRangeOfOneAxis(int axis, int from, int to) {
        float[] x = uniform(new Random(axis * 10 + from), Shapes.intSize(SHAPE), -1, 1);
        Tensor out = ND.slice(ND.fromArray(x, SHAPE), axis, from, to);
        int ax = Shapes.axis(axis, 4);
        int[] outShape = SHAPE.clone();
        outShape[ax] = to - from;
        assertArrayEquals(outShape, out.shape());
        double[] expected = new double[Shapes.intSize(outShape)];
        int[] i = new int[4];
        for (int f = 0; f < expected.length; f++) {
            int[] src = i.clone();
            src[ax] += from;
            expected[f] = x[flat(SHAPE, src)];
            increment(i, outShape);
        }
        assertClose("slice", expected, ND.toArray(out), 0, 0);
        assertThrows(IndexOutOfBoundsException.class, () -> ND.slice(ND.fromArray(x, SHAPE), axis, 0, 8));
    }

    @ParameterizedTest(name = "axis {0}, b gets {1}")
    @CsvSource({"0, 1", "1, 4", "2, 1", "3, 2", "-2, 3", "-1, 13"})
    void concatJoinsAlongOneAxis(int axis, int bSize) {
        Random r = new Random(axis * 100 + bSize);
        int ax = Shapes.axis(axis, 4);
        int[] sb = SHAPE.clone();
        sb[ax] = bSize;
        float[] a = uniform(r, Shapes.intSize(SHAPE), -1, 1);
        float[] b = uniform(r, Shapes.intSize(sb), -1, 1);
        Tensor out = ND.concat(ND.fromArray(a, SHAPE), ND.fromArray(b, sb), axis);
        int[] outShape = SHAPE.clone();
        outShape[ax] += bSize;
        assertArrayEquals(outShape, out.shape());
        double[] expected = new double[Shapes.intSize(outShape)];
        int[] i = new int[4];
        for (int f = 0; f < expected.length; f++) {
            int[] src = i.clone();
            boolean fromA = i[ax] < SHAPE[ax];
            if (!fromA) {
                src[ax] -= SHAPE[ax];
            }
            expected[f] = fromA ? a[flat(SHAPE, src)] : b[flat(sb, src)];
            increment(i, outShape);
        }
        assertClose("concat", expected, ND.toArray(out), 0, 0);
        int other = (ax + 1) % 4;
        int[] bad = sb.clone();
        bad[other] += 1;
        assertThrows(IllegalArgumentException.class,
                () -> ND.concat(ND.fromArray(a, SHAPE), ND.fromArray(new float[Shapes.intSize(bad)], bad), axis));
    }

    @ParameterizedTest(name = "[{0}, {1}, {2}] into {3} heads")
    @CsvSource({"2, 3, 12, 4", "1, 1, 13, 1", "1, 5, 14, 7", "3, 2, 6, 6"})
    void splitHeadsAndMergeHeadsMoveChannelsToHeadsAndBack(int b, int t, int c, int heads) {
        float[] x = uniform(new Random(b * 1000 + t * 100 + c), b * t * c, -1, 1);
        int a = c / heads;
        Tensor split = ND.splitHeads(ND.fromArray(x, b, t, c), heads);
        assertArrayEquals(new int[] {b, heads, t, a}, split.shape());
        double[] expected = new double[x.length];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int ti = 0; ti < t; ti++) {
                    for (int d = 0; d < a; d++) {
                        expected[((bi * heads + h) * t + ti) * a + d] = x[(bi * t + ti) * c + h * a + d];
                    }
                }
            }
        }
        assertClose("splitHeads", expected, ND.toArray(split), 0, 0);
        Tensor merged = ND.mergeHeads(split);
        assertArrayEquals(new int[] {b, t, c}, merged.shape());
        assertArrayEquals(x, ND.toArray(merged));
        assertThrows(IllegalArgumentException.class, () -> ND.splitHeads(ND.fromArray(x, b, t, c), c + 1));
    }

    /** [B, H, Tq, Tk, A, offset]: prefill, one-row decode steps, a chunk after a cache, keys beyond the queries. */
    @ParameterizedTest(name = "B={0} H={1} Tq={2} Tk={3} A={4} offset={5}")
    @CsvSource({"2, 3, 4, 4, 7, 0", "1, 1, 1, 1, 13, 0", "1, 2, 1, 6, 13, 5", "2, 2, 3, 7, 8, 2",
        "1, 3, 2, 9, 5, 3", "1, 1, 1, 9, 64, 4", "1, 2, 1, 4, 7, 0", "1, 12, 5, 5, 64, 0"})
    void attentionMatchesTheOracleWithTheCausalMaskAtAnOffset(int b, int h, int tq, int tk, int a, int offset) {
        Random r = new Random(((b * 31L + h) * 31 + tq) * 31 + tk + a + offset);
        int bh = b * h;
        float[] q = uniform(r, bh * tq * a, -1, 1);
        float[] k = uniform(r, bh * tk * a, -1, 1);
        float[] v = uniform(r, bh * tk * a, -1, 1);
        float scale = (float) (1 / Math.sqrt(a));
        Tensor qt = ND.fromArray(q, b, h, tq, a);
        Tensor kt = ND.fromArray(k, b, h, tk, a);
        Tensor vt = ND.fromArray(v, b, h, tk, a);

        double[] scores = Oracle.attentionScores(q, k, bh, tq, tk, a, scale, offset);
        Tensor s = ND.attentionScores(qt, kt, scale, offset);
        assertArrayEquals(new int[] {b, h, tq, tk}, s.shape());
        float[] sf = ND.toArray(s);
        assertClose("attentionScores", scores, sf, 1e-5, 1e-5); // −∞ checked exactly where masked

        double[] p = Oracle.softmax(sf, tk);
        float[] pf = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            pf[i] = (float) p[i];
        }
        Tensor mix = ND.attentionMix(ND.fromArray(pf, b, h, tq, tk), vt);
        assertArrayEquals(new int[] {b, h, tq, a}, mix.shape());
        assertClose("attentionMix", Oracle.attentionMix(widenAll(pf), v, bh, tq, tk, a), ND.toArray(mix), 1e-5, 1e-5);

        Tensor fused = ND.attention(qt, kt, vt, scale, offset);
        double[] expected = Oracle.attentionMix(Oracle.softmax(scores, tk), v, bh, tq, tk, a);
        assertClose("attention", expected, ND.toArray(fused), 1e-5, 1e-5);
    }

    @Test
    void attentionScoresRejectsTooFewKeys() {
        Tensor q = ND.fromArray(new float[2 * 4], 1, 1, 2, 4);
        Tensor k = ND.fromArray(new float[3 * 4], 1, 1, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> ND.attentionScores(q, k, 1f, 2));
    }

    /** Prefill 3 positions then decode 2 one at a time through a KV cache: each step equals full causal attention. */
    @Test
    void decodingThroughTheKvCacheMatchesAttentionOverAllPositions() {
        int h = 2;
        int a = 13;
        int total = 5;
        Random r = new Random(5);
        float[] q = uniform(r, h * total * a, -1, 1);
        float[] k = uniform(r, h * total * a, -1, 1);
        float[] v = uniform(r, h * total * a, -1, 1);
        float scale = (float) (1 / Math.sqrt(a));
        double[] full = Oracle.attentionMix(Oracle.softmax(Oracle.attentionScores(q, k, h, total, total, a, scale, 0),
                total), v, h, total, total, a);
        Tensor qAll = ND.fromArray(q, 1, h, total, a);
        Tensor kAll = ND.fromArray(k, 1, h, total, a);
        Tensor vAll = ND.fromArray(v, 1, h, total, a);
        try (KvCache cache = ND.newKvCache(1, h, a, total)) {
            int[][] steps = {{0, 3}, {3, 4}, {4, 5}};
            for (int[] step : steps) {
                int offset = cache.length();
                assertEquals(step[0], offset);
                cache.append(ND.slice(kAll, 2, step[0], step[1]), ND.slice(vAll, 2, step[0], step[1]));
                Tensor y = ND.attention(ND.slice(qAll, 2, step[0], step[1]), cache.keys(), cache.values(), scale,
                        offset);
                int n = step[1] - step[0];
                double[] expected = new double[h * n * a];
                for (int hi = 0; hi < h; hi++) {
                    System.arraycopy(full, (hi * total + step[0]) * a, expected, hi * n * a, n * a);
                }
                assertClose("decode step at " + offset, expected, ND.toArray(y), 1e-5, 1e-5);
            }
            assertEquals(total, cache.length());
            assertArrayEquals(k, ND.toArray(cache.keys()));
            assertThrows(IllegalStateException.class,
                    () -> cache.append(ND.slice(kAll, 2, 0, 1), ND.slice(vAll, 2, 0, 1)));
        }
    }

    private static double[] widenAll(float[] x) {
        return Oracle.widen(x);
    }

    /** Advances a row-major multi-index. */
    private static void increment(int[] i, int[] shape) {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++i[d] < shape[d]) {
                return;
            }
            i[d] = 0;
        }
    }
}
