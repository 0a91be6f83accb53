package dev.jgpt.backend.array;

import dev.jgpt.api.AttentionBatch;
import dev.jgpt.api.DecomposedAttention;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.HeapKvCache;
import dev.jgpt.api.KvCache;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;

/**
 * An {@link ArrayBackend} whose operations run row by row over the machine's cores: this class does the part every
 * such operation repeats — check the shapes, get the arrays, allocate the result, split the rows over
 * {@link #parallel}, wrap the result — and a backend passes the kernel that computes one row (or one range). The
 * plain and vector backends are built on it; they differ only in their kernels.
 *
 * <p>Every output element is computed by one thread from its index, by a kernel that sees only that element's row
 * (and, for a matmul, its column), so results depend neither on the thread count nor on the other rows of the batch:
 * a backend whose kernels compute each element in one fixed order is batch-invariant.
 */
public abstract class ParallelArrayBackend extends ArrayBackend {
    /** The threads operations are split over. */
    protected final Parallel parallel;

    /**
     * @param parallel the threads to split operations over
     * @param recycle  whether to reuse the arrays of released tensors (see {@link ArrayBackend#ArrayBackend(boolean)})
     */
    protected ParallelArrayBackend(Parallel parallel, boolean recycle) {
        super(recycle);
        this.parallel = parallel;
    }

    /** The number of threads the kernels use. */
    public int threads() {
        return parallel.threads;
    }

    /** Writes row {@code out[o, o + c)} from {@code in[o, o + c)}. */
    @FunctionalInterface
    protected interface RowKernel {
        void row(float[] in, float[] out, int o, int c);
    }

    /** One row of a broadcast add: out[o + i] = x[o + i] + y[i] for i in [0, m). */
    @FunctionalInterface
    protected interface AddKernel {
        void row(float[] x, float[] y, float[] out, int o, int m);
    }

    /** One row of layer norm: (x − mean)/√(var + eps)·g + b over in[o, o + c); b may be null. */
    @FunctionalInterface
    protected interface LayerNormKernel {
        void row(float[] in, float[] out, int o, int c, float[] g, float[] b, float eps);
    }

    /** Writes {@code out[from, to)} from {@code in[from, to)}. */
    @FunctionalInterface
    protected interface RangeKernel {
        void range(float[] in, float[] out, int from, int to);
    }

    /**
     * out[r, j] = bias[j] + Σ_i a[r, i]·w[j, i] for rows [r0, r1) and output columns [j0, j1): w is [m, k] (the
     * [out, in] layout), bias [m] or null (zero). Each element must be computed the same way wherever it falls in
     * the range, for the result to be batch-invariant.
     */
    @FunctionalInterface
    protected interface MatmulKernel {
        void run(float[] a, float[] w, float[] bias, float[] out, int k, int m, int r0, int r1, int j0, int j1);
    }

    /**
     * The same over a packed weight ({@link PackedTensor}, [m, k] in its dtype): out[r, j] = bias[j] +
     * Σ_i a[r, i]·dequant(w)[j, i] for rows [r0, r1) and output columns [j0, j1).
     */
    @FunctionalInterface
    protected interface PackedMatmulKernel {
        void run(float[] a, PackedTensor w, float[] bias, float[] out, int k, int m, int r0, int r1, int j0, int j1);
    }

    /**
     * One query head of causal attention: out[o, o + A) = Σ_j softmax_j(scale · q·k_j) · v_j over the positions
     * j = 0 … last of one sequence, whose keys and values are in the blocks {@code keys[j / bs]} and
     * {@code values[j / bs]} (for a {@link HeapKvCache}: key j of this head at {@code (j % bs)·C + ho}, A floats, and
     * the value likewise; a backend's own cache may lay them out otherwise); the query is {@code q[qo, qo + A)}.
     */
    @FunctionalInterface
    protected interface HeadKernel {
        void head(float[] q, int qo, float[][] keys, float[][] values, int bs, int c, int ho, int a, int last,
                float scale, float[] out, int o);
    }

    /**
     * A result shaped like {@code x}, each row of {@code c} elements written by {@code kernel}; {@code cost} is the
     * work per element in multiply-adds (it decides whether splitting pays).
     */
    protected final Tensor byRows(Tensor x, int c, long cost, RowKernel kernel) {
        float[] in = data(x);
        float[] out = newArrayToOverwrite(in.length);
        int rows = c == 0 ? 0 : in.length / c;
        parallel.forRange(rows, 1, cost * in.length, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                kernel.row(in, out, row * c, c);
            }
        });
        return new ArrayTensor(out, x.shape());
    }

    /** add(a, b): b broadcast over a's rows of b's size. */
    protected final Tensor addByRows(Tensor a, Tensor b, AddKernel kernel) {
        Shapes.requireSuffix("add", a.shape(), b.shape());
        float[] y = data(b);
        return byRows(a, y.length, 1, (x, out, o, m) -> kernel.row(x, y, out, o, m));
    }

    /** layerNorm(x, gamma, beta, eps) row by row. */
    protected final Tensor layerNormByRows(Tensor x, Tensor gamma, Tensor beta, float eps, LayerNormKernel kernel) {
        int c = Shapes.requireLayerNorm(x, gamma, beta);
        float[] g = data(gamma);
        float[] b = beta == null ? null : data(beta);
        return byRows(x, c, 4, (in, out, o, width) -> kernel.row(in, out, o, width, g, b, eps));
    }

    /** softmax(x) row by row over the last axis. */
    protected final Tensor softmaxByRows(Tensor x, RowKernel kernel) {
        return byRows(x, x.dim(-1), 20, kernel);
    }

    /** gelu(x, form): the tanh form by {@code tanhKernel}; the erf form by {@link ScalarMath#geluErf}, rarely used. */
    protected final Tensor geluByRanges(Tensor x, Gelu form, RangeKernel tanhKernel) {
        return byRanges(x, 20, form == Gelu.TANH ? tanhKernel : (in, out, i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                out[i] = ScalarMath.geluErf(in[i]);
            }
        });
    }

    /** A result shaped like {@code x}, written range by range (elementwise functions). */
    protected final Tensor byRanges(Tensor x, long cost, RangeKernel kernel) {
        float[] in = data(x);
        float[] out = newArrayToOverwrite(in.length);
        parallel.forRange(in.length, 256, cost * in.length, (i0, i1) -> kernel.range(in, out, i0, i1));
        return new ArrayTensor(out, x.shape());
    }

    /**
     * x [N, K] · w [M, K]ᵀ + bias, the output columns split over the threads in units of {@code unit} (every core
     * streams its share of the weight rows once, for all N rows).
     */
    protected final Tensor product(Tensor x, Tensor w, Tensor bias, int unit, MatmulKernel kernel) {
        return product(x, w, data(w), bias, unit, false, kernel);
    }

    /**
     * x [N, K] · w [M, K]ᵀ + bias for a packed weight, the output columns split over the threads in units of
     * {@code unit}, as {@link #product(Tensor, Tensor, Tensor, int, MatmulKernel)} does for float32 ones.
     */
    protected final Tensor productPacked(Tensor x, PackedTensor w, Tensor bias, int unit, PackedMatmulKernel kernel) {
        return product(x, w, bias, unit, false,
                (a, bs, out, k, m, r0, r1, j0, j1) -> kernel.run(a, w, bs, out, k, m, r0, r1, j0, j1));
    }

    /**
     * x [N, K] · w [M, K]ᵀ + bias computed by {@code kernel} from {@code weights}, w's data in whatever layout the
     * kernel reads (a transposed copy, say), the rows of x split over the threads in units of {@code unit}; the kernel
     * is given all M output columns.
     */
    protected final Tensor productByRows(Tensor x, Tensor w, float[] weights, Tensor bias, int unit,
            MatmulKernel kernel) {
        return product(x, w, weights, bias, unit, true, kernel);
    }

    private Tensor product(Tensor x, Tensor w, float[] weights, Tensor bias, int unit, boolean byRows,
            MatmulKernel kernel) {
        return product(x, w, bias, unit, byRows,
                (a, bs, out, k, m, r0, r1, j0, j1) -> kernel.run(a, weights, bs, out, k, m, r0, r1, j0, j1));
    }

    /** A matmul kernel with its weights bound (in whatever form the kernel reads them). */
    @FunctionalInterface
    protected interface BoundKernel {
        void run(float[] a, float[] bias, float[] out, int k, int m, int r0, int r1, int j0, int j1);
    }

    /**
     * x [N, K] · w [M, K]ᵀ + bias by {@code kernel}, which has w's data bound in (a backend's own packed layout, say),
     * the output columns split over the threads in units of {@code unit}.
     */
    protected final Tensor productBound(Tensor x, Tensor w, Tensor bias, int unit, BoundKernel kernel) {
        return product(x, w, bias, unit, false, kernel);
    }

    private Tensor product(Tensor x, Tensor w, Tensor bias, int unit, boolean byRows, BoundKernel kernel) {
        Shapes.requireMatmul("matmul", x, w);
        int m = w.dim(0);
        int k = w.dim(1);
        if (bias != null) {
            Shapes.require("linear bias", bias.shape(), m);
        }
        int rows = Shapes.rows(x.shape());
        float[] a = data(x);
        float[] bs = bias == null ? null : data(bias);
        float[] out = newArrayToOverwrite(rows * m);
        int units = ((byRows ? rows : m) + unit - 1) / unit;
        parallel.forRange(units, 1, (long) rows * k * m, byRows
                ? (u0, u1) -> kernel.run(a, bs, out, k, m, u0 * unit, Math.min(rows, u1 * unit), 0, m)
                : (u0, u1) -> kernel.run(a, bs, out, k, m, 0, rows, u0 * unit, Math.min(m, u1 * unit)));
        return new ArrayTensor(out, Shapes.withLast(x.shape(), m));
    }

    /** One kind of a KV cache's heap blocks (keys or values) of a layer. */
    @FunctionalInterface
    public interface BlockGetter {
        float[] block(int layer, int block);
    }

    /**
     * A KV cache's blocks as heap arrays that attention kernels read in place, in the layout the cache keeps them
     * (the kernel passed to {@link #attentionByHeads} must know it).
     */
    public record HeapBlocks(BlockGetter keys, BlockGetter values) {
    }

    /**
     * The blocks of {@code cache} as heap arrays: a {@link HeapKvCache}'s ([blockSize, C] each); null for a cache
     * that keeps them elsewhere. A backend with a cache of its own overrides this.
     */
    protected HeapBlocks heapBlocks(KvCache cache) {
        return cache instanceof HeapKvCache heap ? new HeapBlocks(heap::keyBlock, heap::valueBlock) : null;
    }

    /**
     * Attention over a KV cache whose blocks are heap arrays ({@link #heapBlocks}): the batch's keys and values are
     * stored in their slots (on the threads, once every block they fall in is allocated), then every (token, head) is
     * computed by {@code kernel} on the threads, reading the cache's blocks in place. A cache of another kind falls back to {@link DecomposedAttention}.
     */
    protected final Tensor attentionByHeads(Tensor qkv, AttentionBatch batch, KvCache cache, int layer,
            HeadKernel kernel) {
        HeapBlocks heap = heapBlocks(cache);
        if (heap == null) {
            return DecomposedAttention.forward(this, qkv, batch, cache, layer);
        }
        Shapes.requireAttention(qkv, batch, cache);
        int n = batch.tokens();
        int c = cache.spec().width();
        int heads = cache.spec().heads();
        int a = cache.spec().headSize();
        int bs = batch.blockSize();
        float[] d = data(qkv);
        int[] used = new int[batch.sequences()];
        for (int t = 0; t < n; t++) {
            int s = batch.sequence()[t];
            used[s] = Math.max(used[s], batch.position()[t] / bs + 1);
        }
        float[][][] keys = new float[used.length][][];
        float[][][] values = new float[used.length][][];
        for (int s = 0; s < used.length; s++) {
            keys[s] = new float[used[s]][];
            values[s] = new float[used[s]][];
            for (int i = 0; i < used[s]; i++) {
                keys[s][i] = heap.keys().block(layer, batch.blockTables()[s][i]);
                values[s][i] = heap.values().block(layer, batch.blockTables()[s][i]);
            }
        }
        // every block is allocated now (above), so tokens, each in a slot of its own, are stored in parallel
        parallel.forRange(n, 1, 8L * n * c, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                cache.store(layer, batch.slotOf(t), d, t * 3 * c + c, d, t * 3 * c + 2 * c);
            }
        });
        float scale = (float) (1.0 / Math.sqrt(a));
        float[] out = newArrayToOverwrite(n * c);
        parallel.forRange(n * heads, 1, 2L * n * batch.maxContext() * c, (u0, u1) -> {
            for (int u = u0; u < u1; u++) { // by head, then token: every range mixes short and long contexts
                int h = u / n;
                int t = u % n;
                int s = batch.sequence()[t];
                kernel.head(d, t * 3 * c + h * a, keys[s], values[s], bs, c, h * a, a, batch.position()[t], scale,
                        out, t * c + h * a);
            }
        });
        return new ArrayTensor(out, n, c);
    }
}
