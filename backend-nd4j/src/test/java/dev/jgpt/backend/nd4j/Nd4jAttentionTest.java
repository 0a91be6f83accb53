package dev.jgpt.backend.nd4j;

import static dev.jgpt.backend.nd4j.Nd4jTestData.assertClose;
import static dev.jgpt.backend.nd4j.Nd4jTestData.uniform;
import static dev.jgpt.backend.nd4j.Nd4jTestData.widen;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.DecomposedAttention;
import dev.jgpt.api.HeapKvCache;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Nd4jAttention} against the SPI's oracle, {@link DecomposedAttention} on a {@link HeapKvCache} fed the same
 * batches, over ragged batches that take each of its paths: a sequence's tokens as consecutive rows of the batch
 * (read and written in place) or interleaved with another's (gathered and scattered), its blocks consecutive ids
 * (the context read in the cache in place) or not (gathered block by block), chunks starting mid-sequence and
 * crossing block boundaries, tokens in reverse order, decode steps with nothing masked.
 *
 * <p>Tolerance 1e-5 absolute + 1e-5 relative: both compute in float32 and differ only in summation order and exp
 * (under 1e-6 here, with scores up to ~20), while a wrong mask, position or head moves outputs by ~1e-1.
 */
class Nd4jAttentionTest {
    private static final Nd4jBackend ND = new Nd4jBackend();
    private static final double TOL = 1e-5;

    /** Each step a batch of {sequence, position} tokens, in batch order; three sequences of up to 21 positions. */
    private static final int[][][] STEPS = {
        concat(run(0, 0, 7), run(1, 0, 4)),                          // two prefills, seq 2 idle
        concat(interleave(run(0, 7, 12), run(2, 0, 6)), run(1, 4, 1)), // a chunk mid-sequence, interleaved
        {{2, 6}, {0, 19}, {1, 5}},                                   // decode, sequences out of order
        reverse(run(1, 6, 15)),                                      // a chunk in reverse order
    };

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {1, 3, 16})
    void raggedBatchesMatchDecomposedAttention(int blockSize) {
        checkScenario(3, 5, blockSize, 21);
    }

    /** GPT-2's head geometry (12 heads of 64): a 40-token prefill over three blocks of 16, then a 9-token chunk. */
    @Test
    void gpt2HeadsMatchDecomposedAttention() {
        int[][][] steps = {run(0, 0, 40), run(0, 40, 9), run(0, 49, 1)};
        check(12, 64, 16, steps, new int[][] {{0, 1, 2, 3}}, new Random(3));
    }

    /** Four threads, each with its own cache, run the ragged scenario at once on one backend. */
    @Test
    void threadsWithTheirOwnCachesGetCorrectResults() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int job = 0; job < 8; job++) {
                int blockSize = 1 + job % 4;
                jobs.add(pool.submit(() -> {
                    checkScenario(3, 5, blockSize, 21);
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

    /**
     * {@link #STEPS} with block tables that take all the paths: sequence 0 on consecutive blocks from 0, sequence 1
     * on descending ids, sequence 2 on the rest, shuffled.
     */
    private static void checkScenario(int heads, int headSize, int blockSize, int positions) {
        int per = (positions + blockSize - 1) / blockSize;
        int[][] tables = new int[3][per];
        List<Integer> rest = new ArrayList<>();
        IntStream.range(2 * per, 4 * per + 1).forEach(rest::add); // one spare block
        Collections.shuffle(rest, new Random(blockSize));
        for (int b = 0; b < per; b++) {
            tables[0][b] = b;
            tables[1][b] = 2 * per - 1 - b;
            tables[2][b] = rest.get(b);
        }
        check(heads, headSize, blockSize, STEPS, tables, new Random(blockSize * 7L));
    }

    /**
     * Runs every step on layers 0 and 1 (different qkv) through both implementations and compares outputs, then
     * checks the two caches hold the same keys and values exactly.
     */
    private static void check(int heads, int headSize, int blockSize, int[][][] steps, int[][] tables,
            Random r) {
        int blocks = 1 + IntStream.range(0, tables.length).flatMap(s -> IntStream.of(tables[s])).max().orElse(0);
        KvCacheSpec spec = new KvCacheSpec(2, heads, headSize, blockSize, blocks);
        int c = spec.width();
        try (KvCache nd = ND.newKvCache(spec); KvCache oracle = new HeapKvCache(spec)) {
            for (int step = 0; step < steps.length; step++) {
                AttentionBatch batch = batch(steps[step], tables, blockSize);
                for (int layer = 0; layer < 2; layer++) {
                    float[] qkv = uniform(r, batch.tokens() * 3 * c, -3, 3);
                    Tensor in = ND.fromArray(qkv, batch.tokens(), 3 * c);
                    Tensor y = ND.attention(in, batch, nd, layer);
                    assertArrayEquals(new int[] {batch.tokens(), c}, y.shape());
                    float[] expected = DecomposedAttention.compute(qkv, batch, oracle, layer).y();
                    assertClose("block size " + blockSize + ", step " + step + ", layer " + layer,
                            widen(expected), ND.toArray(y), TOL, TOL);
                    ND.release(in);
                    ND.release(y);
                }
            }
            float[] k1 = new float[c];
            float[] v1 = new float[c];
            float[] k2 = new float[c];
            float[] v2 = new float[c];
            for (int[][] step : steps) {
                for (int[] token : step) {
                    int slot = tables[token[0]][token[1] / blockSize] * blockSize + token[1] % blockSize;
                    for (int layer = 0; layer < 2; layer++) {
                        nd.load(layer, slot, k1, v1);
                        oracle.load(layer, slot, k2, v2);
                        assertArrayEquals(k2, k1, "key of layer " + layer + " slot " + slot);
                        assertArrayEquals(v2, v1, "value of layer " + layer + " slot " + slot);
                    }
                }
            }
        }
    }

    private static AttentionBatch batch(int[][] tokens, int[][] tables, int blockSize) {
        int[] seq = new int[tokens.length];
        int[] pos = new int[tokens.length];
        for (int n = 0; n < tokens.length; n++) {
            seq[n] = tokens[n][0];
            pos[n] = tokens[n][1];
        }
        return new AttentionBatch(seq, pos, tables, blockSize);
    }

    /** Tokens of sequence s at positions from … from + length − 1. */
    private static int[][] run(int s, int from, int length) {
        int[][] out = new int[length][];
        for (int i = 0; i < length; i++) {
            out[i] = new int[] {s, from + i};
        }
        return out;
    }

    private static int[][] concat(int[][] a, int[][] b) {
        int[][] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** a₀ b₀ a₁ b₁ …, then the rest of the longer one. */
    private static int[][] interleave(int[][] a, int[][] b) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            if (i < a.length) {
                out.add(a[i]);
            }
            if (i < b.length) {
                out.add(b[i]);
            }
        }
        return out.toArray(new int[0][]);
    }

    private static int[][] reverse(int[][] a) {
        int[][] out = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[a.length - 1 - i];
        }
        return out;
    }
}
