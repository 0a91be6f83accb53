package dev.jgpt.api;

/** A paged KV cache has too few free blocks for a request; nothing was taken or written. */
public final class KvCacheFullException extends RuntimeException {
    private final int wanted;
    private final int free;

    public KvCacheFullException(int wanted, int free, int capacity) {
        super("the KV cache is full: " + wanted + " blocks wanted, " + free + " of " + capacity
                + " free; give it more memory or run fewer sequences at once");
        this.wanted = wanted;
        this.free = free;
    }

    public int wanted() {
        return wanted;
    }

    public int free() {
        return free;
    }
}
