package dev.jgpt.backend.nd4j;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.KvCacheSpec;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The paged KV cache of {@link Nd4jBackend}, off-heap: per layer one c-order [slots, C] array of keys and one of
 * values, slot {@code block · blockSize + offset} being row {@code slot}. So the positions of one block are
 * consecutive rows, and a sequence whose blocks are consecutive has its whole context in one run of rows, which
 * {@link Nd4jAttention} reads in place.
 *
 * <p>The arrays are allocated once, uninitialized (the operating system commits the pages as they are first
 * written, so resident memory grows with the slots used, not with the budget); a slot never stored holds undefined
 * values. Off-heap memory counts against JavaCPP's {@code maxbytes} (by default the maximum heap size). Writes and
 * reads are bulk copies through the arrays' NIO buffers. {@link #close} frees the memory at once.
 *
 * <p>Not thread-safe, like every {@link KvCache}.
 */
final class Nd4jKvCache implements KvCache {
    private final KvCacheSpec spec;
    private final int width;
    private INDArray[] keys;
    private INDArray[] values;

    Nd4jKvCache(KvCacheSpec spec) {
        this.spec = spec;
        this.width = spec.width();
        this.keys = new INDArray[spec.layers()];
        this.values = new INDArray[spec.layers()];
        long[] shape = {spec.slots(), width};
        for (int l = 0; l < spec.layers(); l++) {
            keys[l] = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
            values[l] = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        }
    }

    @Override
    public KvCacheSpec spec() {
        return spec;
    }

    /** Copies {@code key[keyOffset, keyOffset + C)} into row {@code slot} of the layer's keys, and the value alike. */
    @Override
    public void store(int layer, int slot, float[] key, int keyOffset, float[] value, int valueOffset) {
        KvCache.checkSlot(spec, layer, slot);
        row(keys(layer), slot).put(key, keyOffset, width);
        row(values(layer), slot).put(value, valueOffset, width);
    }

    /** Copies row {@code slot} of the layer's keys into {@code key[0, C)}, and the value alike. */
    @Override
    public void load(int layer, int slot, float[] key, float[] value) {
        KvCache.checkSlot(spec, layer, slot);
        row(keys(layer), slot).get(key, 0, width);
        row(values(layer), slot).get(value, 0, width);
    }

    /**
     * Stores every token's key and value from a flattened batch: for token n, columns [C, 2C) and [2C, 3C) of row n
     * of {@code qkv} ([N, 3C], c-order) go to row {@code batch.slotOf(n)} of the layer's keys and values. The
     * caller has checked the slots ({@link Nd4jAttention}).
     */
    void storeBatch(int layer, FloatBuffer qkv, AttentionBatch batch) {
        FloatBuffer k = Nd4jBackend.nio(keys(layer));
        FloatBuffer v = Nd4jBackend.nio(values(layer));
        for (int n = 0; n < batch.tokens(); n++) {
            int slot = batch.slotOf(n);
            int at = n * 3 * width;
            qkv.limit(at + 2 * width).position(at + width);
            k.position(slot * width);
            k.put(qkv);
            qkv.limit(at + 3 * width).position(at + 2 * width);
            v.position(slot * width);
            v.put(qkv);
        }
    }

    /** The keys of layer {@code layer}, [slots, C], owned by the cache (valid until {@link #close}). */
    INDArray keys(int layer) {
        KvCache.checkSlot(spec, layer, 0);
        return open(keys)[layer];
    }

    /** The values of layer {@code layer}, [slots, C], owned by the cache (valid until {@link #close}). */
    INDArray values(int layer) {
        KvCache.checkSlot(spec, layer, 0);
        return open(values)[layer];
    }

    private FloatBuffer row(INDArray storage, int slot) {
        return Nd4jBackend.nio(storage).position(slot * width);
    }

    private static INDArray[] open(INDArray[] arrays) {
        if (arrays == null) {
            throw new IllegalStateException("the KV cache is closed");
        }
        return arrays;
    }

    /** Frees the off-heap arrays now; the cache cannot be used afterwards. Closing twice does nothing. */
    @Override
    public void close() {
        if (keys != null) {
            Nd4jBackend.free(keys);
            Nd4jBackend.free(values);
            keys = null;
            values = null;
        }
    }
}
