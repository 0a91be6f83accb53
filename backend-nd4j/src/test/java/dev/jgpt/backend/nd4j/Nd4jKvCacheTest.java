package dev.jgpt.backend.nd4j;

import static dev.jgpt.backend.nd4j.Nd4jTestData.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.DecomposedAttention;
import dev.jgpt.api.HeapKvCache;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The off-heap KV cache storage: the generic store/load round trip, its bounds, what attention writes where,
 * a block table pointing outside the cache, and closing (the off-heap arrays freed at once).
 */
class Nd4jKvCacheTest {
    private static final Nd4jBackend ND = new Nd4jBackend();
    /** 2 layers, 2 heads of 3 (C = 6), 4 blocks of 3: 12 slots. */
    private static final KvCacheSpec SPEC = new KvCacheSpec(2, 2, 3, 3, 4);
    private static final int C = SPEC.width();

    @Test
    void storeThenLoadRoundTripsEverySlotOfEveryLayerExactly() {
        Random r = new Random(1);
        float[] keys = uniform(r, 5 + SPEC.layers() * SPEC.slots() * C, -1, 1);
        float[] values = uniform(r, 2 + SPEC.layers() * SPEC.slots() * C, -1, 1);
        try (KvCache cache = ND.newKvCache(SPEC)) {
            assertInstanceOf(Nd4jKvCache.class, cache);
            assertEquals(SPEC, cache.spec());
            for (int l = 0; l < SPEC.layers(); l++) {
                for (int s = 0; s < SPEC.slots(); s++) {
                    int i = (l * SPEC.slots() + s) * C;
                    cache.store(l, s, keys, 5 + i, values, 2 + i); // from offsets into longer arrays
                }
            }
            float[] k = new float[C];
            float[] v = new float[C];
            for (int l = SPEC.layers() - 1; l >= 0; l--) {
                for (int s = SPEC.slots() - 1; s >= 0; s--) {
                    int i = (l * SPEC.slots() + s) * C;
                    cache.load(l, s, k, v);
                    assertArrayEquals(Arrays.copyOfRange(keys, 5 + i, 5 + i + C), k, "key " + l + "/" + s);
                    assertArrayEquals(Arrays.copyOfRange(values, 2 + i, 2 + i + C), v, "value " + l + "/" + s);
                }
            }
        }
    }

    @Test
    void layersAndSlotsOutsideTheSpecAreRefused() {
        float[] x = new float[C];
        try (KvCache cache = ND.newKvCache(SPEC)) {
            for (int[] bad : new int[][] {{-1, 0}, {2, 0}, {0, -1}, {0, 12}, {1, 12}}) {
                assertThrows(IndexOutOfBoundsException.class, () -> cache.store(bad[0], bad[1], x, 0, x, 0));
                assertThrows(IndexOutOfBoundsException.class, () -> cache.load(bad[0], bad[1], x, x));
            }
            assertThrows(IndexOutOfBoundsException.class, () -> cache.store(0, 0, x, 1, x, 0), "too few floats");
        }
    }

    /** Tokens at positions 2…4 of blocks {3, 1}: keys and values land in slots 11, 3, 4 of that layer only. */
    @Test
    void attentionStoresEachTokensKeyAndValueInItsSlot() {
        float[] qkv = uniform(new Random(2), 3 * 3 * C, -1, 1);
        float[] sentinel = new float[C];
        Arrays.fill(sentinel, 42f);
        try (KvCache cache = ND.newKvCache(SPEC)) {
            for (int l = 0; l < SPEC.layers(); l++) {
                for (int s = 0; s < SPEC.slots(); s++) {
                    cache.store(l, s, sentinel, 0, sentinel, 0);
                }
            }
            int[] blocks = {3, 1};
            AttentionBatch batch = AttentionBatch.single(2, 3, blocks, 3);
            ND.release(ND.attention(ND.fromArray(qkv, 3, 3 * C), batch, cache, 1));
            float[] k = new float[C];
            float[] v = new float[C];
            int[] slots = {11, 3, 4};
            for (int s = 0; s < SPEC.slots(); s++) {
                int n = Arrays.stream(slots).boxed().toList().indexOf(s);
                cache.load(1, s, k, v);
                float[] wantK = n < 0 ? sentinel : Arrays.copyOfRange(qkv, n * 3 * C + C, n * 3 * C + 2 * C);
                float[] wantV = n < 0 ? sentinel : Arrays.copyOfRange(qkv, n * 3 * C + 2 * C, n * 3 * C + 3 * C);
                assertArrayEquals(wantK, k, "layer 1 key of slot " + s);
                assertArrayEquals(wantV, v, "layer 1 value of slot " + s);
                cache.load(0, s, k, v);
                assertArrayEquals(sentinel, k, "layer 0 untouched at slot " + s);
            }
        }
    }

    /**
     * A block table naming a block the cache does not have (an exhausted or mismatched pool) is refused before
     * anything is written, even for the batch's valid tokens; a layer outside the spec too.
     */
    @Test
    void attentionRefusesBlocksOutsideTheCacheAndWritesNothing() {
        float[] sentinel = new float[C];
        Arrays.fill(sentinel, 7f);
        try (KvCache cache = ND.newKvCache(SPEC)) {
            cache.store(0, 0, sentinel, 0, sentinel, 0);
            int[][] tables = {{0}, {4}};
            AttentionBatch batch = new AttentionBatch(new int[] {0, 1}, new int[] {0, 0}, tables, 3);
            Tensor qkv = ND.fromArray(new float[2 * 3 * C], 2, 3 * C);
            assertThrows(IndexOutOfBoundsException.class, () -> ND.attention(qkv, batch, cache, 0));
            float[] k = new float[C];
            float[] v = new float[C];
            cache.load(0, 0, k, v);
            assertArrayEquals(sentinel, k, "sequence 0's slot was not written");
            AttentionBatch ok = AttentionBatch.single(0, 1, new int[] {0}, 3);
            Tensor one = ND.fromArray(new float[3 * C], 1, 3 * C);
            assertThrows(IndexOutOfBoundsException.class, () -> ND.attention(one, ok, cache, 2));
            assertThrows(IllegalArgumentException.class, () -> ND.attention(qkv, ok, cache, 0), "2 rows, 1 token");
        }
    }

    /** Close frees every layer's arrays at once; afterwards the cache refuses use, and closing again is harmless. */
    @Test
    void closeFreesTheOffHeapArraysAndTheCacheRefusesUseAfterwards() {
        Nd4jKvCache cache = (Nd4jKvCache) ND.newKvCache(SPEC);
        var arrays = new org.nd4j.linalg.api.ndarray.INDArray[] {cache.keys(0), cache.values(0), cache.keys(1),
            cache.values(1)};
        cache.close();
        for (var a : arrays) {
            assertTrue(a.wasClosed(), "freed at close");
        }
        float[] x = new float[C];
        assertThrows(IllegalStateException.class, () -> cache.load(0, 0, x, x));
        assertThrows(IllegalStateException.class, () -> cache.store(0, 0, x, 0, x, 0));
        AttentionBatch batch = AttentionBatch.single(0, 1, new int[] {0}, 3);
        assertThrows(IllegalStateException.class,
                () -> ND.attention(ND.fromArray(new float[3 * C], 1, 3 * C), batch, cache, 0));
        cache.close();
    }

    /** A cache the backend did not make still works, through the SPI's host attention (the same code: exact). */
    @Test
    void aForeignCacheGoesThroughDecomposedAttention() {
        float[] qkv = uniform(new Random(3), 4 * 3 * C, -1, 1);
        AttentionBatch batch = AttentionBatch.single(0, 4, new int[] {2, 0}, 3);
        try (KvCache heap = new HeapKvCache(SPEC); KvCache expected = new HeapKvCache(SPEC)) {
            float[] y = ND.toArray(ND.attention(ND.fromArray(qkv, 4, 3 * C), batch, heap, 1));
            assertArrayEquals(DecomposedAttention.compute(qkv, batch, expected, 1).y(), y);
        }
    }
}
