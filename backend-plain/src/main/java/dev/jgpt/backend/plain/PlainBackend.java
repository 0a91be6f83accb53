package dev.jgpt.backend.plain;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.array.ArrayKvCache;
import dev.jgpt.api.array.ArrayTensor;
import dev.jgpt.api.array.Parallel;
import dev.jgpt.api.array.ParallelArrayBackend;

/**
 * The plain Java backend: {@code float[]} tensors, row-major, computed by loops over the machine's cores.
 *
 * <p>Every operation but the tanh GELU gives exactly the bits of {@link ReferenceBackend}, the one-thread loops that
 * say what each operation means (the tests hold the two together; the GELU is within an ulp, see
 * {@link Kernels#geluTanh}): each output element is computed by one thread, in the reference's summation order, so
 * the results do not depend on the number of threads either. What is faster here:
 * <ul>
 *   <li>work is split across a ForkJoin pool ({@link Parallel}): by rows of the output, and for a decode step (one
 *       row) by output columns, so that the weights are streamed by all cores at once;</li>
 *   <li>the matmul packs weight tiles so that the JIT vectorises its inner loop ({@link Kernels});</li>
 *   <li>attention is fused (scores, softmax and mix per query row, no [B, H, Tq, Tk] tensor) and reads the
 *       preallocated {@link ArrayKvCache} in place.</li>
 * </ul>
 * Threads: {@code -Djgpt.plain.threads=N} (default: all available processors).
 */
public final class PlainBackend extends ParallelArrayBackend {
    static final String NAME = "plain";

    /** A backend on {@code -Djgpt.plain.threads} threads, or all available processors. */
    public PlainBackend() {
        this(Integer.getInteger("jgpt.plain.threads", Runtime.getRuntime().availableProcessors()));
    }

    /** A backend on {@code threads} threads (1 runs everything on the caller). */
    public PlainBackend(int threads) {
        super(new Parallel(threads), false);
    }

    @Override
    public String name() {
        return NAME;
    }

    // ---------------------------------------------------------------------------------------------------- arithmetic

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return addByRows(a, b, Kernels::addRow);
    }

    @Override
    public Tensor matmul(Tensor x, Tensor w) {
        int k = w.dim(0);
        int n = w.dim(1);
        Shapes.requireMatmul("matmul", x, w, false);
        int rows = Shapes.rows(x.shape());
        float[] a = data(x);
        float[] b = data(w);
        float[] out = new float[rows * n];
        long work = (long) rows * k * n;
        if (rows < Kernels.PACK_MIN_ROWS) {
            // a decode step: split the columns, one contiguous share per thread (longer runs per weight row stream
            // better: 15 vs 9 GB/s for 768×3072 with four shares per thread), so every core streams its share
            int units = (n + 15) / 16;
            parallel.forRange(units, Math.max(8, units / parallel.threads), work, (u0, u1) ->
                    Kernels.matmulStream(a, b, out, k, n, 0, rows, u0 * 16, Math.min(n, u1 * 16)));
        } else {
            int rowBlocks = (rows + Kernels.ROW_BLOCK - 1) / Kernels.ROW_BLOCK;
            int colBlocks = (n + Kernels.COL_BLOCK - 1) / Kernels.COL_BLOCK;
            parallel.forRange(rowBlocks * colBlocks, 1, work, (u0, u1) -> {
                for (int u = u0; u < u1; u++) {
                    int rb = u / colBlocks;
                    int cb = u % colBlocks;
                    Kernels.matmulPacked(a, b, out, k, n, rb * Kernels.ROW_BLOCK,
                            Math.min(rows, (rb + 1) * Kernels.ROW_BLOCK), cb * Kernels.COL_BLOCK,
                            Math.min(n, (cb + 1) * Kernels.COL_BLOCK));
                }
            });
        }
        return new ArrayTensor(out, Shapes.withLast(x.shape(), n));
    }

    @Override
    public Tensor matmulTransposed(Tensor x, Tensor w) {
        return transposedProduct(x, w, Kernels::matmulTransposed);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return layerNormByRows(x, gamma, beta, eps, Kernels::layerNormRow);
    }

    /** The tanh form through {@link Kernels#geluTanh} (an exp polynomial instead of native Math.tanh). */
    @Override
    public Tensor gelu(Tensor x, Gelu form) {
        return geluByRanges(x, form, Kernels::geluTanh);
    }

    @Override
    public Tensor softmax(Tensor x) {
        return softmaxByRows(x, Kernels::softmaxRow);
    }

    @Override
    public Tensor attentionScores(Tensor q, Tensor k, float scale, int offset) {
        return scoresByRow(q, k, scale, offset, Kernels::scoreRow);
    }

    @Override
    public Tensor attentionMix(Tensor p, Tensor v) {
        return mixByRow(p, v, Kernels::mixRow);
    }

    /** Scores, softmax and mix per query row in one pass, reading keys and values (or KV cache views) in place. */
    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, float scale, int offset) {
        return attentionByRows(q, k, v, scale, offset, Kernels::attentionRows);
    }
}
