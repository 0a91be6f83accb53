package dev.jgpt.backend.nd4j;

import dev.jgpt.api.KvCache;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A KV cache allocated once, off-heap, at its capacity: keys and values are [B, H, capacity, A] arrays, an append
 * assigns the new positions into place, and {@link #keys()} / {@link #values()} are views of the first
 * {@link #length()} positions. Unlike growing by concat, nothing is reallocated or copied per decode step, and the
 * off-heap memory stays flat. The views do not own memory: releasing one is a no-op; {@link #close()} frees it.
 */
final class Nd4jKvCache implements KvCache {
    private final int batch;
    private final int heads;
    private final int headSize;
    private final int capacity;
    private INDArray keys;
    private INDArray values;
    private int length;

    Nd4jKvCache(int batch, int heads, int headSize, int capacity) {
        this.batch = batch;
        this.heads = heads;
        this.headSize = headSize;
        this.capacity = capacity;
        long[] shape = {batch, heads, capacity, headSize};
        this.keys = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        this.values = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
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
        positions(keys, length, length + n).assign(Nd4jBackend.array(k));
        positions(values, length, length + n).assign(Nd4jBackend.array(v));
        length += n;
        // the cache owns k and v now: their contents are copied, so free them
        for (Tensor t : new Tensor[] {k, v}) {
            if (((Nd4jTensor) t).owner) {
                Nd4jBackend.free(Nd4jBackend.array(t));
            }
        }
    }

    private static INDArray positions(INDArray storage, int from, int to) {
        return storage.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to),
                NDArrayIndex.all());
    }

    @Override
    public Tensor keys() {
        return Nd4jTensor.view(positions(keys, 0, length), batch, heads, length, headSize);
    }

    @Override
    public Tensor values() {
        return Nd4jTensor.view(positions(values, 0, length), batch, heads, length, headSize);
    }

    @Override
    public void close() {
        if (keys != null) {
            Nd4jBackend.free(keys, values);
            keys = null;
            values = null;
        }
    }
}
