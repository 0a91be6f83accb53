package dev.jgpt.api;

import java.util.BitSet;

/**
 * Which blocks of a paged KV cache are free: sequences take blocks as they grow and give them back when they end, so
 * the blocks in use are proportional to the live positions. Taking more blocks than are free fails with
 * {@link KvCacheFullException} before anything is taken, leaving the pool as it was. Lowest-numbered free blocks are
 * handed out first, so a run is reproducible.
 *
 * <p>Not thread-safe: it belongs to the one engine that drives the cache.
 */
public final class BlockPool {
    private final int blocks;
    private final int blockSize;
    private final BitSet used;
    private int inUse;

    public BlockPool(KvCacheSpec spec) {
        this.blocks = spec.numBlocks();
        this.blockSize = spec.blockSize();
        this.used = new BitSet(blocks);
    }

    /** Positions per block. */
    public int blockSize() {
        return blockSize;
    }

    /** All blocks. */
    public int capacity() {
        return blocks;
    }

    /** Blocks in use. */
    public int used() {
        return inUse;
    }

    /** Blocks free. */
    public int free() {
        return blocks - inUse;
    }

    /** Blocks needed to hold {@code positions} positions. */
    public int blocksFor(int positions) {
        return (positions + blockSize - 1) / blockSize;
    }

    /**
     * Takes {@code n} free blocks, all or none.
     *
     * @throws KvCacheFullException if fewer than {@code n} are free (nothing is taken)
     */
    public int[] take(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot take " + n + " blocks");
        }
        if (n > free()) {
            throw new KvCacheFullException(n, free(), blocks);
        }
        int[] out = new int[n];
        int from = 0;
        for (int i = 0; i < n; i++) {
            int b = used.nextClearBit(from);
            used.set(b);
            out[i] = b;
            from = b + 1;
        }
        inUse += n;
        return out;
    }

    /** Gives blocks back; giving back a block that is not taken is a bug and fails without changing the pool. */
    public void give(int... ids) {
        for (int i = 0; i < ids.length; i++) {
            int b = ids[i];
            if (b < 0 || b >= blocks || !used.get(b)) {
                throw new IllegalStateException("block " + b + " is not in use");
            }
            for (int j = 0; j < i; j++) {
                if (ids[j] == b) {
                    throw new IllegalStateException("block " + b + " given back twice");
                }
            }
        }
        for (int b : ids) {
            used.clear(b);
        }
        inUse -= ids.length;
    }
}
