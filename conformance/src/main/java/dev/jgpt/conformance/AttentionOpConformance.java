package dev.jgpt.conformance;

import dev.jgpt.conformance.PagedSequences.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Op level, attention: {@code attention(qkv, batch, cache, layer)} over ragged flattened batches against the float64
 * {@link AttentionOracle} of causal attention: several sequences at different positions in one call, a chunk of a
 * prompt starting mid-sequence over its earlier cached positions, tokens of sequences interleaved (and shuffled),
 * decode steps, block sizes 1, 3 and 16 with lengths 15, 16, 17, 31, 32 and 33 (a block just filled, just begun),
 * head sizes 1 to 16, and scores of magnitude 1e3 (one-hot attention). The KV cache itself and its blocks are
 * {@link PagedCacheConformance}. Part of {@link OpConformance}.
 */
public abstract class AttentionOpConformance extends OpConformanceBase {
    static final int[] BLOCK_SIZES = {1, 3, 16};
    static final int[] LENGTHS = {15, 16, 17, 31, 32, 33};
    /** Heads and head size, cycled through the cases: A = 1, odd A, C = 48 like llm-viz, GPT-2's A = 64. */
    private static final int[][] HEADS = {{2, 5}, {1, 8}, {3, 16}, {4, 1}, {1, 64}, {12, 4}};

    /**
     * Per block size and length L, three sequences and three calls on layer 1 of a two-layer cache:
     * <ol>
     *   <li>sequence 0's whole prompt [0, L) and the first 5 tokens of sequence 1, interleaved;</li>
     *   <li>the rest of sequence 1, [5, L), a chunk starting mid-sequence; sequence 0's first decode step (at L);
     *       sequence 2's 3-token prompt; all shuffled;</li>
     *   <li>one decode step of each, in a shuffled order.</li>
     * </ol>
     */
    @TestFactory
    Stream<DynamicTest> raggedBatchesOverPagedCache() {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (int bs : BLOCK_SIZES) {
            for (int len : LENGTHS) {
                int[] ha = HEADS[i % HEADS.length];
                double std = i % 4 == 3 ? 30 : 1; // 30: scores of magnitude ~1e3, one-hot attention
                long seed = SEED + 1000 + i++;
                String name = "ragged attention, block size " + bs + ", prompt length " + len + ", H " + ha[0]
                        + " A " + ha[1] + (std > 1 ? ", scores of magnitude 1e3" : "");
                tests.add(test(name, () -> ragged(name, new Inputs(seed), bs, len, ha[0], ha[1], std)));
            }
        }
        return tests.stream();
    }

    private void ragged(String name, Inputs r, int bs, int len, int heads, int headSize, double std) {
        int blocks = 3 * ((len + 2 + bs - 1) / bs) + 1;
        try (PagedSequences seqs = PagedSequences.of(backend, 2, heads, headSize, bs, blocks, 3, len + 2)) {
            Tokens step1 = new Tokens().add(0, 0, len).add(1, 0, 5).shuffle(r);
            attend(name + ", step 1: prompt of 0, first chunk of 1", seqs, r, 1, step1.seq(), step1.pos(), std);
            Tokens step2 = new Tokens().add(1, 5, len).add(0, len, len + 1).add(2, 0, 3).shuffle(r);
            attend(name + ", step 2: rest of 1 from position 5, decode 0, prompt of 2", seqs, r, 1, step2.seq(),
                    step2.pos(), std);
            Tokens step3 = new Tokens().add(2, 3, 4).add(0, len + 1, len + 2).add(1, len, len + 1).shuffle(r);
            attend(name + ", step 3: one decode step each", seqs, r, 1, step3.seq(), step3.pos(), std);
        }
    }

    /** Single sequences, one call each: T = 1 at position 0, a prompt in one call, then decode steps. */
    @TestFactory
    Stream<DynamicTest> singleSequence() {
        List<DynamicTest> tests = new ArrayList<>();
        int[][] cases = { // heads, head size, block size, prompt, decode steps
            {1, 1, 1, 1, 0}, {1, 1, 16, 1, 3}, {2, 5, 3, 11, 2}, {3, 16, 16, 64, 1}, {2, 7, 1, 24, 3},
            {12, 4, 16, 33, 2}, {1, 8, 16, 1024, 1}, // GPT-2's whole context in one call
        };
        int i = 0;
        for (int[] c : cases) {
            long seed = SEED + 2000 + i++;
            String name = "attention of one sequence, H " + c[0] + " A " + c[1] + ", block size " + c[2] + ", prompt "
                    + c[3] + ", " + c[4] + " decode steps";
            tests.add(test(name, () -> {
                Inputs r = new Inputs(seed);
                int positions = c[3] + c[4];
                try (PagedSequences seqs = PagedSequences.of(backend, 1, c[0], c[1], c[2],
                        (positions + c[2] - 1) / c[2], 1, positions)) {
                    attend(name + ", prompt", seqs, r, 0, repeat(0, c[3]), range(0, c[3]), 1);
                    for (int p = c[3]; p < positions; p++) {
                        attend(name + ", decode at " + p, seqs, r, 0, new int[] {0}, new int[] {p}, 1);
                    }
                }
            }));
        }
        return tests.stream();
    }

    /**
     * A chunked prefill: one prompt of 33 positions given in chunks of 1, 3, 16 and 13 tokens, each chunk attending
     * over the earlier chunks in the cache; tokens of one chunk in reverse order. Then a batch of 8 sequences that
     * each decode at a different position (a continuous-batching step).
     */
    @TestFactory
    Stream<DynamicTest> chunksAndManySequences() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int bs : BLOCK_SIZES) {
            String chunks = "chunked prefill 1 + 3 + 16 + 13, block size " + bs;
            tests.add(test(chunks, () -> {
                Inputs r = new Inputs(SEED + 3000 + bs);
                try (PagedSequences seqs = PagedSequences.of(backend, 1, 3, 8, bs, (33 + bs - 1) / bs, 1, 33)) {
                    int from = 0;
                    for (int chunk : new int[] {1, 3, 16, 13}) {
                        int[] pos = range(from, from + chunk);
                        if (chunk == 16) {
                            for (int j = 0; j < 8; j++) { // reverse: order within a batch must not matter
                                int t = pos[j];
                                pos[j] = pos[15 - j];
                                pos[15 - j] = t;
                            }
                        }
                        attend(chunks + ", chunk at " + from, seqs, r, 0, repeat(0, chunk), pos, 1);
                        from += chunk;
                    }
                }
            }));
            String many = "8 sequences at positions 0 … 40 decode together, block size " + bs;
            tests.add(test(many, () -> {
                Inputs r = new Inputs(SEED + 4000 + bs);
                int[] lengths = {0, 1, 2, 15, 16, 17, 33, 40};
                int blocks = 0;
                for (int l : lengths) {
                    blocks += (l + 1 + bs - 1) / bs;
                }
                try (PagedSequences seqs = PagedSequences.of(backend, 1, 2, 6, bs, blocks, lengths.length, 41)) {
                    Tokens prompts = new Tokens();
                    for (int s = 0; s < lengths.length; s++) {
                        prompts.add(s, 0, lengths[s]);
                    }
                    attend(many + ", the prompts together", seqs, r, 0, prompts.seq(), prompts.pos(), 1);
                    Tokens decode = new Tokens();
                    for (int s = 0; s < lengths.length; s++) {
                        decode.add(s, lengths[s], lengths[s] + 1);
                    }
                    decode.shuffle(r);
                    attend(many + ", one decode step each", seqs, r, 0, decode.seq(), decode.pos(), 1);
                }
            }));
        }
        return tests.stream();
    }
}
