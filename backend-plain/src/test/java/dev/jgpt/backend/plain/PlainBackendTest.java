package dev.jgpt.backend.plain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.api.Backends;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import org.junit.jupiter.api.Test;

/** Every SPI operation of the plain backend against values computed by hand (in the comments). */
class PlainBackendTest {
    /** Hand-computed values are given to 7 significant digits. */
    static final float TOL = 1e-6f;
    final TensorBackend b = new PlainBackend();

    Tensor t(float[] data, int... shape) {
        return b.fromArray(data, shape);
    }

    void check(float[] want, Tensor got, int... shape) {
        assertArrayEquals(shape, got.shape(), "shape");
        assertArrayEquals(want, b.toArray(got), TOL);
    }

    @Test
    void isFoundByServiceLoader() {
        assertEquals("plain", Backends.discover().require("plain").create().name());
    }

    @Test
    void fromArrayCopiesAndToArrayCopies() {
        float[] data = {1, 2, 3};
        Tensor x = t(data, 3);
        data[0] = 9;
        float[] back = b.toArray(x);
        back[1] = 9;
        check(new float[] {1, 2, 3}, x, 3);
        assertThrows(IllegalArgumentException.class, () -> t(new float[] {1, 2}, 3));
    }

    @Test
    void gatherRowsLooksUpEmbeddings() {
        Tensor table = t(new float[] {0, 1, 10, 11, 20, 21}, 3, 2);
        check(new float[] {20, 21, 0, 1, 20, 21, 10, 11}, b.gatherRows(table, new int[] {2, 0, 2, 1}, 2, 2), 2, 2, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> b.gatherRows(table, new int[] {3}, 1));
    }

    @Test
    void addBroadcastsTrailingShape() {
        Tensor a = t(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        check(new float[] {11, 22, 33, 14, 25, 36}, b.add(a, t(new float[] {10, 20, 30}, 3)), 1, 2, 3);
        check(new float[] {2, 4, 6, 8, 10, 12}, b.add(a, a), 1, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> b.add(a, t(new float[] {1, 2}, 2)));
    }

    @Test
    void matmulAndItsTransposedForm() {
        // [[1,2],[3,4]] @ [[1,0,2],[0,1,3]] = [[1,2,8],[3,4,18]]
        Tensor x = t(new float[] {1, 2, 3, 4}, 1, 2, 2);
        check(new float[] {1, 2, 8, 3, 4, 18}, b.matmul(x, t(new float[] {1, 0, 2, 0, 1, 3}, 2, 3)), 1, 2, 3);
        check(new float[] {1, 2, 8, 3, 4, 18}, b.matmulTransposed(x, t(new float[] {1, 0, 0, 1, 2, 3}, 3, 2)),
                1, 2, 3);
        check(new float[] {1 + 10, 2 + 20, 8 + 30, 3 + 10, 4 + 20, 18 + 30},
                b.linear(x, t(new float[] {1, 0, 2, 0, 1, 3}, 2, 3), t(new float[] {10, 20, 30}, 3)), 1, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> b.matmul(x, t(new float[] {1, 2, 3}, 3, 1)));
    }

    @Test
    void layerNormNormalisesEachRow() {
        // row [1,2,3]: mean 2, var 2/3, 1/sqrt(2/3 + 1e-12) = 1.2247449; out = [-1.2247449, 0, 1.2247449] * g + beta
        Tensor x = t(new float[] {1, 2, 3, 5, 5, 5}, 2, 3);
        Tensor g = t(new float[] {1, 2, 1}, 3);
        Tensor beta = t(new float[] {0, 0, 1}, 3);
        check(new float[] {-1.2247449f, 0, 2.2247449f, 0, 0, 1}, b.layerNorm(x, g, beta, 1e-12f), 2, 3);
        check(new float[] {-1.2247449f, 0, 1.2247449f, 0, 0, 0}, b.layerNorm(x, g, null, 1e-12f), 2, 3);
        // eps matters: 1/sqrt(2/3 + 1) = 0.7745967
        check(new float[] {-0.7745967f, 0, 0.7745967f}, b.layerNorm(t(new float[] {1, 2, 3}, 3),
                t(new float[] {1, 1, 1}, 3), null, 1f), 3);
    }

    @Test
    void geluBothForms() {
        // tanh form: gelu(1) = 0.5(1 + tanh(0.7978846 * 1.044715)) = 0.8411920; gelu(-1) = -0.1588080
        // erf form:  gelu(1) = 0.5(1 + erf(0.7071068)) = 0.8413447; gelu(-1) = -0.1586553; gelu(3) = 2.9959502
        Tensor x = t(new float[] {0, 1, -1, 3}, 4);
        check(new float[] {0, 0.8411920f, -0.1588080f, 2.9963627f}, b.gelu(x, Gelu.TANH), 4);
        check(new float[] {0, 0.8413447f, -0.1586553f, 2.9959502f}, b.gelu(x, Gelu.ERF), 4);
    }

    @Test
    void softmaxIsStableAndMasksMinusInfinity() {
        // softmax([1,2,3]) = [0.09003057, 0.24472847, 0.66524096]; shifting by 1000 changes nothing
        float inf = Float.NEGATIVE_INFINITY;
        Tensor x = t(new float[] {1, 2, 3, 1001, 1002, 1003, 0, inf, inf}, 3, 3);
        check(new float[] {0.09003057f, 0.24472847f, 0.66524096f, 0.09003057f, 0.24472847f, 0.66524096f, 1, 0, 0},
                b.softmax(x), 3, 3);
    }

    @Test
    void sliceAndConcatAreInverse() {
        Tensor x = t(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 2, 2, 3);
        Tensor left = b.slice(x, -1, 0, 1);
        Tensor right = b.slice(x, 2, 1, 3);
        check(new float[] {0, 3, 6, 9}, left, 2, 2, 1);
        check(new float[] {1, 2, 4, 5, 7, 8, 10, 11}, right, 2, 2, 2);
        check(b.toArray(x), b.concat(left, right, -1), 2, 2, 3);
        check(new float[] {3, 4, 5, 9, 10, 11}, b.slice(x, 1, 1, 2), 2, 1, 3);
        assertThrows(IndexOutOfBoundsException.class, () -> b.slice(x, 1, 1, 3));
    }

    @Test
    void splitAndMergeHeads() {
        // x [1, 2, 4] with 2 heads of size 2: head 0 takes channels 0-1, head 1 channels 2-3
        Tensor x = t(new float[] {0, 1, 2, 3, 10, 11, 12, 13}, 1, 2, 4);
        Tensor h = b.splitHeads(x, 2);
        check(new float[] {0, 1, 10, 11, 2, 3, 12, 13}, h, 1, 2, 2, 2);
        check(b.toArray(x), b.mergeHeads(h), 1, 2, 4);
    }

    @Test
    void attentionScoresAreScaledAndCausal() {
        float inf = Float.NEGATIVE_INFINITY;
        // q = k = [[1,0],[0,1],[1,1]], scale 0.5: q·k rows [1,0,1],[0,1,1],[1,1,2] → masked, halved
        Tensor q = t(new float[] {1, 0, 0, 1, 1, 1}, 1, 1, 3, 2);
        check(new float[] {0.5f, inf, inf, 0, 0.5f, inf, 0.5f, 0.5f, 1}, b.attentionScores(q, q, 0.5f, 0),
                1, 1, 3, 3);
        // one new query at position 2 over 3 cached keys sees all of them
        Tensor q1 = t(new float[] {1, 1}, 1, 1, 1, 2);
        check(new float[] {0.5f, 0.5f, 1}, b.attentionScores(q1, q, 0.5f, 2), 1, 1, 1, 3);
        assertThrows(IllegalArgumentException.class, () -> b.attentionScores(q, q1, 1f, 0));
    }

    @Test
    void attentionMixAndFusedAttention() {
        Tensor v = t(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor p = t(new float[] {1, 0, 0.25f, 0.75f}, 1, 1, 2, 2);
        check(new float[] {1, 2, 2.5f, 3.5f}, b.attentionMix(p, v), 1, 1, 2, 2);
        // q = k = 0: position 0 sees only itself, position 1 averages both values
        Tensor zero = t(new float[4], 1, 1, 2, 2);
        check(new float[] {1, 2, 2, 3}, b.attention(zero, zero, v, 1f, 0), 1, 1, 2, 2);
    }

    @Test
    void defaultKvCacheGrowsAlongTime() {
        KvCache cache = b.newKvCache(1, 1, 2, 3);
        cache.append(t(new float[] {1, 2}, 1, 1, 1, 2), t(new float[] {3, 4}, 1, 1, 1, 2));
        cache.append(t(new float[] {5, 6, 7, 8}, 1, 1, 2, 2), t(new float[] {9, 10, 11, 12}, 1, 1, 2, 2));
        assertEquals(3, cache.length());
        check(new float[] {1, 2, 5, 6, 7, 8}, cache.keys(), 1, 1, 3, 2);
        check(new float[] {3, 4, 9, 10, 11, 12}, cache.values(), 1, 1, 3, 2);
        assertThrows(IllegalStateException.class,
                () -> cache.append(t(new float[] {1, 2}, 1, 1, 1, 2), t(new float[] {3, 4}, 1, 1, 1, 2)));
    }
}
