package dev.jgpt.backend.plain;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;

/**
 * A KV cache allocated once at its capacity: keys and values each live in one [B, H, capacity, A] array, an append
 * copies the new positions into place, and {@link #keys()} / {@link #values()} are views of the first
 * {@link #length()} positions that the attention kernels read without copying. No allocation per decode step.
 */
final class PlainKvCache implements KvCache {
    private final int batch;
    private final int heads;
    private final int headSize;
    private final int capacity;
    private float[] keys;
    private float[] values;
    private int length;

    PlainKvCache(int batch, int heads, int headSize, int capacity) {
        this.batch = batch;
        this.heads = heads;
        this.headSize = headSize;
        this.capacity = capacity;
        this.keys = new float[Shapes.intSize(batch, heads, capacity, headSize)];
        this.values = new float[keys.length];
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void append(Tensor k, Tensor v) {
        if (keys == null) {
            throw new IllegalStateException("KV cache used after close");
        }
        int n = k.dim(2);
        Shapes.require("KV cache keys", k.shape(), batch, heads, n, headSize);
        Shapes.require("KV cache values", v.shape(), batch, heads, n, headSize);
        if (length + n > capacity) {
            throw new IllegalStateException(
                    "KV cache full: " + length + " + " + n + " positions exceed its capacity " + capacity);
        }
        copyIn(PlainTensor.of(k).compact(), keys, n);
        copyIn(PlainTensor.of(v).compact(), values, n);
        length += n;
    }

    private void copyIn(float[] src, float[] storage, int n) {
        int run = n * headSize;
        for (int g = 0; g < batch * heads; g++) {
            System.arraycopy(src, g * run, storage, (g * capacity + length) * headSize, run);
        }
    }

    @Override
    public Tensor keys() {
        return PlainTensor.kvView(keys, capacity, batch, heads, length, headSize);
    }

    @Override
    public Tensor values() {
        return PlainTensor.kvView(values, capacity, batch, heads, length, headSize);
    }

    @Override
    public void close() {
        keys = null;
        values = null;
    }
}
