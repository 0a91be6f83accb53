package dev.jgpt.api;

/** The default {@link KvCache}: grows by {@link TensorBackend#concat} along T. Simple, and correct on any backend. */
public final class ConcatKvCache implements KvCache {
    private final TensorBackend backend;
    private final int capacity;
    private Tensor keys;
    private Tensor values;

    public ConcatKvCache(TensorBackend backend, int capacity) {
        this.backend = backend;
        this.capacity = capacity;
    }

    @Override
    public int length() {
        return keys == null ? 0 : keys.dim(2);
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void append(Tensor k, Tensor v) {
        int n = k.dim(2);
        if (length() + n > capacity) {
            throw new IllegalStateException(
                    "KV cache full: " + length() + " + " + n + " positions exceed its capacity " + capacity);
        }
        if (keys == null) {
            keys = k;
            values = v;
        } else {
            Tensor k2 = backend.concat(keys, k, 2);
            Tensor v2 = backend.concat(values, v, 2);
            backend.release(keys);
            backend.release(values);
            keys = k2;
            values = v2;
        }
    }

    @Override
    public Tensor keys() {
        return keys;
    }

    @Override
    public Tensor values() {
        return values;
    }

    @Override
    public void close() {
        if (keys != null) {
            backend.release(keys);
            backend.release(values);
            keys = null;
            values = null;
        }
    }
}
