package dev.jgpt.backend.array;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;

/**
 * Released activation arrays kept for reuse, per thread (a forward pass allocates and releases on its own thread).
 * Large {@code float[]} allocations are costly on the JVM (zeroing, and with G1 arrays over half a region are
 * "humongous", allocated outside the young generation); a batched nano-GPT step allocates and drops hundreds of
 * megabytes a second without it. Bounded per thread: at most {@link #PER_LENGTH} arrays of each of at most
 * {@link #LENGTHS} lengths and {@link #MAX_HELD} floats in all, only arrays of {@link #MIN_LENGTH} to
 * {@link #MAX_LENGTH} floats (smaller ones are cheap to allocate, larger ones rare).
 */
final class ArrayPool {
    static final int MIN_LENGTH = 4096;
    static final int PER_LENGTH = 4;
    static final int LENGTHS = 16;
    /** Arrays above this many floats (16 MiB) are never kept. */
    static final int MAX_LENGTH = 4 << 20;
    /** Floats kept per thread at most (64 MiB). */
    static final long MAX_HELD = 16 << 20;

    /** One thread's arrays by length, and how many floats they hold. */
    private static final class Free {
        final HashMap<Integer, ArrayDeque<float[]>> byLength = new HashMap<>();
        long held;
    }

    private final ThreadLocal<Free> free = ThreadLocal.withInitial(Free::new);

    /** An array of n floats: a released one if there is one (zeroed when {@code zero}), else a new one. */
    float[] take(int n, boolean zero) {
        if (n >= MIN_LENGTH && n <= MAX_LENGTH) {
            Free f = free.get();
            ArrayDeque<float[]> q = f.byLength.get(n);
            float[] a = q == null ? null : q.pollFirst();
            if (a != null) {
                f.held -= n;
                if (zero) {
                    Arrays.fill(a, 0f);
                }
                return a;
            }
        }
        return new float[n];
    }

    /** Keeps a released array for reuse, unless the bounds say otherwise. */
    void give(float[] a) {
        int n = a.length;
        if (n < MIN_LENGTH || n > MAX_LENGTH) {
            return;
        }
        Free f = free.get();
        ArrayDeque<float[]> q = f.byLength.get(n);
        if (q == null) {
            if (f.byLength.size() >= LENGTHS) {
                f.byLength.clear(); // the shapes changed (another model or batch size): start over
                f.held = 0;
            }
            q = new ArrayDeque<>();
            f.byLength.put(n, q);
        }
        if (q.size() < PER_LENGTH && f.held + n <= MAX_HELD) {
            q.addFirst(a);
            f.held += n;
        }
    }
}
