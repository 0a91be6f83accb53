package dev.jgpt.backend.array;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs a loop over {@code [0, n)} on the calling thread and {@code threads − 1} helper threads, split into contiguous
 * ranges. Every index is run by exactly one thread, so a kernel that computes each output element from its index
 * alone gives the same bits whatever the number of threads or ranges.
 *
 * <p>Why not a ForkJoinPool: a decode step is some fifty loops of 0.1–0.5 ms each, and waking a parked pool thread
 * (and then the waiting caller) costs tens of microseconds on a virtual machine — measured, it held a 768 × 768
 * matrix-vector product to half the memory bandwidth. Here the caller works on the loop itself, and helpers spin for
 * {@link #SPIN_NANOS} after each loop before they park (unless there are more threads than cores), so back-to-back
 * loops (a forward pass) hand work over without a context switch, as llama.cpp's thread pool does. One loop at a time uses the helpers: a caller that finds them
 * busy (another thread's forward pass) runs its loop alone, and so does a loop started from inside a loop.
 */
public final class Parallel {
    /** By default, below this many multiply-adds (or comparable units) a loop runs on the calling thread. */
    public static final long MIN_PARALLEL_WORK = 1L << 15;
    /** How long an idle helper polls for the next loop before it parks. */
    static final long SPIN_NANOS = 200_000;

    /** One set of helpers per thread count, shared by all backends of the process; daemons. */
    private static final ConcurrentHashMap<Integer, Helpers> HELPERS = new ConcurrentHashMap<>();

    /** A loop body over the index range {@code [from, to)}. */
    @FunctionalInterface
    public interface Body {
        void run(int from, int to);
    }

    /** The number of threads loops are split across. */
    public final int threads;
    /** Below this much work a loop runs on the caller: handing it over would cost more than it saves. */
    private final long minWork;
    private final Helpers helpers;

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
        this.helpers = threads == 1 ? null : HELPERS.computeIfAbsent(threads, Helpers::new);
    }

    /**
     * Runs {@code body} over {@code [0, n)}. With {@code work} (the loop's total cost, roughly in multiply-adds) below
     * the threshold, or one thread, it runs on the caller in one piece; otherwise in up to four ranges per thread
     * (taken in turn by whichever thread is free, so a core slowed by other load does less), none smaller than
     * {@code minChunk}.
     */
    public void forRange(int n, int minChunk, long work, Body body) {
        int parts = helpers == null || work < minWork ? 1 : Math.min(4 * threads, n / Math.max(1, minChunk));
        if (parts <= 1 || !helpers.run(new Loop(body, n, parts))) {
            body.run(0, n);
        }
    }

    /** One loop handed out in ranges: whoever is free takes the next range. */
    private static final class Loop {
        final Body body;
        final int n;
        final int parts;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Loop(Body body, int n, int parts) {
            this.body = body;
            this.n = n;
            this.parts = parts;
        }

        /** Runs ranges until none is left. */
        void work() {
            for (int p = next.getAndIncrement(); p < parts; p = next.getAndIncrement()) {
                try {
                    if (failure == null) {
                        body.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts));
                    }
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        boolean finished() {
            return done.get() == parts;
        }
    }

    /** The helper threads of one thread count and the loop they work on. */
    private static final class Helpers {
        private final ReentrantLock owner = new ReentrantLock();
        private final Thread[] threads;
        /** How long idle helpers poll: 0 when there are more threads than cores (spinning would steal the caller's). */
        private final long spinNanos;
        /** The loop being run, or null; helpers poll it. */
        private volatile Loop current;
        /** Bumped for every loop, so a helper knows a loop it has not seen yet. */
        private volatile long generation;

        Helpers(int count) {
            spinNanos = count <= Runtime.getRuntime().availableProcessors() ? SPIN_NANOS : 0;
            threads = new Thread[count - 1];
            for (int i = 0; i < threads.length; i++) {
                Thread t = new Thread(this::serve, "jgpt-parallel-" + count + "-" + (i + 1));
                t.setDaemon(true);
                threads[i] = t;
                t.start();
            }
        }

        /** Runs the loop with the helpers, the caller taking part; false when they are busy with another loop. */
        boolean run(Loop loop) {
            if (owner.isHeldByCurrentThread() || !owner.tryLock()) {
                return false;
            }
            try {
                current = loop;
                generation++;
                for (Thread t : threads) {
                    LockSupport.unpark(t);
                }
                loop.work();
                while (!loop.finished()) {
                    Thread.onSpinWait();
                }
                current = null;
            } finally {
                owner.unlock();
            }
            Throwable failure = loop.failure;
            if (failure instanceof RuntimeException) {
                throw (RuntimeException) failure;
            }
            if (failure instanceof Error) {
                throw (Error) failure;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            return true;
        }

        /** A helper: works on each new loop, spins a while for the next, then parks until woken. */
        private void serve() {
            long seen = 0;
            while (true) {
                long spinUntil = System.nanoTime() + spinNanos;
                while (generation == seen) {
                    if (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.parkNanos(this, 10_000_000L);
                    }
                }
                seen = generation;
                Loop loop = current;
                if (loop != null) {
                    loop.work();
                }
            }
        }
    }
}
