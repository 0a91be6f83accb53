package dev.jgpt.api.array;

import dev.jgpt.api.PreallocatedKvCache;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;

/**
 * A KV cache allocated once at its capacity: keys and values each live in one [B, H, capacity, A] array, an append
 * copies the new positions into place, and {@link #keys()} / {@link #values()} are views of the first
 * {@link #length()} positions that the attention kernels read without copying. No allocation per decode step.
 */
public final class ArrayKvCache extends PreallocatedKvCache {
    private float[] keys;
    private float[] values;

    /** Allocates keys and values for {@code capacity} positions. */
    public ArrayKvCache(int batch, int heads, int headSize, int capacity) {
        super(batch, heads, headSize, capacity);
        this.keys = new float[Shapes.intSize(batch, heads, capacity, headSize)];
        this.values = new float[keys.length];
    }

    @Override
    protected void store(Tensor k, Tensor v, int n) {
        copyIn(ArrayTensor.of(k).compact(), keys, n);
        copyIn(ArrayTensor.of(v).compact(), values, n);
    }

    private void copyIn(float[] src, float[] storage, int n) {
        int run = n * headSize;
        for (int g = 0; g < batch * heads; g++) {
            System.arraycopy(src, g * run, storage, (g * capacity + length()) * headSize, run);
        }
    }

    @Override
    public Tensor keys() {
        return ArrayTensor.kvView(keys, capacity, batch, heads, length(), headSize);
    }

    @Override
    public Tensor values() {
        return ArrayTensor.kvView(values, capacity, batch, heads, length(), headSize);
    }

    @Override
    protected void free() {
        keys = null;
        values = null;
    }
}
