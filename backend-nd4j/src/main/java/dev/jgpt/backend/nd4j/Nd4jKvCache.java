package dev.jgpt.backend.nd4j;

import dev.jgpt.api.PreallocatedKvCache;
import dev.jgpt.api.Tensor;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A KV cache allocated once, off-heap, at its capacity: keys and values each live in one [B, H, capacity, A] array,
 * and an append copies the new positions into place (bulk copies through the arrays' NIO buffers, one per head).
 * {@link #keys()} / {@link #values()} gather the first {@link #length()} positions into one contiguous array, kept
 * until the next append (the API's "valid until the next append") and then freed, so off-heap memory stays flat
 * and nothing waits for the garbage collector.
 *
 * <p>No ND4J views of the storage are handed out, so every array the cache makes is freed explicitly, never left to
 * the garbage collector and JavaCPP's deallocator thread.
 */
final class Nd4jKvCache extends PreallocatedKvCache {
    private INDArray keys;
    private INDArray values;
    private INDArray keysOut;
    private INDArray valuesOut;

    Nd4jKvCache(int batch, int heads, int headSize, int capacity) {
        super(batch, heads, headSize, capacity);
        long[] shape = {batch, heads, capacity, headSize};
        this.keys = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        this.values = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    }

    @Override
    protected void store(Tensor k, Tensor v, int n) {
        dropOutputs();
        copyIn(k, keys, n);
        copyIn(v, values, n);
    }

    /** Copies [B, H, n, A] into positions [length, length + n) of the storage; frees the source (the cache owns it). */
    private void copyIn(Tensor t, INDArray storage, int n) {
        INDArray a = Nd4jBackend.array(t);
        INDArray src = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
        FloatBuffer from = Nd4jBackend.nio(src);
        FloatBuffer to = Nd4jBackend.nio(storage);
        int run = n * headSize;
        for (int g = 0; g < batch * heads; g++) {
            from.limit(g * run + run).position(g * run);
            to.position((g * capacity + length()) * headSize);
            to.put(from);
        }
        if (src != a) {
            Nd4jBackend.free(src);
        }
        if (((Nd4jTensor) t).owner) {
            Nd4jBackend.free(a);
        }
    }

    @Override
    public Tensor keys() {
        if (keysOut == null) {
            keysOut = gather(keys);
        }
        return Nd4jTensor.view(keysOut, batch, heads, length(), headSize);
    }

    @Override
    public Tensor values() {
        if (valuesOut == null) {
            valuesOut = gather(values);
        }
        return Nd4jTensor.view(valuesOut, batch, heads, length(), headSize);
    }

    /** The first {@link #length()} positions of every head, contiguous [B, H, length, A]. */
    private INDArray gather(INDArray storage) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, new long[] {batch, heads, length(), headSize}, 'c');
        FloatBuffer from = Nd4jBackend.nio(storage);
        FloatBuffer to = Nd4jBackend.nio(out);
        int run = length() * headSize;
        for (int g = 0; g < batch * heads; g++) {
            int start = g * capacity * headSize;
            from.limit(start + run).position(start);
            to.put(from);
        }
        return out;
    }

    private void dropOutputs() {
        if (keysOut != null) {
            Nd4jBackend.free(keysOut);
            keysOut = null;
        }
        if (valuesOut != null) {
            Nd4jBackend.free(valuesOut);
            valuesOut = null;
        }
    }

    @Override
    protected void free() {
        dropOutputs();
        Nd4jBackend.free(keys, values);
        keys = null;
        values = null;
    }
}
