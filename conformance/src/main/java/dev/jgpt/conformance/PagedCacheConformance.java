package dev.jgpt.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.BlockPool;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheFullException;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Op level, the paged KV cache the backend makes ({@link dev.jgpt.api.TensorBackend#newKvCache}) and the
 * {@link BlockPool} beside it: store/load round trips in every layer and slot; attention writes exactly its tokens'
 * keys and values and reads what {@link KvCache#store} wrote; a sequence's blocks reused after another sequence
 * ended (stale data not attended); exhaustion refused with {@link KvCacheFullException}, the pool intact; slots,
 * layers and blocks outside the cache refused. Part of {@link OpConformance}.
 */
public abstract class PagedCacheConformance extends OpConformanceBase {

    @TestFactory
    Stream<DynamicTest> storeLoadRoundTripInEveryLayerAndSlot() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int bs : AttentionOpConformance.BLOCK_SIZES) {
            tests.add(test("store/load, 2 layers × 5 blocks of " + bs + ", C = 6", () -> {
                KvCacheSpec spec = new KvCacheSpec(2, 2, 3, bs, 5);
                Inputs r = new Inputs(SEED + 30 + bs);
                int c = spec.width();
                float[][] keys = new float[2 * spec.slots()][];
                float[][] values = new float[2 * spec.slots()][];
                try (KvCache cache = backend.newKvCache(spec)) {
                    assertEquals(spec, cache.spec(), "the cache's spec");
                    for (int l = 0; l < 2; l++) {
                        for (int slot = spec.slots() - 1; slot >= 0; slot--) { // backwards: any order
                            float[] k = r.normal(c + 4, 0, 1);
                            float[] v = r.normal(c + 9, 0, 1);
                            cache.store(l, slot, k, 4, v, 9); // from an offset into a larger array
                            keys[l * spec.slots() + slot] = Arrays.copyOfRange(k, 4, 4 + c);
                            values[l * spec.slots() + slot] = Arrays.copyOfRange(v, 9, 9 + c);
                        }
                    }
                    float[] k = r.normal(c, 0, 1); // overwrite one slot; the others keep theirs
                    cache.store(1, 2, k, 0, k, 0);
                    keys[spec.slots() + 2] = k;
                    values[spec.slots() + 2] = k;
                    for (int l = 0; l < 2; l++) {
                        for (int slot = 0; slot < spec.slots(); slot++) {
                            float[] kb = new float[c];
                            float[] vb = new float[c];
                            cache.load(l, slot, kb, vb);
                            assertArrayEquals(keys[l * spec.slots() + slot], kb, 0f, "key of layer " + l + " slot "
                                    + slot);
                            assertArrayEquals(values[l * spec.slots() + slot], vb, 0f, "value of layer " + l
                                    + " slot " + slot);
                        }
                    }
                    float[] buf = new float[c];
                    refused("store at slot " + spec.slots(), () -> cache.store(0, spec.slots(), buf, 0, buf, 0));
                    refused("load at slot −1", () -> cache.load(0, -1, buf, buf));
                    refused("load of layer 2 of 2", () -> cache.load(2, 0, buf, buf));
                }
            }));
        }
        return tests.stream();
    }

    /** Fails unless {@code body} throws IndexOutOfBoundsException or IllegalArgumentException. */
    private static void refused(String what, Executable body) {
        Throwable e = assertThrows(RuntimeException.class, body, what + " must be refused");
        if (!(e instanceof IndexOutOfBoundsException) && !(e instanceof IllegalArgumentException)) {
            fail(what + " was refused with " + e + "; expected IndexOutOfBoundsException or "
                    + "IllegalArgumentException", e);
        }
    }

    /**
     * Positions stored with {@link KvCache#store} are attended like positions attention wrote; attention then leaves
     * exactly its tokens' keys and values in their slots, in its own layer only.
     */
    @TestFactory
    Stream<DynamicTest> attentionReadsStoredPositionsAndWritesItsOwn() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int bs : AttentionOpConformance.BLOCK_SIZES) {
            String name = "store 17 positions, attend 5 more, load them back, block size " + bs;
            tests.add(test(name, () -> {
                Inputs r = new Inputs(SEED + 40 + bs);
                try (PagedSequences seqs = PagedSequences.of(backend, 2, 2, 4, bs, (22 + bs - 1) / bs, 1, 22)) {
                    int c = seqs.spec.width();
                    for (int p = 0; p < 17; p++) {
                        seqs.store(0, 0, p, r.normal(c, 0, 1), r.normal(c, 0, 1));
                        seqs.store(1, 0, p, r.normal(c, 0, 1), r.normal(c, 0, 1));
                    }
                    attend(name, seqs, r, 0, repeat(0, 5), range(17, 22), 1);
                    float[] k = new float[c];
                    float[] v = new float[c];
                    for (int l = 0; l < 2; l++) {
                        for (int p = 0; p < (l == 0 ? 22 : 17); p++) {
                            seqs.cache.load(l, seqs.slot(0, p), k, v);
                            assertArrayEquals(seqs.hostKey(l, 0, p), k, 0f, name + ": key of layer " + l + " position "
                                    + p);
                            assertArrayEquals(seqs.hostValue(l, 0, p), v, 0f, name + ": value of layer " + l
                                    + " position " + p);
                        }
                    }
                }
            }));
        }
        return tests.stream();
    }

    /**
     * Two sequences of 17 fill the cache; sequence 0 ends and sequence 2 takes its blocks (lowest first: the same
     * ones), holding a shorter prompt, so the ended sequence's keys and values still sit beyond it in its last block
     * and must not be attended. Sequence 1 keeps decoding alongside.
     */
    @TestFactory
    Stream<DynamicTest> blocksAreReusedAfterASequenceEnds() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int bs : AttentionOpConformance.BLOCK_SIZES) {
            String name = "block reuse, block size " + bs;
            tests.add(test(name, () -> {
                Inputs r = new Inputs(SEED + 50 + bs);
                int perSequence = (19 + bs - 1) / bs;
                try (PagedSequences seqs = PagedSequences.of(backend, 1, 3, 5, bs, 2 * perSequence, 3, 19)) {
                    PagedSequences.Tokens both = new PagedSequences.Tokens().add(0, 0, 17).add(1, 0, 17).shuffle(r);
                    attend(name + ", two prompts", seqs, r, 0, both.seq(), both.pos(), 1);
                    int[] old = seqs.blocks(0);
                    int free = seqs.pool.free();
                    seqs.end(0);
                    assertEquals(free + old.length, seqs.pool.free(), name + ": blocks free after sequence 0 ended");
                    attend(name + ", prompt of 2 in 0's blocks, decode of 1", seqs, r, 0, new int[] {2, 2, 1, 2},
                            new int[] {0, 1, 17, 2}, 1);
                    assertEquals(Arrays.stream(old).min().getAsInt(), seqs.blocks(2)[0], name + ": the lowest free "
                            + "block (one of 0's) goes first");
                    for (int p = 3; p < 19; p++) {
                        attend(name + ", decode of 2 at " + p, seqs, r, 0, new int[] {2}, new int[] {p}, 1);
                    }
                    long reused = Arrays.stream(seqs.blocks(2)).filter(b -> Arrays.stream(old).anyMatch(o -> o == b))
                            .count();
                    assertTrue(reused >= Math.min(old.length, seqs.blocks(2).length) - 1, name + ": sequence 2 "
                            + "should hold 0's old blocks " + Arrays.toString(old) + ", got "
                            + Arrays.toString(seqs.blocks(2)));
                }
            }));
        }
        return tests.stream();
    }

    /** Taking more blocks than are free is refused, nothing taken; the pool and the cache work on afterwards. */
    @Test
    void exhaustionIsRefusedAndLeavesThePoolIntact() {
        Inputs r = new Inputs(SEED + 60);
        try (PagedSequences seqs = PagedSequences.of(backend, 1, 2, 4, 3, 4, 2, 12)) {
            BlockPool pool = seqs.pool;
            attend("exhaustion: 7 positions of sequence 0", seqs, r, 0, repeat(0, 7), range(0, 7), 1);
            assertEquals(3, pool.used(), "blocks for 7 positions of 3");
            KvCacheFullException full = assertThrows(KvCacheFullException.class, () -> pool.take(2),
                    "taking 2 blocks with 1 free");
            assertEquals(2, full.wanted(), "wanted");
            assertEquals(1, full.free(), "free");
            assertEquals(1, pool.free(), "a refused take takes nothing");
            assertThrows(KvCacheFullException.class, () -> seqs.grow(1, 4), "growing sequence 1 to 4 positions");
            assertEquals(1, pool.free(), "a refused grow takes nothing");
            assertThrows(IllegalStateException.class, () -> pool.give(seqs.blocks(0)[0], seqs.blocks(0)[0]),
                    "giving a block back twice");
            assertEquals(3, pool.used(), "a refused give changes nothing");
            attend("exhaustion: sequence 1 in the last block", seqs, r, 0, new int[] {1, 1, 1, 0},
                    new int[] {0, 1, 2, 7}, 1);
            assertEquals(0, pool.free(), "every block in use");
            assertThrows(KvCacheFullException.class, () -> pool.take(1), "taking from a full pool");
            seqs.end(0);
            assertEquals(3, pool.free(), "sequence 0's blocks back");
            attend("exhaustion: sequence 1 grows into 0's old blocks", seqs, r, 0, repeat(1, 8), range(3, 11),
                    1);
            assertEquals(4, pool.used(), "4 blocks for 11 positions");
        }
    }

    /** A block table naming a block outside the cache is refused (a kernel must never write outside its memory). */
    @Test
    void attentionRefusesABlockOutsideTheCache() {
        KvCacheSpec spec = new KvCacheSpec(1, 1, 4, 2, 3);
        try (KvCache cache = backend.newKvCache(spec)) {
            Tensor qkv = backend.fromArray(new Inputs(SEED + 61).normal(2 * 12, 0, 1), 2, 12);
            AttentionBatch outside = new AttentionBatch(new int[] {0, 0}, new int[] {0, 1}, new int[][] {{3}}, 2);
            refused("attention into block 3 of a 3-block cache", () -> backend.attention(qkv, outside, cache, 0));
            AttentionBatch layer = AttentionBatch.single(0, 2, new int[] {0}, 2);
            refused("attention in layer 1 of a 1-layer cache", () -> backend.attention(qkv, layer, cache, 1));
            backend.release(qkv);
        }
    }
}
