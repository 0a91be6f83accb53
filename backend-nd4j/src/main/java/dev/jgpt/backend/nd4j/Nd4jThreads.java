package dev.jgpt.backend.nd4j;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * How ND4J uses the cores: native libraries on one thread each, matmuls split across Java threads.
 *
 * <p>Measured on a shared 2-core machine (see docs/PERFORMANCE.md): with libnd4j's and OpenBLAS's default of one
 * OpenMP thread per core, a GPT-2 decode step ran at 0.7-0.9 tokens/s, because each of its ~300 small ops (a
 * [1, 3072] GELU is seven) opens a parallel region whose threads spin at a barrier while the OS has one of them
 * descheduled; a GELU on 3072 floats took 45 ms. So the native code runs on one OpenMP thread, and
 * {@link Nd4jBackend#matmul} splits large products by output columns over {@code jgpt.nd4j.threads} Java threads
 * (default: available processors), each making a one-thread BLAS call on a contiguous block of the weight.
 *
 * <ul>
 *   <li>{@code -Djgpt.nd4j.threads=N}: Java threads per matmul (default: available processors);</li>
 *   <li>{@code -Djgpt.nd4j.opThreads=N}: OpenMP threads of libnd4j's ops (default 1);</li>
 *   <li>{@code -Djgpt.nd4j.blasThreads=N}: OpenBLAS threads per call (default 1).</li>
 * </ul>
 */
final class Nd4jThreads {
    /** Below this many multiply-adds a matmul runs in one BLAS call on the caller. */
    private static final long MIN_SPLIT_WORK = 1L << 20;
    /** Narrower products (a nano model's) run in one call: their blocks would be too small to pay for a thread. */
    private static final int MIN_SPLIT_COLUMNS = 512;
    private static final int THREADS = Math.max(1,
            Integer.getInteger("jgpt.nd4j.threads", Runtime.getRuntime().availableProcessors()));
    private static ExecutorService pool;
    private static boolean configured;

    private Nd4jThreads() {
    }

    static synchronized void configure() {
        if (configured) {
            return;
        }
        configured = true;
        Nd4j.getExecutioner(); // loads ND4J and its natives first: NativeOpsHolder needs them
        NativeOpsHolder.getInstance().getDeviceNativeOps()
                .setOmpNumThreads(Math.max(1, Integer.getInteger("jgpt.nd4j.opThreads", 1)));
        Nd4j.factory().blas().setMaxThreads(Math.max(1, Integer.getInteger("jgpt.nd4j.blasThreads", 1)));
        if (THREADS > 1) {
            pool = Executors.newFixedThreadPool(THREADS - 1, r -> {
                Thread t = new Thread(r, "jgpt-nd4j-matmul");
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** Into how many column blocks to split a matmul of {@code work} multiply-adds and {@code n} columns. */
    static int parts(long work, int n) {
        return pool == null || work < MIN_SPLIT_WORK || n < MIN_SPLIT_COLUMNS ? 1 : Math.min(THREADS, n / 256);
    }

    /** Runs {@code body} for 0..parts−1, part 0 on the caller; returns when all are done. */
    static void run(int parts, IntConsumer body) {
        Future<?>[] futures = new Future<?>[parts];
        for (int p = 1; p < parts; p++) {
            int part = p;
            futures[p] = pool.submit(() -> body.accept(part));
        }
        RuntimeException failure = null;
        try {
            body.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (int p = 1; p < parts; p++) {
            try {
                futures[p].get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                failure = failure != null ? failure
                        : c instanceof RuntimeException ? (RuntimeException) c : new IllegalStateException(c);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
