package dev.jgpt.backend.plain;

import dev.jgpt.api.Gelu;
import dev.jgpt.api.ScalarMath;
import dev.jgpt.api.Shapes;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.array.ArrayBackend;
import dev.jgpt.api.array.ArrayKvCache;
import dev.jgpt.api.array.ArrayTensor;
import dev.jgpt.api.array.Parallel;

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
public final class PlainBackend extends ArrayBackend {
    static final String NAME = "plain";

    private final Parallel parallel;

    /** A backend on {@code -Djgpt.plain.threads} threads, or all available processors. */
    public PlainBackend() {
        this(Integer.getInteger("jgpt.plain.threads", Runtime.getRuntime().availableProcessors()));
    }

    /** A backend on {@code threads} threads (1 runs everything on the caller). */
    public PlainBackend(int threads) {
        this.parallel = new Parallel(threads);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The number of threads the kernels use. */
    public int threads() {
        return parallel.threads;
    }

    // ---------------------------------------------------------------------------------------------------- arithmetic

    @Override
    public Tensor add(Tensor a, Tensor b) {
        Shapes.requireSuffix("add", a.shape(), b.shape());
        float[] x = data(a);
        float[] y = data(b);
        float[] out = new float[x.length];
        int m = y.length;
        if (m == 0) {
            return new ArrayTensor(out, a.shape());
        }
        // rows of y's size: out[r·m + i] = x[r·m + i] + y[i]
        parallel.forRange(x.length / m, 1, x.length / 4, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * m;
                for (int i = 0; i < m; i++) {
                    out[o + i] = x[o + i] + y[i];
                }
            }
        });
        return new ArrayTensor(out, a.shape());
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
        int n = w.dim(0);
        int k = w.dim(1);
        Shapes.requireMatmul("matmulTransposed", x, w, true);
        int rows = Shapes.rows(x.shape());
        float[] a = data(x);
        float[] b = data(w);
        float[] out = new float[rows * n];
        // split the weight rows (the vocabulary of an LM head): each core streams its share of the table
        int units = (n + 63) / 64;
        parallel.forRange(units, 1, (long) rows * k * n, (u0, u1) ->
                Kernels.matmulTransposed(a, b, out, k, n, 0, rows, u0 * 64, Math.min(n, u1 * 64)));
        return new ArrayTensor(out, Shapes.withLast(x.shape(), n));
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int c = Shapes.requireLayerNorm(x, gamma, beta);
        float[] in = data(x);
        float[] g = data(gamma);
        float[] bt = beta == null ? null : data(beta);
        float[] out = new float[in.length];
        int rows = c == 0 ? 0 : in.length / c;
        parallel.forRange(rows, 1, 4L * in.length, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                Kernels.layerNormRow(in, out, row * c, c, g, bt, eps);
            }
        });
        return new ArrayTensor(out, x.shape());
    }

    @Override
    public Tensor gelu(Tensor x, Gelu form) {
        float[] in = data(x);
        float[] out = new float[in.length];
        // the tanh form through Kernels.geluTanh (an exp polynomial instead of native Math.tanh); erf as the reference
        parallel.forRange(in.length, 256, 20L * in.length, (i0, i1) -> {
            if (form == Gelu.TANH) {
                for (int i = i0; i < i1; i++) {
                    out[i] = Kernels.geluTanh(in[i]);
                }
            } else {
                for (int i = i0; i < i1; i++) {
                    out[i] = ScalarMath.geluErf(in[i]);
                }
            }
        });
        return new ArrayTensor(out, x.shape());
    }

    @Override
    public Tensor softmax(Tensor x) {
        int c = x.dim(-1);
        float[] in = data(x);
        float[] out = new float[in.length];
        int rows = c == 0 ? 0 : in.length / c;
        parallel.forRange(rows, 1, 20L * in.length, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                Kernels.softmaxRow(in, out, row * c, c);
            }
        });
        return new ArrayTensor(out, x.shape());
    }

    @Override
    public Tensor attentionScores(Tensor q, Tensor k, float scale, int offset) {
        requireAttention("attentionScores", q, k, offset);
        int bh = q.dim(0) * q.dim(1);
        int tq = q.dim(2);
        int a = q.dim(3);
        int tk = k.dim(2);
        float[] qd = data(q);
        ArrayTensor kp = ArrayTensor.of(k);
        float[] out = new float[bh * tq * tk];
        parallel.forRange(bh * tq, 1, (long) bh * tq * tk * a, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                Kernels.scoreRow(qd, kp.data, out, row * tk, row * a, (row / tq) * kp.capacity * a, tk, a, scale,
                        offset + row % tq);
            }
        });
        return new ArrayTensor(out, q.dim(0), q.dim(1), tq, tk);
    }

    @Override
    public Tensor attentionMix(Tensor p, Tensor v) {
        requireMix(p, v);
        int bh = p.dim(0) * p.dim(1);
        int tq = p.dim(2);
        int tk = p.dim(3);
        int a = v.dim(3);
        float[] pd = data(p);
        ArrayTensor vp = ArrayTensor.of(v);
        float[] out = new float[bh * tq * a];
        parallel.forRange(bh * tq, 1, (long) bh * tq * tk * a, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                Kernels.mixRow(pd, row * tk, vp.data, out, row * a, (row / tq) * vp.capacity * a, tk, a);
            }
        });
        return new ArrayTensor(out, p.dim(0), p.dim(1), tq, a);
    }

    /** Scores, softmax and mix per query row in one pass, reading keys and values (or KV cache views) in place. */
    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, float scale, int offset) {
        requireAttention("attention", q, k, offset);
        requireValues("attention", k, v);
        int bh = q.dim(0) * q.dim(1);
        int tq = q.dim(2);
        int a = q.dim(3);
        int tk = k.dim(2);
        ArrayTensor kp = ArrayTensor.of(k);
        ArrayTensor vp = ArrayTensor.of(v);
        if (kp.capacity != vp.capacity) {
            return super.attention(q, k, v, scale, offset);
        }
        float[] qd = data(q);
        float[] out = new float[bh * tq * a];
        parallel.forRange(bh * tq, 1, 2L * bh * tq * tk * a, (r0, r1) ->
                Kernels.attentionRows(qd, kp.data, vp.data, out, tq, tk, a, kp.capacity, scale, offset, r0, r1));
        return new ArrayTensor(out, q.dim(0), q.dim(1), tq, a);
    }
}
