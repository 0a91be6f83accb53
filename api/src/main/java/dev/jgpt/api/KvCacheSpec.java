package dev.jgpt.api;

/**
 * The shape of a paged KV cache: {@code numBlocks} blocks of {@code blockSize} positions, shared by every layer (a
 * block id names the same positions in each of the {@code layers} layers, as in vLLM). Per layer and position a block
 * holds one key and one value of {@code heads · headSize} floats. A position's <em>slot</em> is
 * {@code block · blockSize + offset in block}.
 */
public record KvCacheSpec(int layers, int heads, int headSize, int blockSize, int numBlocks) {
    /** Positions per block unless configured otherwise (vLLM's default). */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    public KvCacheSpec {
        if (layers < 1 || heads < 1 || headSize < 1 || blockSize < 1 || numBlocks < 1) {
            throw new IllegalArgumentException("a KV cache needs positive sizes: layers " + layers + ", heads "
                    + heads + ", head size " + headSize + ", block size " + blockSize + ", blocks " + numBlocks);
        }
        if ((long) numBlocks * blockSize * heads * headSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a KV cache of " + numBlocks + " blocks of " + blockSize
                    + " positions × " + heads * headSize + " channels is too large for one layer's storage");
        }
    }

    /** The most blocks that fit {@code budgetBytes} (keys and values of every layer, float32), at least one. */
    public static KvCacheSpec forBudget(int layers, int heads, int headSize, int blockSize, long budgetBytes) {
        long perBlock = 2L * layers * blockSize * heads * headSize * Float.BYTES;
        long blocks = Math.max(1, budgetBytes / perBlock);
        long cap = Integer.MAX_VALUE / ((long) blockSize * heads * headSize);
        return new KvCacheSpec(layers, heads, headSize, blockSize, (int) Math.min(blocks, cap));
    }

    /** Enough blocks for {@code sequences} sequences of up to {@code positions} positions each. */
    public static KvCacheSpec forSequences(int layers, int heads, int headSize, int blockSize, int sequences,
            int positions) {
        int perSequence = (positions + blockSize - 1) / blockSize;
        return new KvCacheSpec(layers, heads, headSize, blockSize, Math.max(1, sequences * perSequence));
    }

    /** Channels of one key or value: heads · headSize. */
    public int width() {
        return heads * headSize;
    }

    /** Positions the whole cache holds. */
    public int slots() {
        return numBlocks * blockSize;
    }

    /** Bytes of one block across all layers, keys and values, float32. */
    public long blockBytes() {
        return 2L * layers * blockSize * width() * Float.BYTES;
    }
}
