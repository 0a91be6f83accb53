package dev.jgpt.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix product of {@link VectorBackend} on the Vector API, for weights stored [out, in]: every output element
 * is a dot product of an activation row and a weight row, both contiguous. Every multiply-add is a fused {@code fma}
 * over {@link #L} lanes (16 floats with AVX-512, 8 with AVX2).
 *
 * <p><b>One recipe per element.</b> Whatever the number of rows and wherever an element falls in a tile, it is
 * computed by the same floating-point operations in the same order, so a row's result is bit-identical alone and in
 * any batch (the backend is batch-invariant):
 * <ol>
 *   <li>one accumulator of L lanes, starting at zero; for i = 0, L, 2L, … below K rounded down to whole vectors:
 *       {@code acc = fma(x[i, i + L), w[i, i + L), acc)};</li>
 *   <li>its lanes summed by {@link #sumLanes}'s fixed tree;</li>
 *   <li>the K mod L leftover products added in order by a scalar loop, {@code s += x[i]·w[i]};</li>
 *   <li>then the bias, {@code s + bias[j]}.</li>
 * </ol>
 * No K-blocking, no partial sums kept elsewhere: the kernels differ only in how many elements share each load, and
 * every path takes its sums through the one {@link #store}.
 *
 * <p><b>Two shapes of work</b>, both over groups of {@link #GROUP} weight rows, each group read from memory once for
 * all the rows of x:
 * <ul>
 *   <li>decode steps and small batches (up to {@link #ROW_BLOCK} rows, bound by memory): groups of 4 weight rows
 *       taken from the four quarters of the columns, so that the weights stream as four long sequential runs; each
 *       group, while in L1, serves every row of x: register tiles of {@link #TILE_ROWS} rows × the 4 weight rows (16
 *       accumulators, each loaded vector used four times), the rows below a whole tile one at a time;</li>
 *   <li>prefill and larger batches (bound by arithmetic): the same register tiles over chunks of adjacent weight
 *       rows that stay in L2 while blocks of {@link #ROW_BLOCK} rows of x pass over them.</li>
 * </ul>
 *
 * <p><b>Every weight dtype, one loop structure.</b> The loops above ask a {@link WeightRows} for float32 rows once
 * per group or chunk: a float32 weight hands its own array, a {@link CompactWeight} (F16, BF16, Q8_0, Q4_0) decodes
 * the rows exactly into a per-thread scratch, and the same float32 tiles, rows and {@link #store} run on them. Below
 * a register tile (1–3 rows: decode steps) the group is read once per row anyway, so a compact weight runs a fused
 * one-row pass instead, decoding each weight vector in registers just before the recipe's fma. Exact decoding plus
 * the same recipe makes every dtype's product bit-identical to the float32 product on its dequantized values.
 *
 * <p><b>Measured</b> (2-core Zen 4, GPT-2-124M shapes, weights streamed from memory; {@code KernelBenchPacked}'s
 * side-by-side runs, ranges over shapes and runs; docs/PERFORMANCE.md): one row on two threads, F32 24–31 GB/s,
 * F16 and BF16 22–30 GB/s (bytes-bound like F32: 1.7–2.1× F32's speed per call), Q8_0 15–23 GB/s and Q4_0
 * 8–12 GB/s (bound by decoding, 28–43 GFLOP/s: 2.1–3.0× and 2.3–2.8× F32's speed); 16 rows 67–110 GFLOP/s and 128
 * rows 74–140 GFLOP/s for every dtype (F32 74–92 and 77–139).
 */
final class VectorMatmul {
    /**
     * The preferred species, at most 512 bits ({@link #sumLanes} knows 4, 8 and 16 lanes) and at least 128.
     *
     * <p>Every kernel stores a loop's accumulator as {@code ((FloatVector) acc.check(S)).intoArray(…)}: the class test
     * inside {@code check} lets C2 treat the accumulator (a value merged at the loop's head) as the exact vector class,
     * so the store is always intrinsified. Without it the store depended on the profile of the JDK's own
     * {@code FloatVector.intoArray}, which every vector shape in the JVM shares: Q4_0's fused pass, compiled after
     * Q8_0 had run in the same JVM, kept its accumulators as boxed objects in 2 of 7 runs (decode 29–31 tokens/s
     * against 100–165), and in 0 of 14 with the check (docs/PERFORMANCE.md).
     */
    static final VectorSpecies<Float> S = species();
    /** Floats per vector. */
    static final int L = S.length();
    /** Weight rows (output columns) computed together. */
    static final int GROUP = 4;
    /** Rows of x per register tile. */
    static final int TILE_ROWS = 4;
    /** Rows of x whose tiles run against one chunk of weight rows before the next block. */
    static final int ROW_BLOCK = 32;
    /** Floats of weights per chunk (256 KiB, a quarter of a Zen 4 or Sapphire Rapids core's L2). */
    static final int CHUNK_FLOATS = 1 << 16;
    private static final VectorSpecies<Float> S128 = FloatVector.SPECIES_128;

    private VectorMatmul() {
    }

    private static VectorSpecies<Float> species() {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (preferred.length() > 16) {
            return FloatVector.SPECIES_512;
        }
        return preferred.length() < 4 ? S128 : preferred;
    }

    /**
     * The sum of acc[o, o + L) by one fixed tree: pairs L/2 apart, then L/4 apart, …, then 1 apart. The first levels
     * run on 128-bit vectors loaded from where the accumulator was stored (no shuffles: in Java 17 every
     * {@code rearrange} also checks its indexes, which made the sums cost a fifth of a tile), the last two on
     * floats. Lanewise IEEE additions only, so the same bits in the interpreter as in compiled code.
     */
    static float sumLanes(float[] acc, int o) {
        FloatVector r;
        if (L == 16) {
            r = FloatVector.fromArray(S128, acc, o).add(FloatVector.fromArray(S128, acc, o + 8))
                    .add(FloatVector.fromArray(S128, acc, o + 4).add(FloatVector.fromArray(S128, acc, o + 12)));
        } else if (L == 8) {
            r = FloatVector.fromArray(S128, acc, o).add(FloatVector.fromArray(S128, acc, o + 4));
        } else {
            r = FloatVector.fromArray(S128, acc, o);
        }
        return (r.lane(0) + r.lane(2)) + (r.lane(1) + r.lane(3));
    }

    /**
     * out[r, j] = Σ_i x[r, i]·w[j, i] (+ bias[j]) for rows [r0, r1) and output columns [j0, j1); x is [·, k], w is
     * [m, k], out [·, m]; bias [m] or null. Every element by the recipe of the class comment.
     */
    static void product(float[] x, float[] w, float[] bias, float[] out, int k, int m, int r0, int r1, int j0,
            int j1) {
        product(x, new WeightRows.Floats(w), bias, out, k, m, r0, r1, j0, j1);
    }

    /** The same for weight rows of any dtype, decoded exactly to float32 ({@link WeightRows}): the same bits. */
    static void product(float[] x, WeightRows w, float[] bias, float[] out, int k, int m, int r0, int r1, int j0,
            int j1) {
        WeightRows.Pass p = WeightRows.Pass.get();
        if (r1 - r0 <= ROW_BLOCK) {
            // decode steps and small batches (bound by memory): the four weight rows of a group come from four
            // quarters of the range, so that memory is read as four long sequential streams (groups of adjacent
            // rows are four runs of one row each, which prefetch badly); each group serves every row of x while it
            // is in L1: below a register tile, one row at a time (a compact weight decoding as it multiplies),
            // else decoded once (if it needs decoding) for tiles of four rows and then the rest one row at a time
            int q = (j1 - j0 + GROUP - 1) / GROUP;
            for (int j = j0; j < j0 + q; j++) {
                int count = Math.min(GROUP, (j1 - j + q - 1) / q);
                if (r1 - r0 < TILE_ROWS) {
                    for (int r = r0; r < r1; r++) {
                        w.oneRow(x, r * k, j, q, count, k, p);
                        store(p, 0, x, r * k, p.base, bias, out, k, r * m, j, q, count);
                    }
                } else {
                    w.floats(j, q, count, k, p);
                    group(x, p, p.base, bias, out, k, m, r0, r1, j, q, count);
                }
            }
            return;
        }
        // chunks of weight rows (decoded once, if they need it) that stay in L2 while blocks of rows of x pass over
        // them
        int chunk = Math.max(GROUP, CHUNK_FLOATS / Math.max(1, k) / GROUP * GROUP);
        for (int c0 = j0; c0 < j1; c0 += chunk) {
            int c1 = Math.min(j1, c0 + chunk);
            w.floats(c0, 1, c1 - c0, k, p);
            for (int b0 = r0; b0 < r1; b0 += ROW_BLOCK) {
                int b1 = Math.min(r1, b0 + ROW_BLOCK);
                for (int j = c0; j < c1; j += GROUP) {
                    group(x, p, p.base + (j - c0) * p.stride, bias, out, k, m, b0, b1, j, 1,
                            Math.min(GROUP, c1 - j));
                }
            }
        }
    }

    /**
     * Rows [ra, rb) of x against the {@code count} weight rows of one group (output columns j + t·step, weight row t
     * at p.w[wo + t·p.stride]): register tiles of four rows when the group is whole, then one row at a time.
     */
    private static void group(float[] x, WeightRows.Pass p, int wo, float[] bias, float[] out, int k, int m, int ra,
            int rb, int j, int step, int count) {
        int r = ra;
        if (count == GROUP) {
            int tiled = ra + (rb - ra) / TILE_ROWS * TILE_ROWS;
            for (; r < tiled; r += TILE_ROWS) {
                tile(x, p.w, p.acc, k, r, wo, p.stride);
                for (int t = 0; t < TILE_ROWS; t++) {
                    store(p, t * GROUP * L, x, (r + t) * k, wo, bias, out, k, (r + t) * m, j, step, GROUP);
                }
            }
        }
        for (; r < rb; r++) {
            row(x, r * k, p.w, wo, p.stride, count, k, p.acc);
            store(p, 0, x, r * k, wo, bias, out, k, r * m, j, step, count);
        }
    }

    /**
     * Step 1 of the recipe for row x[xo …] against the weight rows at w[wo + t·stride …], t &lt; 4 (those from
     * {@code count} on repeat the last), into acc[t·L, (t + 1)·L).
     */
    static void row(float[] x, int xo, float[] w, int wo, int stride, int count, int k, float[] acc) {
        int kv = k / L * L;
        int w0 = wo;
        int w1 = wo + Math.min(1, count - 1) * stride;
        int w2 = wo + Math.min(2, count - 1) * stride;
        int w3 = wo + Math.min(3, count - 1) * stride;
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int i = 0; i < kv; i += L) {
            FloatVector a = FloatVector.fromArray(S, x, xo + i);
            s0 = a.fma(FloatVector.fromArray(S, w, w0 + i), s0);
            s1 = a.fma(FloatVector.fromArray(S, w, w1 + i), s1);
            s2 = a.fma(FloatVector.fromArray(S, w, w2 + i), s2);
            s3 = a.fma(FloatVector.fromArray(S, w, w3 + i), s3);
        }
        ((FloatVector) s0.check(S)).intoArray(acc, 0);
        ((FloatVector) s1.check(S)).intoArray(acc, L);
        ((FloatVector) s2.check(S)).intoArray(acc, 2 * L);
        ((FloatVector) s3.check(S)).intoArray(acc, 3 * L);
    }

    /**
     * Step 1 of the recipe for the register tile of rows r … r + 3 × the weight rows at w[wo + t·stride …], t &lt; 4:
     * 16 accumulators, 8 loads per 16 fmas, left in acc (row t's four at [4t·L, (4t + 4)·L)) for {@link #store} to
     * sum. (With the sums inside, the method passed C2's inlining node budget and the vectors were boxed: ten times
     * slower.)
     */
    private static void tile(float[] x, float[] w, float[] acc, int k, int r, int wo, int stride) {
        int kv = k / L * L;
        int x0 = r * k;
        int x1 = x0 + k;
        int x2 = x1 + k;
        int x3 = x2 + k;
        int w0 = wo;
        int w1 = w0 + stride;
        int w2 = w1 + stride;
        int w3 = w2 + stride;
        FloatVector s00 = FloatVector.zero(S);
        FloatVector s01 = s00;
        FloatVector s02 = s00;
        FloatVector s03 = s00;
        FloatVector s10 = s00;
        FloatVector s11 = s00;
        FloatVector s12 = s00;
        FloatVector s13 = s00;
        FloatVector s20 = s00;
        FloatVector s21 = s00;
        FloatVector s22 = s00;
        FloatVector s23 = s00;
        FloatVector s30 = s00;
        FloatVector s31 = s00;
        FloatVector s32 = s00;
        FloatVector s33 = s00;
        for (int i = 0; i < kv; i += L) {
            FloatVector v0 = FloatVector.fromArray(S, w, w0 + i);
            FloatVector v1 = FloatVector.fromArray(S, w, w1 + i);
            FloatVector v2 = FloatVector.fromArray(S, w, w2 + i);
            FloatVector v3 = FloatVector.fromArray(S, w, w3 + i);
            FloatVector a = FloatVector.fromArray(S, x, x0 + i);
            s00 = a.fma(v0, s00);
            s01 = a.fma(v1, s01);
            s02 = a.fma(v2, s02);
            s03 = a.fma(v3, s03);
            a = FloatVector.fromArray(S, x, x1 + i);
            s10 = a.fma(v0, s10);
            s11 = a.fma(v1, s11);
            s12 = a.fma(v2, s12);
            s13 = a.fma(v3, s13);
            a = FloatVector.fromArray(S, x, x2 + i);
            s20 = a.fma(v0, s20);
            s21 = a.fma(v1, s21);
            s22 = a.fma(v2, s22);
            s23 = a.fma(v3, s23);
            a = FloatVector.fromArray(S, x, x3 + i);
            s30 = a.fma(v0, s30);
            s31 = a.fma(v1, s31);
            s32 = a.fma(v2, s32);
            s33 = a.fma(v3, s33);
        }
        ((FloatVector) s00.check(S)).intoArray(acc, 0);
        ((FloatVector) s01.check(S)).intoArray(acc, L);
        ((FloatVector) s02.check(S)).intoArray(acc, 2 * L);
        ((FloatVector) s03.check(S)).intoArray(acc, 3 * L);
        ((FloatVector) s10.check(S)).intoArray(acc, 4 * L);
        ((FloatVector) s11.check(S)).intoArray(acc, 5 * L);
        ((FloatVector) s12.check(S)).intoArray(acc, 6 * L);
        ((FloatVector) s13.check(S)).intoArray(acc, 7 * L);
        ((FloatVector) s20.check(S)).intoArray(acc, 8 * L);
        ((FloatVector) s21.check(S)).intoArray(acc, 9 * L);
        ((FloatVector) s22.check(S)).intoArray(acc, 10 * L);
        ((FloatVector) s23.check(S)).intoArray(acc, 11 * L);
        ((FloatVector) s30.check(S)).intoArray(acc, 12 * L);
        ((FloatVector) s31.check(S)).intoArray(acc, 13 * L);
        ((FloatVector) s32.check(S)).intoArray(acc, 14 * L);
        ((FloatVector) s33.check(S)).intoArray(acc, 15 * L);
    }

    /**
     * Steps 2–4 of the recipe for the first {@code count} of the four accumulators at p.acc[a, a + 4L) of row x[xo …]
     * and the weight rows at p.w[wo + t·p.stride …] (output columns j + t·step), stored at out[o + j + t·step].
     */
    private static void store(WeightRows.Pass p, int a, float[] x, int xo, int wo, float[] bias, float[] out, int k,
            int o, int j, int step, int count) {
        int kv = k / L * L;
        for (int t = 0; t < count; t++) {
            int jt = j + t * step;
            float s = sumLanes(p.acc, a + t * L);
            int wt = wo + t * p.stride;
            for (int i = kv; i < k; i++) {
                s += x[xo + i] * p.w[wt + i];
            }
            out[o + jt] = bias == null ? s : s + bias[jt];
        }
    }
}
