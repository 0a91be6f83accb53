package dev.jgpt.api;

/**
 * The storage of a paged KV cache ({@link KvCacheSpec}): per layer and slot, one key and one value of C floats. The
 * backend owns the storage (heap arrays, off-heap memory); which blocks belong to which sequence is the caller's
 * bookkeeping ({@link BlockPool}, the block tables of an {@link AttentionBatch}). {@link TensorBackend#attention}
 * writes and reads it; {@link #store} and {@link #load} are the slow, always-available access the SPI's default
 * attention and tests use.
 *
 * <p>Not thread-safe: one engine (or one generation) drives a cache at a time.
 */
public interface KvCache extends AutoCloseable {

    /** The cache's shape. */
    KvCacheSpec spec();

    /**
     * Stores the key {@code key[keyOffset, keyOffset + C)} and the value {@code value[valueOffset, valueOffset + C)}
     * of one position of layer {@code layer} at {@code slot}.
     */
    void store(int layer, int slot, float[] key, int keyOffset, float[] value, int valueOffset);

    /** Copies the key and value of {@code slot} in layer {@code layer} into {@code key[0, C)} and {@code value[0, C)}. */
    void load(int layer, int slot, float[] key, float[] value);

    /** Frees the storage. */
    @Override
    void close();

    /** Refuses a layer or slot outside the spec. */
    static void checkSlot(KvCacheSpec spec, int layer, int slot) {
        if (layer < 0 || layer >= spec.layers() || slot < 0 || slot >= spec.slots()) {
            throw new IndexOutOfBoundsException("KV cache layer " + layer + " slot " + slot + " outside "
                    + spec.layers() + " layers × " + spec.slots() + " slots");
        }
    }
}
