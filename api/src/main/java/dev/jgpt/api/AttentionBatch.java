package dev.jgpt.api;

import java.util.Arrays;

/**
 * Describes a flattened token batch to {@link TensorBackend#attention}: N tokens from S sequences, row n of the
 * batch being token n. Per token, its sequence and its position in that sequence; per sequence, its block table
 * (the KV cache blocks holding its positions, in order: position p lives in block {@code blockTable[p / blockSize]}
 * at offset {@code p % blockSize}).
 *
 * <p>Token n attends over positions {@code 0 … position[n]} of its own sequence (causal). Those before the batch's
 * own tokens must already be in the cache from earlier steps; the batch's tokens are written first, so a chunk of a
 * prompt attends over itself. Tokens may come in any order and sequences may interleave.
 *
 * @param sequence    [N] the sequence (index into {@code blockTables}) of each token
 * @param position    [N] the position of each token in its sequence, ≥ 0
 * @param blockTables [S][·] each sequence's blocks, covering at least its highest position in the batch
 * @param blockSize   positions per block, the cache's
 */
public record AttentionBatch(int[] sequence, int[] position, int[][] blockTables, int blockSize) {

    public AttentionBatch {
        if (sequence.length != position.length) {
            throw new IllegalArgumentException(sequence.length + " sequence ids for " + position.length
                    + " positions");
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size " + blockSize);
        }
        for (int n = 0; n < sequence.length; n++) {
            int s = sequence[n];
            if (s < 0 || s >= blockTables.length) {
                throw new IllegalArgumentException("token " + n + " names sequence " + s + " of "
                        + blockTables.length);
            }
            if (position[n] < 0 || position[n] / blockSize >= blockTables[s].length) {
                throw new IllegalArgumentException("token " + n + " at position " + position[n] + " of sequence "
                        + s + " lies outside its " + blockTables[s].length + " blocks");
            }
        }
    }

    /**
     * One sequence of {@code length} tokens at positions {@code offset … offset + length − 1}, with the blocks
     * {@code blocks}.
     */
    public static AttentionBatch single(int offset, int length, int[] blocks, int blockSize) {
        int[] seq = new int[length];
        int[] pos = new int[length];
        for (int t = 0; t < length; t++) {
            pos[t] = offset + t;
        }
        return new AttentionBatch(seq, pos, new int[][] {blocks}, blockSize);
    }

    /** N, the tokens in the batch. */
    public int tokens() {
        return sequence.length;
    }

    /** S, the sequences in the batch. */
    public int sequences() {
        return blockTables.length;
    }

    /** The cache slot of position {@code pos} of sequence {@code seq}. */
    public int slot(int seq, int pos) {
        return blockTables[seq][pos / blockSize] * blockSize + pos % blockSize;
    }

    /** The cache slot token n is written to. */
    public int slotOf(int n) {
        return slot(sequence[n], position[n]);
    }

    /** The largest number of positions any token attends over: max position + 1. */
    public int maxContext() {
        int m = 0;
        for (int p : position) {
            m = Math.max(m, p + 1);
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttentionBatch b && blockSize == b.blockSize && Arrays.equals(sequence, b.sequence)
                && Arrays.equals(position, b.position) && Arrays.deepEquals(blockTables, b.blockTables);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(position) * 31 + Arrays.hashCode(sequence);
    }

    @Override
    public String toString() {
        return "AttentionBatch[" + tokens() + " tokens, " + sequences() + " sequences, block size " + blockSize + "]";
    }
}
