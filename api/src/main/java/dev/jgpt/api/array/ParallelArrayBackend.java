package dev.jgpt.api.array;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.ScalarMath;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;

/**
 * An {@link ArrayBackend} whose operations run row by row over the machine's cores: this class does the part every
 * such operation repeats — check the shapes, get the arrays, allocate the result, split the rows over
 * {@link #parallel}, wrap the result — and a backend passes the kernel that computes one row (or one range). The
 * plain and vector backends are built on it; they differ only in their kernels.
 *
 * <p>Every output element is computed by one thread from its index, so results do not depend on the thread count.
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

    /** p[po + j] = scale·(q·k_j) for the keys j ≤ last, −∞ after; q at qo, key j at ko + j·A. */
    @FunctionalInterface
    protected interface ScoreKernel {
        void row(float[] q, float[] k, float[] p, int po, int qo, int ko, int tk, int a, float scale, int last);
    }

    /** out[o, o + A) = Σ_j p[po + j]·v_j, value j at vo + j·A. */
    @FunctionalInterface
    protected interface MixKernel {
        void row(float[] p, int po, float[] v, float[] out, int o, int vo, int tk, int a);
    }

    /**
     * Writes the causal attention output of query rows [row0, row1) of the B·H·Tq rows; keys and values of head g at
     * position j start at {@code (g·kvCap + j)·A}.
     */
    @FunctionalInterface
    protected interface AttentionKernel {
        void rows(float[] q, float[] k, float[] v, float[] out, int tq, int tk, int a, int kvCap, float scale,
                int offset, int row0, int row1);
    }

    /** out[r, j] = Σ_i a[r, i]·w[j, i] for rows [r0, r1) and columns [j0, j1) (w is [n, k]). */
    @FunctionalInterface
    protected interface TransposedKernel {
        void run(float[] a, float[] w, float[] out, int k, int n, int r0, int r1, int j0, int j1);
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

    /** attentionScores, query rows split over the threads, keys (or a KV cache view) read in place. */
    protected final Tensor scoresByRow(Tensor q, Tensor k, float scale, int offset, ScoreKernel kernel) {
        requireAttention("attentionScores", q, k, offset);
        int bh = q.dim(0) * q.dim(1);
        int tq = q.dim(2);
        int a = q.dim(3);
        int tk = k.dim(2);
        float[] qd = data(q);
        ArrayTensor kp = ArrayTensor.of(k);
        float[] out = newArrayToOverwrite(bh * tq * tk);
        parallel.forRange(bh * tq, 1, (long) bh * tq * tk * a, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                kernel.row(qd, kp.data, out, row * tk, row * a, (row / tq) * kp.capacity * a, tk, a, scale,
                        offset + row % tq);
            }
        });
        return new ArrayTensor(out, q.dim(0), q.dim(1), tq, tk);
    }

    /** attentionMix, rows split over the threads, values (or a KV cache view) read in place. */
    protected final Tensor mixByRow(Tensor p, Tensor v, MixKernel kernel) {
        requireMix(p, v);
        int bh = p.dim(0) * p.dim(1);
        int tq = p.dim(2);
        int tk = p.dim(3);
        int a = v.dim(3);
        float[] pd = data(p);
        ArrayTensor vp = ArrayTensor.of(v);
        float[] out = newArray(bh * tq * a);
        parallel.forRange(bh * tq, 1, (long) bh * tq * tk * a, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                kernel.row(pd, row * tk, vp.data, out, row * a, (row / tq) * vp.capacity * a, tk, a);
            }
        });
        return new ArrayTensor(out, p.dim(0), p.dim(1), tq, a);
    }

    /**
     * Fused causal attention, query rows split over the threads; keys and values (or KV cache views) read in place.
     * Keys and values of different capacities fall back to the composition of the primitives.
     */
    protected final Tensor attentionByRows(Tensor q, Tensor k, Tensor v, float scale, int offset,
            AttentionKernel kernel) {
        requireAttention("attention", q, k, offset);
        requireValues("attention", k, v);
        ArrayTensor kp = ArrayTensor.of(k);
        ArrayTensor vp = ArrayTensor.of(v);
        if (kp.capacity != vp.capacity) {
            return super.attention(q, k, v, scale, offset);
        }
        int bh = q.dim(0) * q.dim(1);
        int tq = q.dim(2);
        int a = q.dim(3);
        int tk = k.dim(2);
        float[] qd = data(q);
        float[] out = newArrayToOverwrite(bh * tq * a);
        parallel.forRange(bh * tq, 1, 2L * bh * tq * tk * a, (r0, r1) ->
                kernel.rows(qd, kp.data, vp.data, out, tq, tk, a, kp.capacity, scale, offset, r0, r1));
        return new ArrayTensor(out, q.dim(0), q.dim(1), tq, a);
    }

    /**
     * x [..., K] · w [N, K]ᵀ (the tied LM head: w = wte), the rows of w split over the threads in units of 64, so that
     * every core streams its share of the table.
     */
    protected final Tensor transposedProduct(Tensor x, Tensor w, TransposedKernel kernel) {
        int n = w.dim(0);
        int k = w.dim(1);
        Shapes.requireMatmul("matmulTransposed", x, w, true);
        int rows = Shapes.rows(x.shape());
        float[] a = data(x);
        float[] b = data(w);
        float[] out = newArrayToOverwrite(rows * n);
        int units = (n + 63) / 64;
        parallel.forRange(units, 1, (long) rows * k * n, (u0, u1) ->
                kernel.run(a, b, out, k, n, 0, rows, u0 * 64, Math.min(n, u1 * 64)));
        return new ArrayTensor(out, Shapes.withLast(x.shape(), n));
    }
}
