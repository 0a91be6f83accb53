package dev.jgpt.api;

/**
 * The bookkeeping of a KV cache allocated once at its capacity, shared by backends: it checks every append's shape
 * and capacity, counts positions, and refuses use after {@link #close()}. A backend supplies the storage: how new
 * positions are stored ({@link #store}), how the first {@link #length()} positions are read ({@link #keys()},
 * {@link #values()}), and how the storage is freed ({@link #free()}).
 */
public abstract class PreallocatedKvCache implements KvCache {
    protected final int batch;
    protected final int heads;
    protected final int headSize;
    protected final int capacity;
    private int length;
    private boolean closed;

    protected PreallocatedKvCache(int batch, int heads, int headSize, int capacity) {
        this.batch = batch;
        this.heads = heads;
        this.headSize = headSize;
        this.capacity = capacity;
    }

    @Override
    public final int length() {
        return length;
    }

    @Override
    public final int capacity() {
        return capacity;
    }

    @Override
    public final void append(Tensor k, Tensor v) {
        if (closed) {
            throw new IllegalStateException("KV cache used after close");
        }
        int n = k.dim(2);
        Shapes.require("KV cache keys", k.shape(), batch, heads, n, headSize);
        Shapes.require("KV cache values", v.shape(), batch, heads, n, headSize);
        if (length + n > capacity) {
            throw new IllegalStateException(
                    "KV cache full: " + length + " + " + n + " positions exceed its capacity " + capacity);
        }
        store(k, v, n);
        length += n;
    }

    /**
     * Stores keys and values [B, H, n, A] at positions [{@link #length()}, length() + n) of the storage. The cache
     * owns {@code k} and {@code v} from here on.
     */
    protected abstract void store(Tensor k, Tensor v, int n);

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            free();
        }
    }

    /** Frees the storage (called once, by {@link #close()}). */
    protected abstract void free();
}
