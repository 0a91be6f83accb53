package dev.jgpt.backend.vector;

import static dev.jgpt.backend.vector.VectorMatmul.L;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.array.ArrayTensor;
import dev.jgpt.api.array.Parallel;
import dev.jgpt.api.array.ParallelArrayBackend;

/**
 * The Vector API backend: the plain backend's {@code float[]} tensors ({@link ArrayBackend} moves the data), with
 * arithmetic in explicit SIMD ({@code jdk.incubator.vector}, 16 float lanes per instruction with AVX-512, fused
 * multiply-add) split across the machine's cores. It exists for speed: HotSpot 17 does not vectorise the plain
 * backend's one-row matmul, so a decode step there is bound by scalar arithmetic, here by memory.
 *
 * <p>Its sums run in another order than the plain reference and use fused multiply-adds, so it agrees with the plain
 * backend to rounding (the conformance kit's tolerances) and yields the same token sequences. The JVM must resolve
 * {@code jdk.incubator.vector} ({@code --add-modules jdk.incubator.vector}; {@code ./gpt} and the build do), or
 * {@link VectorBackendProvider} reports the backend unavailable.
 *
 * <p>Threads: {@code -Djgpt.vector.threads=N} (default: all available processors).
 */
public final class VectorBackend extends ParallelArrayBackend {
    static final String NAME = "vector";
    /** Below this many rows a matmul streams weights row by row (decode); from here on it uses register tiles. */
    static final int TILE_MIN_ROWS = 4;
    /**
     * Below this many multiply-adds (or comparable units) an operation runs on the calling thread: SIMD does 16 per
     * instruction, so handing a small loop to the pool costs more than it saves.
     */
    static final long MIN_PARALLEL_WORK = 1L << 18;

    /** A backend on {@code -Djgpt.vector.threads} threads, or all available processors. */
    public VectorBackend() {
        this(Integer.getInteger("jgpt.vector.threads", Runtime.getRuntime().availableProcessors()));
    }

    /** A backend on {@code threads} threads (1 runs everything on the caller). */
    public VectorBackend(int threads) {
        super(new Parallel(threads, Long.getLong("jgpt.vector.minParallelWork", MIN_PARALLEL_WORK)), true);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Floats per vector on this machine (16 with AVX-512, 8 with AVX2). */
    public static int lanes() {
        return L;
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return addByRows(a, b, VectorRows::addRow);
    }

    @Override
    public Tensor matmul(Tensor x, Tensor w) {
        Shapes.requireMatmul("matmul", x, w, false);
        int rows = Shapes.rows(x.shape());
        float[] out = newArray(rows * w.dim(1));
        return product(x, w, out);
    }

    /** The bias is where the sums start: one pass over the output fewer than matmul, then add. */
    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        if (bias == null) {
            return matmul(x, w);
        }
        Shapes.requireMatmul("linear", x, w, false);
        int n = w.dim(1);
        Shapes.require("linear bias", bias.shape(), n);
        int rows = Shapes.rows(x.shape());
        float[] b = data(bias);
        float[] out = newArrayToOverwrite(rows * n);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(b, 0, out, r * n, n);
        }
        return product(x, w, out);
    }

    /** out += x·w, out holding [rows, n] (zeros, or the bias in every row). */
    private Tensor product(Tensor x, Tensor w, float[] out) {
        int k = w.dim(0);
        int n = w.dim(1);
        int rows = Shapes.rows(x.shape());
        float[] a = data(x);
        float[] b = data(w);
        long work = (long) rows * k * n;
        if (rows < TILE_MIN_ROWS) {
            // a decode step: each thread streams its contiguous share of every weight row
            int units = (n + L - 1) / L;
            parallel.forRange(units, Math.max(4, units / parallel.threads), work, (u0, u1) ->
                    VectorMatmul.stream(a, b, out, k, n, 0, rows, u0 * L, Math.min(n, u1 * L)));
        } else {
            // strips of columns × blocks of rows, each a run of register tiles
            int strips = (n + VectorMatmul.STRIP - 1) / VectorMatmul.STRIP;
            int rowBlock = 8 * VectorMatmul.TILE_ROWS;
            int rowBlocks = (rows + rowBlock - 1) / rowBlock;
            parallel.forRange(strips * rowBlocks, 1, work, (u0, u1) -> {
                for (int u = u0; u < u1; u++) {
                    int s = u / rowBlocks;
                    int rb = u % rowBlocks;
                    int j0 = s * VectorMatmul.STRIP;
                    VectorMatmul.tiles(a, b, out, k, n, rb * rowBlock, Math.min(rows, (rb + 1) * rowBlock), j0,
                            Math.min(VectorMatmul.STRIP, n - j0));
                }
            });
        }
        return new ArrayTensor(out, Shapes.withLast(x.shape(), n));
    }

    @Override
    public Tensor matmulTransposed(Tensor x, Tensor w) {
        return transposedProduct(x, w, VectorMatmul::transposed);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return layerNormByRows(x, gamma, beta, eps, VectorRows::layerNormRow);
    }

    @Override
    public Tensor gelu(Tensor x, Gelu form) {
        return geluByRanges(x, form, VectorRows::geluTanh);
    }

    @Override
    public Tensor softmax(Tensor x) {
        return softmaxByRows(x, VectorRows::softmaxRow);
    }

    @Override
    public Tensor attentionScores(Tensor q, Tensor k, float scale, int offset) {
        return scoresByRow(q, k, scale, offset, VectorRows::scoreRow);
    }

    @Override
    public Tensor attentionMix(Tensor p, Tensor v) {
        return mixByRow(p, v, (pd, po, vd, out, o, vo, tk, a) -> {
            for (int j = 0; j < tk; j++) {
                VectorRows.axpy(pd[po + j], vd, vo + j * a, out, o, a);
            }
        });
    }

    /** Scores, softmax and mix per query row in one pass, reading keys and values (or KV cache views) in place. */
    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, float scale, int offset) {
        return attentionByRows(q, k, v, scale, offset, VectorRows::attentionRows);
    }
}
