package dev.jgpt.backend.nd4j;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * How many native threads ND4J may use, set once per process when the first backend is made.
 *
 * <p>Measured on a shared 2-core machine (see docs/PERFORMANCE.md): with libnd4j's default of one OpenMP thread per
 * core, a decode step ran at 0.7-0.9 tokens/s, because each of its ~300 small ops (a [1, 3072] GELU is seven) opens
 * a parallel region whose threads spin at a barrier while the OS has one of them descheduled; a GELU on 3072 floats
 * took 45 ms. With one OpenMP thread for libnd4j's own ops the same step ran 4-6× faster, and those ops lose nothing
 * at these sizes. BLAS (gemm/gemv, where the time should go) keeps its own thread count.
 *
 * <ul>
 *   <li>{@code -Djgpt.nd4j.opThreads=N}: OpenMP threads of libnd4j's ops (default 1);</li>
 *   <li>{@code -Djgpt.nd4j.blasThreads=N}: OpenBLAS threads (default: available processors).</li>
 * </ul>
 */
final class Nd4jThreads {
    private static boolean configured;

    private Nd4jThreads() {
    }

    static synchronized void configure() {
        if (configured) {
            return;
        }
        configured = true;
        Nd4j.getExecutioner(); // loads ND4J and its natives first: NativeOpsHolder needs them
        int ops = Integer.getInteger("jgpt.nd4j.opThreads", 1);
        int blas = Integer.getInteger("jgpt.nd4j.blasThreads", Runtime.getRuntime().availableProcessors());
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(Math.max(1, ops));
        Nd4j.factory().blas().setMaxThreads(Math.max(1, blas));
    }
}
