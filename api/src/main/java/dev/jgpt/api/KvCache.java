package dev.jgpt.api;

/**
 * Keys and values of one attention layer for the positions processed so far, so that a decode step attends its new
 * query over all earlier positions without recomputing them. Keys and values are [B, H, T, A].
 *
 * <p>A cache belongs to one generation; it is not thread-safe.
 */
public interface KvCache extends AutoCloseable {

    /** Number of positions held (the {@code offset} of the next queries). */
    int length();

    /** The most positions this cache may hold. */
    int capacity();

    /**
     * Appends the keys and values of new positions. The cache takes ownership of {@code k} and {@code v}: the caller
     * must not release them.
     *
     * @param k [B, H, Tn, A]
     * @param v [B, H, Tn, A]
     * @throws IllegalStateException if {@code length() + Tn > capacity()}
     */
    void append(Tensor k, Tensor v);

    /** All cached keys, [B, H, length(), A]. Valid until the next {@link #append}. */
    Tensor keys();

    /** All cached values, [B, H, length(), A]. Valid until the next {@link #append}. */
    Tensor values();

    /** Frees the cached tensors. */
    @Override
    void close();
}
