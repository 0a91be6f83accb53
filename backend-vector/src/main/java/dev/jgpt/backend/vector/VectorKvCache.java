package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;

/**
 * The vector backend's KV cache: heap blocks like {@link dev.jgpt.api.HeapKvCache}'s, but with the keys of a block
 * transposed, channel-major: channel ch of the key at offset i of the block sits at {@code ch·P + i}, P the block
 * size rounded up to whole vectors. Then the attention scores of {@link VectorAttention#headOverColumns} for L
 * positions at once are L-lane fused multiply-adds down the head's channels — no lane sums per key, which cost more
 * than the multiply-adds for the nano model's 16-wide heads. Values are head-major, [heads, blockSize, headSize]:
 * channel h·A + d of the value at offset i sits at {@code h·bs·A + i·A + d}, so one head's values in a block are one
 * contiguous run of bs·A floats for the weighted sum (which runs along the channels), rather than bs runs of A floats
 * C apart. Blocks are allocated when first written.
 */
final class VectorKvCache implements KvCache {
    private final KvCacheSpec spec;
    private final int width;
    private final int bs;
    private final int headSize;
    /** The row stride of a block's transposed keys: the block size rounded up to whole vectors. */
    final int stride;
    private float[][] keys;
    private float[][] values;

    VectorKvCache(KvCacheSpec spec) {
        this.spec = spec;
        this.width = spec.width();
        this.bs = spec.blockSize();
        this.headSize = spec.headSize();
        this.stride = (bs + L - 1) / L * L;
        this.keys = new float[spec.layers() * spec.numBlocks()][];
        this.values = new float[spec.layers() * spec.numBlocks()][];
    }

    @Override
    public KvCacheSpec spec() {
        return spec;
    }

    /** The transposed keys of a block, [C, stride], allocated on first use. */
    float[] keyBlock(int layer, int block) {
        return block(open(keys), layer, block, width * stride);
    }

    /** The values of a block, head-major [heads, blockSize, headSize], allocated on first use. */
    float[] valueBlock(int layer, int block) {
        return block(open(values), layer, block, bs * width);
    }

    private float[] block(float[][] store, int layer, int block, int size) {
        KvCache.checkSlot(spec, layer, block * bs);
        int i = layer * spec.numBlocks() + block;
        float[] b = store[i];
        if (b == null) {
            b = new float[size];
            store[i] = b;
        }
        return b;
    }

    @Override
    public void store(int layer, int slot, float[] key, int keyOffset, float[] value, int valueOffset) {
        KvCache.checkSlot(spec, layer, slot);
        int at = slot % bs;
        float[] k = keyBlock(layer, slot / bs);
        for (int ch = 0; ch < width; ch++) {
            k[ch * stride + at] = key[keyOffset + ch];
        }
        float[] v = valueBlock(layer, slot / bs);
        for (int h = 0, ch = 0; ch < width; h++, ch += headSize) {
            System.arraycopy(value, valueOffset + ch, v, (h * bs + at) * headSize, headSize);
        }
    }

    @Override
    public void load(int layer, int slot, float[] key, float[] value) {
        KvCache.checkSlot(spec, layer, slot);
        int at = slot % bs;
        float[] k = keyBlock(layer, slot / bs);
        for (int ch = 0; ch < width; ch++) {
            key[ch] = k[ch * stride + at];
        }
        float[] v = valueBlock(layer, slot / bs);
        for (int h = 0, ch = 0; ch < width; h++, ch += headSize) {
            System.arraycopy(v, (h * bs + at) * headSize, value, ch, headSize);
        }
    }

    private float[][] open(float[][] store) {
        if (store == null) {
            throw new IllegalStateException("the KV cache is closed");
        }
        return store;
    }

    @Override
    public void close() {
        keys = null;
        values = null;
    }
}
