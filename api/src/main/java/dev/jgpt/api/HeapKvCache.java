package dev.jgpt.api;

/**
 * The default KV cache storage: per layer and block, one {@code float[blockSize · C]} of keys and one of values,
 * allocated when a block is first written, so heap in use grows with the blocks touched, not with the budget. A
 * position at offset {@code i} of a block sits at {@code [i·C, (i+1)·C)} of that block's arrays; heap backends read
 * them in place through {@link #keyBlock} and {@link #valueBlock}.
 */
public final class HeapKvCache implements KvCache {
    private final KvCacheSpec spec;
    private final int width;
    private float[][] keys;
    private float[][] values;

    public HeapKvCache(KvCacheSpec spec) {
        this.spec = spec;
        this.width = spec.width();
        this.keys = new float[spec.layers() * spec.numBlocks()][];
        this.values = new float[spec.layers() * spec.numBlocks()][];
    }

    @Override
    public KvCacheSpec spec() {
        return spec;
    }

    /** The keys of block {@code block} in layer {@code layer}, [blockSize, C], allocated on first use. */
    public float[] keyBlock(int layer, int block) {
        return block(open(keys), layer, block);
    }

    /** The values of block {@code block} in layer {@code layer}, [blockSize, C], allocated on first use. */
    public float[] valueBlock(int layer, int block) {
        return block(open(values), layer, block);
    }

    private float[] block(float[][] store, int layer, int block) {
        KvCache.checkSlot(spec, layer, block * spec.blockSize());
        int i = layer * spec.numBlocks() + block;
        float[] b = store[i];
        if (b == null) {
            b = new float[spec.blockSize() * width];
            store[i] = b;
        }
        return b;
    }

    @Override
    public void store(int layer, int slot, float[] key, int keyOffset, float[] value, int valueOffset) {
        KvCache.checkSlot(spec, layer, slot);
        int bs = spec.blockSize();
        int at = (slot % bs) * width;
        System.arraycopy(key, keyOffset, keyBlock(layer, slot / bs), at, width);
        System.arraycopy(value, valueOffset, valueBlock(layer, slot / bs), at, width);
    }

    @Override
    public void load(int layer, int slot, float[] key, float[] value) {
        KvCache.checkSlot(spec, layer, slot);
        int bs = spec.blockSize();
        int at = (slot % bs) * width;
        System.arraycopy(keyBlock(layer, slot / bs), at, key, 0, width);
        System.arraycopy(valueBlock(layer, slot / bs), at, value, 0, width);
    }

    /** The number of blocks (over all layers, keys and values counted once) whose arrays exist. */
    public int allocatedBlocks() {
        int n = 0;
        for (float[] b : open(keys)) {
            if (b != null) {
                n++;
            }
        }
        return n;
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
