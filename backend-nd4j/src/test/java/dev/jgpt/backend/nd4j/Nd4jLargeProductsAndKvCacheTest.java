package dev.jgpt.backend.nd4j;

import static dev.jgpt.backend.nd4j.Oracle.assertClose;
import static dev.jgpt.backend.nd4j.Oracle.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Products large enough to be split across threads by output columns (decode and prefill shapes, awkward widths),
 * weights reused after they turned column-major, and the preallocated KV cache.
 */
class Nd4jLargeProductsAndKvCacheTest {
    private static final Nd4jBackend ND = new Nd4jBackend();

    @Test
    void splitProductsMatchTheDoubleProduct() {
        Random r = new Random(11);
        for (int[] c : new int[][] {{1, 768, 2304}, {3, 1000, 1100}, {40, 512, 2051}}) {
            int rows = c[0];
            int k = c[1];
            int n = c[2];
            float[] x = uniform(r, rows * k, -1, 1);
            float[] w = uniform(r, k * n, -1, 1);
            Tensor xt = ND.fromArray(x, rows, k);
            Tensor wt = ND.fromArray(w, k, n);
            for (int twice = 0; twice < 2; twice++) { // the second call uses the column-major weight
                assertClose("matmul " + Arrays.toString(c), Oracle.matmul(x, w, rows, k, n, false),
                        ND.toArray(ND.matmul(xt, wt)), 1e-4, 1e-4);
            }
            assertArrayEquals(w, ND.toArray(wt), "the weight's contents are unchanged");
            float[] wT = uniform(r, n * k, -1, 1);
            assertClose("matmulTransposed " + Arrays.toString(c), Oracle.matmul(x, wT, rows, k, n, true),
                    ND.toArray(ND.matmulTransposed(xt, ND.fromArray(wT, n, k))), 1e-4, 1e-4);
        }
    }

    @Test
    void kvCacheAppendsInPlaceAndItsViewsAreNotFreedByRelease() {
        int b = 2;
        int h = 3;
        int a = 4;
        int cap = 6;
        Random r = new Random(12);
        float[] all = uniform(r, b * h * cap * a, -1, 1);
        KvCache cache = ND.newKvCache(b, h, a, cap);
        int len = 0;
        for (int chunk : new int[] {3, 1, 2}) {
            float[] part = positions(all, b * h, cap, a, len, len + chunk);
            cache.append(ND.fromArray(part, b, h, chunk, a), ND.fromArray(part, b, h, chunk, a));
            len += chunk;
            assertEquals(len, cache.length());
            Tensor keys = cache.keys();
            assertArrayEquals(new int[] {b, h, len, a}, keys.shape());
            assertArrayEquals(positions(all, b * h, cap, a, 0, len), ND.toArray(keys));
            ND.release(keys); // a view: must not free the cache
            assertArrayEquals(positions(all, b * h, cap, a, 0, len), ND.toArray(cache.values()));
        }
        Tensor one = ND.fromArray(new float[b * h * a], b, h, 1, a);
        assertThrows(IllegalStateException.class, () -> cache.append(one, one));
        cache.close();
    }

    private static float[] positions(float[] x, int groups, int t, int a, int from, int to) {
        float[] out = new float[groups * (to - from) * a];
        for (int g = 0; g < groups; g++) {
            System.arraycopy(x, (g * t + from) * a, out, g * (to - from) * a, (to - from) * a);
        }
        return out;
    }
}
