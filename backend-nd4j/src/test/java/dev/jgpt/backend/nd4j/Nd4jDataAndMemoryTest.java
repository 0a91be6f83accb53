package dev.jgpt.backend.nd4j;

import static dev.jgpt.backend.nd4j.Oracle.assertClose;
import static dev.jgpt.backend.nd4j.Oracle.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jgpt.api.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Data in and out, weights from buffers, release (no tensor shares memory with another), and threads. */
class Nd4jDataAndMemoryTest {
    private static final Nd4jBackend ND = new Nd4jBackend();

    @Test
    void fromArrayAndToArrayRoundTripExactlyAndCopy() {
        float[] x = uniform(new Random(1), 2 * 3 * 7, -5, 5);
        Tensor t = ND.fromArray(x, 2, 3, 7);
        assertArrayEquals(new int[] {2, 3, 7}, t.shape());
        x[0] = 42f; // the tensor holds a copy
        float[] back = ND.toArray(t);
        assertEquals(x[1], back[1]);
        back[1] = 43f; // and toArray returns one
        assertEquals(x[1], ND.toArray(t)[1]);
        assertArrayEquals(new float[] {3f}, ND.toArray(ND.fromArray(new float[] {3f}, 1)));
        assertThrows(IllegalArgumentException.class, () -> ND.fromArray(new float[5], 2, 3));
    }

    @Test
    void weightCopiesFromTheBufferPositionOfAnyByteOrder() {
        float[] x = uniform(new Random(2), 3 * 13, -1, 1);
        FloatBuffer heap = FloatBuffer.allocate(x.length + 5);
        heap.position(5);
        heap.put(x).position(5);
        assertArrayEquals(x, ND.toArray(ND.weight(heap, 3, 13)));
        assertEquals(5, heap.position(), "the caller's buffer position is untouched");
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            ByteBuffer bytes = ByteBuffer.allocateDirect(4 * (x.length + 1)).order(order);
            FloatBuffer mapped = bytes.asFloatBuffer();
            mapped.put(-1f).put(x).position(1); // like a view into a safetensors file at an offset
            assertArrayEquals(x, ND.toArray(ND.weight(mapped, 3, 13)), order.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> ND.weight(FloatBuffer.allocate(4), 5));
    }

    @Test
    void releasedTensorsAreRefusedAndNoResultSharesMemoryWithItsInputs() {
        float[] x = uniform(new Random(3), 2 * 4 * 6, -1, 1);
        Tensor src = ND.fromArray(x, 2, 4, 6);
        Tensor slice = ND.slice(src, 1, 1, 3);
        Tensor whole = ND.slice(src, 0, 0, 2);
        Tensor concat = ND.concat(src, src, 2);
        Tensor heads = ND.splitHeads(src, 2);
        Tensor merged = ND.mergeHeads(heads);
        float[] sliceBefore = ND.toArray(slice);
        ND.release(src);
        ND.release(src); // twice is harmless
        assertThrows(IllegalStateException.class, () -> ND.toArray(src));
        assertArrayEquals(sliceBefore, ND.toArray(slice));
        assertArrayEquals(x, ND.toArray(whole));
        assertArrayEquals(x, ND.toArray(merged));
        ND.release(heads);
        assertArrayEquals(x, ND.toArray(merged));
        float[] c = ND.toArray(concat);
        assertEquals(x[0], c[0]);
        assertEquals(x[0], c[6]);
        for (Tensor t : new Tensor[] {slice, whole, concat, merged}) {
            ND.release(t);
        }
    }

    @Test
    void foreignTensorsAreRefused() {
        Tensor foreign = () -> new int[] {1};
        assertThrows(IllegalArgumentException.class, () -> ND.toArray(foreign));
        assertThrows(IllegalArgumentException.class, () -> ND.add(foreign, foreign));
    }

    /** Eight threads share the weights and run linear + layerNorm + attention at once; every result is right. */
    @Test
    void concurrentUseOfSharedWeightsGivesCorrectResults() throws Exception {
        Random r = new Random(4);
        int c = 24;
        int t = 5;
        int heads = 3;
        float[] w = uniform(r, c * 3 * c, -0.5, 0.5);
        float[] bias = uniform(r, 3 * c, -0.5, 0.5);
        Tensor wt = ND.weight(FloatBuffer.wrap(w), c, 3 * c);
        Tensor bt = ND.fromArray(bias, 3 * c);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int job = 0; job < 32; job++) {
                float[] x = uniform(new Random(100 + job), t * c, -1, 1);
                jobs.add(pool.submit(() -> {
                    Tensor qkv = ND.linear(ND.fromArray(x, 1, t, c), wt, bt);
                    double[] expected = Oracle.add(Oracle.matmul(x, w, t, c, 3 * c, false), bias);
                    float[] got = ND.toArray(qkv);
                    assertClose("linear in a thread", expected, got, 1e-5, 1e-5);
                    Tensor q = ND.splitHeads(ND.slice(qkv, 2, 0, c), heads);
                    Tensor k = ND.splitHeads(ND.slice(qkv, 2, c, 2 * c), heads);
                    Tensor v = ND.splitHeads(ND.slice(qkv, 2, 2 * c, 3 * c), heads);
                    float[] qf = ND.toArray(q);
                    float[] kf = ND.toArray(k);
                    float[] vf = ND.toArray(v);
                    int a = c / heads;
                    double[] att = Oracle.attentionMix(Oracle.softmax(
                            Oracle.attentionScores(qf, kf, heads, t, t, a, 0.25, 0), t), vf, heads, t, t, a);
                    assertClose("attention in a thread", att, ND.toArray(ND.attention(q, k, v, 0.25f, 0)),
                            1e-5, 1e-5);
                    ND.release(qkv);
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
