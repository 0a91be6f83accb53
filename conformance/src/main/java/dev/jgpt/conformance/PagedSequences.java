package dev.jgpt.conformance;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.BlockPool;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import dev.jgpt.api.TensorBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sequences living in a paged KV cache made by the backend under test, the way an engine drives one: blocks come
 * from a {@link BlockPool} as a sequence grows and go back when it ends, block tables go into each
 * {@link AttentionBatch}. Beside the cache it keeps the oracle's host copy of every key and value written (per layer,
 * sequence and position, contiguous, no blocks), which {@link #expect} hands to {@link AttentionOracle}.
 */
final class PagedSequences implements AutoCloseable {
    final KvCacheSpec spec;
    final KvCache cache;
    final BlockPool pool;
    private final int maxPositions;
    private final int[][] tables;
    private final float[][][] keys;
    private final float[][][] values;

    PagedSequences(TensorBackend backend, KvCacheSpec spec, int sequences, int maxPositions) {
        this.spec = spec;
        this.cache = backend.newKvCache(spec);
        this.pool = new BlockPool(spec);
        this.maxPositions = maxPositions;
        this.tables = new int[sequences][0];
        this.keys = new float[spec.layers()][sequences][];
        this.values = new float[spec.layers()][sequences][];
        for (int s = 0; s < sequences; s++) {
            forget(s);
        }
    }

    /** A cache of {@code blocks} blocks for sequences of up to {@code maxPositions} positions. */
    static PagedSequences of(TensorBackend backend, int layers, int heads, int headSize, int blockSize, int blocks,
            int sequences, int maxPositions) {
        return new PagedSequences(backend, new KvCacheSpec(layers, heads, headSize, blockSize, blocks), sequences,
                maxPositions);
    }

    /** Sequence s's block table. */
    int[] blocks(int s) {
        return tables[s].clone();
    }

    /** Takes blocks from the pool until sequence s can hold {@code positions} positions. */
    void grow(int s, int positions) {
        int need = pool.blocksFor(positions) - tables[s].length;
        if (need > 0) {
            int[] more = pool.take(need);
            int[] t = Arrays.copyOf(tables[s], tables[s].length + need);
            System.arraycopy(more, 0, t, tables[s].length, need);
            tables[s] = t;
        }
    }

    /** Sequence s ends: its blocks go back to the pool (their contents stay: stale data a new owner must not see). */
    void end(int s) {
        pool.give(tables[s]);
        tables[s] = new int[0];
        forget(s);
    }

    private void forget(int s) {
        for (int l = 0; l < spec.layers(); l++) {
            keys[l][s] = new float[maxPositions * spec.width()];
            values[l][s] = new float[maxPositions * spec.width()];
            Arrays.fill(keys[l][s], Float.NaN); // a position never written poisons the oracle, not a silent 0
            Arrays.fill(values[l][s], Float.NaN);
        }
    }

    /** The batch of tokens {@code (seq[i], pos[i])}, growing each sequence to its highest position first. */
    AttentionBatch batch(int[] seq, int[] pos) {
        for (int i = 0; i < seq.length; i++) {
            grow(seq[i], pos[i] + 1);
        }
        int[][] t = new int[tables.length][];
        for (int s = 0; s < t.length; s++) {
            t[s] = tables[s].clone();
        }
        return new AttentionBatch(seq.clone(), pos.clone(), t, spec.blockSize());
    }

    /** Writes the batch's keys and values to the host copy, then returns the oracle's attention of the batch. */
    Expected expect(float[] qkv, AttentionBatch batch, int layer) {
        int c = spec.width();
        for (int t = 0; t < batch.tokens(); t++) {
            int s = batch.sequence()[t];
            int p = batch.position()[t];
            System.arraycopy(qkv, t * 3 * c + c, keys[layer][s], p * c, c);
            System.arraycopy(qkv, t * 3 * c + 2 * c, values[layer][s], p * c, c);
        }
        return AttentionOracle.attention(qkv, batch, keys[layer], values[layer], spec.heads(), spec.headSize());
    }

    /** Stores one position directly with {@link KvCache#store} (and in the host copy). */
    void store(int layer, int s, int pos, float[] key, float[] value) {
        grow(s, pos + 1);
        cache.store(layer, slot(s, pos), key, 0, value, 0);
        System.arraycopy(key, 0, keys[layer][s], pos * spec.width(), spec.width());
        System.arraycopy(value, 0, values[layer][s], pos * spec.width(), spec.width());
    }

    /** The host copy of sequence s's key (or value) at {@code pos}. */
    float[] hostKey(int layer, int s, int pos) {
        return Arrays.copyOfRange(keys[layer][s], pos * spec.width(), (pos + 1) * spec.width());
    }

    float[] hostValue(int layer, int s, int pos) {
        return Arrays.copyOfRange(values[layer][s], pos * spec.width(), (pos + 1) * spec.width());
    }

    /** The cache slot of position {@code pos} of sequence s. */
    int slot(int s, int pos) {
        return tables[s][pos / spec.blockSize()] * spec.blockSize() + pos % spec.blockSize();
    }

    @Override
    public void close() {
        cache.close();
    }

    /** A batch's tokens under construction: (sequence, position) pairs in order. */
    static final class Tokens {
        private final List<int[]> list = new ArrayList<>();

        /** Positions {@code from … to − 1} of sequence s. */
        Tokens add(int s, int from, int to) {
            for (int p = from; p < to; p++) {
                list.add(new int[] {s, p});
            }
            return this;
        }

        /** Shuffles the tokens (sequences interleave, a sequence's own tokens out of order too). */
        Tokens shuffle(Inputs r) {
            int[] perm = r.permutation(list.size());
            List<int[]> out = new ArrayList<>();
            for (int i : perm) {
                out.add(list.get(i));
            }
            list.clear();
            list.addAll(out);
            return this;
        }

        int[] seq() {
            return list.stream().mapToInt(t -> t[0]).toArray();
        }

        int[] pos() {
            return list.stream().mapToInt(t -> t[1]).toArray();
        }

        int size() {
            return list.size();
        }
    }
}
