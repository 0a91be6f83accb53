package dev.jgpt.api.array;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Runs a loop over {@code [0, n)} on a ForkJoin pool, split into contiguous ranges. Every index is run by exactly one
 * task, so a kernel that computes each output element from its index alone gives the same bits whatever the number
 * of threads or ranges.
 */
public final class Parallel {
    /** By default, below this many multiply-adds (or comparable units) a loop runs on the calling thread. */
    public static final long MIN_PARALLEL_WORK = 1L << 15;

    /** One pool per thread count, shared by all backends of the process; workers are daemons and idle out. */
    private static final ConcurrentHashMap<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

    /** A loop body over the index range {@code [from, to)}. */
    @FunctionalInterface
    public interface Body {
        void run(int from, int to);
    }

    /** The number of threads loops are split across. */
    public final int threads;
    /** Below this much work a loop runs on the caller: handing it to the pool would cost more than it saves. */
    private final long minWork;
    private final ForkJoinPool pool;

    /** Loops over {@code threads} threads (1: everything on the caller), parallel from {@link #MIN_PARALLEL_WORK}. */
    public Parallel(int threads) {
        this(threads, MIN_PARALLEL_WORK);
    }

    /**
     * Loops over {@code threads} threads, parallel from {@code minWork} units of work (kernels that do more per unit,
     * such as SIMD ones, gain from a higher threshold).
     */
    public Parallel(int threads, long minWork) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.minWork = minWork;
        this.pool = threads == 1 ? null : POOLS.computeIfAbsent(threads, ForkJoinPool::new);
    }

    /**
     * Runs {@code body} over {@code [0, n)}. With {@code work} (the loop's total cost, roughly in multiply-adds) below
     * the threshold, or one thread, it runs on the caller in one piece; otherwise in up to four ranges per
     * thread (so a core slowed by other load hands work to the others), none smaller than {@code minChunk}.
     */
    public void forRange(int n, int minChunk, long work, Body body) {
        int parts = pool == null || work < minWork ? 1 : Math.min(4 * threads, n / Math.max(1, minChunk));
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        Range[] ranges = new Range[parts];
        for (int p = 0; p < parts; p++) {
            ranges[p] = new Range(body, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts));
        }
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
            ForkJoinTask.invokeAll(ranges);
        } else {
            pool.invoke(new RecursiveAction() {
                @Override
                protected void compute() {
                    invokeAll(ranges);
                }
            });
        }
    }

    private static final class Range extends RecursiveAction {
        private final Body body;
        private final int from;
        private final int to;

        Range(Body body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            body.run(from, to);
        }
    }
}
