package dev.jgpt.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix products of {@link VectorBackend} on the Vector API: every multiply-add is a fused {@code fma} over
 * {@link #L} lanes (16 floats with AVX-512, 8 with AVX2), columns that do not fill a vector are done by a scalar loop.
 * Sums run in a different order than the plain reference (per lane, then across lanes), so results agree with it to
 * rounding, not to the bit.
 *
 * <p>Three shapes of work, as in llm.c's matmul_forward: one row of activations (a decode step, which streams every
 * weight once and is bound by memory), many rows (prefill and batches, bound by arithmetic: a register tile of
 * {@link #TILE_ROWS} rows × {@link #TILE_VECTORS} vectors reuses each loaded weight vector four times and each
 * broadcast activation three times), and products with a transposed weight (the tied LM head, dot products along
 * contiguous rows of wte).
 */
final class VectorMatmul {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int L = S.length();
    /** Rows of the register tile of {@link #tiles}. */
    static final int TILE_ROWS = 4;
    /** Vectors (columns / L) of the register tile of {@link #tiles}. */
    static final int TILE_VECTORS = 3;
    /** Columns of one strip of {@link #tiles}. */
    static final int STRIP = TILE_VECTORS * L;
    /** Weight rows per pass of {@link #tiles}, so that a strip's share (K_BLOCK × STRIP floats, 24 KiB) stays in L1. */
    static final int K_BLOCK = 128;

    private VectorMatmul() {
    }

    /**
     * out[r, j] += Σ_i a[r, i]·w[i, j] for rows [r0, r1) and columns [j0, j1), reading each weight row once per row of
     * a (the decode path): four weight rows per pass over the output segment, which stays in L1.
     */
    static void stream(float[] a, float[] w, float[] out, int k, int n, int r0, int r1, int j0, int j1) {
        int vecEnd = j0 + (j1 - j0) / L * L;
        for (int r = r0; r < r1; r++) {
            int ar = r * k;
            int or = r * n;
            int i = 0;
            for (; i + 3 < k; i += 4) {
                FloatVector a0 = FloatVector.broadcast(S, a[ar + i]);
                FloatVector a1 = FloatVector.broadcast(S, a[ar + i + 1]);
                FloatVector a2 = FloatVector.broadcast(S, a[ar + i + 2]);
                FloatVector a3 = FloatVector.broadcast(S, a[ar + i + 3]);
                int w0 = i * n;
                int w1 = w0 + n;
                int w2 = w1 + n;
                int w3 = w2 + n;
                for (int j = j0; j < vecEnd; j += L) {
                    FloatVector acc = FloatVector.fromArray(S, out, or + j);
                    acc = FloatVector.fromArray(S, w, w0 + j).fma(a0, acc);
                    acc = FloatVector.fromArray(S, w, w1 + j).fma(a1, acc);
                    acc = FloatVector.fromArray(S, w, w2 + j).fma(a2, acc);
                    acc = FloatVector.fromArray(S, w, w3 + j).fma(a3, acc);
                    acc.intoArray(out, or + j);
                }
                for (int j = vecEnd; j < j1; j++) {
                    out[or + j] += a[ar + i] * w[w0 + j] + a[ar + i + 1] * w[w1 + j] + a[ar + i + 2] * w[w2 + j]
                            + a[ar + i + 3] * w[w3 + j];
                }
            }
            for (; i < k; i++) {
                FloatVector ai = FloatVector.broadcast(S, a[ar + i]);
                int wi = i * n;
                for (int j = j0; j < vecEnd; j += L) {
                    FloatVector.fromArray(S, w, wi + j).fma(ai, FloatVector.fromArray(S, out, or + j))
                            .intoArray(out, or + j);
                }
                for (int j = vecEnd; j < j1; j++) {
                    out[or + j] += a[ar + i] * w[wi + j];
                }
            }
        }
    }

    /**
     * out[r, j] += Σ_i a[r, i]·w[i, j] for rows [r0, r1) and the columns [j0, j0 + width) of one strip
     * (width ≤ {@link #STRIP}), in register tiles: full tiles of {@link #TILE_ROWS} rows × whole vectors, then the
     * leftover rows one at a time, then the columns that do not fill a vector by a scalar loop. The sums are added
     * to what out holds (zeros, or a bias).
     */
    static void tiles(float[] a, float[] w, float[] out, int k, int n, int r0, int r1, int j0, int width) {
        int vectors = width / L;
        int rowsEnd = r0 + (r1 - r0) / TILE_ROWS * TILE_ROWS;
        for (int i0 = 0; i0 < k; i0 += K_BLOCK) {
            int i1 = Math.min(k, i0 + K_BLOCK);
            for (int r = r0; r < rowsEnd; r += TILE_ROWS) {
                if (vectors == 3) {
                    tile4x3(a, w, out, k, n, r, j0, i0, i1);
                } else {
                    for (int v = 0; v < vectors; v++) {
                        tile4x1(a, w, out, k, n, r, j0 + v * L, i0, i1);
                    }
                }
            }
            for (int r = rowsEnd; r < r1; r++) {
                for (int v = 0; v < vectors; v++) {
                    tile1x1(a, w, out, k, n, r, j0 + v * L, i0, i1);
                }
            }
        }
        int tail = j0 + vectors * L;
        for (int r = r0; r < r1; r++) {
            for (int j = tail; j < j0 + width; j++) {
                float s = 0f;
                for (int i = 0; i < k; i++) {
                    s += a[r * k + i] * w[i * n + j];
                }
                out[r * n + j] += s;
            }
        }
    }

    /** The 4 × 3-vector register tile at rows r.., columns j.., over weight rows [i0, i1), added into out. */
    private static void tile4x3(float[] a, float[] w, float[] out, int k, int n, int r, int j, int i0, int i1) {
        int o0 = r * n + j;
        int o1 = o0 + n;
        int o2 = o1 + n;
        int o3 = o2 + n;
        FloatVector c00 = FloatVector.fromArray(S, out, o0);
        FloatVector c01 = FloatVector.fromArray(S, out, o0 + L);
        FloatVector c02 = FloatVector.fromArray(S, out, o0 + 2 * L);
        FloatVector c10 = FloatVector.fromArray(S, out, o1);
        FloatVector c11 = FloatVector.fromArray(S, out, o1 + L);
        FloatVector c12 = FloatVector.fromArray(S, out, o1 + 2 * L);
        FloatVector c20 = FloatVector.fromArray(S, out, o2);
        FloatVector c21 = FloatVector.fromArray(S, out, o2 + L);
        FloatVector c22 = FloatVector.fromArray(S, out, o2 + 2 * L);
        FloatVector c30 = FloatVector.fromArray(S, out, o3);
        FloatVector c31 = FloatVector.fromArray(S, out, o3 + L);
        FloatVector c32 = FloatVector.fromArray(S, out, o3 + 2 * L);
        int a0 = r * k;
        int a1 = a0 + k;
        int a2 = a1 + k;
        int a3 = a2 + k;
        for (int i = i0; i < i1; i++) {
            int wi = i * n + j;
            FloatVector w0 = FloatVector.fromArray(S, w, wi);
            FloatVector w1 = FloatVector.fromArray(S, w, wi + L);
            FloatVector w2 = FloatVector.fromArray(S, w, wi + 2 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + i]);
            c00 = w0.fma(x, c00);
            c01 = w1.fma(x, c01);
            c02 = w2.fma(x, c02);
            x = FloatVector.broadcast(S, a[a1 + i]);
            c10 = w0.fma(x, c10);
            c11 = w1.fma(x, c11);
            c12 = w2.fma(x, c12);
            x = FloatVector.broadcast(S, a[a2 + i]);
            c20 = w0.fma(x, c20);
            c21 = w1.fma(x, c21);
            c22 = w2.fma(x, c22);
            x = FloatVector.broadcast(S, a[a3 + i]);
            c30 = w0.fma(x, c30);
            c31 = w1.fma(x, c31);
            c32 = w2.fma(x, c32);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + L);
        c02.intoArray(out, o0 + 2 * L);
        c10.intoArray(out, o1);
        c11.intoArray(out, o1 + L);
        c12.intoArray(out, o1 + 2 * L);
        c20.intoArray(out, o2);
        c21.intoArray(out, o2 + L);
        c22.intoArray(out, o2 + 2 * L);
        c30.intoArray(out, o3);
        c31.intoArray(out, o3 + L);
        c32.intoArray(out, o3 + 2 * L);
    }

    /** The 4 × 1-vector tile (strips narrower than three vectors). */
    private static void tile4x1(float[] a, float[] w, float[] out, int k, int n, int r, int j, int i0, int i1) {
        int o0 = r * n + j;
        FloatVector c0 = FloatVector.fromArray(S, out, o0);
        FloatVector c1 = FloatVector.fromArray(S, out, o0 + n);
        FloatVector c2 = FloatVector.fromArray(S, out, o0 + 2 * n);
        FloatVector c3 = FloatVector.fromArray(S, out, o0 + 3 * n);
        int a0 = r * k;
        for (int i = i0; i < i1; i++) {
            FloatVector wv = FloatVector.fromArray(S, w, i * n + j);
            c0 = wv.fma(FloatVector.broadcast(S, a[a0 + i]), c0);
            c1 = wv.fma(FloatVector.broadcast(S, a[a0 + k + i]), c1);
            c2 = wv.fma(FloatVector.broadcast(S, a[a0 + 2 * k + i]), c2);
            c3 = wv.fma(FloatVector.broadcast(S, a[a0 + 3 * k + i]), c3);
        }
        c0.intoArray(out, o0);
        c1.intoArray(out, o0 + n);
        c2.intoArray(out, o0 + 2 * n);
        c3.intoArray(out, o0 + 3 * n);
    }

    /** One row × one vector (the rows left over below a full tile). */
    private static void tile1x1(float[] a, float[] w, float[] out, int k, int n, int r, int j, int i0, int i1) {
        int o = r * n + j;
        FloatVector c = FloatVector.fromArray(S, out, o);
        for (int i = i0; i < i1; i++) {
            c = FloatVector.fromArray(S, w, i * n + j).fma(FloatVector.broadcast(S, a[r * k + i]), c);
        }
        c.intoArray(out, o);
    }

    /**
     * out[r, j] = Σ_i a[r, i]·w[j, i] (w is [n, k]: the tied LM head's wte) for rows [r0, r1) and columns [j0, j1):
     * four dot products at a time, each over whole vectors of k and a scalar tail; the four weight rows stay in L1
     * while every row of a passes over them.
     */
    static void transposed(float[] a, float[] w, float[] out, int k, int n, int r0, int r1, int j0, int j1) {
        int kv = k / L * L;
        int j = j0;
        for (; j + 3 < j1; j += 4) {
            int w0 = j * k;
            int w1 = w0 + k;
            int w2 = w1 + k;
            int w3 = w2 + k;
            for (int r = r0; r < r1; r++) {
                int ar = r * k;
                FloatVector s0 = FloatVector.zero(S);
                FloatVector s1 = FloatVector.zero(S);
                FloatVector s2 = FloatVector.zero(S);
                FloatVector s3 = FloatVector.zero(S);
                for (int i = 0; i < kv; i += L) {
                    FloatVector x = FloatVector.fromArray(S, a, ar + i);
                    s0 = FloatVector.fromArray(S, w, w0 + i).fma(x, s0);
                    s1 = FloatVector.fromArray(S, w, w1 + i).fma(x, s1);
                    s2 = FloatVector.fromArray(S, w, w2 + i).fma(x, s2);
                    s3 = FloatVector.fromArray(S, w, w3 + i).fma(x, s3);
                }
                float t0 = s0.reduceLanes(VectorOperators.ADD);
                float t1 = s1.reduceLanes(VectorOperators.ADD);
                float t2 = s2.reduceLanes(VectorOperators.ADD);
                float t3 = s3.reduceLanes(VectorOperators.ADD);
                for (int i = kv; i < k; i++) {
                    float x = a[ar + i];
                    t0 += x * w[w0 + i];
                    t1 += x * w[w1 + i];
                    t2 += x * w[w2 + i];
                    t3 += x * w[w3 + i];
                }
                int o = r * n + j;
                out[o] = t0;
                out[o + 1] = t1;
                out[o + 2] = t2;
                out[o + 3] = t3;
            }
        }
        for (; j < j1; j++) {
            for (int r = r0; r < r1; r++) {
                out[r * n + j] = VectorRows.dot(a, r * k, w, j * k, k);
            }
        }
    }
}
